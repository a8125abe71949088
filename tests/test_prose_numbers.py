"""Every number written in a chapter's prose must be a value in the data package (the sourcing rule, enforced).

Numbers below 10, years, times to learn and exercise labels are not checked; everything else must match a
value in some table (numeric cells, dates' days, or numbers written inside text cells) once scaled by any
'thousand/million/billion/trillion' that follows it.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from partnership import data

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
NUMBER = re.compile(r"(?<![\w.-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(thousand|million|billion|trillion))?(?![\w-])", re.I)
SKIP_FOLLOWING = re.compile(r"^\s*(minutes?|mins?|seconds?|s\b|%|per\s?cent|percent)", re.I)


@lru_cache(maxsize=1)
def known_values() -> set[float]:
    values: set[float] = set()
    for name in data.table_names():
        frame = data.load(name)
        for column in frame.columns:
            series = frame[column].dropna()
            if pd.api.types.is_numeric_dtype(series):
                values.update(float(v) for v in series)
            elif pd.api.types.is_datetime64_any_dtype(series):
                values.update(float(v.day) for v in series)
                values.update(float(v.year) for v in series)
            else:
                for text in series.astype(str):
                    for match in NUMBER.finditer(text):
                        values.add(_value(match))
    return values


def _value(match: re.Match) -> float:
    number = float(match.group(1).replace(",", ""))
    scale = SCALES.get((match.group(2) or "").lower(), 1)
    return round(number * scale, 6)


def _prose(text: str) -> str:
    text = re.sub(r"```.*?```", " ", text, flags=re.S)              # code and directive fences
    text = re.sub(r"`[^`]*`", " ", text)                             # inline code
    text = re.sub(r"\]\([^)]*\)", "]", text)                          # link targets
    text = re.sub(r"\{[a-z-]+\}`[^`]*`", " ", text)                   # roles
    text = re.sub(r"^\s*:[a-z-]+:.*$", " ", text, flags=re.M)         # directive options
    text = re.sub(r"^\s*\d+\.\s", " ", text, flags=re.M)              # numbered list markers
    text = re.sub(r"^#+ .*$", lambda m: re.sub(r"\d", " ", m.group(0)) if "Chapter" in m.group(0) else m.group(0), text, flags=re.M)
    return text


def unsourced_numbers(text: str) -> list[str]:
    prose = _prose(text)
    problems = []
    for match in NUMBER.finditer(prose):
        value = _value(match)
        raw = float(match.group(1).replace(",", ""))
        if raw < 10 and not match.group(2):
            continue
        if not match.group(2) and raw.is_integer() and 1950 <= raw <= 2035:
            continue  # a year: dates are checked against the events table by reviewers, not here
        if SKIP_FOLLOWING.match(prose[match.end():]):
            continue
        known = known_values()
        # Tables store some values already scaled ("43" in a jpy_trillion column), so the number as written counts too.
        candidates = {value, raw}
        if not any(c in known or any(abs(c - k) <= 1e-6 * max(1, abs(k)) for k in known) for c in candidates):
            start = max(0, match.start() - 40)
            problems.append(f"{match.group(0)!r} in “…{prose[start:match.end() + 20].strip()}…”")
    return problems


def test_the_checker_catches_an_invented_number():
    assert unsourced_numbers("Analysts estimated 987,654,321 shells.")
    assert not unsourced_numbers("It took 15 minutes in 2024.")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_numbers_in_chapter_prose_come_from_the_data(path):
    notebook = nbformat.read(path, as_version=4)
    problems = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            problems += unsourced_numbers(cell.source)
    assert not problems, f"{path.name}: numbers with no matching value in the data package: {problems}"
