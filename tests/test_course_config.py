"""Configuration a user never sees until it breaks: launch links, the README's commands, CI, generated files."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import nbformat
import pytest
import yaml

from partnership import links, sync
from partnership.links import LinkError

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def test_repository_is_set_once_and_well_formed():
    url = CONFIG["repository"]["url"]
    assert re.fullmatch(r"https://github\.com/[A-Za-z0-9-]+/[A-Za-z0-9._-]+", url)
    assert "path_to_book" not in CONFIG["repository"], "with the book at the repo root, path_to_book puts /./ in launch links"


def test_generated_files_are_in_sync_with_config_and_data():
    stale = [path.name for path, text in sync.expected().items() if not path.exists() or path.read_text(encoding="utf-8") != text]
    assert not stale, f"{stale} are out of date: run `python -m partnership.sync` and commit the result"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stripped_and_installs_from_the_configured_repository(path):
    notebook = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") and cell.get("execution_count") is None for cell in notebook.cells if cell.cell_type == "code"), \
        "commit notebooks without outputs"
    setup = next((c for c in notebook.cells if c.get("id") == sync.SETUP_CELL_ID), None)
    assert setup is not None and setup.source == sync.setup_cell_source(), "run `python -m partnership.sync`"
    assert "remove-cell" in setup.metadata.get("tags", [])
    assert notebook.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_launch_links_are_well_formed(path):
    notebook = f"notebooks/{path.name}"
    binder = urlparse(links.binder(notebook))
    assert binder.scheme == "https" and binder.netloc == "mybinder.org" and "/./" not in binder.geturl()
    assert parse_qs(binder.query)["urlpath"] == [f"lab/tree/{notebook}"]
    colab = links.colab(notebook)
    assert colab.endswith(f"/blob/{CONFIG['repository']['branch']}/{notebook}")
    hub = urlparse(links.nbgitpuller("https://hub.example.edu", notebook))
    query = parse_qs(hub.query)
    assert hub.path == "/hub/user-redirect/git-pull"
    assert query["repo"] == [CONFIG["repository"]["url"]] and query["branch"] == [CONFIG["repository"]["branch"]]
    assert query["urlpath"][0].endswith(notebook)


@pytest.mark.parametrize("bad", ["http://hub.example.edu", "hub.example.edu", "https://hub example.edu", "javascript:alert(1)"])
def test_bad_hub_urls_are_refused(bad):
    with pytest.raises(LinkError, match="https address"):
        links.nbgitpuller(bad, "notebooks/00-where-the-partnership-happens.ipynb")


@pytest.mark.parametrize("bad", ["../etc/passwd", "notebooks/x.py", "notebooks/00-x.ipynb?a=b"])
def test_bad_notebook_paths_are_refused(bad):
    with pytest.raises(LinkError):
        links.binder(bad)


def test_repository_url_must_be_github():
    with pytest.raises(LinkError, match="github.com/OWNER/NAME"):
        links.binder("notebooks/00-where-the-partnership-happens.ipynb", repo={"url": "https://example.com/x", "branch": "main"})


def test_readme_commands_are_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n(.+?)\n```", readme)
    assert commands[:2] == [
        "python -m pip install -r requirements.txt && jupyter-book build . --warningiserror --keep-going",
        "python -m pytest",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in commands[:2]:
        assert f"\n{command}\n" in ci, f"CI does not run the README's command: {command}"
    assert "python3 -m venv" in ci and "apt-get install" in ci


def test_readme_badges_use_the_configured_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    owner_name = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    for badge in re.findall(r"\)\]\((https://(?:mybinder\.org|colab\.research\.google\.com)[^)]+)\)", readme):
        assert owner_name in badge, badge


def test_requirements_are_pinned():
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line and line != "-e .":
            assert re.fullmatch(r"[A-Za-z0-9_.\[\]-]+==[0-9][A-Za-z0-9.]*", line), f"not pinned: {line}"
    assert "jupyter-book==1.0.4.post1" in (ROOT / "requirements.txt").read_text()


def test_build_is_strict_and_excludes_junk():
    assert CONFIG["only_build_toc_files"] is True
    assert CONFIG["execute"]["execute_notebooks"] == "cache"
    assert CONFIG["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    for junk in (".pytest_cache", "**/.ipynb_checkpoints", ".venv", "venv"):
        assert junk in CONFIG["exclude_patterns"]
    assert not (ROOT / "_static").exists(), "a root _static/ folder makes Jupyter Book add its .js files to every page"


def test_github_workflows_build_deploy_and_reexecute():
    book = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text(encoding="utf-8"))
    scheduled = yaml.safe_load((ROOT / ".github" / "workflows" / "scheduled.yml").read_text(encoding="utf-8"))
    triggers = book.get(True, book.get("on"))  # YAML reads a bare `on` key as True
    assert "push" in triggers and triggers["push"]["branches"] == ["main"]
    steps = [step.get("run", "") + step.get("uses", "") for step in book["jobs"]["build"]["steps"]]
    assert any("pip install -r requirements.txt && jupyter-book build . --warningiserror --keep-going" in s for s in steps)
    assert any("python -m pytest" in s for s in steps)
    assert any("upload-pages-artifact" in s for s in steps) and "_build/html" in str(book["jobs"]["build"]["steps"])
    assert any("deploy-pages" in step.get("uses", "") for step in book["jobs"]["deploy"]["steps"])
    assert book["permissions"]["pages"] == "write"
    schedule = scheduled.get(True, scheduled.get("on"))["schedule"][0]["cron"]
    assert len(schedule.split()) == 5
    assert any("clean . --all" in step.get("run", "") for step in scheduled["jobs"]["reexecute"]["steps"])


def test_binder_and_citation_files():
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0" and citation["repository-code"] == CONFIG["repository"]["url"]


def test_every_data_table_and_chapter_is_in_the_table_of_contents():
    from partnership import data

    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for name in data.table_names():
        assert f"file: book/data/{name}\n" in toc, f"add book/data/{name} to _toc.yml (its page is generated)"
    for path in NOTEBOOKS:
        assert f"file: notebooks/{path.stem}\n" in toc, f"add notebooks/{path.stem} to _toc.yml"


@pytest.mark.parametrize("broken, should_fail", [
    ("As shown by {cite}`known`.", False),  # control: the same book with a good citation builds
    ("See {doc}`no-such-page`.", True),
    ("As shown by {cite}`no-such-source`.", True),
    ("See [the missing section](#no-such-anchor).", True),
])
def test_the_strict_build_fails_on_a_broken_link_or_citation(tmp_path, broken, should_fail):
    """The README's build flags turn a broken cross-reference or citation into a failed build, not a quiet 404."""
    import shutil
    import subprocess
    import sys

    book = tmp_path / "book"
    book.mkdir()
    (book / "_config.yml").write_text(
        "title: t\nonly_build_toc_files: true\nexecute:\n  execute_notebooks: 'off'\n"
        "bibtex_bibfiles: [refs.bib]\n", encoding="utf-8")
    (book / "_toc.yml").write_text("format: jb-book\nroot: index\n", encoding="utf-8")
    (book / "refs.bib").write_text("@misc{known, title={Known}, author={A}}\n", encoding="utf-8")
    (book / "index.md").write_text(f"# Index\n\n{broken}\n\n```{{bibliography}}\n```\n", encoding="utf-8")
    jupyter_book = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or "jupyter-book"
    result = subprocess.run([jupyter_book, "build", str(book), "--warningiserror", "--keep-going"], capture_output=True, text=True)
    if should_fail:
        assert result.returncode != 0, "a broken reference must fail the strict build"
    else:
        assert result.returncode == 0, result.stdout[-2000:]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widget_cells_are_live_only(path):
    """ipywidgets explorers run in JupyterLab only: the book skips them (no kernel there, and a headless executor
    can stall on widget output) and shows each explorer's plotly version instead."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and re.search(r"(_widget|explorer)\(\)\s*$", cell.source.strip()) and "static" not in cell.source:
            tags = cell.metadata.get("tags", [])
            assert {"skip-execution", "remove-output"} <= set(tags), f"{path.name} cell {cell.id}: tag it skip-execution and remove-output"
