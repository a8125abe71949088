"""The table of chapters on the welcome page (title, what it covers, time to learn, launch links), generated
from the notebooks themselves at the start of every build, so the times and titles never drift."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from ._files import write_if_changed

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
    return write_if_changed(path, table_text())


PERFORMANCE = ROOT / "book" / "generated" / "benchmark.md"
BENCHMARK = ROOT / "benchmarks" / "results" / "latest.json"


def benchmark_text() -> str:
    """The last benchmark run's figures (benchmarks/results/latest.json), as Markdown tables."""
    import json

    if not BENCHMARK.exists():
        return "No benchmark results are committed yet: run `python benchmarks/run.py`.\n"
    results = json.loads(BENCHMARK.read_text(encoding="utf-8"))
    lines = [f"Measured {results['when']} on {results['machine']}, Python {results['python']}.\n"]
    lines.append("| Measure | Value | Target |\n| --- | --- | --- |")
    for key, label, target in [
        ("cold_build_seconds", "Cold build (s)", ""), ("no_change_rebuild_seconds", "Rebuild with no change (s)", ""),
        ("data_load_all_seconds", "Load and validate every table (s)", "well under 1"), ("install_size_mb", "Installed environment (MB)", ""),
    ]:
        if key in results:
            lines.append(f"| {label} | {results[key]} | {target} |")
    if "site" in results:
        site = results["site"]
        lines.append(f"| Pages | {site['pages']} | |")
        lines.append(f"| Median page, own bytes (KB) | {site['median_page_bytes'] / 1024:.0f} | at most 400 |")
        page, size = site["heaviest_pages"][0]
        lines.append(f"| Heaviest page, own bytes (KB) | {size / 1024:.0f} ({page}) | at most 1,536 |")
        lines.append(f"| Whole site (MB) | {site['site_total_bytes'] / 2**20:.1f} | |")
    if results.get("notebooks"):
        lines.append("\n| Notebook | Run time (s) | Peak memory (MB) |\n| --- | --- | --- |")
        for name, run in results["notebooks"].items():
            lines.append(f"| {name} | {run['seconds']} | {run['peak_mb']} |")
        lines.append("\nClassroom target: under 15 s and 400 MB per notebook.")
    if results.get("model_update_ms"):
        lines.append("\n| Explorer model | Computation per update (ms) |\n| --- | --- |")
        for name, ms in results["model_update_ms"].items():
            lines.append(f"| `{name}` | {ms} |")
        lines.append("\nTarget: under 50 ms per update.")
    lines += _lighthouse_lines(results)
    return "\n".join(lines) + "\n"


def _lighthouse_lines(results: dict) -> list[str]:
    """Lighthouse's mobile scores by kind of page, and every page below its target."""
    summary = results.get("lighthouse_summary")
    if not summary:
        return []
    runs = max((len(s.get("runs", [])) for s in results.get("lighthouse", {}).values() if isinstance(s, dict)), default=1)
    lines = [
        f"\nLighthouse 12, mobile profile, the site served compressed; each page's score is the median of {runs} runs.\n",
        "| Pages | How many | Performance, lowest | Performance, median | Target | Accessibility, lowest | Target |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    labels = {"text": "Text pages", "figure": "Pages with figures"}
    for kind, line in summary.items():
        targets = line["targets"]
        lines.append(f"| {labels.get(kind, kind)} | {line['pages']} | {line['performance_min']} | {line['performance_median']:g} "
                     f"| at least {targets['performance']} | {line['accessibility_min']} | {targets['accessibility']} |")
    below = sorted({page for line in summary.values() for page in line["below_target"]})
    lines.append("\nPages below their target: " + (", ".join(f"`{page}`" for page in below) if below else "none") + ".")
    return lines


def write_benchmark_page(path: Path = PERFORMANCE) -> bool:
    return write_if_changed(path, benchmark_text())
