"""Launch links (Binder, Colab, a JupyterHub via nbgitpuller) built from one setting: ``_config.yml``'s repository.

In a clone the repository URL and branch are read from ``_config.yml``. A copy of them travels with the
package (``repository.json``, rewritten by the book build from ``_config.yml``) so an installed package in
Colab knows where its data live. Tests check the two agree.
"""
from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlencode

CONFIG = Path(__file__).resolve().parents[1] / "_config.yml"
PACKAGED = "repository.json"
_GITHUB = re.compile(r"^https://github\.com/(?P<owner>[A-Za-z0-9][A-Za-z0-9-]*)/(?P<name>[A-Za-z0-9._-]+?)/?$")


class LinkError(ValueError):
    """A repository URL, hub URL or notebook path that cannot make a working link."""


def repository_from_config(path: Path = CONFIG) -> dict:
    import yaml

    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    repository = config.get("repository", {})
    return {"url": repository["url"], "branch": repository.get("branch", "main")}


def repository() -> dict:
    """{"url": ..., "branch": ...}: from _config.yml in a clone, else from the copy inside the package."""
    if CONFIG.exists():
        return repository_from_config()
    return json.loads(resources.files(__package__).joinpath(PACKAGED).read_text(encoding="utf-8"))


def _parts(url: str) -> tuple[str, str]:
    match = _GITHUB.match(url)
    if not match:
        raise LinkError(f"The repository URL {url!r} must look like https://github.com/OWNER/NAME (set it in _config.yml).")
    return match["owner"], match["name"]


def _check_notebook(notebook: str) -> str:
    if not re.fullmatch(r"notebooks/[0-9]{2}-[a-z0-9-]+\.ipynb", notebook):
        raise LinkError(f"{notebook!r} is not a course notebook path like notebooks/02-what-flows-to-moscow.ipynb.")
    return notebook


def binder(notebook: str, repo: dict | None = None) -> str:
    repo = repo or repository()
    owner, name = _parts(repo["url"])
    return f"https://mybinder.org/v2/gh/{owner}/{name}/{repo['branch']}?urlpath={quote('lab/tree/' + _check_notebook(notebook), safe='')}"


def colab(notebook: str, repo: dict | None = None) -> str:
    repo = repo or repository()
    owner, name = _parts(repo["url"])
    return f"https://colab.research.google.com/github/{owner}/{name}/blob/{repo['branch']}/{_check_notebook(notebook)}"


def nbgitpuller(hub_url: str, notebook: str, repo: dict | None = None) -> str:
    """A link that clones (or updates) the course into a user's home on ``hub_url`` and opens ``notebook``."""
    repo = repo or repository()
    _, name = _parts(repo["url"])
    if not re.fullmatch(r"https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?", hub_url):
        raise LinkError(f"The hub URL {hub_url!r} must be an https address like https://hub.example.edu.")
    query = urlencode({"repo": repo["url"], "branch": repo["branch"], "urlpath": f"lab/tree/{name}/{_check_notebook(notebook)}"})
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def raw_data_url(repo: dict | None = None) -> str:
    repo = repo or repository()
    owner, name = _parts(repo["url"])
    return f"https://raw.githubusercontent.com/{owner}/{name}/{repo['branch']}/data/"


def chapter_links(hub_url: str | None = None) -> list[dict]:
    """Launch links for every chapter notebook (for the instructor guide and for tests)."""
    root = CONFIG.parent / "notebooks"
    rows = []
    for path in sorted(root.glob("[0-9][0-9]-*.ipynb")):
        notebook = f"notebooks/{path.name}"
        row = {"notebook": notebook, "binder": binder(notebook), "colab": colab(notebook)}
        if hub_url:
            row["jupyterhub"] = nbgitpuller(hub_url, notebook)
        rows.append(row)
    return rows
