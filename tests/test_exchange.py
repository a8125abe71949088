"""The exchange chapters: the calculator model (with property tests), its defaults, and every figure's promises."""
from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnership import data, exchange, quiz
from partnership.check import check, registry
from partnership.exchange import ExchangeInputError, exchange_model

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [ROOT / "notebooks" / "02-what-flows-to-moscow.ipynb", ROOT / "notebooks" / "03-what-moscow-pays.ipynb"]

containers = st.floats(min_value=0, max_value=1_000_000, allow_nan=False)
per_container = st.floats(min_value=0, max_value=5_000, allow_nan=False)
price = st.floats(min_value=0, max_value=1_000_000, allow_nan=False)
share = st.floats(min_value=0, max_value=1, allow_nan=False)
barrels = st.floats(min_value=0, max_value=100_000_000, allow_nan=False)
oil_price = st.floats(min_value=0, max_value=10_000, allow_nan=False)


def _model(**overrides):
    values = exchange.default_inputs()
    values.update(overrides)
    return exchange_model(**values)


# ---- the model ------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(a=containers, b=containers, r=per_container, s=share)
def test_more_containers_never_means_fewer_shells(a, b, r, s):
    low, high = sorted((a, b))
    assert _model(containers=low, rounds_per_container=r, shell_share=s).implied_rounds <= \
        _model(containers=high, rounds_per_container=r, shell_share=s).implied_rounds


@settings(max_examples=60, deadline=None)
@given(p1=price, p2=price, c=containers, r=per_container)
def test_value_of_shells_rises_with_price(p1, p2, c, r):
    low, high = sorted((p1, p2))
    assert _model(containers=c, rounds_per_container=r, price_per_round_usd=low).value_of_rounds_usd <= \
        _model(containers=c, rounds_per_container=r, price_per_round_usd=high).value_of_rounds_usd


@settings(max_examples=60, deadline=None)
@given(s1=share, s2=share, r1=per_container, r2=per_container)
def test_a_larger_share_or_fuller_containers_never_means_fewer_shells(s1, s2, r1, r2):
    assert _model(shell_share=min(s1, s2), rounds_per_container=min(r1, r2)).implied_rounds <= \
        _model(shell_share=max(s1, s2), rounds_per_container=max(r1, r2)).implied_rounds


@settings(max_examples=60, deadline=None)
@given(c=containers, r=per_container, p=price, s=share, b=barrels, o=oil_price)
def test_valid_inputs_give_finite_non_negative_results_that_multiply_out(c, r, p, s, b, o):
    result = exchange_model(c, r, p, s, b, o)
    for value in (result.implied_rounds, result.value_of_rounds_usd, result.value_of_oil_usd, result.oil_share_of_cap):
        assert math.isfinite(value) and value >= 0
    assert math.isclose(result.implied_rounds, c * s * r, rel_tol=1e-12, abs_tol=1e-9)
    assert math.isclose(result.value_of_rounds_usd, c * s * r * p, rel_tol=1e-12, abs_tol=1e-6)
    assert math.isclose(result.value_of_oil_usd, b * o, rel_tol=1e-12, abs_tol=1e-6)
    assert set(result.rounds_vs_published.relation) <= {"below", "consistent", "above"}


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(exchange.LIMITS)), value=st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False))
def test_negative_inputs_are_refused_with_a_message(name, value):
    with pytest.raises(ExchangeInputError, match=name):
        _model(**{name: value})


@settings(max_examples=40, deadline=None)
@given(value=st.floats(min_value=1.0000001, max_value=1e6, allow_nan=False))
def test_a_share_above_one_is_refused(value):
    with pytest.raises(ExchangeInputError, match="between 0 and 1"):
        _model(shell_share=value)


@pytest.mark.parametrize("name, value, message", [
    ("containers", float("nan"), "not a number"),
    ("containers", float("inf"), "infinite"),
    ("containers", "many", "must be a number"),
    ("containers", None, "must be a number"),
    ("containers", True, "must be a number"),
    ("containers", 5e9, "beyond what this calculator accepts"),
    ("rounds_per_container", 1e6, "check the number of zeros"),
    ("price_per_round_usd", -1, "cannot be negative"),
    ("shell_share", 50, "Did you mean 0.5"),
    ("barrels", float("-inf"), "infinite"),
    ("oil_price_usd", "", "must be a number"),
])
def test_bad_inputs_raise_a_helpful_value_error(name, value, message):
    with pytest.raises(ExchangeInputError, match=message) as caught:
        _model(**{name: value})
    assert isinstance(caught.value, ValueError)


def test_numbers_typed_as_text_are_accepted():
    assert _model(containers="6,700", shell_share="1").implied_rounds == pytest.approx(_model().implied_rounds)


# ---- defaults are traceable ------------------------------------------------------------------

def test_defaults_come_from_data_rows_or_say_they_are_assumptions():
    transfers = data.load("transfers").set_index("estimate_id")
    defaults = exchange.default_assumptions()
    assert defaults["containers"].value == transfers.loc["arms-est-010", "quantity_low"]
    assert defaults["rounds_per_container"].value * defaults["containers"].value == pytest.approx(transfers.loc["arms-est-011", "quantity_high"])
    assert defaults["barrels"].value == transfers.loc["rp-osc-2024", "quantity_low"]
    benchmark = data.load("price_benchmarks").set_index("benchmark_id").loc["shell-cost-rus-152mm-2024"]
    assert defaults["price_per_round_usd"].value == benchmark.value
    for assumption in defaults.values():
        assert assumption.from_data or assumption.basis.startswith("ASSUMPTION"), assumption
        all_rows = set(transfers.index) | set(data.load("price_benchmarks").benchmark_id)
        assert set(assumption.rows) <= all_rows


def test_the_default_reproduces_the_ministrys_published_conversion():
    result = _model()
    row = result.rounds_vs_published.set_index("estimate_id").loc["arms-est-011"]
    assert result.implied_rounds == pytest.approx(row.quantity_high)
    assert row.relation == "consistent"


def test_oil_unit_values_divide_two_published_rows():
    values = exchange.oil_unit_values().set_index("year")
    transfers = data.load("transfers").set_index("estimate_id")
    assert values.loc[2019, "usd_per_barrel"] == pytest.approx(transfers.loc["rp-kharon-2019-value", "quantity_low"] / transfers.loc["rp-rus-notif-2019", "quantity_low"])


def test_implied_conversions_pair_rows_from_the_same_estimator_and_day():
    conversions = exchange.implied_conversions()
    transfers = data.load("transfers").set_index("estimate_id")
    for row in conversions.itertuples():
        a, b = transfers.loc[row.rounds_estimate_id], transfers.loc[row.containers_estimate_id]
        assert a.estimated_by == b.estimated_by and a.estimate_date == b.estimate_date
        assert b.unit == "containers" and a.unit in {"shells", "rounds"}
    feb = conversions[conversions.rounds_estimate_id == "arms-est-011"].set_index("end").rounds_per_container
    assert feb["low"] == pytest.approx(500_000 / 6_700) and feb["high"] == pytest.approx(3_000_000 / 6_700)


def test_the_cap_is_read_from_the_measures_table(tmp_path, monkeypatch):
    assert exchange.refined_petroleum_cap() == data.load("measures").set_index("measure_id").loc["unscr-2397-refined_petroleum_cap-1", "value"]
    copy = tmp_path / "data"
    shutil.copytree(data.data_dir(), copy)
    measures = pd.read_csv(copy / "measures.csv", dtype=str, keep_default_na=False)
    measures.loc[measures.measure_id == "unscr-2397-refined_petroleum_cap-1", "value"] = "123456"
    measures.to_csv(copy / "measures.csv", index=False)
    monkeypatch.setenv(data.DATA_ENV, str(copy))
    data.clear_cache()
    try:
        assert exchange.refined_petroleum_cap() == 123456
        cap_trace = exchange.oil_chart().figure.data[0]
        assert {y for y in cap_trace.y if y is not None} == {123456}
    finally:
        monkeypatch.delenv(data.DATA_ENV)
        data.clear_cache()


# ---- reading published figures ---------------------------------------------------------------

@pytest.mark.parametrize("low, high, kind, text", [
    (1000, None, "floor", "more than 1,000 containers"),
    (None, 4_800_000, "ceiling", "up to 4,800,000 containers"),
    (6700, 6700, "point", "about 6,700 containers"),
    (500_000, 3_000_000, "range", "between 500,000 and 3,000,000 containers"),
    (None, None, "none", "claim, no figure given"),
])
def test_figures_are_read_as_published(low, high, kind, text):
    low = float("nan") if low is None else low
    high = pd.NA if high is None else high
    assert exchange.bound_kind(low, high) == kind
    assert exchange.reading(low, high, "containers") == text


def test_plans_are_told_apart_from_counts():
    forces = data.load("force_estimates").set_index("estimate_id")
    plans = {"est-001", "est-003", "est-006", "est-021", "est-022", "est-023", "est-025", "est-052", "est-053"}
    for estimate_id in plans:
        assert exchange.is_plan(forces.loc[estimate_id, "note"]), estimate_id
    for estimate_id in ("est-024", "est-005", "est-010", "est-037", "est-048"):
        assert not exchange.is_plan(forces.loc[estimate_id, "note"]), estimate_id


# ---- figures ---------------------------------------------------------------------------------

FIGURES = {
    "estimate_ladder": exchange.estimate_ladder,
    "conversion_chart": exchange.conversion_chart,
    "evidence_methods": exchange.evidence_methods,
    "route_map_far_east": lambda: exchange.route_map("far_east"),
    "route_map_russia": lambda: exchange.route_map("russia"),
    "route_map_return": lambda: exchange.route_map("far_east", exchange.RETURN_ROUTES),
    "troop_estimates": exchange.troop_estimates,
    "oil_chart": exchange.oil_chart,
    "payments_chart": exchange.payments_chart,
    "payments_claims": exchange.payments_claims,
    "calculator_static": exchange.calculator_static,
}


@pytest.fixture(scope="module")
def built():
    return {name: make() for name, make in FIGURES.items()}


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_has_alt_caption_table_and_known_sources(built, name):
    item = built[name]
    assert len(item.alt) > 60 and len(item.caption) > 60
    assert isinstance(item.table, pd.DataFrame) and len(item.table) > 0
    assert item.tables and item.sources
    assert set(item.sources) <= set(data.load("sources").source_id)
    for table, row_ids in (item.rows or {}).items():
        meta = data.resource(table)
        key = meta["schema"]["primaryKey"]
        assert set(row_ids) <= set(data.load(table)[key]), table
    size = len(item.figure.to_json())
    assert size < 300_000, f"{name} figure JSON is {size:,} bytes"
    assert not isinstance(item.figure, go.FigureWidget)
    assert not any(t.type in {"scattergeo", "choropleth"} for t in item.figure.data)


def test_every_ladder_estimate_is_in_its_table(built):
    transfers = data.load("transfers")
    expected = transfers[(transfers.direction == "to_russia") & transfers.unit.isin(["shells", "rounds", "containers"])]
    ladder = built["estimate_ladder"]
    assert set(ladder.table.estimate_id) == set(expected.estimate_id)
    assert len(ladder.table) == len(expected)
    merged = ladder.table.set_index("estimate_id")[["low", "high"]].join(expected.set_index("estimate_id")[["quantity_low", "quantity_high"]])
    assert merged.low.astype("Float64").equals(merged.quantity_low.astype("Float64"))
    assert merged.high.astype("Float64").equals(merged.quantity_high.astype("Float64"))
    assert set(ladder.rows["transfers"]) == set(expected.estimate_id)


def _plotted_markers(figure):
    for trace in figure.data:
        if trace.mode != "markers" or trace.y is None or trace.hoverinfo == "skip":
            continue
        symbols = trace.marker.symbol if isinstance(trace.marker.symbol, (list, tuple)) else [trace.marker.symbol] * len(trace.y)
        for y, symbol in zip(trace.y, symbols):
            if y is not None and not str(symbol).startswith("arrow"):
                yield trace, y


def test_the_ladder_plots_published_numbers_only_never_an_average(built):
    transfers = data.load("transfers")
    published = set(transfers.quantity_low.dropna().astype(float)) | set(transfers.quantity_high.dropna().astype(float))
    plotted = list(_plotted_markers(built["estimate_ladder"].figure))
    assert plotted
    for trace, y in plotted:
        assert float(y) in published, f"{trace.name}: {y} is not a published figure"


def test_the_ladder_styles_each_vantage_by_colour_and_shape(built):
    styles = {}
    for trace in built["estimate_ladder"].figure.data:
        if trace.mode == "markers" and trace.showlegend is not False and trace.name in {v[0] for v in exchange.VANTAGE_STYLE.values()}:
            styles[trace.name] = (trace.marker.color, trace.marker.symbol)
    assert len(styles) >= 4
    assert len({symbol for _, symbol in styles.values()}) == len(styles), "every vantage needs its own marker shape"


def test_troop_and_payment_tables_keep_every_row(built):
    forces = data.load("force_estimates")
    assert set(built["troop_estimates"].table.estimate_id) == set(forces.estimate_id)
    transfers = data.load("transfers")
    to_dprk = transfers[transfers.direction == "to_dprk"]
    assert set(built["payments_claims"].table.estimate_id) == set(to_dprk.estimate_id)
    oil = to_dprk[(to_dprk.item == "refined_petroleum") & to_dprk.unit.isin(["barrels", "reported"])]
    assert set(built["oil_chart"].table.estimate_id) == set(oil.estimate_id)
    assert set(exchange.payments_table().estimate_id) == set(to_dprk.estimate_id) - set(oil.estimate_id)


def test_route_maps_label_places_and_cite_sources_in_hover(built):
    routes = data.load("routes").set_index("route_id")
    far_east = built["route_map_far_east"]
    assert far_east.figure.layout.meta["kind"] == "map"
    hovers = " ".join(str(t.hovertext) for t in far_east.figure.data if t.mode == "lines")
    for route_id in exchange.MUNITIONS_ROUTES:
        assert routes.loc[route_id, "name"] in {t.name.rsplit(" (", 1)[0] for t in far_east.figure.data if t.name}
    assert "Sources:" in hovers and "RUSI" in hovers
    labels = " ".join(" ".join(t.text) for t in far_east.figure.data if t.mode == "markers+text")
    assert "Rajin" in labels and "Dunai" in labels and "Vostochny" in labels and "Tumangang" in labels
    russia = " ".join(" ".join(t.text) for t in built["route_map_russia"].figure.data if t.mode == "markers+text")
    assert "Tikhoretsk" in russia
    with pytest.raises(ValueError, match="Unknown map window"):
        exchange.route_map("atlantis")
    with pytest.raises(ValueError, match="Unknown route"):
        exchange.route_map("far_east", ["no_such_route"])


def test_the_static_calculator_precomputes_every_state(built):
    figure = built["calculator_static"].figure
    counts = [o["value"] for o in exchange.container_options()]
    conversions = [o["value"] for o in exchange.conversion_options()]
    slider, menu = figure.layout.sliders[0], figure.layout.updatemenus[0]
    assert len(slider.steps) == len(counts) and len(menu.buttons) == len(conversions)
    for button, per in zip(menu.buttons, conversions):
        steps = button.args[1]["sliders[0].steps"]
        implied = [step["args"][0]["x"][0][0] for step in steps]
        assert implied == pytest.approx([max(c * per, 1) for c in counts])
    assert "ASSUMPTION" not in built["calculator_static"].caption  # the static version uses only published benchmarks
    assert "not the price Russia pays" in built["calculator_static"].caption


def test_the_widget_shows_a_message_not_a_traceback():
    pytest.importorskip("ipywidgets")
    box = exchange.calculator_widget()
    texts = [child for child in box.children if hasattr(child, "value") and isinstance(child.value, str)]
    assert any("ASSUMPTION" in t.value for t in texts)
    containers, message = box.inputs["containers"], box.message
    assert message in box.children and containers in box.children
    containers.value = -5
    assert "cannot be negative" in message.value and "Traceback" not in message.value
    containers.value = 6700
    assert "rounds" in message.value and "Check your input" not in message.value


# ---- exercises, quizzes, notebooks -------------------------------------------------------------

@pytest.mark.parametrize("exercise_id", sorted(exchange.EXERCISES))
def test_exercises_check_their_own_expected_answer(exercise_id, capsys):
    exercise = registry()[exercise_id]
    assert check(exercise_id, exercise.expected()) is True
    assert check(exercise_id, exercise.expected() * 2 + 1) is False


@pytest.mark.parametrize("bank", ["02-what-flows-to-moscow", "03-what-moscow-pays"])
def test_quiz_banks_load(bank):
    questions = quiz.load_bank(bank)
    assert 4 <= len(questions) <= 6


def _data_numbers() -> set[float]:
    values: set[float] = set()
    for frame in data.load_all().values():
        for column in frame.columns:
            if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column]):
                values.update(float(v) for v in frame[column].dropna())
    return values


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_notebooks_follow_the_rules(path):
    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    ids = [cell.id for cell in notebook.cells]
    assert len(set(ids)) == len(ids)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None, "commit notebooks without outputs"
    known = _data_numbers()
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for token in re.findall(r"\d[\d,]*(?:\.\d+)?", cell.source):
            number = float(token.replace(",", "").rstrip("."))
            if number < 10 or (1900 <= number <= 2100 and "," not in token):
                continue
            assert number in known, f"{path.name}: {token} in a markdown cell is not a value in the data package"
    sources = "\n".join(cell.source for cell in notebook.cells)
    for heading in ("## Overview", "## Prerequisites", "## Imports", "## Summary", "### What next", "## Exercises", "## Self-check quiz", "## Sources"):
        assert heading in sources, heading
    widget_cells = [cell for cell in notebook.cells if "calculator_widget(" in cell.source]
    for cell in widget_cells:
        assert "remove-output" in cell.metadata.get("tags", [])
