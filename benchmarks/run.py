"""Measure the course: build times, each notebook's time and peak memory, page weight, data and model speed.

Usage (from the repository root, in the course's environment):

    python benchmarks/run.py            # everything (cold build included: deletes _build first)
    python benchmarks/run.py --no-build # skip the two builds, measure the rest against the existing _build
    python benchmarks/run.py --no-build --no-notebooks --lighthouse  # add Lighthouse, 3 runs a page (about 45 min)

Results are printed and written to benchmarks/results/latest.json. This is a benchmark, not a test: nothing
here fails on a slow machine; the classroom targets are printed beside each figure.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from partnership.figures import FIGURE_CLASS

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
RESULTS = ROOT / "benchmarks" / "results"
NOTEBOOK_TARGET_SECONDS = 15
NOTEBOOK_TARGET_MB = 400


def _jupyter_book() -> str:
    return shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or "jupyter-book"


def timed_build() -> float:
    start = time.perf_counter()
    subprocess.run([_jupyter_book(), "build", str(ROOT), "--warningiserror", "--keep-going"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def notebook_run(path: Path) -> dict:
    """Execute one notebook in a fresh kernel; peak memory is the kernel process's resident set size."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    peak = {"rss": 0}
    done = threading.Event()

    def watch():
        while not done.is_set():
            kernel = getattr(getattr(client, "km", None), "provisioner", None)
            process = getattr(kernel, "process", None)
            if process is not None:
                try:
                    rss = psutil.Process(process.pid).memory_info().rss
                    for child in psutil.Process(process.pid).children(recursive=True):
                        rss += child.memory_info().rss
                    peak["rss"] = max(peak["rss"], rss)
                except psutil.Error:
                    pass
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    done.set()
    watcher.join()
    return {"seconds": round(elapsed, 2), "peak_mb": round(peak["rss"] / 2**20, 1)}


def page_weights() -> dict:
    pages = {}
    for page in sorted(SITE.rglob("*.html")):
        if {"_static", "_sources"} & set(page.relative_to(SITE).parts):
            continue
        pages[page.relative_to(SITE).as_posix()] = page.stat().st_size
    static = sum(p.stat().st_size for p in (SITE / "_static").rglob("*") if p.is_file())
    total = sum(p.stat().st_size for p in SITE.rglob("*") if p.is_file())
    values = list(pages.values())
    heaviest = sorted(pages.items(), key=lambda item: -item[1])[:5]
    return {
        "pages": len(pages),
        "median_page_bytes": int(statistics.median(values)) if values else 0,
        "heaviest_pages": heaviest,
        "shared_static_bytes": static,
        "plotly_js_bytes": (SITE / "_static" / "plotly.min.js").stat().st_size if (SITE / "_static" / "plotly.min.js").exists() else 0,
        "site_total_bytes": total,
        "per_page_bytes": pages,
    }


def data_load_seconds() -> float:
    from partnership import data

    best = float("inf")
    for _ in range(5):
        data.clear_cache()
        start = time.perf_counter()
        data.load_all()
        best = min(best, time.perf_counter() - start)
    return round(best, 4)


def _explorer_updates() -> dict:
    """What one widget update computes, for each explorer: the model call with a changed setting."""
    from partnership import exchange, leakage, regional, scenarios

    defaults = exchange.default_assumptions()
    values = {k: getattr(v, "value", v) for k, v in defaults.items()} if isinstance(defaults, dict) else {}
    layer, period = list(regional.LAYERS)[1], regional.PERIOD_LABELS[-1]  # a change from the default state
    return {
        "exchange.exchange_model": (lambda: exchange.exchange_model(**values)) if values else (lambda: None),
        "leakage.run": lambda: leakage.run(),
        "regional.explorer_state": lambda: regional.explorer_state(layer, period),
        "scenarios.scenario": lambda: scenarios.scenario(war="ceasefire", enforcement=0.5, china="presses"),
    }


def model_update_ms() -> dict:
    """Computation behind one widget update, for each explorer model (the target is under 50 ms)."""
    timings = {}
    for name, call in _explorer_updates().items():
        call()  # warm up: the first call may load data
        runs = []
        for _ in range(20):
            start = time.perf_counter()
            call()
            runs.append(time.perf_counter() - start)
        timings[name] = round(statistics.median(runs) * 1000, 2)
    return timings


def _gzip_server(directory: Path):
    """Serve the site compressed, as GitHub Pages does, so Lighthouse sees realistic transfer sizes."""
    import functools
    import gzip
    import http.server

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_head(self):
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if "gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file():
                return super().send_head()
            body = gzip.compress(path.read_bytes(), 6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            import io

            return io.BytesIO(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


#: Issue #9's targets for Lighthouse's mobile profile.
LIGHTHOUSE_TARGETS = {"text": {"performance": 90, "accessibility": 100}, "figure": {"performance": 75, "accessibility": 100}}


def _lighthouse_once(binary: Path, url: str, env: dict) -> dict:
    result = subprocess.run(
        [str(binary), url, "--quiet", "--output=json", "--output-path=stdout",
         "--only-categories=performance,accessibility",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    try:
        report = json.loads(result.stdout)
        run = {name: round(category["score"] * 100) for name, category in report["categories"].items()}
        metrics = report["audits"]["metrics"]["details"]["items"][0]
        run["fcp_ms"] = round(report["audits"]["first-contentful-paint"]["numericValue"])
        run["observed_fcp_ms"] = metrics.get("observedFirstContentfulPaint")
        return run
    except (json.JSONDecodeError, KeyError, TypeError, IndexError):
        return {"error": (result.stderr or "no output")[-200:]}


def lighthouse_scores(pages: list[str], runs: int = 3) -> dict:
    """Lighthouse 12 (mobile profile) on every page, served gzip-compressed from loopback, median of ``runs``.

    Why a median: headless Chromium sometimes holds a page's first frame back by one or two whole seconds after
    the page is ready to paint (GoogleChrome/lighthouse#17148), and Lighthouse's simulation then counts every
    file fetched in that gap. Lighthouse's own guidance on variability is to report the median of several runs;
    each run's score and observed first paint are kept, so the spread is visible.
    """
    binary = ROOT / "benchmarks" / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        return {"skipped": "run `npm ci --prefix benchmarks` first"}
    server = _gzip_server(SITE)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    env = {**os.environ, "CHROME_PATH": shutil.which("chromium") or ""}
    scores = {}
    try:
        for page in pages:
            kind = "figure" if FIGURE_CLASS in (SITE / page).read_text(encoding="utf-8") else "text"
            attempts = [_lighthouse_once(binary, f"{base}/{page}", env) for _ in range(runs)]
            good = [a for a in attempts if "error" not in a]
            if not good:
                scores[page] = {"kind": kind, "error": attempts[-1]["error"]}
                continue
            scores[page] = {
                "kind": kind,
                "performance": round(statistics.median(a["performance"] for a in good)),
                "accessibility": min(a["accessibility"] for a in good),
                "runs": good,
            }
    finally:
        server.shutdown()
    return scores


def lighthouse_summary(scores: dict) -> dict:
    """Per kind of page: how many, the lowest and median score, and the pages below issue #9's targets."""
    summary = {}
    for kind, targets in LIGHTHOUSE_TARGETS.items():
        pages = {page: s for page, s in scores.items() if isinstance(s, dict) and s.get("kind") == kind and "performance" in s}
        if not pages:
            continue
        performance = [s["performance"] for s in pages.values()]
        summary[kind] = {
            "pages": len(pages),
            "performance_min": min(performance),
            "performance_median": statistics.median(performance),
            "accessibility_min": min(s["accessibility"] for s in pages.values()),
            "targets": targets,
            "below_target": sorted(page for page, s in pages.items()
                                   if s["performance"] < targets["performance"] or s["accessibility"] < targets["accessibility"]),
        }
    return summary


def install_size_mb() -> float:
    total = 0
    for path in Path(sys.prefix).rglob("*"):
        try:
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
        except OSError:
            pass
    return round(total / 2**20, 1)


def rescore_pages(pages: list[str], runs: int) -> None:
    """Score a few changed pages again and merge them into latest.json, leaving every other figure as it was."""
    missing = [page for page in pages if not (SITE / page).is_file()]
    if missing:
        sys.exit(f"No such built page: {', '.join(missing)}. Build the book first, and give paths relative to _build/html.")
    results = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
    fresh = lighthouse_scores(pages, runs=runs)
    results.setdefault("lighthouse", {}).update(fresh)
    results["lighthouse_summary"] = lighthouse_summary(results["lighthouse"])
    results.setdefault("lighthouse_rescored", []).append({"when": time.strftime("%Y-%m-%d %H:%M:%S"), "pages": pages})
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    for page in pages:
        print(f"lighthouse {page}: {fresh[page]}")
    for kind, line in results["lighthouse_summary"].items():
        print(f"lighthouse {kind} pages: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="skip the cold and no-change builds")
    parser.add_argument("--no-notebooks", action="store_true", help="skip executing each notebook")
    parser.add_argument("--lighthouse", action="store_true", help="score every page with Lighthouse (slow)")
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="Lighthouse runs per page; the median is reported")
    parser.add_argument("--lighthouse-pages", nargs="+", metavar="PAGE",
                        help="re-score only these pages (e.g. book/welcome.html) and update them in the committed results")
    args = parser.parse_args()
    if args.lighthouse_pages:
        rescore_pages(args.lighthouse_pages, args.lighthouse_runs)
        return

    results: dict = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                     f"{round(psutil.virtual_memory().total / 2**30)} GiB", "python": platform.python_version()}
    if not args.no_build:
        shutil.rmtree(ROOT / "_build", ignore_errors=True)
        results["cold_build_seconds"] = round(timed_build(), 1)
        results["no_change_rebuild_seconds"] = round(timed_build(), 1)
    if not args.no_notebooks:
        results["notebooks"] = {p.name: notebook_run(p) for p in sorted((ROOT / "notebooks").glob("*.ipynb"))}
    if SITE.exists():
        results["site"] = page_weights()
    results["data_load_all_seconds"] = data_load_seconds()
    results["model_update_ms"] = model_update_ms()
    results["install_size_mb"] = install_size_mb()
    if args.lighthouse and "site" in results:
        results["lighthouse"] = lighthouse_scores(sorted(results["site"]["per_page_bytes"]), runs=args.lighthouse_runs)
        results["lighthouse_summary"] = lighthouse_summary(results["lighthouse"])

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=1), encoding="utf-8")

    print(f"machine: {results['machine']}, Python {results['python']}")
    for key in ("cold_build_seconds", "no_change_rebuild_seconds", "data_load_all_seconds", "install_size_mb"):
        if key in results:
            print(f"{key}: {results[key]}")
    for name, run in results.get("notebooks", {}).items():
        flag = "" if run["seconds"] <= NOTEBOOK_TARGET_SECONDS and run["peak_mb"] <= NOTEBOOK_TARGET_MB else "  <-- over target"
        print(f"notebook {name}: {run['seconds']} s, peak {run['peak_mb']} MB{flag}")
    for name, ms in results["model_update_ms"].items():
        print(f"model update {name}: {ms} ms (target < 50 ms)")
    if "site" in results:
        site = results["site"]
        print(f"pages: {site['pages']}, median page {site['median_page_bytes'] / 1024:.0f} KB (budget 400 KB), "
              f"shared static {site['shared_static_bytes'] / 2**20:.2f} MB (plotly.js {site['plotly_js_bytes'] / 2**20:.2f} MB), "
              f"site total {site['site_total_bytes'] / 2**20:.1f} MB")
        for page, size in site["heaviest_pages"]:
            print(f"  heavy page {page}: {size / 1024:.0f} KB (budget 1536 KB)")
    for page, score in results.get("lighthouse", {}).items():
        runs = ", ".join(str(run.get("performance")) for run in score.get("runs", []))
        print(f"lighthouse {page} ({score.get('kind')}): performance {score.get('performance')} (runs {runs}), "
              f"accessibility {score.get('accessibility')}{' ' + score['error'] if 'error' in score else ''}")
    for kind, line in results.get("lighthouse_summary", {}).items():
        print(f"lighthouse {kind} pages: {line}")


if __name__ == "__main__":
    main()
