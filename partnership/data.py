"""Load the course's data package (``data/datapackage.json``) as typed, validated tables.

``load("transfers")`` returns a pandas DataFrame whose columns have the types the package's table
schema declares; ``load("countries_eurasia_50m")`` returns a GeoDataFrame. Every table is checked on
load against its schema (required fields, types, allowed values, unique keys) and every reference to
another table (a source id, a place id) must resolve. When something is wrong the error names the file,
the row, the column, what was expected, what was found, and how to fix it. Loading never writes.

The full check against the Frictionless standard runs in the tests with the ``frictionless`` library;
this loader repeats the checks a learner's edits are likely to break, fast enough to run on every load.
"""
from __future__ import annotations

import csv
import html
import io
import json
import os
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

#: Set this environment variable to read the data package from another folder.
DATA_ENV = "PARTNERSHIP_DATA"
#: Set this one to a base URL to download the package from there even inside a clone (used by tests).
REMOTE_ENV = "PARTNERSHIP_REMOTE_DATA"
LIST_SEPARATOR = ";"

#: Relative link from a chapter page to the generated data pages of the book.
DATA_PAGES = "../book/data/"


class DataError(Exception):
    """The data package, or one of its files, is missing or does not match its schema."""


def _repository_data_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "data"


def data_dir() -> Path:
    """The folder holding ``datapackage.json``: $PARTNERSHIP_DATA, else the repository's ``data/``."""
    override = os.environ.get(DATA_ENV)
    if override:
        return Path(override)
    from . import remote  # not in a clone (e.g. Colab): fetch a checksummed copy of the package

    if os.environ.get(REMOTE_ENV):
        return remote.fetch_data_package(base_url=os.environ[REMOTE_ENV])
    local = _repository_data_dir()
    if (local / "datapackage.json").exists():
        return local
    return remote.fetch_data_package()


def _fix_hint(path: Path) -> str:
    return (
        f"To restore the original, run `git checkout -- {path.name}` inside the data folder "
        "(or download the file again from the course repository)."
    )


@lru_cache(maxsize=4)
def _descriptor(folder: str) -> dict:
    path = Path(folder) / "datapackage.json"
    if not path.exists():
        raise DataError(
            f"The data package description {path} is missing. Clone the whole course repository "
            f"(or set {DATA_ENV} to a folder that contains datapackage.json)."
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DataError(f"{path} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}). {_fix_hint(path)}") from None


def package(folder: Path | None = None) -> dict:
    """The parsed ``datapackage.json``."""
    return _descriptor(str(folder or data_dir()))


def resource(name: str, folder: Path | None = None) -> dict:
    descriptor = package(folder)
    for item in descriptor["resources"]:
        if item["name"] == name:
            return item
    names = ", ".join(sorted(r["name"] for r in descriptor["resources"]))
    raise DataError(f"There is no table called {name!r} in the data package. Available tables: {names}.")


def table_names(folder: Path | None = None, tabular_only: bool = True) -> list[str]:
    return [r["name"] for r in package(folder)["resources"] if not tabular_only or "schema" in r]


def split_ids(cell) -> list[str]:
    """``"a;b"`` → ``["a", "b"]``; an empty cell → ``[]``."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)) or cell is pd.NA:
        return []
    return [part for part in str(cell).split(LIST_SEPARATOR) if part]


def _read_rows(path: Path, expected: list[str]) -> list[dict[str, str]]:
    if not path.exists():
        raise DataError(f"The data file {path} is missing. {_fix_hint(path)}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DataError(f"{path} is not UTF-8 text (byte {error.start}). Save it as UTF-8 CSV. {_fix_hint(path)}") from None
    if not text.strip():
        raise DataError(f"{path} is empty: expected a header row with columns {', '.join(expected)}. {_fix_hint(path)}")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if missing or extra:
        detail = []
        if missing:
            detail.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            detail.append(f"unexpected column(s) {', '.join(extra)}")
        raise DataError(f"{path}: the header row does not match the schema ({'; '.join(detail)}). Expected: {', '.join(expected)}. {_fix_hint(path)}")
    rows = []
    for line_number, values in enumerate(reader, start=2):
        if not values:
            continue
        if len(values) != len(header):
            raise DataError(
                f"{path}, line {line_number}: expected {len(header)} values but found {len(values)} "
                "(a missing or extra comma, an unclosed quote, or a truncated file). " + _fix_hint(path)
            )
        rows.append({"__line__": line_number, **dict(zip(header, values))})
    return rows


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _convert(value: str, field: dict, where: str):
    kind = field.get("type", "string")
    if value == "":
        if field.get("constraints", {}).get("required"):
            raise DataError(f"{where}: this field is required but the cell is empty. Fill it in or remove the row.")
        return None
    try:
        if kind == "integer":
            converted = int(value)
        elif kind == "number":
            converted = float(value)
            if converted != converted:  # NaN
                raise ValueError
        elif kind == "date":
            if not _DATE.match(value):
                raise ValueError
            converted = pd.Timestamp(value)
        elif kind == "boolean":
            if value not in {"true", "false"}:
                raise ValueError
            converted = value == "true"
        else:
            converted = value
    except ValueError:
        expected = {"integer": "a whole number", "number": "a number", "date": "a date written YYYY-MM-DD", "boolean": "true or false"}[kind]
        raise DataError(f"{where}: expected {expected} but found {value!r}.") from None
    constraints = field.get("constraints", {})
    allowed = constraints.get("enum")
    if allowed is not None and value not in allowed:
        raise DataError(f"{where}: {value!r} is not one of the allowed values: {', '.join(allowed)}.")
    if "minimum" in constraints and converted < constraints["minimum"]:
        raise DataError(f"{where}: {value} is below the minimum allowed ({constraints['minimum']}).")
    if "maximum" in constraints and converted > constraints["maximum"]:
        raise DataError(f"{where}: {value} is above the maximum allowed ({constraints['maximum']}).")
    if "pattern" in constraints and kind == "string" and not re.fullmatch(constraints["pattern"], value):
        raise DataError(f"{where}: {value!r} does not have the expected form (pattern {constraints['pattern']}).")
    return converted


_PANDAS_TYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "string": "string"}


def _frame(name: str, folder: Path) -> pd.DataFrame:
    meta = resource(name, folder)
    fields = meta["schema"]["fields"]
    path = folder / meta["path"]
    rows = _read_rows(path, [f["name"] for f in fields])
    records = []
    for row in rows:
        record = {}
        for field in fields:
            where = f"{path.name}, line {row['__line__']}, column '{field['name']}'"
            record[field["name"]] = _convert(row[field["name"]], field, where)
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=[f["name"] for f in fields])
    for field in fields:
        column = field["name"]
        if field.get("type") == "date":
            frame[column] = pd.to_datetime(frame[column])
        else:
            frame[column] = frame[column].astype(_PANDAS_TYPES.get(field.get("type", "string"), "string"))
    key = meta["schema"].get("primaryKey")
    if key:
        keys = [key] if isinstance(key, str) else key
        duplicated = frame[frame.duplicated(keys, keep=False)]
        if not duplicated.empty:
            first = duplicated.iloc[0]
            value = ", ".join(str(first[k]) for k in keys)
            raise DataError(f"{path.name}: the key ({', '.join(keys)}) must be unique, but {value!r} appears more than once. Give each row its own id.")
    frame.attrs["table"] = name
    frame.attrs["path"] = str(path)
    return frame


def _check_references(name: str, frame: pd.DataFrame, folder: Path) -> None:
    meta = resource(name, folder)
    references = list(meta["schema"].get("x-references", []))
    for key in meta["schema"].get("foreignKeys", []):  # single-valued keys, as the Table Schema standard defines them
        references.append({"field": key["fields"], "resource": key["reference"]["resource"], "reference": key["reference"]["fields"]})
    for reference in references:
        column, target, target_field = reference["field"], reference["resource"], reference["reference"]
        known = set(_cached_frame(target, str(folder))[target_field].dropna().astype(str))
        for line, cell in zip(frame.index, frame[column]):
            for identifier in split_ids(cell) if reference.get("list") else ([] if pd.isna(cell) else [str(cell)]):
                if identifier not in known:
                    raise DataError(
                        f"{Path(meta['path']).name}, row {line + 1}, column '{column}': unknown {target} id {identifier!r}. "
                        f"Every id here must be a {target_field} in {target}.csv: add that row there, or correct the id."
                    )


@lru_cache(maxsize=64)
def _cached_frame(name: str, folder: str) -> pd.DataFrame:
    return _frame(name, Path(folder))


def load(name: str, folder: Path | None = None):
    """A table of the data package, typed and validated. Returns a copy you may change freely."""
    folder = Path(folder) if folder else data_dir()
    meta = resource(name, folder)
    if "schema" not in meta:
        return _load_geo(meta, folder)
    frame = _cached_frame(name, str(folder))
    _check_references(name, frame, folder)
    return frame.copy()


def _load_geo(meta: dict, folder: Path):
    import geopandas as gpd

    path = folder / meta["path"]
    if not path.exists():
        raise DataError(f"The map file {path} is missing. {_fix_hint(path)}")
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except Exception as error:  # pyogrio raises several types for a damaged file
        raise DataError(f"{path} could not be read as GeoJSON ({type(error).__name__}: {error}). {_fix_hint(path)}") from None
    if frame.empty or "iso3" not in frame.columns:
        raise DataError(f"{path} has no country shapes with an 'iso3' column. {_fix_hint(path)}")
    return frame.set_crs(4326, allow_override=True)


def load_all(folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table (not the maps), validated, keyed by name."""
    return {name: load(name, folder) for name in table_names(folder)}


def clear_cache() -> None:
    """Forget loaded tables (after editing a CSV in a running notebook)."""
    _cached_frame.cache_clear()
    _descriptor.cache_clear()


# ---------------------------------------------------------------------------------------------
# Provenance notes under figures
# ---------------------------------------------------------------------------------------------

def sources_for(source_ids) -> pd.DataFrame:
    ids = list(dict.fromkeys(source_ids))
    sources = load("sources").set_index("source_id")
    unknown = [i for i in ids if i not in sources.index]
    if unknown:
        raise DataError(f"Unknown source id(s) {', '.join(unknown)}: add them to sources.csv or correct the id.")
    return sources.loc[ids].reset_index()


def cited_sources(frame: pd.DataFrame, column: str = "source_ids") -> list[str]:
    """All source ids cited by the rows of ``frame``, in first-seen order."""
    ids: list[str] = []
    for cell in frame[column]:
        ids.extend(split_ids(cell))
    return list(dict.fromkeys(ids))


def provenance_html(*, tables=(), source_ids=(), rows=None, pages: str = DATA_PAGES) -> str:
    """The 'Data and sources' note under a figure: tables (with links to their rows) and documents."""
    parts = ['<details class="course-provenance"><summary>Data and sources behind this figure</summary>']
    if tables:
        links = ", ".join(
            f'<a href="{pages}{html.escape(t)}.html">{html.escape(t)}</a> '
            f'(<a href="{pages.replace("book/data/", "data/")}{html.escape(resource(t)["path"])}">CSV</a>)'
            if "schema" in resource(t) else html.escape(t)
            for t in tables
        )
        parts.append(f"<p>Tables: {links}.</p>")
    for table_name, row_ids in (rows or {}).items():
        resource(table_name)  # an unknown table fails here, with the list of tables
        links = ", ".join(f'<a href="{pages}{html.escape(table_name)}.html#row-{html.escape(str(r))}">{html.escape(str(r))}</a>' for r in row_ids)
        parts.append(f"<p>Rows of {html.escape(table_name)}: {links}.</p>")
    if source_ids:
        items = []
        for row in sources_for(source_ids).itertuples():
            date = row.published.date().isoformat() if not pd.isna(row.published) else "n.d."
            items.append(
                f'<li id="src-{html.escape(row.source_id)}"><a href="{html.escape(row.url)}">{html.escape(row.title)}</a>, '
                f"{html.escape(row.publisher)}, {date} "
                f"<span class=\"course-vantage\">[{html.escape(row.kind.replace('_', ' '))}; vantage: {html.escape(row.vantage)}]</span></li>"
            )
        parts.append("<ul>" + "".join(items) + "</ul>")
    parts.append("</details>")
    return "".join(parts)
