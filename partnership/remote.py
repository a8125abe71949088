"""Fetch the data package when the course package runs without the repository (e.g. one notebook in Colab).

Files are downloaded with pooch from the repository named in _config.yml and checked against the SHA-256
hashes in ``data_registry.json`` (rewritten by every book build from the files in ``data/``), so a damaged or
altered download is refused. Without a network the learner gets a message saying what to do.
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

REGISTRY = "data_registry.json"


def registry() -> dict[str, str]:
    return json.loads(resources.files(__package__).joinpath(REGISTRY).read_text(encoding="utf-8"))


def build_registry(data_dir: Path) -> dict[str, str]:
    """{relative path: "sha256:<hex>"} for every file of the data package."""
    import hashlib

    entries = {}
    for path in sorted(data_dir.rglob("*")):
        if path.is_file() and path.suffix in {".csv", ".json", ".geojson"}:
            entries[path.relative_to(data_dir).as_posix()] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    return entries


def fetch_data_package(base_url: str | None = None, cache: Path | None = None) -> Path:
    """Download (once) every data file into a cache folder and return that folder."""
    import pooch

    from .data import DataError
    from .links import raw_data_url

    base_url = base_url or raw_data_url()
    fetcher = pooch.create(path=cache or pooch.os_cache("partnership-course"), base_url=base_url, registry=registry(), retry_if_failed=1)
    try:
        for name in fetcher.registry:
            fetcher.fetch(name)
    except ValueError as error:  # pooch: hash mismatch
        raise DataError(f"A downloaded data file did not match its checksum ({error}). Delete {fetcher.abspath} and try again.") from None
    except Exception as error:  # network down, DNS, HTTP errors
        raise DataError(
            "The course data are not on this machine and could not be downloaded "
            f"from {base_url} ({type(error).__name__}). Connect to the internet and run the cell again, "
            "or clone the whole course repository (git clone ...) and open the notebook from its notebooks/ folder."
        ) from None
    return Path(fetcher.abspath)
