"""Shared fixtures: the built book, a local web server for it, and a headless Chromium."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "_build" / "test-artifacts"


def build_book() -> None:
    """Build the book exactly as the README says (strict: warnings and cell errors fail)."""
    command = [sys.executable, "-m", "jupyter_book", "build", str(ROOT), "--warningiserror", "--keep-going"]
    jupyter_book = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or shutil.which("jupyter-book")
    if jupyter_book:
        command = [jupyter_book, "build", str(ROOT), "--warningiserror", "--keep-going"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail("The book did not build:\n" + result.stdout[-4000:] + result.stderr[-4000:], pytrace=False)


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site; built here first if the README's build command has not been run."""
    if not (SITE / "index.html").exists():
        build_book()
    return SITE


def site_pages(site: Path) -> list[Path]:
    skip = {"genindex.html", "search.html", "index.html"}
    return sorted(p for p in site.rglob("*.html") if p.name not in skip and not {"_static", "_sources", "_images"} & set(p.parts))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


@pytest.fixture(scope="session")
def server(site: Path):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is not installed: run `apt-get install -y chromium` (the browser tests drive the system browser).", pytrace=False)
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
