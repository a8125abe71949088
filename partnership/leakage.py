"""A small, runnable model of why sanctions leak.

A sanctioned buyer wants some quantity of a good (the course's worked case: refined petroleum from
Russia to the DPRK). Part of it moves through **declared** channels (notified to the UN, counted against
the cap). The rest moves through **undeclared** channels: ship-to-ship transfers at sea, dark voyages
(ships sailing with their transponders off) and rail. For each undeclared channel the model asks:

* how likely a shipment is to be **detected** by monitors (imagery, ship tracking, intelligence);
* whether anyone **acts** on a detection: enforcement effort (the chance a detected shipment in an
  enforcing state's reach is stopped) times the share of the flow that is *not* routed entirely through
  states that do not enforce;
* how the evader responds: each stopped cargo and each price premium raises the cost of a delivered
  unit, and undeclared demand falls with that cost (an elasticity).

Per channel c, with detection p, enforcement e, non-enforcing share s, premium π and elasticity ε::

    q_c   = p_c · e · (1 − s)                   chance a shipment is stopped
    k_c   = (1 + π) / (1 − q_c)                 cost of one delivered unit, relative to the legal price
    U_c   = (1 − d) · Q · m_c · k_c^(−ε)        undeclared volume shipped in channel c
    D_c   = U_c · p_c                           detected
    I_c   = U_c · q_c                           stopped (interdicted)
    V_c   = U_c − I_c                           delivered

Everything here is an **assumption**, not a fact: the default parameters are round numbers chosen to
be plausible, except the demand and the declared share, which :func:`calibration` derives from the data
package (Russia's notifications to the UN against the Open Source Centre's estimate). The functions are
pure: same inputs, same outputs, no files written. Bad inputs raise :class:`LeakageInputError` with a
message meant for a student.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from . import data
from .check import Exercise
from .figures import PALETTE, PLOTLY_MIMETYPE, CourseFigure

CHANNELS = ("ship_to_ship", "dark_voyage", "rail")
CHANNEL_LABELS = {"ship_to_ship": "Ship-to-ship transfers", "dark_voyage": "Dark voyages", "rail": "Rail"}
CHANNEL_STYLE = {"ship_to_ship": (PALETTE["blue"], ""), "dark_voyage": (PALETTE["vermillion"], "/"), "rail": (PALETTE["green"], ".")}

#: Parameters that are probabilities or shares (0 to 1).
SHARES = ("declared_share", "enforcement", "non_enforcing_share")
MAX_ELASTICITY = 5.0

#: The worked case in the data package.
OSC_ESTIMATE = "rp-osc-2024"
US_ESTIMATE = "rp-us-2024-03"
NOTIFIED_2024 = "rp-rus-notif-2024-01"
CAP_MEASURE = "unscr-2397-refined_petroleum_cap-1"
PRICE_VALUE, PRICE_VOLUME = "rp-kharon-2019-value", "rp-rus-notif-2019"


class LeakageInputError(ValueError):
    """A parameter of the leakage model is missing, out of range or not a number."""


@dataclass(frozen=True)
class LeakageResult:
    """What the model returns: totals plus a per-channel table."""

    declared: float
    undeclared: float
    detected: float
    interdicted: float
    delivered_undeclared: float
    delivered_total: float
    shortfall: float
    evader_revenue: float
    extra_cost: float
    channels: pd.DataFrame
    parameters: dict

    def summary(self) -> pd.DataFrame:
        """The totals as a two-column table (quantity, value)."""
        rows = [
            ("Declared volume", self.declared), ("Undeclared volume shipped", self.undeclared),
            ("Detected by monitors", self.detected), ("Stopped (interdicted)", self.interdicted),
            ("Undeclared volume delivered", self.delivered_undeclared), ("Total delivered", self.delivered_total),
            ("Undeclared demand left unmet", self.shortfall),
            ("Evader's revenue from undeclared sales (USD)", self.evader_revenue),
            ("Buyer's extra cost over the legal price (USD)", self.extra_cost),
        ]
        return pd.DataFrame(rows, columns=["quantity", "value"])


def _dates_as_text(fig: go.Figure) -> go.Figure:
    """The figure with every date (in traces, shapes, annotations, axis ranges) as JSON text.

    Numpy datetimes, pandas NaT and naive timestamps cannot travel in a notebook's plotly output; a round trip
    through plotly's own JSON encoder turns them into ISO strings, which plotly reads back as dates.
    """
    return go.Figure(json.loads(pio.to_json(fig, validate=False)))


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------

def _number(name: str, value, *, low: float | None = None, high: float | None = None, low_open: bool = False) -> float:
    if isinstance(value, bool) or value is None:
        raise LeakageInputError(f"{name} must be a number, not {value!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise LeakageInputError(f"{name} must be a number, not {value!r}.") from None
    if math.isnan(number) or math.isinf(number):
        raise LeakageInputError(f"{name} must be a finite number, not {value!r}.")
    if low is not None and (number < low or (low_open and number == low)):
        bound = f"greater than {low:g}" if low_open else f"at least {low:g}"
        raise LeakageInputError(f"{name} must be {bound}; got {number:g}.")
    if high is not None and number > high:
        raise LeakageInputError(f"{name} must be at most {high:g}; got {number:g}.")
    return number


def _per_channel(name: str, mapping, *, share: bool) -> dict[str, float]:
    if not isinstance(mapping, dict):
        raise LeakageInputError(f"{name} must be a dict with one value per channel: {', '.join(CHANNELS)}.")
    unknown = sorted(set(mapping) - set(CHANNELS))
    missing = [c for c in CHANNELS if c not in mapping]
    if unknown:
        raise LeakageInputError(f"{name} has unknown channel(s) {', '.join(map(str, unknown))}; the channels are {', '.join(CHANNELS)}.")
    if missing:
        raise LeakageInputError(f"{name} is missing channel(s) {', '.join(missing)}; give a value for each of {', '.join(CHANNELS)}.")
    return {c: _number(f"{name}[{c!r}]", mapping[c], low=0.0, high=1.0 if share else None) for c in CHANNELS}


def validate(params: dict) -> dict:
    """Check every parameter; return a clean copy with floats. Raises :class:`LeakageInputError`."""
    expected = {"demand", "declared_share", "channel_mix", "detection", "enforcement", "non_enforcing_share",
                "premium", "elasticity", "legal_price"}
    unknown = sorted(set(params) - expected)
    if unknown:
        raise LeakageInputError(f"Unknown parameter(s) {', '.join(unknown)}. The model takes: {', '.join(sorted(expected))}.")
    missing = sorted(expected - set(params))
    if missing:
        raise LeakageInputError(f"Missing parameter(s) {', '.join(missing)}.")
    clean = {
        "demand": _number("demand", params["demand"], low=0.0, low_open=True),
        "premium": _number("premium", params["premium"], low=0.0, high=10.0),
        "elasticity": _number("elasticity", params["elasticity"], low=0.0, high=MAX_ELASTICITY),
        "legal_price": _number("legal_price", params["legal_price"], low=0.0),
    }
    for name in SHARES:
        clean[name] = _number(name, params[name], low=0.0, high=1.0)
    clean["detection"] = _per_channel("detection", params["detection"], share=True)
    mix = _per_channel("channel_mix", params["channel_mix"], share=True)
    total = sum(mix.values())
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise LeakageInputError(
            f"channel_mix must add up to 1 (it splits the undeclared flow between channels); these add up to {total:g}.")
    clean["channel_mix"] = mix
    return clean


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------

def simulate(params: dict) -> LeakageResult:
    """Run the model for one complete set of parameters (see the module docstring for the equations)."""
    p = validate(params)
    q_demand = p["demand"]
    undeclared_demand = (1.0 - p["declared_share"]) * q_demand
    rows = []
    for channel in CHANNELS:
        detection = p["detection"][channel]
        stopped = detection * p["enforcement"] * (1.0 - p["non_enforcing_share"])
        if stopped >= 1.0:
            cost = math.inf
            response = 0.0 if p["elasticity"] > 0 else 1.0
        else:
            cost = (1.0 + p["premium"]) / (1.0 - stopped)
            response = cost ** (-p["elasticity"])
        shipped = undeclared_demand * p["channel_mix"][channel] * response
        rows.append({
            "channel": channel, "label": CHANNEL_LABELS[channel], "share_of_undeclared": p["channel_mix"][channel],
            "detection": detection, "stop_probability": stopped, "cost_multiplier": cost,
            "shipped": shipped, "detected": shipped * detection, "interdicted": shipped * stopped,
            "delivered": shipped * (1.0 - stopped),
        })
    channels = pd.DataFrame(rows)
    undeclared = float(channels.shipped.sum())
    delivered = float(channels.delivered.sum())
    interdicted = float(channels.interdicted.sum())
    declared = p["declared_share"] * q_demand
    price = p["legal_price"]
    return LeakageResult(
        declared=declared,
        undeclared=undeclared,
        detected=float(channels.detected.sum()),
        interdicted=interdicted,
        delivered_undeclared=delivered,
        delivered_total=declared + delivered,
        shortfall=max(undeclared_demand - delivered, 0.0),
        # The buyer pays (1 + premium) × legal price for every cargo shipped, including those stopped.
        evader_revenue=(1.0 + p["premium"]) * price * undeclared,
        extra_cost=max((1.0 + p["premium"]) * price * undeclared - price * delivered, 0.0),
        channels=channels,
        parameters=p,
    )


# ---------------------------------------------------------------------------------------------
# Calibration against the data package
# ---------------------------------------------------------------------------------------------

def _transfer(estimate_id: str) -> pd.Series:
    transfers = data.load("transfers").set_index("estimate_id")
    return transfers.loc[estimate_id]


@lru_cache(maxsize=1)
def _calibration_cached() -> tuple[pd.DataFrame, dict]:
    transfers = data.load("transfers")
    osc = _transfer(OSC_ESTIMATE)
    us = _transfer(US_ESTIMATE)
    notified_2024 = _transfer(NOTIFIED_2024)
    cap = data.load("measures").set_index("measure_id").loc[CAP_MEASURE, "value"]
    window_days = (osc.period_end - osc.period_start).days + 1
    notifications = transfers[transfers.estimated_by.str.startswith("Russia (notification")]
    overlapping = notifications[(notifications.period_start <= osc.period_end) & (notifications.period_end >= osc.period_start)]
    notified_in_window = float(overlapping.quantity_low.sum())
    year_notified = float(notified_2024.quantity_low)
    declared_share = year_notified / (year_notified + float(osc.quantity_low))
    cap_in_window = float(cap) * window_days / 365.0
    osc_per_month = float(osc.quantity_low) / (window_days / 30.44)
    price = float(_transfer(PRICE_VALUE).quantity_low) / float(_transfer(PRICE_VOLUME).quantity_low)
    steps = [
        ("OSC estimate of oil loaded at Vostochny for the DPRK (lower bound)", float(osc.quantity_low), "barrels",
         f"{osc.period_start:%d %b %Y} – {osc.period_end:%d %b %Y}; 'more than' this", OSC_ESTIMATE),
        ("Length of the OSC window", window_days, "days", "period_end − period_start + 1", OSC_ESTIMATE),
        ("Russia's notifications to the UN overlapping that window", notified_in_window, "barrels",
         "sum of notification rows whose period overlaps the window; none were filed after January 2024", NOTIFIED_2024),
        ("Russia's notified deliveries in 2024 (January only)", year_notified, "barrels", "last notification found", NOTIFIED_2024),
        ("Declared share (upper bound)", declared_share, "share",
         "notified ÷ (notified + OSC estimate); an upper bound because the OSC figure is a minimum", f"{NOTIFIED_2024};{OSC_ESTIMATE}"),
        ("UN cap on refined petroleum", float(cap), "barrels a year", "resolution 2397", CAP_MEASURE),
        ("Cap pro-rated to the OSC window", cap_in_window, "barrels", "cap × window days ÷ 365", CAP_MEASURE),
        ("OSC estimate as a multiple of the pro-rated cap", float(osc.quantity_low) / cap_in_window, "times",
         "OSC estimate ÷ pro-rated cap (at least)", f"{OSC_ESTIMATE};{CAP_MEASURE}"),
        ("OSC estimate per month", osc_per_month, "barrels a month", "OSC estimate ÷ (window days ÷ 30.44)", OSC_ESTIMATE),
        ("US estimate for March 2024 alone (lower bound)", float(us.quantity_low), "barrels a month",
         "a separate estimate, shown beside OSC's, not averaged", US_ESTIMATE),
        ("Implied value of a notified barrel in 2019", price, "USD per barrel",
         "Kharon's 2019 value of Russian oil products ÷ Russia's 2019 notified barrels (pre-war; two sources combined)",
         f"{PRICE_VALUE};{PRICE_VOLUME}"),
    ]
    table = pd.DataFrame(steps, columns=["step", "value", "unit", "how", "rows"])
    table["value"] = [round(v) if abs(v) >= 100 else round(v, 4) for v in table["value"]]
    values = {"osc": float(osc.quantity_low), "window_days": window_days, "declared_share": declared_share,
              "cap_in_window": cap_in_window, "price": price, "us_month": float(us.quantity_low), "osc_per_month": osc_per_month}
    return table, values


def calibration() -> pd.DataFrame:
    """The calibration, step by step, from the data package (each step names the rows it uses)."""
    table, _ = _calibration_cached()
    return table.copy()


#: Defaults that are plain assumptions (not derived from the data).
ASSUMED = {
    "channel_mix": {"ship_to_ship": 0.15, "dark_voyage": 0.75, "rail": 0.10},
    "detection": {"ship_to_ship": 0.3, "dark_voyage": 0.6, "rail": 0.2},
    "enforcement": 0.2,
    "non_enforcing_share": 0.9,
    "premium": 0.25,
    "elasticity": 0.5,
}


def _calibrated_demand(declared_share: float, observed_undeclared: float, assumed: dict) -> float:
    """The demand Q for which the model, with the assumed parameters, ships the observed undeclared volume."""
    probe = dict(assumed, demand=1.0, declared_share=declared_share, legal_price=1.0)
    per_unit = simulate(probe).undeclared
    return observed_undeclared / per_unit


@lru_cache(maxsize=1)
def _defaults_cached() -> dict:
    _, values = _calibration_cached()
    declared_share = round(values["declared_share"], 3)
    demand = _calibrated_demand(declared_share, values["osc"], ASSUMED)
    return {**ASSUMED, "declared_share": declared_share, "demand": round(demand, -3), "legal_price": round(values["price"], 1)}


def default_parameters() -> dict:
    """Defaults: assumptions from :data:`ASSUMED` plus demand, declared share and price calibrated on the data package.

    The demand is chosen so that, with the assumed detection, enforcement, routing, premium and elasticity,
    the undeclared volume shipped equals the Open Source Centre's lower-bound estimate for its window.
    """
    defaults = _defaults_cached()
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in defaults.items()}


def run(**overrides) -> LeakageResult:
    """Run the model with the default parameters, changing any given by name, e.g. ``run(enforcement=0.8)``.

    Per-channel parameters may be given partly: ``run(detection={"rail": 0.5})`` keeps the other channels' defaults.
    """
    params = default_parameters()
    for name, value in overrides.items():
        if name in ("detection", "channel_mix") and isinstance(value, dict) and name in params:
            unknown = sorted(set(value) - set(CHANNELS))
            if unknown:
                raise LeakageInputError(f"{name} has unknown channel(s) {', '.join(map(str, unknown))}; the channels are {', '.join(CHANNELS)}.")
            params[name] = {**params[name], **value}
        else:
            params[name] = value
    return simulate(params)


def assumptions_table() -> pd.DataFrame:
    """Every parameter, its default, what it means, and whether it is an assumption or calibrated on data."""
    d = default_parameters()
    rows = [
        ("demand", d["demand"], "barrels the buyer wants over the OSC window at the legal price",
         "calibrated: reproduces the OSC estimate under the assumed parameters below"),
        ("declared_share", d["declared_share"], "share of demand that is notified to the UN", "calibrated: notified ÷ (notified + OSC estimate)"),
        ("legal_price", d["legal_price"], "USD per barrel, only to express revenue in dollars", "calibrated: implied 2019 value of a notified barrel (pre-war)"),
    ]
    for channel in CHANNELS:
        rows.append((f"channel_mix[{channel}]", d["channel_mix"][channel], f"share of the undeclared flow sent by {CHANNEL_LABELS[channel].lower()}", "assumption"))
    for channel in CHANNELS:
        rows.append((f"detection[{channel}]", d["detection"][channel], f"chance monitors detect a shipment by {CHANNEL_LABELS[channel].lower()}", "assumption"))
    rows += [
        ("enforcement", d["enforcement"], "chance a detected shipment within an enforcing state's reach is stopped", "assumption"),
        ("non_enforcing_share", d["non_enforcing_share"], "share of the undeclared flow that stays within states that do not enforce", "assumption"),
        ("premium", d["premium"], "extra price per undeclared barrel, as a share of the legal price", "assumption"),
        ("elasticity", d["elasticity"], "how strongly undeclared demand falls as its cost rises", "assumption"),
    ]
    return pd.DataFrame(rows, columns=["parameter", "default", "meaning", "basis"])


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------

def declared_vs_estimated() -> CourseFigure:
    """Refined petroleum to the DPRK: Russia's notifications to the UN and the outside estimates, as monthly rates
    against the cap, so periods of different lengths can be compared."""
    transfers = data.load("transfers")
    oil = transfers[(transfers.item == "refined_petroleum") & (transfers.unit == "barrels") & transfers.quantity_low.notna()].copy()
    oil["days"] = (oil.period_end - oil.period_start).dt.days + 1
    oil["per_month"] = oil.quantity_low / (oil.days / 30.44)
    oil["kind"] = np.where(oil.estimated_by.str.startswith("Russia (notification"), "notified", "estimate")
    cap = float(data.load("measures").set_index("measure_id").loc[CAP_MEASURE, "value"])
    fig = go.Figure()
    shown_legend = set()
    for row in oil.sort_values("period_start").itertuples():
        notified = row.kind == "notified"
        name = "Notified by Russia to the UN" if notified else f"Estimate: {row.estimated_by.split(' (')[0]}"
        colour = PALETTE["blue"] if notified else (PALETTE["vermillion"] if "Open Source" in row.estimated_by else PALETTE["orange"])
        lower_bound = pd.isna(row.quantity_high)
        fig.add_trace(go.Scatter(
            x=[row.period_start, row.period_end], y=[row.per_month, row.per_month], mode="lines+markers",
            line=dict(color=colour, width=5, dash="solid" if notified else "dash"),
            marker=dict(symbol="triangle-up" if lower_bound else "line-ns", size=12, color=colour, line=dict(width=2, color=colour)),
            name=name, legendgroup=name, showlegend=name not in shown_legend,
            hovertext=f"<b>{row.estimated_by}</b><br>{row.quantity_low:,.0f} barrels{' or more' if lower_bound else ''}, "
                      f"{row.period_start:%d %b %Y} – {row.period_end:%d %b %Y}<br>≈ {row.per_month:,.0f} barrels a month",
            hoverinfo="text"))
        shown_legend.add(name)
    fig.add_hline(y=cap / 12, line=dict(color=PALETTE["black"], dash="dot", width=2))
    fig.add_annotation(x=1, xref="paper", xanchor="right", y=cap / 12, yanchor="bottom", showarrow=False,
                       text="UN cap (resolution 2397) as a monthly rate", font=dict(size=11))
    msmt = transfers[transfers.estimate_id == "rp-msmt-2024"]
    fig.update_layout(title=dict(text="Refined petroleum to the DPRK: declared vs. estimated, barrels a month", x=0.01),
                      height=460, yaxis_title="barrels a month", xaxis=dict(dtick="M12", tickformat="%Y"),
                      legend=dict(orientation="h", y=-0.15), margin=dict(l=70, r=20, t=60, b=90))
    table = oil.assign(start=oil.period_start.dt.date, end=oil.period_end.dt.date)[
        ["estimate_id", "estimated_by", "kind", "quantity_low", "quantity_high", "start", "end", "days", "per_month"]].rename(columns={
            "estimate_id": "Row", "estimated_by": "By", "kind": "Kind", "quantity_low": "Barrels (low)", "quantity_high": "Barrels (high)",
            "start": "From", "end": "To", "days": "Days", "per_month": "Barrels a month"})
    table["Barrels a month"] = table["Barrels a month"].round(0)
    return CourseFigure(
        figure=_dates_as_text(fig),
        alt="Chart of barrels a month over time. Russia's notified deliveries (blue lines) sit below the UN cap's monthly rate in "
            "2018 and 2019 and far below it in 2020 and 2023–January 2024; the US estimate for March 2024 and the Open Source "
            "Centre's estimate for March–November 2024 (dashed, with upward triangles as lower bounds) lie well above the cap.",
        caption="Each line spans the period a figure covers, at its average monthly rate (total ÷ days × 30.44). Upward triangles "
                "mark lower bounds ('more than'). Russia filed no notification after January 2024. The MSMT also reported "
                "deliveries far above the cap, without a barrel figure in the data package.",
        figure_id="declared-vs-estimated",
        table=table,
        tables=("transfers", "measures"),
        sources=tuple(data.cited_sources(pd.concat([oil, msmt]))),
        rows={"transfers": list(oil.estimate_id) + list(msmt.estimate_id), "measures": [CAP_MEASURE]},
    )


def result_figure(result: LeakageResult, *, title: str = "Where the undeclared flow goes, by channel") -> go.Figure:
    """Bars per channel: delivered and stopped (stacked), with detected volume as a marker."""
    ch = result.channels
    fig = go.Figure()
    fig.add_trace(go.Bar(x=ch.label, y=ch.delivered, name="Delivered", marker=dict(color=PALETTE["vermillion"]),
                         hovertemplate="%{x}: %{y:,.0f} delivered<extra></extra>"))
    fig.add_trace(go.Bar(x=ch.label, y=ch.interdicted, name="Stopped", marker=dict(color=PALETTE["blue"], pattern=dict(shape="/")),
                         hovertemplate="%{x}: %{y:,.0f} stopped<extra></extra>"))
    fig.add_trace(go.Scatter(x=ch.label, y=ch.detected, name="Detected by monitors", mode="markers",
                             marker=dict(symbol="diamond", size=14, color=PALETTE["black"]),
                             hovertemplate="%{x}: %{y:,.0f} detected<extra></extra>"))
    fig.update_layout(barmode="stack", title=dict(text=title, x=0.01), yaxis_title="barrels over the window", height=420,
                      legend=dict(orientation="h", y=-0.15), margin=dict(l=70, r=20, t=60, b=70))
    return fig


def baseline_figure() -> CourseFigure:
    """The model at its default (calibrated) parameters."""
    result = run()
    table = result.channels[["label", "share_of_undeclared", "detection", "stop_probability", "shipped", "detected", "interdicted", "delivered"]].rename(
        columns={"label": "Channel", "share_of_undeclared": "Share of undeclared flow", "detection": "Detection", "stop_probability": "Chance stopped",
                 "shipped": "Shipped", "detected": "Detected", "interdicted": "Stopped", "delivered": "Delivered"}).round(3)
    return CourseFigure(
        figure=_dates_as_text(result_figure(result, title="The model at its defaults: shipped, detected, stopped, delivered")),
        alt="Bar chart for three channels. Dark voyages carry most of the undeclared oil and almost all of it is delivered; "
            "ship-to-ship transfers and rail carry less. Detected volumes (diamonds) are much larger than the stopped volumes, "
            "which are slivers, because most of the flow stays within states that do not enforce.",
        caption="Model output, not data: the default parameters are assumptions, except demand, the declared share and the "
                "price, which are calibrated so the model reproduces the Open Source Centre's estimate. Detected is not stopped: "
                "a shipment is stopped only if it is detected, within reach of a state that enforces, and acted on.",
        figure_id="leakage-baseline",
        table=table,
        tables=("transfers", "measures"),
        sources=tuple(data.cited_sources(data.load("transfers").set_index("estimate_id").loc[[OSC_ESTIMATE, NOTIFIED_2024, PRICE_VALUE, PRICE_VOLUME]].reset_index())),
        rows={"transfers": [OSC_ESTIMATE, NOTIFIED_2024, PRICE_VALUE, PRICE_VOLUME]},
    )


ENFORCEMENT_GRID = np.round(np.linspace(0, 1, 21), 2)
NON_ENFORCING_STEPS = (0.0, 0.25, 0.5, 0.75, 0.9, 1.0)
CURVES = [("undeclared", "Shipped undeclared", PALETTE["orange"], "dot", "circle"),
          ("detected", "Detected", PALETTE["black"], "dash", "diamond"),
          ("interdicted", "Stopped", PALETTE["blue"], "dashdot", "square"),
          ("delivered_undeclared", "Delivered undeclared", PALETTE["vermillion"], "solid", "triangle-up")]


def sensitivity(grid=ENFORCEMENT_GRID, steps=NON_ENFORCING_STEPS, **overrides) -> pd.DataFrame:
    """Model outputs over enforcement effort (rows) for each non-enforcing share, other parameters at their defaults."""
    rows = []
    for s in steps:
        for e in grid:
            result = run(enforcement=float(e), non_enforcing_share=float(s), **overrides)
            rows.append({"non_enforcing_share": s, "enforcement": float(e), "undeclared": result.undeclared,
                         "detected": result.detected, "interdicted": result.interdicted,
                         "delivered_undeclared": result.delivered_undeclared, "delivered_total": result.delivered_total})
    return pd.DataFrame(rows)


def leakage_static() -> CourseFigure:
    """Kernel-free explorer: precomputed curves over enforcement effort, one slider step per non-enforcing share."""
    curves = sensitivity()
    _, values = _calibration_cached()
    defaults = default_parameters()
    fig = go.Figure()
    for i, s in enumerate(NON_ENFORCING_STEPS):
        subset = curves[curves.non_enforcing_share == s]
        for column, name, colour, dash, symbol in CURVES:
            fig.add_trace(go.Scatter(
                x=subset.enforcement, y=subset[column].round(0), mode="lines+markers", name=name,
                line=dict(color=colour, dash=dash, width=3), marker=dict(symbol=symbol, size=7, color=colour),
                visible=s == defaults["non_enforcing_share"], legendgroup=name,
                hovertemplate=f"{name}: %{{y:,.0f}} barrels<br>enforcement effort %{{x:.2f}}<extra>non-enforcing share {s:g}</extra>"))
    fig.add_hline(y=values["cap_in_window"], line=dict(color=PALETTE["grey"], dash="dot", width=2))
    fig.add_annotation(x=1, xref="paper", xanchor="right", y=values["cap_in_window"], yanchor="bottom", showarrow=False,
                       text="UN cap pro-rated to the window (all supply, declared included)", font=dict(size=11))
    per_step = len(CURVES)
    steps = []
    for i, s in enumerate(NON_ENFORCING_STEPS):
        visible = [False] * (per_step * len(NON_ENFORCING_STEPS))
        visible[i * per_step:(i + 1) * per_step] = [True] * per_step
        steps.append(dict(method="update", label=f"{s:g}", args=[{"visible": visible},
                      {"title.text": f"Leakage model: outputs vs. enforcement effort, non-enforcing share = {s:g}"}]))
    active = NON_ENFORCING_STEPS.index(defaults["non_enforcing_share"])
    fig.update_layout(
        title=dict(text=f"Leakage model: outputs vs. enforcement effort, non-enforcing share = {defaults['non_enforcing_share']:g}", x=0.01),
        xaxis=dict(title="enforcement effort (chance a detected shipment in reach is stopped)", range=[-0.02, 1.02]),
        yaxis=dict(title="barrels over the OSC window", rangemode="tozero"),
        height=580, margin=dict(l=80, r=20, t=100, b=120), legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0),
        sliders=[dict(active=active, currentvalue=dict(prefix="Share of the flow routed through non-enforcing states: "),
                      pad=dict(t=55), steps=steps)],
    )
    table = curves.round(0).astype({"non_enforcing_share": float, "enforcement": float})
    table["enforcement"] = curves.enforcement
    table["non_enforcing_share"] = curves.non_enforcing_share
    return CourseFigure(
        figure=_dates_as_text(fig),
        alt="Line chart with a slider. For the chosen share of the flow routed through non-enforcing states, four lines show, "
            "against enforcement effort from 0 to 1, the undeclared volume shipped, detected, stopped and delivered. With most "
            "of the flow in non-enforcing states the lines are almost flat; when that share is low, raising enforcement cuts "
            "deliveries steeply and the stopped volume rises.",
        caption="Model output, not data. Move the slider to change how much of the flow stays within states that do not enforce; "
                "the x-axis is enforcement effort. Other parameters are at their defaults (see the assumptions table). The "
                "dotted line is the UN cap pro-rated to the Open Source Centre's window, for scale.",
        figure_id="leakage-static",
        table=table,
        tables=("transfers", "measures"),
        sources=tuple(data.cited_sources(data.load("transfers").set_index("estimate_id").loc[[OSC_ESTIMATE, NOTIFIED_2024]].reset_index())),
        rows={"transfers": [OSC_ESTIMATE, NOTIFIED_2024], "measures": [CAP_MEASURE]},
    )


def enforcement_scenarios() -> pd.DataFrame:
    """A few named scenarios, each changing the defaults, with the main outputs side by side."""
    defaults = default_parameters()
    scenarios = [
        ("Defaults (calibrated)", {}),
        ("Enforcing states act on every detection", {"enforcement": 1.0}),
        ("Half the flow within enforcers' reach, full enforcement", {"enforcement": 1.0, "non_enforcing_share": 0.5}),
        ("All within reach, full enforcement", {"enforcement": 1.0, "non_enforcing_share": 0.0}),
        ("All within reach, full enforcement, detection doubled (max 1)",
         {"enforcement": 1.0, "non_enforcing_share": 0.0, "detection": {c: min(1.0, 2 * v) for c, v in defaults["detection"].items()}}),
    ]
    rows = []
    base = run()
    for name, change in scenarios:
        r = run(**change)
        rows.append({"scenario": name, "shipped_undeclared": round(r.undeclared), "detected": round(r.detected),
                     "stopped": round(r.interdicted), "delivered_undeclared": round(r.delivered_undeclared),
                     "change_in_delivered_vs_defaults": f"{(r.delivered_undeclared / base.delivered_undeclared - 1) * 100:+.0f}%",
                     "evader_revenue_usd_million": round(r.evader_revenue / 1e6, 1)})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Widget explorer (JupyterLab)
# ---------------------------------------------------------------------------------------------

def leakage_widget():
    """An ipywidgets explorer: sliders for every parameter; the chart and totals update; bad input shows a message."""
    import ipywidgets as w
    from IPython.display import display

    d = default_parameters()
    style = {"description_width": "230px"}
    layout = w.Layout(width="560px")

    def slider(description, value, low=0.0, high=1.0, step=0.01):
        return w.FloatSlider(value=value, min=low, max=high, step=step, description=description, style=style, layout=layout,
                             continuous_update=False, readout_format=".2f")

    controls = {
        "demand": w.FloatText(value=d["demand"], description="demand (barrels over the window)", style=style, layout=layout),
        "declared_share": slider("declared share", d["declared_share"]),
        "enforcement": slider("enforcement effort", d["enforcement"]),
        "non_enforcing_share": slider("share through non-enforcing states", d["non_enforcing_share"]),
        "premium": slider("price premium (share of legal price)", d["premium"], 0.0, 2.0),
        "elasticity": slider("elasticity of undeclared demand", d["elasticity"], 0.0, MAX_ELASTICITY, 0.05),
    }
    mix = {c: slider(f"mix: {CHANNEL_LABELS[c].lower()}", d["channel_mix"][c]) for c in CHANNELS}
    detection = {c: slider(f"detection: {CHANNEL_LABELS[c].lower()}", d["detection"][c]) for c in CHANNELS}
    message = w.HTML()
    chart = w.Output()
    totals = w.Output()

    def update(_=None):
        params = {name: control.value for name, control in controls.items()}
        params["channel_mix"] = {c: s.value for c, s in mix.items()}
        params["detection"] = {c: s.value for c, s in detection.items()}
        params["legal_price"] = d["legal_price"]
        try:
            result = simulate(params)
        except LeakageInputError as error:  # show the model's message, never a traceback
            message.value = f'<p style="color:#8a1c00"><b>Cannot run the model:</b> {error}</p>'
            return
        message.value = ""
        chart.clear_output(wait=True)
        totals.clear_output(wait=True)
        with chart:  # plotly's own mimetype, as JupyterLab renders it; no renderer set-up, no plotly.js copy
            figure = result_figure(result)
            display({PLOTLY_MIMETYPE: json.loads(figure.to_json()), "text/plain": "[leakage model chart]"}, raw=True)
        with totals:
            display(result.summary().style.format({"value": "{:,.0f}"}).hide(axis="index"))

    for control in [*controls.values(), *mix.values(), *detection.values()]:
        control.observe(update, names="value")
    update()
    note = w.HTML("<p><i>The three channel-mix sliders must add up to 1. All values are assumptions you can change.</i></p>")
    return w.VBox([w.HBox([w.VBox(list(controls.values())), w.VBox([*mix.values(), *detection.values(), note])]),
                   message, chart, totals])


# ---------------------------------------------------------------------------------------------
# Exercises
# ---------------------------------------------------------------------------------------------

def _declared_share_2024() -> float:
    return float(_transfer(NOTIFIED_2024).quantity_low) / float(_transfer(OSC_ESTIMATE).quantity_low)


def _delivered_full_enforcement() -> float:
    return run(enforcement=1.0, non_enforcing_share=0.0).delivered_undeclared


EXERCISES = {
    "ex-05-notified-share": Exercise(
        prompt="Divide Russia's notified refined-petroleum deliveries for 2024 by the Open Source Centre's lower-bound "
               "estimate for March–November 2024. What share do you get?",
        expected=_declared_share_2024,
        tolerance=0.01,
        hint="Use data.load('transfers'); the rows are rp-rus-notif-2024-01 and rp-osc-2024 (column quantity_low).",
    ),
    "ex-05-full-enforcement": Exercise(
        prompt="Run the model with enforcement=1 and non_enforcing_share=0, other parameters at their defaults. "
               "How many barrels of undeclared oil are still delivered?",
        expected=_delivered_full_enforcement,
        tolerance=0.01,
        hint="leakage.run(enforcement=1, non_enforcing_share=0).delivered_undeclared",
    ),
}
