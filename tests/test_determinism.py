"""The build is deterministic: every figure in the built site equals the same figure computed again here, in
another process, from the same notebook code and data."""
from __future__ import annotations

import ast
import json
import re

import nbformat
import plotly.io as pio
import pytest

from conftest import ROOT
from partnership.figures import CourseFigure, _slug

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
SPEC = re.compile(r'<script type="application/json" id="(fig-[^"]+)-spec">(.*?)</script>', re.S)


def _figures_from_notebook(path):
    """Run the notebook's code cells in this process (no kernel, no widgets) and collect the figures it shows."""
    namespace: dict = {}
    figures = {}
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or "remove-cell" in tags or "remove-output" in tags or "quiz.show" in cell.source:
            continue
        tree = ast.parse(cell.source)
        if not tree.body:
            continue
        last = tree.body[-1]
        exec(compile(ast.Module(tree.body[:-1], []), str(path), "exec"), namespace)
        if isinstance(last, ast.Expr):
            value = eval(compile(ast.Expression(last.value), str(path), "eval"), namespace)
            if isinstance(value, CourseFigure):
                figures[f"fig-{_slug(value.figure_id)}"] = value
        else:
            exec(compile(ast.Module([last], []), str(path), "exec"), namespace)
    return figures


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_built_figures_match_a_fresh_computation(site, path):
    page = site / "notebooks" / f"{path.stem}.html"
    built = {m.group(1): json.loads(m.group(2).replace("<\\/", "</")) for m in SPEC.finditer(page.read_text(encoding="utf-8"))}
    fresh = _figures_from_notebook(path)
    assert fresh or not built, "no figure could be recomputed from the notebook"
    assert set(fresh) <= set(built), f"figures missing from the built page: {set(fresh) - set(built)}"
    for figure_id, item in fresh.items():
        again = json.loads(pio.to_json(item.figure, validate=False, pretty=False, remove_uids=True))
        assert again["data"] == built[figure_id]["data"], f"{figure_id}: figure data differ between two runs"
