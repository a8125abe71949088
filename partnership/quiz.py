"""Self-check quizzes: one JSON question bank per chapter, shown with jupyterquiz.

The same call renders in JupyterLab and in the static book (jupyterquiz inlines its script and questions,
fetches nothing, and gives feedback on click without a kernel). Banks live in ``partnership/quizzes/`` so
they travel with the package to Colab. The format is jupyterquiz's own: a list of questions, each with
``question``, ``type`` (``multiple_choice``, ``many_choice`` or ``numeric``) and ``answers``, every answer
carrying ``answer``/``value``, ``correct`` and ``feedback``.
"""
from __future__ import annotations

import json
from importlib import resources

#: Colours with at least 4.5:1 contrast for text and feedback (jupyterquiz's default green fails).
COLOURS = {
    "--jq-multiple-choice-bg": "#1f3a5f",
    "--jq-many-choice-bg": "#5a2a50",
    "--jq-numeric-bg": "#1f3a5f",
    "--jq-string-bg": "#5a2a50",
    "--jq-mc-button-bg": "#ffffff",
    "--jq-mc-button-border": "#6b6b6b",
    "--jq-mc-button-inset-shadow": "#555555",
    "--jq-numeric-input-bg": "#ffffff",
    "--jq-numeric-input-label": "#101010",
    "--jq-numeric-input-shadow": "#999999",
    "--jq-incorrect-color": "#ffc2b8",
    "--jq-correct-color": "#b9f0c4",
    "--jq-text-color": "#ffffff",
    "--jq-link-color": "#cfe3ff",
}
QUESTION_TYPES = {"multiple_choice", "many_choice", "numeric"}


class QuizError(ValueError):
    """A question bank is missing or malformed."""


def bank_names() -> list[str]:
    return sorted(p.name[:-5] for p in resources.files(__package__).joinpath("quizzes").iterdir() if p.name.endswith(".json"))


def load_bank(chapter: str) -> list[dict]:
    """The questions for ``chapter``, checked so that a broken bank fails with a clear message."""
    path = resources.files(__package__).joinpath("quizzes", f"{chapter}.json")
    if not path.is_file():
        raise QuizError(f"No quiz called {chapter!r}. Available: {', '.join(bank_names()) or 'none'}.")
    try:
        questions = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise QuizError(f"Quiz {chapter}.json is not valid JSON (line {error.lineno}: {error.msg}).") from None
    if not isinstance(questions, list) or not questions:
        raise QuizError(f"Quiz {chapter}.json must be a non-empty list of questions.")
    for number, question in enumerate(questions, start=1):
        where = f"Quiz {chapter}.json, question {number}"
        if question.get("type") not in QUESTION_TYPES:
            raise QuizError(f"{where}: type must be one of {sorted(QUESTION_TYPES)}, not {question.get('type')!r}.")
        if not question.get("question") or not question.get("answers"):
            raise QuizError(f"{where}: needs 'question' text and a list of 'answers'.")
        if not any(answer.get("correct") for answer in question["answers"]):
            raise QuizError(f"{where}: no answer is marked correct.")
        for answer in question["answers"]:
            if not answer.get("feedback"):
                raise QuizError(f"{where}: every answer needs 'feedback' that explains why it is right or wrong.")
    return questions


def show(chapter: str) -> None:
    """Display the chapter's self-check quiz (works in JupyterLab, Colab and the static book)."""
    from jupyterquiz import display_quiz

    display_quiz(load_bank(chapter), colors=COLOURS, shuffle_answers=False, max_width=760)
