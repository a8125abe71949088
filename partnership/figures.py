"""Show plotly figures the same way in JupyterLab, Colab and the static book.

One function, :func:`show`, is the only place the course decides how a figure is rendered:

* JupyterLab / VS Code get plotly's own interactive mimetype (``application/vnd.plotly.v1+json``).
* The book (built by Jupyter Book 1 / myst-nb, which cannot display that mimetype) gets plain HTML:
  a ``<div>`` and a small script that calls ``Plotly.newPlot``. The script does **not** carry
  plotly.js; the course's Sphinx extension (:mod:`partnership.sphinx_ext`) adds one shared, locally
  served ``plotly.min.js`` to exactly the pages that contain a figure. No CDN, no MathJax.
* Colab, which renders neither of those, gets plotly's own ``colab`` renderer.

Every figure carries an accessible name (``alt``), a visible caption, and, below it, a note saying
which tables and source documents it was drawn from plus a data table alternative.
"""
from __future__ import annotations

import html
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

#: Okabe–Ito palette: distinguishable with the common forms of colour blindness.
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
COLOURWAY = [PALETTE[k] for k in ("blue", "vermillion", "green", "orange", "purple", "sky_blue", "black", "yellow")]

#: Markers that differ in shape, so colour is never the only carrier of meaning.
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "triangle-down", "cross"]

PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
#: Class the Sphinx extension looks for to decide that a page needs plotly.js.
FIGURE_CLASS = "course-plotly"

_template = go.layout.Template(
    layout=dict(
        colorway=COLOURWAY,
        font=dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=14, color="#222"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel=dict(font_size=13),
        margin=dict(l=60, r=20, t=60, b=50),
        xaxis=dict(gridcolor="#e5e5e5", zeroline=False),
        yaxis=dict(gridcolor="#e5e5e5", zeroline=False),
    )
)
pio.templates["course"] = _template
pio.templates.default = "plotly_white+course"


class FigureError(ValueError):
    """A figure was asked for without what every course figure needs (alt text, a caption...)."""


def _in_colab() -> bool:
    return "google.colab" in sys.modules


def figure_html(fig: go.Figure, *, alt: str, element_id: str) -> str:
    """The static-book HTML for one figure: a div plus a script, and no plotly.js."""
    payload = pio.to_json(fig, validate=False, pretty=False, remove_uids=True)
    # Close any "</script" inside strings so the inline JSON cannot end the script early.
    payload = payload.replace("</", "<\\/")
    height = fig.layout.height or 450
    kind = (fig.layout.meta or {}).get("kind", "chart") if isinstance(fig.layout.meta, dict) else "chart"
    # No inline script: the book's course-figures.js draws every .course-plotly div from its JSON spec when it
    # comes near the screen (and loads the shared plotly.min.js then), so this HTML works with no CDN.
    return (
        f'<div class="{FIGURE_CLASS}-wrap">'
        f'<div id="{element_id}" class="{FIGURE_CLASS}" data-figure-kind="{html.escape(str(kind))}" role="figure" '
        f'aria-label="{html.escape(alt, quote=True)}" style="width:100%;height:{int(height)}px"></div>'
        f'<script type="application/json" id="{element_id}-spec">{payload}</script></div>'
    )


def _slug(text: str) -> str:
    cleaned = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in cleaned.split("-") if part)[:48] or "figure"


def figure_bundle(fig: go.Figure, *, alt: str, figure_id: str) -> dict:
    """The mimebundle :func:`show` displays (exposed so tests can check it without a kernel)."""
    element_id = f"fig-{_slug(figure_id)}"
    return {
        # Through plotly's JSON encoder: numpy datetimes, NaT and NaN become plain JSON a kernel can send.
        PLOTLY_MIMETYPE: json.loads(pio.to_json(fig, validate=False, remove_uids=True)),
        "text/html": figure_html(fig, alt=alt, element_id=element_id),
        "text/plain": f"[Figure: {alt}]",
    }


def notes_html(
    *,
    caption: str,
    description: str | None = None,
    table: pd.DataFrame | None = None,
    tables: Sequence[str] = (),
    sources: Iterable[str] = (),
    rows: dict[str, Sequence[str]] | None = None,
) -> str:
    """Caption, text description, data table and 'data and sources' note under a figure."""
    from . import data as course_data  # local import: figures must not need the data package to draw

    parts = [f'<p class="course-caption"><strong>Figure.</strong> {html.escape(caption)}</p>']
    if description:
        parts.append(f'<p class="course-description">{html.escape(description)}</p>')
    if table is not None:
        parts.append(
            "<details class=\"course-table\"><summary>Data table for this figure</summary>"
            + table.to_html(index=False, border=0, classes="course-data-table", na_rep="–", escape=True)
            + "</details>"
        )
    source_ids = list(dict.fromkeys(sources))
    if tables or source_ids:
        parts.append(course_data.provenance_html(tables=tables, source_ids=source_ids, rows=rows))
    return '<div class="course-figure-notes">' + "".join(parts) + "</div>"


def show(
    fig: go.Figure,
    *,
    alt: str,
    caption: str,
    figure_id: str | None = None,
    description: str | None = None,
    table: pd.DataFrame | None = None,
    tables: Sequence[str] = (),
    sources: Iterable[str] = (),
    rows: dict[str, Sequence[str]] | None = None,
) -> None:
    """Display ``fig`` with alt text, caption, table alternative and provenance, wherever we run."""
    from IPython.display import HTML, display

    if not alt or not alt.strip():
        raise FigureError("Every course figure needs alt text: pass alt='one sentence saying what it shows'.")
    if not caption or not caption.strip():
        raise FigureError("Every course figure needs a caption: pass caption='...'.")
    geo_traces = [t.type for t in fig.data if getattr(t, "geo", None) is not None or t.type in {"choropleth", "scattergeo"}]
    if geo_traces:
        # plotly's geo traces download world_110m.json from a CDN at run time: the offline book would
        # show an empty map. Course maps are drawn by partnership.maps on projected x/y axes instead.
        raise FigureError(
            f"Geo traces ({', '.join(sorted(set(geo_traces)))}) load map data from the internet. "
            "Build maps with partnership.maps instead."
        )
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    fig.layout.meta = {**meta, "alt": alt}
    if _in_colab():
        fig.show(renderer="colab")
    else:
        display(figure_bundle(fig, alt=alt, figure_id=figure_id or caption), raw=True)
    display(HTML(notes_html(caption=caption, description=description, table=table, tables=tables, sources=sources, rows=rows)))


@dataclass
class CourseFigure:
    """A figure with everything the course shows around it. Leave it as a cell's last line to display it."""

    figure: go.Figure
    alt: str
    caption: str
    figure_id: str
    description: str | None = None
    table: pd.DataFrame | None = None
    tables: tuple[str, ...] = ()
    sources: tuple[str, ...] = field(default_factory=tuple)
    #: Rows behind the figure, by table: linked from the note under the figure.
    rows: dict[str, Sequence[str]] | None = None

    def show(self) -> None:
        show(
            self.figure, alt=self.alt, caption=self.caption, figure_id=self.figure_id, description=self.description,
            table=self.table, tables=self.tables, sources=self.sources, rows=self.rows,
        )

    def _ipython_display_(self) -> None:
        self.show()
