"""The leakage model: properties that must hold for any valid parameters, clear errors for invalid ones,
the calibration against the data package, and the two explorers."""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from partnership import data, leakage
from partnership.leakage import CHANNELS, LeakageInputError, simulate

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def parameters(draw):
    weights = [draw(st.floats(min_value=0.0, max_value=1.0)) for _ in CHANNELS]
    assume(sum(weights) > 1e-3)
    total = sum(weights)
    mix = {c: w / total for c, w in zip(CHANNELS, weights)}
    mix[CHANNELS[-1]] = 1.0 - sum(mix[c] for c in CHANNELS[:-1])  # exact sum of 1 despite rounding
    assume(mix[CHANNELS[-1]] >= 0)
    return {
        "demand": draw(st.floats(min_value=1.0, max_value=1e9)),
        "declared_share": draw(unit),
        "channel_mix": mix,
        "detection": {c: draw(unit) for c in CHANNELS},
        "enforcement": draw(unit),
        "non_enforcing_share": draw(unit),
        "premium": draw(st.floats(min_value=0.0, max_value=10.0)),
        "elasticity": draw(st.floats(min_value=0.0, max_value=leakage.MAX_ELASTICITY)),
        "legal_price": draw(st.floats(min_value=0.0, max_value=1000.0)),
    }


def tol(x: float) -> float:
    return 1e-9 * max(1.0, abs(x))


FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(parameters())
def test_outputs_are_non_negative_and_balance(p):
    r = simulate(p)
    for value in (r.declared, r.undeclared, r.detected, r.interdicted, r.delivered_undeclared, r.delivered_total,
                  r.shortfall, r.evader_revenue, r.extra_cost):
        assert value >= 0 and math.isfinite(value)
    assert r.delivered_undeclared + r.interdicted == pytest.approx(r.undeclared, rel=1e-9, abs=1e-6)
    assert r.interdicted <= r.detected + tol(r.detected)          # only detected shipments can be stopped
    assert r.detected <= r.undeclared + tol(r.undeclared)
    assert r.undeclared <= (1 - p["declared_share"]) * p["demand"] * (1 + 1e-9) + 1e-6


@FAST
@given(parameters(), st.sampled_from(CHANNELS), unit, unit)
def test_more_detection_never_means_more_undeclared_volume(p, channel, a, b):
    low, high = sorted((a, b))
    p_low = {**p, "detection": {**p["detection"], channel: low}}
    p_high = {**p, "detection": {**p["detection"], channel: high}}
    r_low, r_high = simulate(p_low), simulate(p_high)
    assert r_high.undeclared <= r_low.undeclared + tol(r_low.undeclared)
    assert r_high.delivered_undeclared <= r_low.delivered_undeclared + tol(r_low.delivered_undeclared)


@FAST
@given(parameters(), unit, unit)
def test_more_enforcement_never_increases_undeclared_volume(p, a, b):
    low, high = sorted((a, b))
    r_low, r_high = simulate({**p, "enforcement": low}), simulate({**p, "enforcement": high})
    assert r_high.undeclared <= r_low.undeclared + tol(r_low.undeclared)
    assert r_high.delivered_undeclared <= r_low.delivered_undeclared + tol(r_low.delivered_undeclared)
    assert r_high.evader_revenue <= r_low.evader_revenue + tol(r_low.evader_revenue)


@FAST
@given(parameters(), unit, unit)
def test_routing_through_non_enforcing_states_never_reduces_leakage(p, a, b):
    low, high = sorted((a, b))
    r_low, r_high = simulate({**p, "non_enforcing_share": low}), simulate({**p, "non_enforcing_share": high})
    assert r_high.delivered_undeclared >= r_low.delivered_undeclared - tol(r_low.delivered_undeclared)


@FAST
@given(parameters(), unit)
def test_seeing_is_not_stopping(p, detection):
    """Without enforcement (or with everything routed through non-enforcing states) detection changes nothing shipped."""
    for blind in ({"enforcement": 0.0}, {"non_enforcing_share": 1.0}):
        base = simulate({**p, **blind})
        more = simulate({**p, **blind, "detection": {c: detection for c in CHANNELS}})
        assert more.undeclared == pytest.approx(base.undeclared, rel=1e-12, abs=1e-9)
        assert more.interdicted == 0


@FAST
@given(parameters())
def test_zero_elasticity_means_no_deterrence(p):
    r = simulate({**p, "elasticity": 0.0})
    assert r.undeclared == pytest.approx((1 - p["declared_share"]) * p["demand"], rel=1e-9)


def test_certain_interdiction_stops_everything_when_demand_responds():
    p = leakage.default_parameters()
    p.update(enforcement=1.0, non_enforcing_share=0.0, detection={c: 1.0 for c in CHANNELS})
    assert simulate(p).delivered_undeclared == 0
    assert simulate({**p, "elasticity": 0.0}).interdicted == pytest.approx(simulate({**p, "elasticity": 0.0}).undeclared)


# --- invalid input -----------------------------------------------------------------------------

def bad(**change):
    p = leakage.default_parameters()
    p.update(change)
    return p


@pytest.mark.parametrize("params, message", [
    (bad(enforcement=1.5), r"enforcement must be at most 1; got 1\.5"),
    (bad(enforcement=-0.1), r"enforcement must be at least 0"),
    (bad(declared_share=float("nan")), r"declared_share must be a finite number"),
    (bad(demand=0), r"demand must be greater than 0"),
    (bad(demand="lots"), r"demand must be a number, not 'lots'"),
    (bad(premium=True), r"premium must be a number, not True"),
    (bad(elasticity=9), r"elasticity must be at most 5"),
    (bad(non_enforcing_share=float("inf")), r"non_enforcing_share must be a finite number"),
    (bad(channel_mix={"ship_to_ship": 0.5, "dark_voyage": 0.5, "rail": 0.5}), r"channel_mix must add up to 1.*1\.5"),
    (bad(channel_mix={"ship_to_ship": 0.5, "dark_voyage": 0.5}), r"channel_mix is missing channel\(s\) rail"),
    (bad(detection={"ship_to_ship": 0.1, "dark_voyage": 0.1, "rail": 0.1, "air": 0.2}), r"unknown channel\(s\) air"),
    (bad(detection={"ship_to_ship": 0.1, "dark_voyage": 2, "rail": 0.1}), r"detection\['dark_voyage'\] must be at most 1"),
    (bad(detection=0.5), r"detection must be a dict"),
    ({**leakage.default_parameters(), "speed": 3}, r"Unknown parameter\(s\) speed"),
])
def test_invalid_parameters_raise_with_a_message(params, message):
    with pytest.raises(LeakageInputError, match=message):
        simulate(params)


def test_missing_parameter_is_named():
    params = leakage.default_parameters()
    del params["premium"]
    with pytest.raises(LeakageInputError, match="Missing parameter\\(s\\) premium"):
        simulate(params)


def test_error_is_a_value_error_and_run_checks_overrides():
    assert issubclass(LeakageInputError, ValueError)
    with pytest.raises(LeakageInputError, match="unknown channel"):
        leakage.run(detection={"pipeline": 0.5})
    with pytest.raises(LeakageInputError, match="must be at most 1"):
        leakage.run(enforcement=2)


# --- calibration -------------------------------------------------------------------------------

def test_defaults_reproduce_the_open_source_centre_estimate():
    transfers = data.load("transfers").set_index("estimate_id")
    osc = transfers.loc["rp-osc-2024", "quantity_low"]
    assert leakage.run().undeclared == pytest.approx(osc, rel=0.005)


def test_calibration_is_computed_from_the_data():
    table = leakage.calibration().set_index("step")
    transfers = data.load("transfers").set_index("estimate_id")
    notified, osc = transfers.loc["rp-rus-notif-2024-01", "quantity_low"], transfers.loc["rp-osc-2024", "quantity_low"]
    assert table.loc["Declared share (upper bound)", "value"] == pytest.approx(notified / (notified + osc), abs=1e-4)
    assert table.loc["Russia's notifications to the UN overlapping that window", "value"] == 0
    assert table.loc["OSC estimate as a multiple of the pro-rated cap", "value"] > 1
    for rows in table["rows"]:
        for row_id in rows.split(";"):
            assert row_id in set(transfers.index) | set(data.load("measures").measure_id)
    assumptions = leakage.assumptions_table()
    assert set(assumptions.basis.str.split(":").str[0]) == {"calibrated", "assumption"}


def test_enforcement_scenarios_order():
    scenarios = leakage.enforcement_scenarios()
    delivered = list(scenarios.delivered_undeclared)
    assert delivered == sorted(delivered, reverse=True), "each scenario adds enforcement, so deliveries must not rise"


# --- explorers ---------------------------------------------------------------------------------

def test_static_explorer_is_kernel_free_and_small():
    item = leakage.leakage_static()
    fig = item.figure
    assert fig.layout.sliders and len(fig.layout.sliders[0].steps) == len(leakage.NON_ENFORCING_STEPS)
    assert len(fig.data) == len(leakage.NON_ENFORCING_STEPS) * len(leakage.CURVES)
    assert sum(bool(t.visible) for t in fig.data) == len(leakage.CURVES)
    assert len(fig.to_json()) < 300_000
    assert not any(t.type.startswith("scattergeo") for t in fig.data)
    assert item.alt and item.caption and len(item.table) > 0


def test_widget_shows_the_models_message_instead_of_a_traceback():
    import ipywidgets as w

    box = leakage.leakage_widget()
    sliders = [s for s in box.children[0].children[1].children if isinstance(s, w.FloatSlider)]
    message = box.children[1]
    assert message.value == ""
    sliders[0].value = 0.9  # the channel mix no longer adds up to 1
    assert "add up to 1" in message.value and "Traceback" not in message.value


def test_course_figures_have_alt_caption_table_and_sources():
    from jupyter_client.session import json_packer

    from partnership.figures import figure_bundle

    known = set(data.load("sources").source_id)
    for item in (leakage.declared_vs_estimated(), leakage.baseline_figure(), leakage.leakage_static()):
        assert len(item.alt) > 40 and item.caption and item.table is not None and len(item.table) > 0
        assert item.sources and set(item.sources) <= known
        assert len(item.figure.to_json()) < 300_000
        json_packer(figure_bundle(item.figure, alt=item.alt, figure_id=item.figure_id))  # a kernel can send it


def test_exercises_are_checkable():
    from partnership.check import registry

    exercises = registry()
    assert exercises["ex-05-notified-share"].is_correct(0.015279)
    assert exercises["ex-05-full-enforcement"].is_correct(leakage.run(enforcement=1, non_enforcing_share=0).delivered_undeclared)
    assert not exercises["ex-05-full-enforcement"].is_correct(leakage.run().delivered_undeclared)
