"""The benchmark's Lighthouse summary, and the committed results against issue #9's targets.

Lighthouse takes most of an hour for the whole site, so it runs in the benchmark, not here. These tests check
the benchmark's arithmetic on made-up runs, and that the committed results cover every page of the book as it is
now built and meet the targets: a new page, or a heavier one, needs a new benchmark run before it lands.
"""
from __future__ import annotations

import importlib.util
import json

import pytest

from conftest import ROOT, site_pages

RESULTS = ROOT / "benchmarks" / "results" / "latest.json"


def _benchmark_module():
    spec = importlib.util.spec_from_file_location("benchmark_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _page(kind, performance, accessibility=100):
    return {"kind": kind, "performance": performance, "accessibility": accessibility, "runs": []}


def test_summary_groups_pages_by_kind_and_names_those_below_target():
    run = _benchmark_module()
    summary = run.lighthouse_summary({
        "a.html": _page("text", 97), "b.html": _page("text", 89), "c.html": _page("text", 95, accessibility=98),
        "d.html": _page("figure", 75), "e.html": _page("figure", 74), "f.html": {"kind": "text", "error": "no output"},
    })
    assert summary["text"]["pages"] == 3 and summary["text"]["performance_min"] == 89
    assert summary["text"]["below_target"] == ["b.html", "c.html"]
    assert summary["figure"]["below_target"] == ["e.html"] and summary["figure"]["performance_median"] == 74.5


def test_performance_page_shows_the_lighthouse_table(tmp_path, monkeypatch):
    from partnership import coursemap

    results = {"when": "2026-11-30 04:00:00", "machine": "x86_64, 2 cores, 24 GiB", "python": "3.11.7",
               "lighthouse": {"a.html": {**_page("text", 97), "runs": [{}, {}, {}]}},
               "lighthouse_summary": {"text": {"pages": 1, "performance_min": 97, "performance_median": 97,
                                               "accessibility_min": 100, "targets": {"performance": 90, "accessibility": 100},
                                               "below_target": []}}}
    path = tmp_path / "latest.json"
    path.write_text(json.dumps(results), encoding="utf-8")
    monkeypatch.setattr(coursemap, "BENCHMARK", path)
    text = coursemap.benchmark_text()
    assert "median of 3 runs" in text
    assert "| Text pages | 1 | 97 | 97 | at least 90 | 100 | 100 |" in text
    assert "Pages below their target: none." in text


@pytest.fixture(scope="module")
def committed():
    if not RESULTS.exists():
        pytest.fail("benchmarks/results/latest.json is missing: run `python benchmarks/run.py --lighthouse` and commit it")
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def test_committed_lighthouse_results_cover_every_built_page(site, committed):
    scored = set(committed.get("lighthouse", {}))
    built = {path.relative_to(site).as_posix() for path in site_pages(site)}
    missing = sorted(built - scored)
    assert not missing, f"pages never scored by Lighthouse (re-run the benchmark with --lighthouse): {missing}"


def test_committed_lighthouse_results_meet_the_targets(committed):
    run = _benchmark_module()
    scores = committed.get("lighthouse", {})
    errors = {page: s["error"] for page, s in scores.items() if "error" in s}
    assert not errors, f"Lighthouse failed on: {errors}"
    summary = run.lighthouse_summary(scores)
    assert set(summary) == {"text", "figure"}
    for kind, line in summary.items():
        assert not line["below_target"], f"{kind} pages below target {line['targets']}: {line['below_target']}"
