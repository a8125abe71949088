"""The scenario model: transparent, bounded, monotone where it should be, and honest about bad input."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnership import claims, scenarios
from partnership.scenarios import ScenarioError

wars = st.sampled_from(list(scenarios.WAR_STATES))
stances = st.sampled_from(list(scenarios.CHINA_STANCES))
levels = st.floats(min_value=-100, max_value=100, allow_nan=False)


def _index(result, key):
    return float(result.set_index("flow").at[key, "index"])


def test_the_baseline_is_one_hundred_everywhere():
    result = scenarios.scenario()
    assert list(result["index"]) == [100.0] * len(scenarios.FLOWS)


@settings(max_examples=200, deadline=None)
@given(wars, levels, stances)
def test_indices_are_finite_non_negative_and_the_product_of_the_factors(war, level, china):
    result = scenarios.scenario(war, level, china)
    for row in result.itertuples():
        assert math.isfinite(row.index) and row.index >= 0
        assert row.index == pytest.approx(100 * row.war_factor * row.enforcement_factor * row.china_factor, abs=0.06)


@settings(max_examples=200, deadline=None)
@given(wars, levels, levels, stances)
def test_more_enforcement_never_raises_a_flow_nor_lowers_pressure(war, a, b, china):
    low, high = sorted((a, b))
    weak, strong = scenarios.scenario(war, low, china), scenarios.scenario(war, high, china)
    for flow in scenarios.FLOWS:
        if flow.kind == "pressure":
            assert _index(strong, flow.key) >= _index(weak, flow.key)
        else:
            assert _index(strong, flow.key) <= _index(weak, flow.key)


@settings(max_examples=100, deadline=None)
@given(levels, stances)
def test_ending_the_war_never_raises_a_flow_nor_lowers_pressure(level, china):
    results = [scenarios.scenario(war, level, china) for war in ("continues", "ceasefire", "ends")]
    for flow in scenarios.FLOWS:
        values = [_index(r, flow.key) for r in results]
        if flow.kind == "pressure":
            assert values == sorted(values)
        else:
            assert values == sorted(values, reverse=True)


@settings(max_examples=100, deadline=None)
@given(wars, levels)
def test_china_pressing_means_more_pressure_than_china_shielding(war, level):
    results = {c: _index(scenarios.scenario(war, level, c), "pressure_on_pyongyang") for c in scenarios.CHINA_STANCES}
    assert results["presses"] >= results["as_now"] >= results["shields"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(war="peace"), "war must be one of"),
    (dict(china="neutral"), "china must be one of"),
    (dict(enforcement=float("nan")), "enforcement must be a number"),
    (dict(enforcement=float("inf")), "enforcement must be a number"),
    (dict(enforcement=150), "between -100 and 100"),
    (dict(enforcement=-101), "between -100 and 100"),
    (dict(enforcement="10"), "enforcement must be a number"),
    (dict(enforcement=True), "enforcement must be a number"),
    (dict(enforcement=None), "enforcement must be a number"),
])
def test_bad_input_raises_a_message_a_student_understands(kwargs, message):
    with pytest.raises(ScenarioError, match=message):
        scenarios.scenario(**kwargs)
    assert issubclass(ScenarioError, ValueError)


def test_learners_can_change_the_assumptions():
    mine = scenarios.assumptions_copy()
    mine["war"]["ends"]["munitions_to_russia"] = 0.5
    assert _index(scenarios.scenario("ends", 0, "as_now", assumptions=mine), "munitions_to_russia") == 50.0
    assert scenarios.ASSUMPTIONS["war"]["ends"]["munitions_to_russia"] == 0.2  # the original is untouched


@pytest.mark.parametrize("change, message", [
    (lambda a: a["war"]["ends"].__setitem__("munitions_to_russia", -1), "0 or more"),
    (lambda a: a["china"]["presses"].pop("technology_to_dprk"), "a number for each"),
    (lambda a: a["enforcement_sensitivity"].__setitem__("fuel_food_to_dprk", 1.5), "above 1"),
    (lambda a: a["war"].pop("ceasefire"), "factors for each"),
    (lambda a: a["china"]["shields"].__setitem__("fuel_food_to_dprk", float("nan")), "0 or more"),
])
def test_bad_assumptions_are_refused(change, message):
    mine = scenarios.assumptions_copy()
    change(mine)
    with pytest.raises(ScenarioError, match=message):
        scenarios.scenario(assumptions=mine)


def test_assumptions_are_shown_as_a_table_with_reasons_and_rows():
    table = scenarios.assumptions_table()
    assert len(table) == len(scenarios.FLOWS) and "100 means" in table.columns
    reasons = scenarios.reasons_table()
    assert set(reasons.assumption) == {"war", "enforcement_sensitivity", "china"}
    for flow in scenarios.FLOWS:
        for ref in flow.baseline_rows:
            claims.resolve(*ref.split(":", 1))
    for _, _, refs in scenarios.REASONS:
        for ref in refs:
            claims.resolve(*ref.split(":", 1))


def test_kernel_free_figure_holds_every_state_the_controls_can_reach():
    figure = scenarios.scenario_figure()
    fig = figure.figure
    assert len(fig.data) == len(scenarios.WAR_STATES) * len(scenarios.CHINA_STANCES)
    menu = fig.layout.updatemenus[0]
    assert [sum(b.args[0]["visible"]) for b in menu.buttons] == [len(scenarios.WAR_STATES)] * len(scenarios.CHINA_STANCES)
    slider = fig.layout.sliders[0]
    assert len(slider.steps) == len(scenarios.ENFORCEMENT_STEPS)
    wars = [w for w in scenarios.WAR_STATES for _ in scenarios.CHINA_STANCES]
    china = [c for _ in scenarios.WAR_STATES for c in scenarios.CHINA_STANCES]
    for level, step in zip(scenarios.ENFORCEMENT_STEPS, slider.steps):
        xs = step.args[0]["x"]
        for trace_index, values in enumerate(xs):
            expected = list(scenarios.scenario(wars[trace_index], level, china[trace_index])["index"])
            assert list(values) == expected
    assert len(fig.to_json()) < 300_000
    assert "not a forecast" in figure.caption and figure.sources and figure.rows


def test_widget_explorer_shows_errors_instead_of_tracebacks():
    box = scenarios.explorer()
    assert "Assumptions, not predictions" in box.children[2].value
    broken = scenarios.assumptions_copy()
    broken["war"]["ends"]["munitions_to_russia"] = -3
    bad = scenarios.explorer(assumptions=broken)
    assert "Cannot draw this scenario" in bad.children[2].value


def test_exercise_is_computed_from_the_model():
    assert scenarios.EXERCISES["ex-10-war-ends-munitions"].is_correct(20)
    assert not scenarios.EXERCISES["ex-10-war-ends-munitions"].is_correct(100)
