"""Check an exercise answer in the notebook and get friendly feedback: a tick, or a hint (never a traceback).

Each chapter module declares its checkable exercises in a module-level ``EXERCISES`` dict::

    EXERCISES = {
        "ex-01-containers": Exercise(
            prompt="How many ...?",
            expected=lambda: <computed from the data package>,
            tolerance=0.05,                 # relative, for numbers
            hint="Look at the rows where ...",
        ),
    }

and learners call ``check("ex-01-containers", my_answer)``. Expected answers are computed from the data
package, so they stay right when the data are updated.
"""
from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Exercise:
    prompt: str
    expected: Callable[[], Any]
    hint: str
    tolerance: float = 0.0

    def is_correct(self, answer: Any) -> bool:
        expected = self.expected()
        if isinstance(expected, (int, float)) and not isinstance(expected, bool):
            try:
                value = float(answer)
            except (TypeError, ValueError):
                return False
            if math.isnan(value):
                return False
            return math.isclose(value, float(expected), rel_tol=self.tolerance, abs_tol=1e-9)
        if isinstance(expected, str):
            return isinstance(answer, str) and answer.strip().casefold() == expected.strip().casefold()
        if isinstance(expected, (set, frozenset)):
            try:
                return {str(a).strip().casefold() for a in answer} == {str(e).casefold() for e in expected}
            except TypeError:
                return False
        return answer == expected


def registry() -> dict[str, Exercise]:
    """Every checkable exercise, gathered from the package's chapter modules."""
    import partnership

    found: dict[str, Exercise] = {}
    package_dir = Path(partnership.__path__[0])
    for module_info in pkgutil.iter_modules(partnership.__path__):
        # Import only the chapter modules that declare exercises: importing every module would slow each check.
        source = package_dir / f"{module_info.name}.py"
        if not source.exists() or "EXERCISES" not in source.read_text(encoding="utf-8") or module_info.name == "check":
            continue
        module = importlib.import_module(f"partnership.{module_info.name}")
        for key, exercise in getattr(module, "EXERCISES", {}).items():
            if key in found:
                raise RuntimeError(f"Exercise id {key!r} is declared twice.")
            found[key] = exercise
    return found


def check(exercise_id: str, answer: Any) -> bool:
    """Print whether ``answer`` is right; on a wrong answer print a hint. Returns True when right."""
    exercises = registry()
    if exercise_id not in exercises:
        print(f"There is no exercise called {exercise_id!r}. Check the id printed in the exercise's title.")
        return False
    exercise = exercises[exercise_id]
    if answer is None or answer is Ellipsis:
        print("Replace the ... with your answer, then run the cell again.")
        return False
    if exercise.is_correct(answer):
        print("✓ Correct.")
        return True
    print(f"✗ Not quite. Hint: {exercise.hint}")
    return False
