"""The data package: valid against its schemas, every reference resolves, plausible dates, well-formed URLs."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlparse

import pandas as pd
import pytest
from frictionless import validate

from partnership import data

TODAY = pd.Timestamp(dt.date.today())
TABLES = data.table_names()


def test_package_is_valid_frictionless():
    report = validate(str(data.data_dir() / "datapackage.json"))
    problems = [(task.name, error.type, error.note) for task in report.tasks for error in task.errors][:10]
    assert report.valid, problems


@pytest.mark.parametrize("name", TABLES)
def test_every_table_loads_typed_and_nonempty(name):
    frame = data.load(name)
    assert len(frame) > 0
    schema = data.resource(name)["schema"]
    for field in schema["fields"]:
        if field.get("type") == "date":
            assert pd.api.types.is_datetime64_any_dtype(frame[field["name"]]), field["name"]
        if field.get("type") in {"integer", "number"}:
            assert pd.api.types.is_numeric_dtype(frame[field["name"]]), field["name"]


@pytest.mark.parametrize("name", [t for t in TABLES if t != "sources"])
def test_every_row_cites_a_known_source(name):
    frame = data.load(name)
    known = set(data.load("sources").source_id)
    for row_number, cell in enumerate(frame["source_ids"], start=2):
        ids = data.split_ids(cell)
        assert ids, f"{name}.csv line {row_number} cites no source"
        assert set(ids) <= known, f"{name}.csv line {row_number}: unknown {set(ids) - known}"


def test_every_source_is_cited_somewhere():
    cited = set()
    for name in TABLES:
        if name != "sources":
            cited.update(data.cited_sources(data.load(name)))
    unused = set(data.load("sources").source_id) - cited
    assert not unused, f"sources nobody cites: {sorted(unused)[:10]}"


def test_urls_are_well_formed_and_unique():
    sources = data.load("sources")
    for url in sources.url:
        parsed = urlparse(url)
        assert parsed.scheme in {"http", "https"} and "." in parsed.netloc and " " not in url, url
    assert sources.url.is_unique


def test_dates_are_plausible():
    sources = data.load("sources")
    assert (sources.published.dropna() <= TODAY).all()
    assert (sources.accessed <= TODAY).all()
    dated = sources.dropna(subset=["published"])
    assert (dated.accessed >= dated.published).all(), "a source was accessed before it was published"
    assert sources.published.dropna().min() >= pd.Timestamp("1990-01-01")
    events = data.load("events")
    assert events.date.min() >= pd.Timestamp("1993-01-01") and events.date.max() <= TODAY
    for name, column in [("transfers", "estimate_date"), ("force_estimates", "estimate_date"), ("resolutions", "date")]:
        values = data.load(name)[column].dropna()
        assert (values <= TODAY).all() and (values >= pd.Timestamp("1990-01-01")).all(), name


def test_ranges_are_ordered():
    transfers = data.load("transfers")
    both = transfers.dropna(subset=["quantity_low", "quantity_high"])
    assert (both.quantity_low <= both.quantity_high).all()
    forces = data.load("force_estimates").dropna(subset=["low", "high"])
    assert (forces.low <= forces.high).all()
    periods = transfers.dropna(subset=["period_start", "period_end"])
    assert (periods.period_start <= periods.period_end).all()


def test_qualitative_reports_carry_no_quantity():
    transfers = data.load("transfers")
    reported = transfers[transfers.unit == "reported"]
    assert reported.quantity_low.isna().all() and reported.quantity_high.isna().all()


def test_timeline_spans_the_regime_to_the_newest_events():
    events = data.load("events")
    assert events.date.min() <= pd.Timestamp("2006-10-14"), "the timeline must reach back to resolution 1718"
    assert events.date.max() >= pd.Timestamp("2026-01-01")
    resolutions = data.load("resolutions").set_index("resolution_id")
    assert resolutions.loc["unscr-1718", "date"] == pd.Timestamp("2006-10-14")
    assert resolutions.loc["unscr-2397", "date"] == pd.Timestamp("2017-12-22")
    assert set(data.split_ids(resolutions.loc["draft-2022-05-26", "vetoed_by"])) == {"CHN", "RUS"}
    assert data.split_ids(resolutions.loc["draft-2024-03-28", "vetoed_by"]) == ["RUS"]


def test_contested_figures_are_kept_as_separate_estimates():
    transfers = data.load("transfers")
    containers = transfers[(transfers.unit == "containers") & transfers.item.eq("ammunition_unspecified")]
    assert containers.estimated_by.nunique() >= 3, "container estimates from several estimators must all be kept"
    assert not containers.duplicated(["estimated_by", "estimate_date", "quantity_low"]).any()


def test_place_coordinates_fall_in_their_country():
    import geopandas as gpd

    places = data.load("places")
    countries = data.load("countries_eurasia_50m").set_index("iso3")
    points = gpd.GeoSeries(gpd.points_from_xy(places.lon, places.lat), crs=4326)
    world = data.load("countries_world_110m").set_index("iso3")
    for place, point in zip(places.itertuples(), points):
        # 1:50m shapes inside the regional window (20E-180E); the coarser world shapes elsewhere (e.g. New York)
        shapes, tolerance_km = (countries, 15) if place.lon >= 20 else (world, 40)
        distance_km = shapes.loc[place.country, "geometry"].distance(point) * 111
        assert distance_km < tolerance_km, f"{place.place_id} is {distance_km:.0f} km from {place.country}"


def test_countries_carry_iso_codes_from_pycountry():
    import pycountry

    world = data.load("countries_world_110m")
    assert len(world) == 177 and world.is_valid.all()
    assert "PRK" in set(world.iso3), "North Korea's shape must survive the repair"
    for code in world.iso3:
        if not code.startswith("X"):
            assert pycountry.countries.get(alpha_3=code) is not None, code


def test_loading_is_fast_and_never_writes(tmp_path):
    import time

    folder = data.data_dir()
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    data.clear_cache()
    start = time.perf_counter()
    data.load_all()
    elapsed = time.perf_counter() - start
    after = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    assert before == after
    assert elapsed < 5, f"loading all tables took {elapsed:.2f} s"  # generous; the benchmark reports the real figure
