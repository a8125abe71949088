"""Without the repository's data/ (e.g. one notebook in Colab) the package downloads a checksummed copy or explains itself."""
from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from partnership import data, remote
from partnership.data import DataError

ROOT = Path(__file__).resolve().parents[1]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def data_server(tmp_path):
    """The data folder served on loopback, standing in for the repository's raw-file host."""
    served = tmp_path / "served"
    shutil.copytree(ROOT / "data", served)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", served
    httpd.shutdown()


def test_registry_covers_every_data_file():
    files = {p.relative_to(ROOT / "data").as_posix() for p in (ROOT / "data").rglob("*") if p.suffix in {".csv", ".json", ".geojson"}}
    assert set(remote.registry()) == files


def test_download_then_load(data_server, tmp_path, monkeypatch):
    url, _ = data_server
    monkeypatch.setenv(data.REMOTE_ENV, url)
    monkeypatch.setattr("pooch.os_cache", lambda name: tmp_path / "cache")
    data.clear_cache()
    try:
        folder = data.data_dir()
        assert folder == tmp_path / "cache"
        assert len(data.load("transfers")) == len(data.load("transfers", ROOT / "data"))
    finally:
        data.clear_cache()


def test_offline_gives_a_clear_message(tmp_path):
    with pytest.raises(DataError, match=r"could not be downloaded.*Connect to the internet.*clone"):
        remote.fetch_data_package(base_url="http://127.0.0.1:9/", cache=tmp_path / "cache")


def test_tampered_download_is_refused(data_server, tmp_path):
    url, served = data_server
    (served / "events.csv").write_text("tampered", encoding="utf-8")
    with pytest.raises(DataError, match="did not match its checksum"):
        remote.fetch_data_package(base_url=url, cache=tmp_path / "cache")


def test_notebook_runs_from_a_folder_without_data(data_server, tmp_path):
    """Run chapter 00 as Colab would: copied alone into an empty folder, data fetched from the (local) host."""
    url, _ = data_server
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(ROOT / "notebooks" / "00-where-the-partnership-happens.ipynb", alone)
    env = {**__import__("os").environ, data.REMOTE_ENV: url, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--output", str(tmp_path / "out.ipynb"),
         str(alone / "00-where-the-partnership-happens.ipynb")],
        cwd=alone, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (alone / "data").exists()
    assert any((tmp_path / "xdg").rglob("transfers.csv")), "the data were not fetched into the cache"
