"""The instructor's answer key, generated from the chapters' own exercises and solutions (never typed twice).

Every ``{exercise}`` and its ``{solution}`` (plain or gated with ``solution-start``/``solution-end``) is collected
from the notebooks, together with the expected answer of each checkable exercise (computed from the data, as
``partnership.check`` computes it). The Sphinx extension rewrites the page at the start of every build.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from ._files import write_if_changed

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "book" / "instructors" / "answer-key.md"
_BLOCK = re.compile(r"^(`{3,}|:{3,})\{(exercise|solution|solution-start|solution-end)\}[^\n]*\n(.*?)^\1\s*$", re.M | re.S)
_OPTION = re.compile(r"^:([a-z-]+):\s*(.*)$", re.M)
_HEADER = re.compile(r"^(`{3,}|:{3,})\{(exercise|solution|solution-start|solution-end)\}[ \t]*([^\n]*)$", re.M)


def _strip_options(body: str) -> tuple[dict, str]:
    options = dict(_OPTION.findall(body))
    return options, _OPTION.sub("", body).strip()


def _demote(text: str) -> str:
    """Keep solution text readable inside an admonition: no labels that would clash with the chapter's."""
    return re.sub(r"\{(ref|numref|doc)\}`([^`<]*)(<[^`]*>)?`", lambda m: m.group(2) or "the exercise", text)


def collect(notebook_path: Path) -> list[dict]:
    notebook = nbformat.read(notebook_path, as_version=4)
    items: list[dict] = []
    gated: dict | None = None
    for cell in notebook.cells:
        if gated is not None and cell.cell_type == "code":
            gated["code"].append(cell.source)
        if cell.cell_type != "markdown":
            continue
        for match in _HEADER.finditer(cell.source):
            kind, argument = match.group(2), match.group(3).strip()
            end = cell.source.find("\n" + match.group(1), match.end())
            body = cell.source[match.end():end if end != -1 else len(cell.source)]
            options, text = _strip_options(body)
            if kind == "exercise":
                items.append({"label": options.get("label", argument), "title": argument, "exercise": _demote(text), "solution": "", "code": []})
            elif kind in {"solution", "solution-start"}:
                target = next((item for item in items if item["label"] == argument), None)
                if target is None:
                    continue
                target["solution"] = _demote(text)
                if kind == "solution-start":
                    gated = target
            elif kind == "solution-end":
                gated = None
    return items


def _show(value) -> str:
    """A stable rendering of an expected answer (sets are sorted, so the page does not change between builds)."""
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(repr(v) for v in sorted(value, key=str)) + "}"
    return repr(value)


def _title(notebook_path: Path) -> str:
    notebook = nbformat.read(notebook_path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return notebook_path.stem


def page_text(notebooks: list[Path] | None = None) -> str:
    from .check import registry

    notebooks = notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    checkable = registry()
    parts = [
        "# Answer key\n\n",
        "Every exercise in the course with its solution, collected from the chapters when the book is built, so this\n"
        "page always matches them. In the chapters the solutions are hidden until a learner opens them. Checkable\n"
        "exercises (marked *checked in the notebook*) list the answer `partnership.check` expects, computed from the\n"
        "data package.\n",
    ]
    for path in notebooks:
        items = collect(path)
        parts.append(f"\n## {_title(path)}\n\n")
        if not items:
            parts.append("This chapter has no exercises.\n")
        for item in items:
            parts.append(f"\n### {item['label']}\n\n{item['exercise']}\n\n")
            if item["label"] in checkable:
                exercise = checkable[item["label"]]
                parts.append(f"*Checked in the notebook; expected answer:* `{_show(exercise.expected())}`\n\n")
            if item["solution"]:
                parts.append(f"**Solution.**\n\n{item['solution']}\n\n")
            for code in item["code"]:
                parts.append(f"```python\n{code}\n```\n\n")
    extra = sorted(set(checkable) - {i["label"] for p in notebooks for i in collect(p)})
    if extra:
        parts.append("\n## Other checkable exercises\n\n")
        for label in extra:
            exercise = checkable[label]
            parts.append(f"- `{label}`: {exercise.prompt} Expected: `{_show(exercise.expected())}`.\n")
    return "".join(parts)


def write_page(path: Path = PAGE) -> bool:
    return write_if_changed(path, page_text())
