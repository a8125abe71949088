"""A small Sphinx extension that keeps the built book offline, light and accessible.

Registered in ``_config.yml`` (``sphinx.extra_extensions``). It:

* copies plotly.js from the installed ``plotly`` package into ``_static/`` once, with a small loader
  (``course-figures.js``) that is added only to pages with a course figure and fetches plotly.js when a
  figure nears the screen, so text pages stay light and text shows first;
* defers every local script but the few that inline code needs at once, so text renders before scripts run;
* regenerates the "Data and sources" pages (book/data/) from the data package before reading;
* copies the data package's CSV files into the site (``data/``) so every table has a download link;
* refuses to emit any script or stylesheet from another host: a page that would load one fails the
  build with a message, instead of silently showing a blank figure offline;
* works around sphinx-thebe's inline script being emitted twice under Sphinx 7.4 (a page error,
  "Identifier 'THEBE_JS_URL' has already been declared").
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from . import leanpages
from .figures import FIGURE_CLASS

logger = logging.getLogger(__name__)
PLOTLY_FILE = "plotly.min.js"
FIGURE_LOADER = "course-figures.js"
QUIZ_REPAIRS = "course-quiz.js"
#: Scripts that inline code on the page depends on at once; every other local script is deferred so text renders first.
_KEEP_BLOCKING = {"documentation_options.js"}


def _plotly_source() -> Path:
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / PLOTLY_FILE
    if not path.exists():
        raise ExtensionError(f"plotly.js was not found at {path}; reinstall plotly (pip install -r requirements.txt).")
    return path


def _is_remote(url: str | None) -> bool:
    return bool(url) and str(url).split("?")[0].lower().startswith(("http://", "https://", "//"))


def _thebe_enabled(app: Sphinx) -> bool:
    options = getattr(app.config, "html_theme_options", {}) or {}
    return bool((options.get("launch_buttons") or {}).get("thebe"))


def _icon_font_source() -> Path:
    import pydata_sphinx_theme

    return Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / "vendor" / "fontawesome" / "webfonts"


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    from sphinx.builders.html._assets import _JavaScript

    body = context.get("body", "")
    if FIGURE_CLASS in body:
        app.add_js_file(FIGURE_LOADER, loading_method="defer")
    if "--jq-multiple-choice-bg" in body:  # jupyterquiz inlines its colour variables with every quiz
        app.add_js_file(QUIZ_REPAIRS, loading_method="defer")

    unused = leanpages.unused_assets(body, thebe=_thebe_enabled(app))
    seen_bodies = set()
    kept = []
    for script in context.get("script_files", []):
        if not leanpages.keep_asset(script, unused):
            continue
        filename = getattr(script, "filename", script)
        attributes = getattr(script, "attributes", {}) or {}
        inline = attributes.get("body")
        if inline:
            if inline in seen_bodies:  # sphinx-thebe's inline config, emitted twice by Sphinx 7.4
                continue
            seen_bodies.add(inline)
        if _is_remote(filename):
            raise ExtensionError(
                f"Page '{pagename}' would load a script from the internet ({filename}). The book must work offline: "
                "serve the file from the book's static folder or drop the feature that needs it."
            )
        if (
            isinstance(script, _JavaScript) and filename and not inline
            and not {"defer", "async"} & set(attributes)
            and leanpages.asset_name(script) not in _KEEP_BLOCKING
        ):
            script = _JavaScript(filename, priority=script.priority, **{**attributes, "defer": "defer"})
        kept.append(script)
    context["script_files"] = kept
    context["css_files"] = [css for css in context.get("css_files", []) if leanpages.keep_asset(css, unused)]
    for css in context["css_files"]:
        filename = getattr(css, "filename", css)
        if _is_remote(filename):
            raise ExtensionError(f"Page '{pagename}' would load a stylesheet from the internet ({filename}).")


#: Theme markup that fails accessibility checks, and its repair. Each pattern is exact, so a theme update
#: that changes the markup simply stops matching (and the accessibility tests then say so).
_ACCESSIBILITY_FIXES = [
    # The sidebar's expand/collapse toggles are <summary> elements with only an icon: give them a name.
    (
        '<summary><span class="toctree-toggle" role="presentation"><i class="fa-solid fa-chevron-down"></i></span></summary>',
        '<summary aria-label="Show or hide this section\'s pages"><span class="toctree-toggle" role="presentation">'
        '<i class="fa-solid fa-chevron-down"></i></span></summary>',
    ),
    # docutils marks the bibliography as role="list" although its children are not list items (a critical axe
    # finding), and uses the deprecated doc-biblioentry role: plain containers read correctly.
    ('<div role="list" class="citation-list">', '<div class="citation-list">'),
    (' role="doc-biblioentry"', ""),
]


#: Widget state saved by the executor: without a kernel or the widget manager (which would come from a CDN)
#: it draws nothing, so it is dropped; the book shows each explorer's plotly version instead.
_WIDGET_STATE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">.*?</script>', re.S)


#: The sidebar's course-title link sits outside every landmark (axe "region"): label its container as the
#: course's home navigation. A regular expression because the theme pads the markup with blank lines.
_BRAND_OUTSIDE_LANDMARK = re.compile(r'<div class="sidebar-primary-item">(\s*<a class="navbar-brand logo")')


#: pandas writes an empty header cell above a DataFrame's index (axe "empty-table-header"): that corner cell
#: heads nothing, so it becomes an ordinary empty cell.
_DATAFRAME_HEAD = re.compile(r'(<table[^>]*class="dataframe[^"]*"[^>]*>\s*<thead>)(.*?)(</thead>)', re.S)


def _empty_corner_cells(html: str) -> str:
    return _DATAFRAME_HEAD.sub(lambda m: m.group(1) + m.group(2).replace("<th></th>", "<td></td>") + m.group(3), html)


def _repair_accessibility(outdir: Path) -> None:
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = _WIDGET_STATE.sub("", text)
        for before, after in _ACCESSIBILITY_FIXES:
            fixed = fixed.replace(before, after)
        fixed = _empty_corner_cells(fixed)
        fixed = _BRAND_OUTSIDE_LANDMARK.sub(r'<div class="sidebar-primary-item" role="navigation" aria-label="Course home">\1', fixed)
        # The theme writes the search scripts and the whole index into every page; only the search page uses them.
        fixed = leanpages.drop_search_scripts(fixed, search_page=page == outdir / "search.html")
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def _build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    _repair_accessibility(Path(app.outdir))
    fonts = leanpages.subset_icon_fonts(Path(app.outdir), _icon_font_source())
    logger.info(f"[partnership] icon fonts cut to the icons in use: {fonts}")
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_plotly_source(), static / PLOTLY_FILE)
    for name in (FIGURE_LOADER, QUIZ_REPAIRS):
        shutil.copyfile(Path(__file__).resolve().parent / "static" / name, static / name)
    data_dir = Path(app.srcdir) / "data"
    if data_dir.is_dir():
        target = Path(app.outdir) / "data"
        target.mkdir(exist_ok=True)
        for path in sorted(data_dir.glob("*.csv")) + sorted(data_dir.glob("*.json")):
            shutil.copyfile(path, target / path.name)
        geo = data_dir / "geo"
        if geo.is_dir():
            (target / "geo").mkdir(exist_ok=True)
            for path in sorted(geo.glob("*.geojson")):
                shutil.copyfile(path, target / "geo" / path.name)


def _write_data_pages(app: Sphinx) -> None:
    from . import datapages

    for path in datapages.write_pages():
        logger.info(f"[partnership] regenerated {path.name} from the data package")
    from . import answerkey, coursemap

    if coursemap.write_page():
        logger.info("[partnership] regenerated the chapter table from the notebooks")
    if coursemap.write_benchmark_page():
        logger.info("[partnership] regenerated the benchmark table")
    from . import roleplay

    for path in roleplay.write_sheet_pages():
        logger.info(f"[partnership] regenerated {path.name} (role sheet page)")
    if answerkey.write_page():
        logger.info("[partnership] regenerated the answer key from the chapters")


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _write_data_pages)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _build_finished)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}


class PlotlyMimeRenderer:
    """myst-nb plugin (entry point ``myst_nb.mime_renderers``): the book uses each figure's HTML alternative.

    Every course figure is displayed with both plotly's mimetype (for JupyterLab) and plain HTML (for the
    book). myst-nb would warn that it cannot render the plotly mimetype; with this plugin that part of the
    bundle renders to nothing, on purpose, and the HTML part carries the figure.
    """

    mime_priority_overrides = [("*", "application/vnd.plotly.v1+json", None)]

    @staticmethod
    def handle_mime(renderer, data, inline):
        if data.mime_type == "application/vnd.plotly.v1+json":
            return []
        return None
