"""Refresh the files the package carries for use outside a clone: ``python -m partnership.sync``.

* ``repository.json``: the repository URL and branch from ``_config.yml`` (the one place they are set);
* ``data_registry.json``: SHA-256 of every file in ``data/``, used to check downloads in Colab;
* each notebook's first code cell, which installs the package from that repository on a fresh machine.

The tests fail, naming this command, whenever either is out of date.
"""
from __future__ import annotations

import json
from pathlib import Path

from . import links, remote

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def expected() -> dict[Path, str]:
    return {
        PACKAGE / links.PACKAGED: json.dumps(links.repository_from_config(ROOT / "_config.yml"), indent=1) + "\n",
        PACKAGE / remote.REGISTRY: json.dumps(remote.build_registry(ROOT / "data"), indent=1) + "\n",
    }


SETUP_CELL_ID = "colab-setup"


def setup_cell_source() -> str:
    repo = links.repository_from_config(ROOT / "_config.yml")
    return (
        "# Fresh machines (e.g. Colab): install the course package if it is missing. JupyterLab and Binder have it.\n"
        "import importlib.util\n"
        "if importlib.util.find_spec(\"partnership\") is None:\n"
        f"    %pip install --quiet \"partnership @ git+{repo['url']}@{repo['branch']}\""
    )


def sync_notebook(path: Path) -> bool:
    """Make the notebook's first code cell the setup cell (hidden in the book). True if the file changed."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    source = setup_cell_source()
    existing = next((c for c in notebook.cells if c.get("id") == SETUP_CELL_ID), None)
    if existing is not None and existing.source == source:
        return False
    if existing is None:
        cell = nbformat.v4.new_code_cell(source)
        cell.id = SETUP_CELL_ID
        cell.metadata["tags"] = ["remove-cell"]
        first_code = next((i for i, c in enumerate(notebook.cells) if c.cell_type == "code"), len(notebook.cells))
        notebook.cells.insert(first_code, cell)
    else:
        existing.source = source
    nbformat.write(notebook, path)
    return True


def main() -> None:
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        if sync_notebook(path):
            print(f"updated setup cell in {path.relative_to(ROOT)}")
    for path, text in expected().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"updated {path.relative_to(ROOT)}")
        else:
            print(f"up to date: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
