"""Chapters 06–08 (regional and global implications): ring geometry, the new tables, every figure, the explorer."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from partnership import data, figures, quiz, regional
from partnership.check import check, registry
from partnership.maps import GEOD, region_map

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ("06-the-peninsula-and-japan", "07-ukraine-and-europe", "08-china-and-the-wider-alignment")
FIGURES = (
    regional.launches_by_tracker, regional.range_map, regional.russian_help, regional.treaty_timeline, regional.defence_budgets,
    regional.kursk_map, regional.deployment_timeline, regional.casualty_estimates, regional.missiles_against_ukraine,
    regional.china_trade_share, regional.china_votes_chart, regional.beijing_position, regional.axis_debate,
    regional.capitals_table, regional.regional_explorer_static,
    lambda: regional.statements_timeline(("KOR", "JPN", "USA"), title="Seoul and Tokyo", figure_id="t-seoul-tokyo"),
    lambda: regional.statements_timeline(("UKR", "EU", "G7"), title="Kyiv and Brussels", figure_id="t-kyiv-brussels",
                                         event_ids=("2024-01-10-48-state-joint-statement",)),
    lambda: regional.explorer_figure("deployments", "2024"),
)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def built():
    return [make() for make in FIGURES]


def _back_to_lonlat(regional_map, trace):
    back = Transformer.from_crs(regional_map.crs, 4326, always_xy=True)
    return back.transform(np.array(trace.x, float) * 1000, np.array(trace.y, float) * 1000)


# --------------------------------------------------------------------------------------------- ring geometry

def test_range_map_rings_are_geodesic_around_their_launch_areas():
    missiles = data.load("missiles")
    places = data.load("places").set_index("place_id")
    figure = regional.range_map()
    projection = region_map(data.load("countries_eurasia_50m"), regional.RANGE_MAP_BOUNDS, title="x")
    rings = [t for t in figure.figure.data if t.name and " km " in t.name and "approximate" in t.name]
    expected = sum(len(data.split_ids(m.launch_place_ids)) * (1 if m.range_km_low == m.range_km_high else 2) for m in missiles.itertuples())
    assert len(rings) == expected
    for ring in rings:
        missile = missiles[missiles.name == ring.name.split(" from ")[0]].iloc[0]
        area = ring.name.split(" from ")[1].split(":")[0]
        launch = places[places.name.str.split(" \\(").str[0] == area].iloc[0]
        radius = float(re.search(r"~([\d,]+) km", ring.name).group(1).replace(",", ""))
        assert radius in {float(missile.range_km_low), float(missile.range_km_high)}
        lon, lat = _back_to_lonlat(projection, ring)
        _, _, metres = GEOD.inv(np.full_like(lon, launch.lon), np.full_like(lat, launch.lat), lon, lat)
        assert np.allclose(metres / 1000, radius, atol=1.0), ring.name  # within 1 km everywhere on the ring


def test_a_geodesic_ring_is_not_a_circle_in_degrees():
    regional_map = region_map(data.load("countries_eurasia_50m"), regional.RANGE_MAP_BOUNDS, title="x")
    regional_map.add_range_ring(127.446, 39.148, 885, name="r", hover="r", colour="#000")
    lon, lat = _back_to_lonlat(regional_map, regional_map.fig.data[-1])
    east_west, north_south = np.ptp(lon) / 2, np.ptp(lat) / 2
    # At 39°N a degree of longitude is about 0.78 of a degree of latitude, so the ring is wider in degrees east-west.
    assert east_west / north_south == pytest.approx(1 / np.cos(np.radians(39.148)), rel=0.05)


_RING_MAP = []


def _ring_map():
    if not _RING_MAP:  # one projected map for every example: only the ring changes
        _RING_MAP.append(region_map(data.load("countries_eurasia_50m"), regional.RANGE_MAP_BOUNDS, title="x"))
    return _RING_MAP[0]


@SETTINGS
@given(lon=st.floats(122, 132), lat=st.floats(35, 44), radius=st.floats(50, 2500))
def test_any_ring_keeps_its_radius(lon, lat, radius):
    regional_map = _ring_map()
    regional_map.add_range_ring(lon, lat, radius, name="r", hover="r", colour="#000")
    ring = regional_map.fig.data[-1]
    regional_map.fig.data = regional_map.fig.data[:-1]
    ring_lon, ring_lat = _back_to_lonlat(regional_map, ring)
    _, _, metres = GEOD.inv(np.full_like(ring_lon, lon), np.full_like(ring_lat, lat), ring_lon, ring_lat)
    assert np.allclose(metres / 1000, radius, atol=1.0)


def test_reach_table_distances_match_the_geodesic_and_the_verdicts_follow_the_figures():
    reach = regional.reach_table()
    places = data.load("places").set_index("place_id")
    for row in reach.itertuples():
        a, b = places.loc[row.launch_place_id], places.loc[row.city_id]
        assert row.distance_km == round(GEOD.inv(a.lon, a.lat, b.lon, b.lat)[2] / 1000)
        if row.distance_km <= row.range_km_low:
            assert row.reach.startswith("within the lowest")
        elif row.distance_km > row.range_km_high:
            assert row.reach.startswith("beyond")
    by = reach.set_index(["missile_id", "city_id"])
    assert by.loc[("kn-23", "seoul"), "reach"].startswith("within")
    assert by.loc[("kn-23", "tokyo"), "reach"].startswith("beyond")
    assert 1000 < by.loc[("kn-23", "tokyo"), "distance_km"] < 1300


def test_reach_table_rejects_unknown_places():
    with pytest.raises(regional.RegionalError, match="Unknown place"):
        regional.reach_table(("atlantis",))


# --------------------------------------------------------------------------------------------- the new data

def test_missiles_table_is_sourced_ordered_and_short_range():
    missiles = data.load("missiles")
    sources = set(data.load("sources").source_id)
    places = data.load("places").set_index("place_id")
    assert {"kn-23", "kn-24"} <= set(missiles.missile_id)
    assert (missiles.range_km_low <= missiles.range_km_high).all()
    assert (missiles.range_km_high < 1000).all(), "this table holds short-range missiles only"
    for row in missiles.itertuples():
        assert data.split_ids(row.source_ids) and set(data.split_ids(row.source_ids)) <= sources
        assert row.range_basis and len(row.range_basis) > 40, "say what each range figure is and who published it"
        for place in data.split_ids(row.launch_place_ids):
            assert places.loc[place, "country"] == "PRK", f"{row.missile_id}: launch place {place} is not in North Korea"


def test_missiles_resource_has_a_full_schema():
    meta = data.resource("missiles")
    fields = {f["name"]: f for f in meta["schema"]["fields"]}
    assert meta["schema"]["primaryKey"] == "missile_id" and meta["licenses"] and meta["x-provenance"]
    assert fields["range_km_low"]["type"] == "number" and fields["range_km_low"]["constraints"]["required"]
    references = {(r["field"], r["resource"]) for r in meta["schema"]["x-references"]}
    assert {("source_ids", "sources"), ("launch_place_ids", "places")} <= references


def test_new_launch_areas_are_sourced_and_in_north_korea():
    places = data.load("places").set_index("place_id")
    for place_id in ("wonsan", "chunghwa"):
        row = places.loc[place_id]
        assert row.kind == "launch_site" and row.country == "PRK"
        assert 37.5 < row.lat < 43 and 124 < row.lon < 131
        assert len(data.split_ids(row.source_ids)) >= 2, "one source for the coordinates, one for the launches"


def test_rows_added_for_these_chapters_exist_and_are_claims_where_they_should_be():
    events = data.load("events").set_index("event_id")
    assert events.loc["2025-04-24-kyiv-dprk-missile", "place_id"] == "kyiv"
    assert events.loc["2024-05-07-pgo-dprk-missiles-failed", "date"] == pd.Timestamp("2024-05-07")
    transfers = data.load("transfers").set_index("estimate_id")
    for estimate in ("ms-gur-2025-kn23-accuracy", "mto-gur-2025-shahed"):
        row = transfers.loc[estimate]
        assert row.direction == "to_dprk" and row.unit == "reported" and pd.isna(row.quantity_low)
        assert "Claim" in row.note
    assert "chn-2024-06-13-lin-jian" in set(data.load("statements").statement_id)


def test_hand_kept_classifications_cover_the_rows_they_describe():
    forces = data.load("force_estimates").set_index("estimate_id")
    for estimate in regional.PLANS_AND_FORECASTS:
        note = forces.loc[estimate, "note"].lower()
        assert any(word in note for word in ("plan", "forecast", "projection", "intent", "prepar")), estimate
    for estimate in regional.NOT_CUMULATIVE:
        assert any(word in forces.loc[estimate, "note"].lower() for word in ("week", "weekend")), estimate
    transfers = data.load("transfers")
    ballistic = set(transfers[(transfers["item"] == "ballistic_missiles") & (transfers.direction == "to_russia")].estimate_id)
    assert set(regional.MISSILE_COUNT_KIND) == ballistic, "classify every ballistic-missile count as fired or supplied"
    statements = data.load("statements")
    assert set(regional.AXIS_SIDES) == set(statements[statements.topic == "axis_debate"].statement_id)
    assert set(regional.ROUTE_YEARS) == set(data.load("routes").route_id)
    assert set(regional.HELP_THEMES) >= set(transfers[transfers.direction == "to_dprk"]["item"])


def test_troop_event_lanes():
    lanes = regional.troop_events().set_index("event_id").lane
    assert lanes["2024-10-08-first-shipment"].startswith("Reports")
    assert lanes["2024-10-18-nis-statement"].startswith("Reports")
    assert lanes["2025-04-26-gerasimov-acknowledges"] == "Moscow and Pyongyang"
    assert lanes["2025-04-28-kcna-acknowledges"] == "Moscow and Pyongyang"
    assert lanes["2025-06-17-shoigu-engineers-builders"] == "Engineers and builders"
    assert lanes["2025-12-12-engineers-return"] == "Engineers and builders"


def test_china_share_pairs_totals_from_the_same_compiler():
    share = regional.china_share()
    assert share.china_share_pct.between(80, 100).all()
    kotra = share[share.compiler == "KOTRA"].set_index("year")
    assert kotra.loc[2023, "china_share_pct"] == pytest.approx(98.3, abs=0.1)  # KOTRA's own published figure
    assert kotra.loc[2019, "world_row"] == "prk-wld-total-2019-1"  # paired with the total from the same report
    assert "ITC" in set(share.compiler)


def test_china_votes_show_the_veto_and_the_abstention():
    votes = regional.china_votes().set_index("resolution_id").china_vote
    assert votes["draft-2022-05-26"] == "against (veto)"
    assert votes["draft-2024-03-28"] == "abstained"
    assert votes["unscr-1718"] == "in favour (unanimous)"
    assert votes["unscr-825"] == "abstained"


@given(low=st.floats(1, 1e7), extra=st.floats(0, 1e7))
def test_ranges_are_never_turned_into_midpoints(low, extra):
    text = regional._range_text(low, low + extra)
    assert regional._fmt(low) in text and regional._fmt(low + extra) in text
    assert regional._range_text(low, None).startswith("at least") and regional._range_text(None, low).startswith("up to")


# --------------------------------------------------------------------------------------------- every figure

def test_every_figure_has_alt_caption_table_sources_and_rows(built):
    sources = set(data.load("sources").source_id)
    tables = set(data.table_names(tabular_only=False))
    for item in built:
        assert isinstance(item, figures.CourseFigure)
        assert len(item.alt) > 60 and item.caption.strip(), item.figure_id
        assert item.table is not None and len(item.table) > 0, item.figure_id
        assert item.sources and set(item.sources) <= sources, item.figure_id
        assert item.tables and set(item.tables) <= tables, item.figure_id
        for table_name, ids in (item.rows or {}).items():
            key = data.resource(table_name)["schema"]["primaryKey"]
            assert set(map(str, ids)) <= set(data.load(table_name)[key].astype(str)), (item.figure_id, table_name)


def test_every_figure_is_small_offline_and_renders(built):
    for item in built:
        size = len(item.figure.to_json())
        assert size < 300_000, (item.figure_id, size)
        assert not [t for t in item.figure.data if t.type in {"choropleth", "scattergeo"}], item.figure_id
        bundle = figures.figure_bundle(item.figure, alt=item.alt, figure_id=item.figure_id)
        assert "cdn" not in bundle["text/html"].lower()
        notes = figures.notes_html(caption=item.caption, table=item.table, tables=item.tables, sources=item.sources, rows=item.rows)
        assert "Data and sources behind this figure" in notes


def test_figure_ids_are_unique(built):
    ids = [item.figure_id for item in built]
    assert len(ids) == len(set(ids))


def test_maps_use_the_course_map_module(built):
    for item in built:
        if isinstance(item.figure.layout.meta, dict) and item.figure.layout.meta.get("kind") == "map":
            assert item.figure.layout.yaxis.scaleanchor == "x", item.figure_id


def test_statements_timeline_rejects_unknown_actors_and_events():
    with pytest.raises(regional.RegionalError, match="Unknown actor"):
        regional.statements_timeline(("XYZ",), title="x", figure_id="x")
    with pytest.raises(regional.RegionalError, match="Unknown event"):
        regional.statements_timeline(("CHN",), title="x", figure_id="x", event_ids=("no-such-event",))


def test_estimates_are_drawn_one_marker_each_never_averaged():
    figure = regional.casualty_estimates()
    table = regional.casualty_table()
    markers = sum(len(t.x) for t in figure.figure.data)
    assert markers == len(table)
    drawn = sorted(float(y) for t in figure.figure.data for y in t.y)
    published = sorted(table.low.astype(float).fillna(table.high.astype(float)))
    assert drawn == published


# --------------------------------------------------------------------------------------------- the explorer

@pytest.mark.parametrize("layer", list(regional.LAYERS))
@pytest.mark.parametrize("period", regional.PERIOD_LABELS)
def test_explorer_state_is_well_formed(layer, period):
    state = regional.explorer_state(layer, period)
    assert list(state.features.columns) == regional.FEATURE_COLUMNS
    assert state.features.feature_id.is_unique and state.note
    assert set(state.features.kind) <= {"ring", "path", "points"}
    assert (state.features[state.features.kind == "ring"].radius_km > 0).all()
    for row in state.features.itertuples():
        assert len(row.lon) == len(row.lat) >= 1 and data.split_ids(row.source_ids)


def test_explorer_layers_change_with_the_period():
    routes = {p: set(regional.explorer_state("routes", p).features.feature_id) for p in regional.PERIOD_LABELS}
    assert routes["2023"] != routes["2024"] and not routes["2019–2021"]
    assert "route:sea_vostochny_chongjin" in routes["2024"] and "route:sea_vostochny_chongjin" not in routes["2023"]
    deployments = regional.explorer_state("deployments", "2024").features
    assert any("kursk" in f for f in deployments.feature_id)
    assert regional.explorer_state("deployments", "2023").features.empty
    strikes = regional.explorer_state("ranges", "2025").features
    assert any(f.startswith("strikes:") for f in strikes.feature_id)
    trade = regional.explorer_state("trade", "2024").features.set_index("feature_id")
    assert trade.loc["trade:CHN:2024-2024", "width"] > trade.loc["trade:RUS:2024-2024", "width"]


@given(layer=st.text(max_size=12).filter(lambda s: s not in regional.LAYERS), period=st.sampled_from(regional.PERIOD_LABELS))
def test_explorer_rejects_unknown_layers_with_a_readable_message(layer, period):
    with pytest.raises(regional.ExplorerError, match="Choose a layer"):
        regional.explorer_state(layer, period)


@given(layer=st.sampled_from(list(regional.LAYERS)), period=st.one_of(st.integers(), st.none(), st.floats(allow_nan=True),
                                                                        st.text(max_size=10).filter(lambda s: s not in regional.PERIOD_LABELS)))
def test_explorer_rejects_unknown_periods_with_a_readable_message(layer, period):
    with pytest.raises(regional.ExplorerError, match="Choose a period"):
        regional.explorer_state(layer, period)


def test_static_explorer_states_match_the_model():
    figure = regional.regional_explorer_static().figure
    names = [t.name for t in figure.data]
    base = sum(1 for t in figure.data if t.hoveron == "fills")
    assert all(t.hoveron == "fills" for t in figure.data[:base])

    def shown(visible):
        assert all(visible[:base]), "the base map must stay visible in every state"
        return sorted(n for n, v in zip(names[base:], visible[base:]) if v)

    buttons = figure.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == list(regional.LAYERS.values())
    for layer, button in zip(regional.LAYERS, buttons):
        data_update, layout_update = button.args
        expected = sorted(regional.explorer_state(layer, regional.DEFAULT_STATE[1]).features.name)
        assert shown(data_update["visible"]) == expected
        assert "sliders" not in layout_update, "controls are never rebuilt, so the keyboard mirror stays in step"
    assert len(figure.layout.sliders) == len(regional.LAYERS)
    for layer, slider in zip(regional.LAYERS, figure.layout.sliders):
        assert slider.name.startswith(regional.LAYERS[layer])
        assert [s.label for s in slider.steps] == [regional.SHORT_PERIODS[p] for p in regional.PERIOD_LABELS]
        for period, step in zip(regional.PERIOD_LABELS, slider.steps):
            state = regional.explorer_state(layer, period)
            assert shown(step.args[0]["visible"]) == sorted(state.features.name), (layer, period)
            assert state.note.split(".")[0][:30] in step.args[1]["annotations"][0]["text"].replace("<br>", " ")
    start = [bool(t.visible) for t in figure.data]
    assert shown(start) == sorted(regional.explorer_state(*regional.DEFAULT_STATE).features.name)


def test_explorer_widget_shows_errors_as_text_not_tracebacks(monkeypatch):
    explorer = regional.regional_explorer_widget()
    message, period = explorer.message, explorer.period
    assert message.value and "Cannot" not in message.value

    def broken(*_):
        raise regional.ExplorerError("Choose a layer from: routes (you gave 'x').")

    monkeypatch.setattr(regional, "explorer_figure", broken)
    period.value = "2025"
    assert "Cannot draw this map" in message.value and "Choose a layer" in message.value


# --------------------------------------------------------------------------------------------- exercises, quizzes, notebooks

def test_exercises_are_registered_and_computed_from_the_data():
    exercises = registry()
    for key in regional.EXERCISES:
        assert key in exercises and key.startswith(("ex-06-", "ex-07-", "ex-08-"))
    assert regional.EXERCISES["ex-06-tracker-gap"].expected() == 99 - 59
    assert regional.EXERCISES["ex-07-nis-deaths"].expected() == 2000 - 600
    assert 97 < regional.EXERCISES["ex-08-china-share"].expected() < 99
    assert 1100 < regional.EXERCISES["ex-06-wonsan-tokyo"].expected() < 1200


def test_check_accepts_the_answer_and_gives_a_hint_otherwise(capsys):
    for key, exercise in regional.EXERCISES.items():
        assert check(key, exercise.expected()) is True
        assert check(key, -1) is False
        assert "Hint" in capsys.readouterr().out


@pytest.mark.parametrize("stem", CHAPTERS)
def test_quiz_banks_load(stem):
    questions = quiz.load_bank(stem)
    assert 4 <= len(questions) <= 6


@pytest.mark.parametrize("stem", CHAPTERS)
def test_notebooks_follow_the_skeleton(stem):
    path = ROOT / "notebooks" / f"{stem}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    ids = [cell.id for cell in notebook.cells]
    assert len(ids) == len(set(ids)) and all(ids)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, "commit notebooks without outputs"
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    for heading in ("## Overview", "## Prerequisites", "## Imports", "## Summary", "### What next", "## Exercises", "## Self-check quiz", "## Sources"):
        assert heading in text, heading
    assert "**Time to learn:**" in text
    imports = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "markdown" and "## Imports" in c.source)
    first_code = next(c for c in notebook.cells[imports:] if c.cell_type == "code" and "remove-cell" not in c.metadata.get("tags", []))
    assert first_code.source.startswith("from partnership import")
    assert f'quiz.show("{stem}")' in "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    labels = re.findall(r":label: (\S+)", text)
    assert labels and all(label.startswith(f"ex-{stem[:2]}-") for label in labels) and len(labels) == len(set(labels))
    assert 'check("ex-' in "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    for cell in notebook.cells:
        if cell.cell_type == "code" and "widget" in cell.source:
            assert "remove-output" in cell.metadata.get("tags", []), "widgets cannot run in the static book"
