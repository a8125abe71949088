"""Generate the book's "Data and sources" pages from the data package itself.

The course's Sphinx extension calls :func:`write_pages` at the start of every build, so the pages always
describe the data as it is: each table's description, provenance, licence, fields, row count, a download
link, and every row with an anchor (``#row-<id>``) that figure notes link to. The sources page counts the
documents by kind and vantage and lists them in that order. Pages are rewritten only when their text changes.
"""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from . import data
from ._files import write_if_changed

PAGES_DIR = Path(__file__).resolve().parents[1] / "book" / "data"
KIND_LABELS = {
    "un_record": "UN records",
    "government_statement": "Government statements",
    "intelligence_claim": "Intelligence assessments (as published)",
    "independent_research": "Independent research",
    "news_report": "News reports",
    "state_media": "State media",
    "reference_work": "Reference works",
}


def _key(meta: dict) -> list[str]:
    key = meta["schema"].get("primaryKey")
    return [key] if isinstance(key, str) else list(key or [])


def _row_links(value: str) -> str:
    """``table:row_id;table:row_id`` → links to those rows on the tables' pages."""
    links = []
    for reference in data.split_ids(value):
        table, _, row = reference.partition(":")
        links.append(f'<a href="{html.escape(table)}.html#row-{html.escape(row)}">{html.escape(reference)}</a>')
    return ", ".join(links)


def _cell(value, field: dict, row_references: frozenset = frozenset()) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if field.get("type") == "date":
        return pd.Timestamp(value).date().isoformat()
    if field.get("type") == "number":
        number = float(value)
        return f"{number:,.0f}" if number.is_integer() else f"{number:,}"
    if field["name"] == "source_ids":
        return ", ".join(f'<a href="sources.html#row-{html.escape(s)}">{html.escape(s)}</a>' for s in data.split_ids(value))
    if field["name"] in row_references:
        return _row_links(str(value))
    if field["name"] == "url":
        return f'<a href="{html.escape(str(value))}">link</a>'
    return html.escape(str(value))


def rows_html(name: str, frame: pd.DataFrame | None = None) -> str:
    meta = data.resource(name)
    frame = data.load(name) if frame is None else frame
    fields = meta["schema"]["fields"]
    key = _key(meta)
    row_references = frozenset(meta["schema"].get("x-row-references", []))
    head = "".join(f'<th scope="col">{html.escape(f["name"])}</th>' for f in fields)
    body = []
    for row in frame.to_dict("records"):
        anchor = "-".join(str(row[k]) for k in key)
        cells = "".join(f"<td>{_cell(row[f['name']], f, row_references)}</td>" for f in fields)
        body.append(f'<tr id="row-{html.escape(anchor)}">{cells}</tr>')
    return (
        f'<div class="course-table-scroll" tabindex="0" role="region" aria-label="All rows of {html.escape(name)}">'
        f'<table class="course-data-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
    )


def fields_markdown(meta: dict) -> str:
    lines = ["| Field | Type | Required | Meaning and allowed values |", "| --- | --- | --- | --- |"]
    for field in meta["schema"]["fields"]:
        constraints = field.get("constraints", {})
        meaning = field.get("description", "")
        if "enum" in constraints:
            meaning += (" " if meaning else "") + "One of: " + ", ".join(f"`{v}`" for v in constraints["enum"]) + "."
        required = "yes" if constraints.get("required") else "no"
        lines.append(f"| `{field['name']}` | {field.get('type', 'string')} | {required} | {meaning.replace('|', '/')} |")
    return "\n".join(lines)


def table_page(name: str) -> str:
    meta = data.resource(name)
    frame = data.load(name)
    licence = ", ".join(item.get("title", item["name"]) for item in meta.get("licenses", []))
    key = ", ".join(f"`{k}`" for k in _key(meta))
    return f"""# {meta['title']}

{meta['description']}

- **File:** [`{meta['path']}`](../../data/{meta['path']}) ({len(frame)} rows; download the CSV)
- **Key:** {key}; every row cites at least one document in [the sources table](sources.md).
- **Licence:** {licence}

## How it was assembled and what it cannot see

{meta.get('x-provenance', '')}

## Fields

{fields_markdown(meta)}

## All rows

```{{raw}} html
{rows_html(name, frame)}
```
"""


def sources_page() -> str:
    sources = data.load("sources")
    meta = data.resource("sources")
    parts = [f"""# Sources

Every document the course cites: {len(sources)} in all. Each is labelled with its kind and its vantage (whose
point of view the document comes from). A news report of an intelligence estimate is listed as a news report; the
estimate itself names the intelligence body in its own table. The table at the foot of this page is sorted by
kind, then vantage, then publication date; [the references page](../references.md) lists the same documents as a
bibliography, and [`sources.csv`](../../data/sources.csv) holds them for download.

{meta.get('x-provenance', '')}

## By kind and vantage

| Kind | Vantage | Documents |
| --- | --- | --- |
"""]
    counts = sources.groupby(["kind", "vantage"]).size().reset_index(name="documents")
    for row in counts.itertuples():
        parts.append(f"| {KIND_LABELS.get(row.kind, row.kind)} | {row.vantage} | {row.documents} |\n")
    # One listing only: the sources page is the site's largest, and every row here is also in the bibliography.
    ordered = sources.sort_values(["kind", "vantage", "published", "publisher"], na_position="last")
    parts.append(f"\n## All rows\n\n```{{raw}} html\n{rows_html('sources', ordered)}\n```\n")
    return "".join(parts)


def index_page() -> str:
    descriptor = data.package()
    lines = [f"""# Data and sources

{descriptor['description']}

The data package follows the [Frictionless Data Package](https://specs.frictionlessdata.io/data-package/) standard:
[`datapackage.json`](../../data/datapackage.json) describes every table, its fields, types, allowed values and keys,
and the course's tests validate it with the `frictionless` library. In Python, `partnership.data.load("transfers")`
returns any table typed and checked.

## Principles

- **Every row cites its documents.** No number, date or place appears in the course without a row here.
- **One row per published estimate.** Where estimates disagree, each is kept with who made it and when; nothing is
  averaged away.
- **Vantage is marked.** Each document is labelled with whose point of view it comes from (a government, state
  media, a multilateral body, independent researchers or press).
- **Unknown stays unknown.** Empty cells mean the source did not say; they are never filled with guesses.

## Tables

| Table | Rows | What it holds |
| --- | --- | --- |
"""]
    for name in data.table_names():
        meta = data.resource(name)
        lines.append(f"| [{meta['title']}]({name}.md) | {len(data.load(name))} | {meta['description']} |\n")
    lines.append("\n## Map files\n\n")
    for item in descriptor["resources"]:
        if "schema" not in item:
            lines.append(f"- **{item['title']}** ([`{item['path']}`](../../data/{item['path']})): {item['description']}\n")
    lines.append("\n```{tableofcontents}\n```\n")
    return "".join(lines)


def all_pages() -> dict[str, str]:
    pages = {"index.md": index_page(), "sources.md": sources_page()}
    for name in data.table_names():
        if name != "sources":
            pages[f"{name}.md"] = table_page(name)
    return pages


def write_pages(folder: Path = PAGES_DIR) -> list[Path]:
    """Write the pages, touching only those whose text changed (so rebuilds stay incremental)."""
    return [folder / name for name, text in all_pages().items() if write_if_changed(folder / name, text)]
