"""The table of chapters on the welcome page (title, what it covers, time to learn, launch links), generated
from the notebooks themselves at the start of every build, so the times and titles never drift."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from . import links

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "book" / "generated" / "chapter-table.md"
_TIME = re.compile(r"\*\*Time to learn:\*\*\s*(?:about\s*)?(\d+)\s*minutes", re.I)


def chapters() -> list[dict]:
    rows = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem)
        minutes = _TIME.search(text)
        rows.append({"number": path.name[:2], "title": title, "page": f"../notebooks/{path.stem}.ipynb",
                     "notebook": f"notebooks/{path.name}", "minutes": int(minutes.group(1)) if minutes else None})
    return rows


def table_text() -> str:
    lines = ["| Chapter | Time to learn | Run it live |", "| --- | --- | --- |"]
    total = 0
    for row in chapters():
        minutes = f"{row['minutes']} min" if row["minutes"] else "–"
        total += row["minutes"] or 0
        lines.append(
            f"| {row['number']}. [{row['title']}]({row['page']}) | {minutes} | "
            f"[Binder]({links.binder(row['notebook'])}) · [Colab]({links.colab(row['notebook'])}) |"
        )
    lines.append(f"\nAll chapters together: about {total // 60} h {total % 60:02d} min of reading, exercises and quizzes.\n")
    return "\n".join(lines) + "\n"


def write_page(path: Path = PAGE) -> bool:
    text = table_text()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
