"""The transactional exchange: what North Korea sends Russia, what Russia sends back, and how sure anyone can be.

Figures for the chapters *What flows to Moscow* and *What Moscow pays*, and the exchange calculator:

* :func:`estimate_ladder`, :func:`implied_conversions`, :func:`evidence_methods`: published estimates of containers
  and shells, how they were made, and the rounds-per-container assumption hidden inside each.
* :func:`route_map`: the reported sea and rail routes, drawn on Natural Earth shapes.
* :func:`troop_estimates`: troops, workers and casualties, one marker per published estimate.
* :func:`oil_chart`, :func:`payments_table`, :func:`payments_chart`, :func:`payments_claims`: what Russia is said
  to give in return, against the UN cap on refined petroleum.
* :func:`exchange_model` (pure, tested), :func:`calculator_widget` (JupyterLab) and :func:`calculator_static`
  (plotly's own dropdown and slider, for the book where no kernel runs).

Every estimate is drawn as published: a floor ("more than X") as an open-ended arrow, a ceiling ("up to X") as an
arrow the other way, a range as a bar between its two ends. Nothing is averaged.
"""
from __future__ import annotations

import html
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from numbers import Real

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import data
from .check import Exercise
from .figures import PALETTE, CourseFigure
from .maps import GEOD, region_map

# ---------------------------------------------------------------------------------------------
# Shared styling: whose estimate it is, shown by colour AND marker shape
# ---------------------------------------------------------------------------------------------

#: vantage -> (label, colour, marker symbol). Arrow and triangle symbols are kept for floors and ceilings.
VANTAGE_STYLE: dict[str, tuple[str, str, str]] = {
    "ROK": ("South Korea", PALETTE["vermillion"], "square"),
    "US": ("United States", PALETTE["blue"], "circle"),
    "Ukraine": ("Ukraine", PALETTE["green"], "diamond"),
    "independent": ("Independent researchers and media", PALETTE["orange"], "star"),
    "multilateral": ("Multilateral monitors (MSMT)", PALETTE["purple"], "hexagon"),
    "Russia": ("Russia", PALETTE["sky_blue"], "pentagon"),
    "UK": ("United Kingdom", PALETTE["black"], "cross"),
    "Japan": ("Japan", PALETTE["grey"], "hourglass"),
    "DPRK": ("North Korea", PALETTE["black"], "bowtie"),
    "unattributed": ("Officials of unstated nationality", PALETTE["grey"], "x"),
    "EU": ("European Union", PALETTE["blue"], "star-square"),
    "NATO": ("NATO", PALETTE["blue"], "star-diamond"),
    "China": ("China", PALETTE["vermillion"], "circle-cross"),
}

ITEM_LABELS = {
    "artillery_ammunition": "artillery shells",
    "rocket_ammunition": "rocket ammunition",
    "ammunition_unspecified": "ammunition (type not specified)",
    "ballistic_missiles": "ballistic missiles",
    "artillery_systems": "artillery guns",
    "rocket_launchers": "rocket launchers",
    "other_materiel": "other equipment",
    "refined_petroleum": "refined petroleum",
    "crude_oil": "crude oil",
    "air_defence": "air defence",
    "electronic_warfare": "electronic warfare",
    "missile_space_technology": "missile and space technology",
    "military_technology_other": "other military technology",
    "food": "food",
    "money": "money",
    "total_value": "total value of the exchange",
}

READING_WORDS = {"floor": "more than", "ceiling": "up to", "point": "about", "range": "between", "none": "no figure"}
#: How far an open-ended arrow reaches beyond its number on a log axis (a drawing convention, not a quantity).
ARROW_FACTOR_LOG = 1.45

LADDER_UNITS = ("containers", "shells", "rounds")
#: Rows whose period ended before the full-scale invasion are pre-war context (kept in tables, left off the timeline).
WAR_START = pd.Timestamp("2022-02-24")
PAYMENT_ORDER = ["air_defence", "electronic_warfare", "missile_space_technology", "military_technology_other", "food", "money",
                 "refined_petroleum", "total_value"]


SHORT_VANTAGE = {"ROK": "ROK", "US": "US", "Ukraine": "Ukraine", "independent": "Indep.", "multilateral": "MSMT",
                 "Russia": "Russia", "UK": "UK", "Japan": "Japan", "DPRK": "DPRK", "unattributed": "Unattr."}


def short_name(estimated_by: str) -> str:
    """'Korea Institute for Defense Analyses (KIDA)' -> 'KIDA'; 'Kharon (analysis of ...)' -> 'Kharon'."""
    text = str(estimated_by)
    head = re.split(r" \(|,", text)[0].strip()
    acronym = re.search(r"\(([A-Z]{2,}[A-Za-z]*)", text)
    return acronym.group(1) if len(head) > 30 and acronym else head


def _style(vantage: str) -> tuple[str, str, str]:
    return VANTAGE_STYLE.get(vantage, (vantage, PALETTE["grey"], "circle"))


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))


def bound_kind(low, high) -> str:
    """How a published figure reads: 'floor' (more than low), 'ceiling' (up to high), 'point', 'range' or 'none'."""
    if _missing(low) and _missing(high):
        return "none"
    if _missing(high):
        return "floor"
    if _missing(low):
        return "ceiling"
    return "point" if float(low) == float(high) else "range"


def _number(value: float) -> str:
    value = float(value)
    return f"{value:,.0f}" if value >= 100 or value.is_integer() else f"{value:,.1f}"


def reading(low, high, unit: str = "") -> str:
    """'more than 1,000 containers', 'between 500,000 and 3,000,000 rounds', ... as published."""
    kind = bound_kind(low, high)
    unit = f" {unit}" if unit else ""
    if kind == "none":
        return "claim, no figure given"
    if kind == "floor":
        return f"more than {_number(low)}{unit}"
    if kind == "ceiling":
        return f"up to {_number(high)}{unit}"
    if kind == "point":
        return f"about {_number(low)}{unit}"
    return f"between {_number(low)} and {_number(high)}{unit}"


def _usd(value: float) -> str:
    value = float(value)
    def trim(number: str) -> str:
        return number.rstrip("0").rstrip(".") if "." in number else number
    if value >= 1e9:
        return f"USD {trim(f'{value / 1e9:,.2f}')} billion"
    if value >= 1e6:
        return f"USD {trim(f'{value / 1e6:,.1f}')} million"
    return f"USD {value:,.0f}"


def _usd_reading(low, high) -> str:
    kind = bound_kind(low, high)
    if kind == "none":
        return "claim, no figure given"
    if kind == "floor":
        return f"more than {_usd(low)}"
    if kind == "ceiling":
        return f"up to {_usd(high)}"
    if kind == "point":
        return f"about {_usd(low)}"
    return f"{_usd(low)} to {_usd(high)}"


def _date(value) -> str:
    return "date not stated" if _missing(value) else pd.Timestamp(value).date().isoformat()


def _wrap(text, width: int = 62) -> str:
    if _missing(text) or not str(text).strip():
        return "–"
    return "<br>".join(textwrap.wrap(html.escape(str(text)), width))


def _period(start, end) -> str:
    if _missing(start) and _missing(end):
        return "not stated"
    return f"{'…' if _missing(start) else _date(start)} to {'…' if _missing(end) else _date(end)}"


def _source_names(source_ids: Sequence[str]) -> str:
    sources = data.load("sources").set_index("source_id")
    names = [sources.loc[s, "publisher"] for s in source_ids if s in sources.index]
    return "; ".join(dict.fromkeys(names))


def _vantage_legend(fig: go.Figure, vantages, *, row=None, col=None, legendgroup_prefix: str = "") -> None:
    """One legend entry per vantage (colour + filled shape), in a fixed order, drawn as an invisible marker."""
    vantages = [v for v in VANTAGE_STYLE if v in set(vantages)] + sorted(set(vantages) - set(VANTAGE_STYLE))
    for vantage in vantages:
        label, colour, symbol = _style(vantage)
        trace = go.Scatter(
            x=[None], y=[None], mode="markers", name=label, legendgroup=f"{legendgroup_prefix}{vantage}",
            marker=dict(color=colour, symbol=symbol, size=11, line=dict(width=1, color="#333")), hoverinfo="skip",
        )
        if row is None:
            fig.add_trace(trace)
        else:
            fig.add_trace(trace, row=row, col=col)


def _legend_note(fig: go.Figure, name: str, symbol: str, *, dash: str | None = None) -> None:
    """A legend entry that explains a drawing convention (arrows, open markers)."""
    if dash:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=name, line=dict(color="#444", dash=dash, width=2), hoverinfo="skip"))
    else:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, hoverinfo="skip",
                                 marker=dict(symbol=symbol, size=11, color="#444", line=dict(width=1.5, color="#444"))))


# ---------------------------------------------------------------------------------------------
# Estimates of what was sent: containers and shells
# ---------------------------------------------------------------------------------------------

METHOD_CLASSES = [
    ("containers × assumed rounds per container", ("containers x",)),
    ("tonnage converted to shells", ("tonnage",)),
    ("satellite imagery and ship tracking", ("satellite", "imagery", "container tracking", "container transfers", "trade/transport data")),
    ("count of missiles launched at Ukraine", ("count of launches", "launched", "count of north korean missiles")),
    ("official notification or statistics", ("official notification", "official export data", "official statement", "trade statistics")),
    ("priced or modelled valuation", ("model:", "priced", "valuation", "salary x")),
    ("not disclosed", ("not disclosed", "not detailed")),
]


def method_class(method) -> str:
    """A short class for a row's method text, so learners can compare like with like."""
    text = "" if _missing(method) else str(method).lower()
    for label, keys in METHOD_CLASSES:
        if any(key in text for key in keys):
            return label
    return "other or unstated" if not text else "other"


def ladder_rows(transfers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every published estimate of containers, shells or rounds sent to Russia, with how each figure reads."""
    transfers = data.load("transfers") if transfers is None else transfers
    rows = transfers[(transfers.direction == "to_russia") & transfers.unit.isin(LADDER_UNITS)].copy()
    rows["reading"] = [bound_kind(lo, hi) for lo, hi in zip(rows.quantity_low, rows.quantity_high)]
    rows["method_class"] = [method_class(m) for m in rows.method]
    rows["panel"] = np.where(rows.unit == "containers", "containers", "shells or rounds")
    return rows.sort_values(["panel", "estimate_date", "estimate_id"], na_position="last").reset_index(drop=True)


def _ladder_table(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "estimate_id": rows.estimate_id,
        "published": [_date(d) for d in rows.estimate_date],
        "estimated by": rows.estimated_by,
        "vantage": [_style(v)[0] for v in rows.estimator_vantage],
        "what": [ITEM_LABELS.get(i, i) for i in rows.item],
        "figure as published": [reading(lo, hi, u) for lo, hi, u in zip(rows.quantity_low, rows.quantity_high, rows.unit)],
        "low": rows.quantity_low,
        "high": rows.quantity_high,
        "period covered": [_period(s, e) for s, e in zip(rows.period_start, rows.period_end)],
        "method": rows.method,
        "method class": rows.method_class,
        "note": rows.note,
    })


def _ladder_hover(row) -> str:
    label = _style(row.estimator_vantage)[0]
    return (
        f"<b>{html.escape(row.estimated_by)}</b> ({label})<br>"
        f"{reading(row.quantity_low, row.quantity_high, row.unit)} – {ITEM_LABELS.get(row.item, row.item)}<br>"
        f"Published: {_date(row.estimate_date)}; period: {_period(row.period_start, row.period_end)}<br>"
        f"<i>Method:</i> {_wrap(row.method)}<br><i>Note:</i> {_wrap(row.note)}"
    )


def _range_geometry(low, high, *, log: bool, span: float) -> tuple[list, list, list]:
    """Marker values, segment y-values and arrow (value, direction) for one published figure.

    ``span`` is the arrow length: a factor on a log axis, an absolute length on a linear one.
    """
    kind = bound_kind(low, high)
    if kind == "floor":
        top = float(low) * span if log else float(low) + span
        return [float(low)], [float(low), top], [(top, "up")]
    if kind == "ceiling":
        bottom = float(high) / span if log else max(float(high) - span, 0)
        return [float(high)], [float(high), bottom], [(bottom, "down")]
    if kind == "range":
        return [float(low), float(high)], [float(low), float(high)], []
    if kind == "point":
        return [float(low)], [], []
    return [], [], []


def _add_estimate_traces(fig, frame: pd.DataFrame, *, x_values, low_col, high_col, hover, row, col, log: bool, span: float,
                         show_legend: set, open_marker=None, horizontal: bool = False) -> None:
    """Draw each row as marker(s) + segment + arrow, one set of traces per vantage (keeps the JSON small).

    ``horizontal`` swaps axes (value on x). ``open_marker(row) -> bool`` draws hollow markers (e.g. plans).
    """
    for vantage, group in frame.groupby("estimator_vantage", sort=False):
        label, colour, symbol = _style(vantage)
        mx, my, mtext, msym = [], [], [], []
        sx, sy, ax, ay, atext, asym = [], [], [], [], [], []
        for (_, item), x in zip(group.iterrows(), x_values(group)):
            markers, segment, arrows = _range_geometry(item[low_col], item[high_col], log=log, span=span)
            text = hover(item)
            hollow = bool(open_marker(item)) if open_marker else False
            for value in markers:
                mx.append(x)
                my.append(value)
                mtext.append(text)
                msym.append(f"{symbol}-open" if hollow else symbol)
            if segment:
                sx += [x, x, None]
                sy += segment + [None]
            for value, direction in arrows:
                ax.append(x)
                ay.append(value)
                atext.append(text)
                if horizontal:
                    asym.append("arrow-right" if direction == "up" else "arrow-left")
                else:
                    asym.append("arrow-up" if direction == "up" else "arrow-down")
        if horizontal:
            mx, my, sx, sy, ax, ay = my, mx, sy, sx, ay, ax
        common = dict(legendgroup=vantage, showlegend=False)
        if sx:
            fig.add_trace(go.Scatter(x=sx, y=sy, mode="lines", line=dict(color=colour, width=3), hoverinfo="skip", **common), row=row, col=col)
        if ax:
            fig.add_trace(go.Scatter(x=ax, y=ay, mode="markers", marker=dict(symbol=asym, size=13, color=colour, line=dict(width=1, color=colour)),
                                     hovertext=atext, hoverinfo="text", **common), row=row, col=col)
        if mx:
            show_legend.add(vantage)
            fig.add_trace(go.Scatter(
                x=mx, y=my, mode="markers", name=label, legendgroup=vantage, showlegend=False,
                marker=dict(symbol=msym, size=12, color=colour, line=dict(width=1.5, color=colour)),
                hovertext=mtext, hoverinfo="text"), row=row, col=col)


def estimate_ladder() -> CourseFigure:
    """Every published estimate of containers and of shells/rounds sent to Russia, over time, as published."""
    rows = ladder_rows()
    dated = rows.dropna(subset=["estimate_date"])
    undated = rows[rows.estimate_date.isna()]
    fig = make_subplots(
        rows=2, cols=2, shared_yaxes=False, column_widths=[0.88, 0.12], horizontal_spacing=0.03, vertical_spacing=0.12,
        subplot_titles=("Containers (any munitions)", "date not stated", "Shells or rounds", "date not stated"),
    )
    seen: set = set()
    for panel_row, panel in ((1, "containers"), (2, "shells or rounds")):
        for frame, col in ((dated[dated.panel == panel], 1), (undated[undated.panel == panel], 2)):
            if frame.empty:
                continue
            x_values = (lambda g: list(g.estimate_date.dt.strftime("%Y-%m-%d"))) if col == 1 else (lambda g: ["undated"] * len(g))
            # A halo marks figures derived as containers × assumed rounds per container.
            derived = frame[frame.method_class == METHOD_CLASSES[0][0]]
            if not derived.empty:
                halo_y = [v for lo, hi in zip(derived.quantity_low, derived.quantity_high) for v in _range_geometry(lo, hi, log=True, span=ARROW_FACTOR_LOG)[0]]
                halo_x = [x for (_, r), x in zip(derived.iterrows(), x_values(derived)) for _ in _range_geometry(r.quantity_low, r.quantity_high, log=True, span=ARROW_FACTOR_LOG)[0]]
                fig.add_trace(go.Scatter(x=halo_x, y=halo_y, mode="markers", hoverinfo="skip", legendgroup="halo",
                                         name="ring: containers × assumed rounds per container", showlegend="halo" not in seen,
                                         marker=dict(symbol="circle-open", size=24, color="#555", line=dict(width=1.5))), row=panel_row, col=col)
                seen.add("halo")
            _add_estimate_traces(fig, frame, x_values=x_values, low_col="quantity_low", high_col="quantity_high", hover=_ladder_hover,
                                 row=panel_row, col=col, log=True, span=ARROW_FACTOR_LOG, show_legend=seen)
    _vantage_legend(fig, seen - {"halo"})
    _legend_note(fig, "arrow up: 'more than' (a floor)", "arrow-up")
    _legend_note(fig, "arrow down: 'up to' (a ceiling)", "arrow-down")
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines+markers", name="bar between two markers: a published range",
                             line=dict(color="#444", width=3), marker=dict(color="#444", size=8), hoverinfo="skip"))
    for panel_row in (1, 2):
        for col in (1, 2):
            fig.update_yaxes(type="log", row=panel_row, col=col, showticklabels=(col == 1))
    container_ticks = [500, 1000, 2000, 5000, 10000, 20000, 50000]
    round_ticks = [200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000]
    for panel_row, ticks in ((1, container_ticks), (2, round_ticks)):
        for col in (1, 2):
            fig.update_yaxes(tickvals=ticks, ticktext=[f"{t:,}" for t in ticks], row=panel_row, col=col)
    fig.update_yaxes(title_text="containers (log scale)", row=1, col=1)
    fig.update_yaxes(title_text="shells or rounds (log scale)", row=2, col=1)
    for panel_row, panel in ((1, "containers"), (2, "shells or rounds")):
        if undated[undated.panel == panel].empty:  # nothing undated here: hide the empty side panel and its title
            fig.update_xaxes(visible=False, row=panel_row, col=2)
            fig.update_yaxes(visible=False, row=panel_row, col=2)
            fig.layout.annotations[(panel_row - 1) * 2 + 1].text = ""
    fig.update_yaxes(matches="y", row=1, col=2)
    fig.update_yaxes(matches="y3", row=2, col=2)
    fig.update_xaxes(type="date", row=1, col=1)
    fig.update_xaxes(type="date", row=2, col=1, title_text="date the estimate was published")
    fig.update_xaxes(type="category", row=1, col=2)
    fig.update_xaxes(type="category", row=2, col=2)
    fig.update_layout(title="Published estimates of what North Korea sent Russia", height=900, hovermode="closest",
                      legend=dict(orientation="h", y=-0.1, x=0, font=dict(size=12)), margin=dict(l=70, r=20, t=80, b=40))
    table = _ladder_table(rows)
    first_c = dated[dated.panel == "containers"].iloc[0]
    last_c = dated[dated.panel == "containers"].iloc[-1]
    return CourseFigure(
        figure=fig,
        alt=(f"Two panels of estimates plotted against the date each was published. Container estimates rise from "
             f"{reading(first_c.quantity_low, first_c.quantity_high, 'containers')} ({_style(first_c.estimator_vantage)[0]}, "
             f"{_date(first_c.estimate_date)[:7]}) to {reading(last_c.quantity_low, last_c.quantity_high, 'containers')} "
             f"({_style(last_c.estimator_vantage)[0]}, {_date(last_c.estimate_date)[:7]}). Shell and round estimates rise "
             "over the same period from around one million to ten million or more, and differ widely at any one date: "
             "ranges that convert containers into shells span a factor of several, depending on the calibre assumed."),
        caption=("Each marker is one published estimate, coloured and shaped by whose estimate it is. Arrows mark "
                 "'more than' and 'up to' figures; bars join the two ends of a published range. A grey ring marks "
                 "figures worked out as containers × an assumed number of rounds per container. Hover for the method "
                 "and the period covered. Periods differ, so estimates on the same date need not count the same thing."),
        figure_id="estimate-ladder",
        table=table,
        tables=("transfers",),
        sources=tuple(data.cited_sources(rows)),
        rows={"transfers": list(rows.estimate_id)},
    )


HARDWARE_PANELS = [
    ("Ballistic missiles", ("ballistic_missiles",)),
    ("Artillery guns", ("artillery_systems",)),
    ("Multiple rocket launchers", ("rocket_launchers",)),
]


def what_moved() -> pd.DataFrame:
    """One line per kind of thing reported sent to Russia: how many estimates, the span of published figures, by whom.

    The lowest and highest published numbers are shown side by side (never averaged), per unit.
    """
    transfers = data.load("transfers")
    rows = transfers[transfers.direction == "to_russia"]
    forces = data.load("force_estimates")
    out = []
    for (item, unit), group in rows.groupby(["item", "unit"], sort=False):
        numbers = pd.concat([group.quantity_low, group.quantity_high]).dropna()
        out.append({"what": ITEM_LABELS.get(item, item), "unit": unit, "published estimates": len(group),
                    "lowest figure published": numbers.min() if len(numbers) else None,
                    "highest figure published": numbers.max() if len(numbers) else None,
                    "estimated by": ", ".join(_style(v)[0] for v in VANTAGE_STYLE if v in set(group.estimator_vantage))})
    for group_name, group in forces[forces.metric == "deployed"].groupby("group", sort=False):
        numbers = pd.concat([group.low, group.high]).dropna()
        out.append({"what": GROUP_LABELS.get(group_name, group_name) + " (people sent, planned or announced)", "unit": "people",
                    "published estimates": len(group), "lowest figure published": numbers.min(), "highest figure published": numbers.max(),
                    "estimated by": ", ".join(_style(v)[0] for v in VANTAGE_STYLE if v in set(group.estimator_vantage))})
    table = pd.DataFrame(out)
    for column in ("lowest figure published", "highest figure published"):
        table[column] = [f"{v:,.0f}" if not _missing(v) else "–" for v in table[column]]
    return table


def hardware_ladder() -> CourseFigure:
    """Ballistic missiles, artillery guns and rocket launchers: every published estimate, by date."""
    transfers = data.load("transfers")
    rows = transfers[(transfers.direction == "to_russia") & transfers.item.isin([i for _, items in HARDWARE_PANELS for i in items])]
    rows = rows.assign(method_class=[method_class(m) for m in rows.method]).sort_values(["estimate_date", "estimate_id"])
    fig = make_subplots(rows=1, cols=len(HARDWARE_PANELS), subplot_titles=[t for t, _ in HARDWARE_PANELS], horizontal_spacing=0.07)
    seen: set = set()
    launched = METHOD_CLASSES[3][0]
    for col, (_, items) in enumerate(HARDWARE_PANELS, start=1):
        frame = rows[rows.item.isin(items)]
        top = frame[["quantity_low", "quantity_high"]].max().max()
        _add_estimate_traces(fig, frame, x_values=lambda g: list(g.estimate_date.dt.strftime("%Y-%m-%d")), low_col="quantity_low",
                             high_col="quantity_high", hover=_ladder_hover, row=1, col=col, log=False, span=float(top) * 0.1,
                             show_legend=seen, open_marker=lambda r: r.method_class == launched)
        fig.update_yaxes(rangemode="tozero", row=1, col=col)
    _vantage_legend(fig, seen)
    _legend_note(fig, "hollow marker: missiles launched at Ukraine (use, not deliveries)", "circle-open")
    _legend_note(fig, "arrow up: 'more than'; arrow down: 'fewer than' or 'up to'", "arrow-up")
    first, last = rows.estimate_date.min(), rows.estimate_date.max()
    fig.update_xaxes(type="date", range=[(first - pd.Timedelta(days=45)).date().isoformat(), (last + pd.Timedelta(days=45)).date().isoformat()])
    fig.update_yaxes(title_text="missiles", col=1)
    fig.update_yaxes(title_text="guns or launchers", col=2)
    fig.update_layout(title="Missiles and artillery systems: published estimates", height=520,
                      legend=dict(orientation="h", y=-0.2, font=dict(size=12)))
    table = _ladder_table(rows.assign(panel=""))
    missiles = rows[rows.item == "ballistic_missiles"]
    return CourseFigure(
        figure=fig,
        alt=(f"Three panels of estimates by date. Ballistic missile figures run from 'fewer than 50' early in 2024 to "
             f"{reading(*missiles.loc[missiles[['quantity_low', 'quantity_high']].max(axis=1).idxmax(), ['quantity_low', 'quantity_high']])} "
             "later; gun and rocket-launcher figures rise from tens to about two hundred between late 2024 and 2025."),
        caption=("Each marker is one published estimate, coloured and shaped by whose it is. Hollow markers count missiles "
                 "launched at Ukraine: a floor for what was delivered, not a delivery count. Some gun figures include "
                 "rocket launchers (see the notes in the table)."),
        figure_id="hardware-ladder",
        table=table,
        tables=("transfers",),
        sources=tuple(data.cited_sources(rows)),
        rows={"transfers": list(rows.estimate_id)},
    )


def implied_conversions(transfers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rounds-per-container assumption inside each published 'containers × capacity' estimate.

    Pairs each shells/rounds row whose method is containers × rounds per container with the container row published
    by the same estimator on the same date, and divides. Ratios of two 'more than' figures are only indicative.
    """
    rows = ladder_rows(transfers)
    rounds = rows[(rows.panel == "shells or rounds") & (rows.method_class == METHOD_CLASSES[0][0])]
    containers = rows[rows.panel == "containers"]
    out = []
    for r in rounds.itertuples():
        match = containers[(containers.estimated_by == r.estimated_by) & (containers.estimate_date == r.estimate_date)]
        if match.empty:
            continue
        c = match.iloc[0]
        count = float(c.quantity_low if not _missing(c.quantity_low) else c.quantity_high)
        for end, value in (("low", r.quantity_low), ("high", r.quantity_high)):
            if _missing(value) or (end == "high" and not _missing(r.quantity_low) and float(value) == float(r.quantity_low)):
                continue
            out.append({
                "rounds_estimate_id": r.estimate_id, "containers_estimate_id": c.estimate_id,
                "estimated_by": r.estimated_by, "vantage": r.estimator_vantage, "published": r.estimate_date,
                "end": end, "rounds": float(value), "containers": count,
                "rounds_per_container": float(value) / count,
                "containers_reading": reading(c.quantity_low, c.quantity_high, "containers"),
                "rounds_reading": reading(r.quantity_low, r.quantity_high, r.unit),
                "note": r.note,
            })
    return pd.DataFrame(out)


def conversion_chart() -> CourseFigure:
    """How many rounds per container each 'containers × capacity' estimate assumed."""
    conversions = implied_conversions()
    conversions = conversions.sort_values(["published", "rounds_per_container"]).reset_index(drop=True)
    labels = [f"{_date(p)[:7]} · {by}" for p, by in zip(conversions.published, conversions.estimated_by)]
    fig = go.Figure()
    seen: set = set()
    join_x, join_y = [], []
    for label in dict.fromkeys(labels):
        values = [v for l, v in zip(labels, conversions.rounds_per_container) if l == label]
        if len(values) > 1:
            join_x += [min(values), max(values), None]
            join_y += [label, label, None]
    fig.add_trace(go.Scatter(x=join_x, y=join_y, mode="lines", line=dict(color="#999", width=2), hoverinfo="skip",
                             name="the two ends of one published range"))
    for vantage, group in conversions.groupby("vantage", sort=False):
        label, colour, symbol = _style(vantage)
        idx = group.index
        fig.add_trace(go.Scatter(
            x=group.rounds_per_container, y=[labels[i] for i in idx], mode="markers+text", name=label, showlegend=vantage not in seen,
            text=[f"{v:,.0f}" for v in group.rounds_per_container], textposition="middle right",
            marker=dict(symbol=symbol, size=13, color=colour, line=dict(width=1, color="#333")),
            hovertext=[f"<b>{html.escape(r.estimated_by)}</b><br>{r.rounds_reading} ÷ {r.containers_reading}<br>"
                       f"= about {r.rounds_per_container:,.0f} rounds per container ({r.end} end of the range)<br><i>Note:</i> {_wrap(r.note)}"
                       for r in group.itertuples()], hoverinfo="text"))
        seen.add(vantage)
    fig.update_layout(title="Rounds per container assumed inside published estimates", height=160 + 38 * conversions.published.nunique() + 60,
                      xaxis=dict(title="rounds per container (published rounds ÷ published containers)", rangemode="tozero"),
                      yaxis=dict(automargin=True, type="category", categoryorder="array", categoryarray=list(reversed(list(dict.fromkeys(labels))))),
                      legend=dict(orientation="h", y=-0.25))
    table = conversions[["published", "estimated_by", "containers_reading", "rounds_reading", "end", "rounds_per_container"]].copy()
    table["published"] = [_date(p) for p in table.published]
    table["rounds_per_container"] = table.rounds_per_container.round(1)
    lo, hi = conversions.rounds_per_container.min(), conversions.rounds_per_container.max()
    return CourseFigure(
        figure=fig,
        alt=(f"Dot chart of the rounds per container implied by each estimate that converted containers into shells: "
             f"from about {lo:,.0f} to about {hi:,.0f}. The low values come from assuming smaller rounds, the high "
             "values from assuming every container held the larger shells."),
        caption=("Dividing a published shell figure by the container count the same estimator gave on the same day "
                 "recovers the conversion they assumed. The spread, not any single value, is the lesson: the contents "
                 "of the containers have not been observed."),
        figure_id="rounds-per-container",
        table=table,
        tables=("transfers",),
        sources=tuple(data.cited_sources(data.load("transfers").set_index("estimate_id").loc[
            list(conversions.rounds_estimate_id) + list(conversions.containers_estimate_id)].reset_index())),
        rows={"transfers": list(dict.fromkeys(list(conversions.rounds_estimate_id) + list(conversions.containers_estimate_id)))},
    )


def evidence_methods() -> CourseFigure:
    """How the published estimates (both directions) were made: a count by method and by whose estimate it is."""
    transfers = data.load("transfers")
    transfers = transfers.assign(method_class=[method_class(m) for m in transfers.method],
                                 direction_label=np.where(transfers.direction == "to_russia", "sent to Russia", "sent to North Korea"))
    counts = transfers.groupby(["direction_label", "method_class", "estimator_vantage"]).size().reset_index(name="estimates")
    order = [label for label, _ in METHOD_CLASSES] + ["other", "other or unstated"]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=("Estimates of what was sent to Russia", "Estimates of what was sent to North Korea"),
                        horizontal_spacing=0.04)
    patterns = ["", "/", "\\", "x", ".", "+", "-", "|"]
    vantages = list(dict.fromkeys(counts.sort_values("estimates", ascending=False).estimator_vantage))
    for v_index, vantage in enumerate(vantages):
        label, colour, _ = _style(vantage)
        for col, direction in ((1, "sent to Russia"), (2, "sent to North Korea")):
            sub = counts[(counts.estimator_vantage == vantage) & (counts.direction_label == direction)]
            if sub.empty:
                continue
            fig.add_trace(go.Bar(
                x=sub.estimates, y=sub.method_class, orientation="h", name=label, legendgroup=vantage,
                showlegend=col == 1 or vantage not in set(counts[counts.direction_label == "sent to Russia"].estimator_vantage),
                marker=dict(color=colour, pattern=dict(shape=patterns[v_index % len(patterns)], fgcolor="white" if colour != PALETTE["grey"] else "#222")),
                text=[SHORT_VANTAGE.get(vantage, vantage)] * len(sub), textposition="inside", insidetextanchor="middle",
                hovertemplate=f"{label}: %{{x}} estimate(s)<br>%{{y}}<extra></extra>"), row=1, col=col)
    fig.update_yaxes(categoryorder="array", categoryarray=[o for o in reversed(order) if o in set(counts.method_class)], automargin=True)
    fig.update_xaxes(title_text="number of published estimates", dtick=2)
    fig.update_layout(barmode="stack", title="How the published figures were made", height=520, legend=dict(orientation="h", y=-0.2),
                      uniformtext=dict(minsize=11, mode="hide"))
    table = counts.pivot_table(index=["direction_label", "method_class"], columns="estimator_vantage", values="estimates", fill_value=0).reset_index()
    table.columns = [c if c in {"direction_label", "method_class"} else _style(c)[0] for c in table.columns]
    undisclosed = counts[counts.method_class == "not disclosed"].estimates.sum()
    return CourseFigure(
        figure=fig,
        alt=(f"Stacked bar charts counting published estimates by how they were made. In both directions the largest group "
             f"is 'not disclosed' ({undisclosed} of {len(transfers)} estimates); South Korean figures dominate the "
             "containers-times-capacity group, independent researchers the satellite and tonnage groups."),
        caption=("Every row of the transfers table, grouped by the method its source states (classified from the method "
                 "text) and coloured by whose estimate it is. Most figures come with no stated method: they are claims "
                 "to weigh, not measurements."),
        figure_id="evidence-methods",
        table=table,
        tables=("transfers",),
        sources=tuple(data.cited_sources(transfers)),
    )


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------

#: Routes by which munitions are reported to move (chapter 2) and by which oil and coal move back (chapter 3).
MUNITIONS_ROUTES = ("sea_rajin_dunai", "sea_rajin_vostochny", "rail_tumangang_khasan_2023", "rail_dunai_tikhoretsk")
RETURN_ROUTES = ("sea_vostochny_chongjin", "rail_khasan_tumangang_energy_2024")
MAP_WINDOWS = {
    "far_east": ((129.2, 41.4, 134.2, 43.7), "Rajin, the Tumen crossing and the Russian Pacific ports"),
    "russia": ("russia_route", "From the Tumen to depots in southern Russia"),
}
ROUTE_STYLE = {"sea": ("solid", 4), "rail": ("dash", 3), "road": ("dot", 3)}
ROUTE_COLOURS = [PALETTE["blue"], PALETTE["vermillion"], PALETTE["green"], PALETTE["purple"], PALETTE["orange"], PALETTE["black"]]


def _label(name: str) -> str:
    return name.split(" (")[0].replace(" port, Rason", "")


def route_map(window: str = "far_east", route_ids: Sequence[str] = MUNITIONS_ROUTES) -> CourseFigure:
    """Reported routes on a map window ('far_east' or 'russia'), with places from the gazetteer.

    Lines join the places a route names, along geodesics: they are not the tracks or sea lanes actually used.
    """
    if window not in MAP_WINDOWS:
        raise ValueError(f"Unknown map window {window!r}; choose one of {sorted(MAP_WINDOWS)}.")
    routes = data.load("routes").set_index("route_id")
    unknown = [r for r in route_ids if r not in routes.index]
    if unknown:
        raise ValueError(f"Unknown route id(s) {unknown}; the routes table has {sorted(routes.index)}.")
    places = data.load("places").set_index("place_id")
    bounds, title = MAP_WINDOWS[window]
    regional = region_map(data.load("countries_eurasia_50m"), bounds, title=title, height=600 if window == "far_east" else 520)
    chosen = routes.loc[list(route_ids)].reset_index()
    for index, route in enumerate(chosen.itertuples()):
        stops = data.split_ids(route.waypoints)
        dash, width = ROUTE_STYLE[route.mode]
        cited = data.split_ids(route.source_ids)
        hover = (f"<b>{html.escape(route.name)}</b> ({route.mode})<br>Cargo reported: {html.escape(route.cargo)}<br>"
                 f"{_wrap(route.description)}<br><i>Sources:</i> {_wrap(_source_names(cited))}")
        far = window == "russia" and route.mode == "rail" and len(stops) == 2 and GEOD.inv(
            places.loc[stops[0], "lon"], places.loc[stops[0], "lat"], places.loc[stops[1], "lon"], places.loc[stops[1], "lat"])[2] > 1_000_000
        regional.add_path(list(places.loc[stops, "lon"].astype(float)), list(places.loc[stops, "lat"].astype(float)),
                   name=f"{route.name} ({route.mode}{'; straight join, railway used not reported' if far else ''})", hover=hover, colour=ROUTE_COLOURS[index % len(ROUTE_COLOURS)],
                   dash=dash, width=width)
    route_places = list(dict.fromkeys(p for w in chosen.waypoints for p in data.split_ids(w)))
    if window == "far_east":
        extra = ["vladivostok", "friendship_bridge"] + (["chongjin"] if "chongjin" not in route_places else [])
        groups = [
            ("Ports", [p for p in ["rajin", "dunai", "vostochny_port", "chongjin", "vladivostok"] if p in route_places + extra], "square", "bottom right"),
            ("Border rail stations and bridge", [p for p in ["tumangang", "khasan", "friendship_bridge"] if p in route_places + extra], "diamond", "top left"),
        ]
    else:
        extra = ["mozdok", "yegorlykskaya", "moscow"]
        groups = [
            ("Ports on the Pacific", [p for p in ["rajin", "dunai", "vostochny_port"] if p in route_places], "square", "top right"),
            ("Depots named in reports", [p for p in ["tikhoretsk", "mozdok", "yegorlykskaya"] if p in route_places + extra], "diamond", "bottom right"),
            ("Capital, for orientation", ["moscow"], "circle", "top left"),
        ]
    shown = []
    for name, ids, symbol, position in groups:
        if not ids:
            continue
        subset = places.loc[ids].reset_index()
        shown += ids
        labels = [_label(n) for n in subset.name]
        if window == "far_east":  # the two border stations and the bridge are 4 km apart: one label for the crossing
            labels = {"tumangang": "Tumangang–Khasan crossing", "khasan": "", "friendship_bridge": ""}.get
            labels = [labels(p, l) for p, l in zip(subset.place_id, [_label(n) for n in subset.name])]
        if window == "russia":  # the Pacific ports sit within a few km of each other at this scale: label one
            labels = [l if p in {"rajin", "tikhoretsk", "mozdok", "moscow"} else "" for p, l in zip(subset.place_id, labels)]
            labels = ["Rajin and the Russian ports" if l == "Rajin" else l for l in labels]
            position = "top left" if name.startswith("Ports") else position
        hover = [f"<b>{html.escape(r.name)}</b><br>{_wrap(r.description)}<br><i>Also written:</i> {html.escape(r.name_variants or '–')}"
                 for r in subset.itertuples()]
        regional.add_points(subset.lon, subset.lat, labels=labels, hover=hover, name=name, symbol=symbol,
                            colour="#222", text_position=position)
    fig = regional.fig
    if window == "far_east":  # the open sea in the south-east corner leaves the map readable under the legend
        fig.update_layout(legend=dict(font=dict(size=11), x=0.99, xanchor="right", y=0.01, yanchor="bottom"))
    else:
        fig.update_layout(legend=dict(font=dict(size=11)))
    shown_places = places.loc[list(dict.fromkeys(shown))].reset_index()
    table = chosen[["route_id", "name", "mode", "cargo", "description"]].assign(
        stops=[" → ".join(_label(places.loc[s, "name"]) for s in data.split_ids(w)) for w in chosen.waypoints],
        sources=[_source_names(data.split_ids(s)) for s in chosen.source_ids])
    route_names = ", ".join(chosen.name)
    return CourseFigure(
        figure=fig,
        alt=(f"Map ({title}) with North Korea in orange and Russia in blue, showing the reported routes: {route_names}. "
             "Solid lines are sea routes, dashed lines rail routes; ports, crossings and depots are labelled."),
        caption=("Routes as reported by governments and researchers (hover a line for what was seen and who reported it). "
                 "Lines join the named places along the shortest path on the globe: they are not the sea lanes or "
                 "railway lines actually used, which reports do not describe."
                 + (" The long rail leg's straight join crosses other countries on the map for that reason only."
                    if window == "russia" and any(m == "rail" for m in chosen["mode"]) else "")),
        figure_id=f"route-map-{window}-{'-'.join(route_ids)[:24]}",
        table=table,
        tables=("routes", "places", "countries_eurasia_50m"),
        sources=tuple(dict.fromkeys(data.cited_sources(chosen) + data.cited_sources(shown_places))),
        rows={"routes": list(chosen.route_id), "places": list(shown_places.place_id)},
    )


# ---------------------------------------------------------------------------------------------
# Troops, workers and casualties
# ---------------------------------------------------------------------------------------------

_PLAN_PATTERNS = [r"not a count", r"not yet all", r"forecast", r"\bintent\b", r"being prepared", r"under consideration", r"\ba plan\b"]
TROOP_PANELS = [
    ("deployed", ("combat_troops", "all_military", "engineers", "builders"), "Military personnel sent"),
    ("deployed", ("labourers",), "Workers sent"),
    ("killed", None, "Killed"),
    ("wounded", None, "Wounded"),
    ("casualties_total", None, "Killed and wounded together (total casualties)"),
    ("captured", None, "Captured"),
]
GROUP_LABELS = {"combat_troops": "combat troops", "all_military": "all military personnel", "engineers": "engineers (sappers)",
                "builders": "military construction workers", "labourers": "workers"}


def is_plan(note) -> bool:
    """True when a row's note says the figure is a plan, forecast or announcement rather than a count."""
    text = "" if _missing(note) else str(note).lower()
    return any(re.search(pattern, text) for pattern in _PLAN_PATTERNS)


def _troop_hover(row) -> str:
    label = _style(row.estimator_vantage)[0]
    kind = "plan, forecast or announcement (not a count)" if is_plan(row.note) else "count or estimate"
    as_of = "" if _missing(row.as_of) else f"; refers to {_date(row.as_of)}"
    return (f"<b>{html.escape(row.estimated_by)}</b> ({label})<br>{reading(row.low, row.high, GROUP_LABELS.get(row.group, row.group))} – "
            f"{row.metric.replace('_', ' ')}<br>Stated: {_date(row.estimate_date)}{as_of}<br>Kind: {kind}<br><i>Note:</i> {_wrap(row.note)}")


def troop_estimates() -> CourseFigure:
    """Deployment and casualty estimates side by side, each marker one published estimate."""
    forces = data.load("force_estimates").sort_values(["estimate_date", "estimate_id"]).reset_index(drop=True)
    fig = make_subplots(rows=3, cols=2, subplot_titles=[p[2] for p in TROOP_PANELS], vertical_spacing=0.1, horizontal_spacing=0.08)
    seen: set = set()
    used = []
    for index, (metric, groups, _) in enumerate(TROOP_PANELS):
        frame = forces[(forces.metric == metric) & (forces.group.isin(groups) if groups else True)]
        used.append(frame)
        if frame.empty:
            continue
        top = frame[["low", "high"]].max().max()
        _add_estimate_traces(fig, frame, x_values=lambda g: list(g.estimate_date.dt.strftime("%Y-%m-%d")), low_col="low", high_col="high",
                             hover=_troop_hover, row=index // 2 + 1, col=index % 2 + 1, log=False, span=float(top) * 0.12,
                             show_legend=seen, open_marker=lambda r: is_plan(r.note))
        fig.update_yaxes(rangemode="tozero", row=index // 2 + 1, col=index % 2 + 1)
    _vantage_legend(fig, seen)
    _legend_note(fig, "hollow marker: a plan, forecast or announcement, not a count", "circle-open")
    _legend_note(fig, "arrow: 'more than' (a floor)", "arrow-up")
    first, last = forces.estimate_date.min(), forces.estimate_date.max()
    fig.update_xaxes(type="date", range=[(first - pd.Timedelta(days=30)).date().isoformat(), (last + pd.Timedelta(days=30)).date().isoformat()])
    fig.update_yaxes(title_text="people", col=1)
    fig.update_layout(title="North Korean personnel in Russia's war: published estimates", height=1000,
                      legend=dict(orientation="h", y=-0.08, font=dict(size=12)), margin=dict(l=60, r=20, t=90, b=40))
    shown = pd.concat(used).drop_duplicates("estimate_id").sort_values(["metric", "estimate_date"])
    table = pd.DataFrame({
        "estimate_id": shown.estimate_id, "stated": [_date(d) for d in shown.estimate_date], "refers to": [_date(d) if not _missing(d) else "–" for d in shown.as_of],
        "who": shown.group.map(GROUP_LABELS), "metric": shown.metric.str.replace("_", " "),
        "figure as published": [reading(lo, hi) for lo, hi in zip(shown.low, shown.high)],
        "plan or count": ["plan/forecast" if is_plan(n) else "count/estimate" for n in shown.note],
        "estimated by": shown.estimated_by, "vantage": [_style(v)[0] for v in shown.estimator_vantage], "note": shown.note,
    })
    deployed = forces[(forces.metric == "deployed") & (forces.group == "combat_troops") & ~forces.note.map(is_plan)]
    return CourseFigure(
        figure=fig,
        alt=(f"Six panels of estimates over time. Counts of combat troops sent range from {deployed.low.min():,.0f} "
             f"to {deployed[['low', 'high']].max().max():,.0f}; workers, killed, wounded, total casualties and the captured "
             "are shown in their own panels, each marker coloured and shaped by whose estimate it is."),
        caption=("North Korean troops and workers sent to Russia, and casualties among them, as estimated by South Korea, "
                 "Ukraine, the United States, the United Kingdom, multilateral monitors, Russia and North Korea. Hollow "
                 "markers are plans or forecasts. Casualty figures are wartime claims by parties with a stake in them."),
        figure_id="troop-estimates",
        table=table,
        tables=("force_estimates",),
        sources=tuple(data.cited_sources(shown)),
        rows={"force_estimates": list(shown.estimate_id)},
    )


# ---------------------------------------------------------------------------------------------
# What Moscow pays: oil against the UN cap, and everything else
# ---------------------------------------------------------------------------------------------

def refined_petroleum_cap() -> float:
    """The UN cap on refined petroleum supplied to the DPRK, barrels a year (resolution 2397), from measures.csv."""
    measures = data.load("measures")
    row = measures[(measures.resolution_id == "unscr-2397") & (measures.measure == "refined_petroleum_cap") & (measures.unit == "barrels_per_year")]
    if len(row) != 1:
        raise data.DataError("measures.csv should hold exactly one resolution 2397 refined_petroleum_cap row in barrels_per_year.")
    return float(row.value.iloc[0])


def oil_rows() -> pd.DataFrame:
    transfers = data.load("transfers")
    return transfers[(transfers.item == "refined_petroleum") & transfers.unit.isin(["barrels", "reported"])].reset_index(drop=True)


def oil_chart() -> CourseFigure:
    """Russia's notifications to the UN and other estimates of refined petroleum, against the annual UN cap."""
    rows = oil_rows()
    cap = refined_petroleum_cap()
    measure = data.load("measures").query("resolution_id == 'unscr-2397' and measure == 'refined_petroleum_cap'")
    numeric = rows[rows.unit == "barrels"]
    fig = go.Figure()
    years = range(2018, int(numeric.period_end.dropna().dt.year.max()) + 2)
    cap_x, cap_y = [], []
    for year in years:
        cap_x += [f"{year}-01-01", f"{year}-12-31", None]
        cap_y += [cap, cap, None]
    fig.add_trace(go.Scatter(x=cap_x, y=cap_y, mode="lines", name=f"UN cap (resolution 2397): {cap:,.0f} barrels a year, all suppliers together",
                             line=dict(color=PALETTE["black"], dash="dash", width=2), hovertext=f"UN cap: {cap:,.0f} barrels per calendar year", hoverinfo="text"))
    seen: set = set()
    for vantage, group in numeric.groupby("estimator_vantage", sort=False):
        label, colour, symbol = _style(vantage)
        official = group.method.str.contains("official notification").all()
        name = "Russia's notifications to the UN" if official else label
        sx, sy, mx, my, mt, ax, ay, at = [], [], [], [], [], [], [], []
        for r in group.itertuples():
            start, end = _date(r.period_start), _date(r.period_end)
            value = float(r.quantity_low)
            hover = (f"<b>{html.escape(r.estimated_by)}</b><br>{reading(r.quantity_low, r.quantity_high, 'barrels')}<br>"
                     f"Period: {start} to {end}<br><i>Method:</i> {_wrap(r.method)}<br><i>Note:</i> {_wrap(r.note)}")
            sx += [start, end, None]
            sy += [value, value, None]
            mx.append(end)
            my.append(value)
            mt.append(hover)
            if bound_kind(r.quantity_low, r.quantity_high) == "floor":
                ax.append(end)
                ay.append(value * ARROW_FACTOR_LOG)
                at.append(hover)
                sx += [end, end, None]
                sy += [value, value * ARROW_FACTOR_LOG, None]
        fig.add_trace(go.Scatter(x=sx, y=sy, mode="lines", line=dict(color=colour, width=5), legendgroup=vantage, showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=mx, y=my, mode="markers", name=name + " (bar: period covered)", legendgroup=vantage,
                                 marker=dict(symbol=symbol, size=12, color=colour, line=dict(width=1, color="#333")), hovertext=mt, hoverinfo="text"))
        if ax:
            fig.add_trace(go.Scatter(x=ax, y=ay, mode="markers", legendgroup=vantage, showlegend=False, hovertext=at, hoverinfo="text",
                                     marker=dict(symbol="arrow-up", size=13, color=colour)))
        seen.add(vantage)
    qualitative = rows[rows.unit == "reported"]
    for number, r in enumerate(qualitative.itertuples()):
        fig.add_annotation(xref="paper", yref="paper", x=0.01, y=0.99 - 0.07 * number, xanchor="left", yanchor="top", showarrow=False,
                           text=f"Not drawn: {html.escape(short_name(r.estimated_by))} ({_date(r.estimate_date)[:7]}) said supplies were far above the cap; no figure retrieved.",
                           font=dict(size=12, color="#222"), bgcolor="rgba(255,255,255,0.9)")
    fig.update_layout(title="Refined petroleum to North Korea: notified versus estimated", height=560, hovermode="closest",
                      yaxis=dict(type="log", title="barrels (log scale)", range=[2, math.log10(cap) + 0.9],
                                 tickvals=[100, 1000, 10_000, 100_000, 1_000_000], ticktext=["100", "1,000", "10,000", "100,000", "1,000,000"]),
                      xaxis=dict(type="date", title="period covered"), legend=dict(orientation="h", y=-0.22, font=dict(size=12)))
    table = pd.DataFrame({
        "estimate_id": rows.estimate_id, "who": rows.estimated_by, "vantage": [_style(v)[0] for v in rows.estimator_vantage],
        "period covered": [_period(s, e) for s, e in zip(rows.period_start, rows.period_end)],
        "figure as published": [reading(lo, hi, "barrels") if u == "barrels" else "claim, no figure retrieved" for lo, hi, u in zip(rows.quantity_low, rows.quantity_high, rows.unit)],
        "share of the annual cap": [f"{float(lo) / cap:.0%}" if not _missing(lo) else "–" for lo in rows.quantity_low],
        "method": rows.method, "note": rows.note,
    })
    osc = numeric[numeric.estimator_vantage == "independent"]
    return CourseFigure(
        figure=fig,
        alt=(f"Log-scale chart of refined petroleum delivered to North Korea. Russia's notifications to the UN stay well "
             f"below the dashed {cap:,.0f}-barrel annual cap and stop after January 2024; a US estimate for March 2024 "
             f"alone and an Open Source Centre estimate of {reading(osc.quantity_low.iloc[0], osc.quantity_high.iloc[0], 'barrels')} "
             "for March to November 2024 reach or exceed the cap." if not osc.empty else "Chart of refined petroleum against the UN cap."),
        caption=("Each bar spans the period a figure covers; the marker sits at its end. The cap (from the measures table) "
                 "applies to all suppliers together over a calendar year, so a figure for a few months that reaches it "
                 "already implies a breach. Notified figures are official; the others are estimates from imagery or "
                 "intelligence."),
        figure_id="oil-chart",
        table=table,
        tables=("transfers", "measures"),
        sources=tuple(dict.fromkeys(data.cited_sources(rows) + data.cited_sources(measure))),
        rows={"transfers": list(rows.estimate_id), "measures": list(measure.measure_id)},
    )


def is_rate(note) -> bool:
    """True when a row's note says the figure is a per-year rate rather than a total."""
    text = "" if _missing(note) else str(note).lower()
    return any(key in text for key in ("per-year", "per year", "annual"))


def payments_table(include_oil_volumes: bool = False) -> pd.DataFrame:
    """What Russia is said to give North Korea: claims, ranges and their assumptions, one row per estimate.

    Oil volumes (barrels) are left out unless asked for: :func:`oil_chart` shows them against the UN cap.
    """
    transfers = data.load("transfers")
    rows = transfers[transfers.direction == "to_dprk"]
    if not include_oil_volumes:
        rows = rows[~((rows.item == "refined_petroleum") & rows.unit.isin(["barrels", "reported"]))]
    rows = rows.assign(_order=rows.item.map({k: i for i, k in enumerate(PAYMENT_ORDER)})).sort_values(["_order", "estimate_date"], na_position="last")
    figure = [(_usd_reading(lo, hi) if unit == "usd" else reading(lo, hi, unit if unit != "reported" else ""))
              for lo, hi, unit in zip(rows.quantity_low, rows.quantity_high, rows.unit)]
    return pd.DataFrame({
        "estimate_id": rows.estimate_id.values,
        "what": [ITEM_LABELS.get(i, i) for i in rows.item],
        "figure as published": figure,
        "period": [_period(s, e) for s, e in zip(rows.period_start, rows.period_end)],
        "estimated by": rows.estimated_by.values,
        "vantage": [_style(v)[0] for v in rows.estimator_vantage],
        "published": [_date(d) for d in rows.estimate_date],
        "method and assumptions": rows.method.values,
        "note": rows.note.values,
    })


def payments_chart() -> CourseFigure:
    """Estimates in dollars (money, value of the exchange, technology, oil) and in tonnes (food), as ranges."""
    transfers = data.load("transfers")
    to_dprk = transfers[transfers.direction == "to_dprk"]
    usd = to_dprk[to_dprk.unit == "usd"].sort_values(["item", "estimate_id"])
    food = to_dprk[(to_dprk.item == "food") & (to_dprk.unit == "tonnes")].sort_values("estimate_id")
    fig = make_subplots(rows=2, cols=1, row_heights=[len(usd), len(food)], vertical_spacing=0.12,
                        subplot_titles=("In US dollars (log scale)", "Food, in tonnes (log scale)"))

    def labeller(frame):
        labels = []
        for r in frame.itertuples():
            per = " a year" if is_rate(r.note) else ""
            when = f"{pd.Timestamp(r.period_start).year}" if not _missing(r.period_start) and not _missing(r.period_end) and \
                pd.Timestamp(r.period_start).year == pd.Timestamp(r.period_end).year else ""
            labels.append(f"{ITEM_LABELS.get(r.item, r.item)}{per} · {short_name(r.estimated_by)}{' · ' + when if when else ''}")
        counts = pd.Series(labels).value_counts()
        return [f"{l} [{i}]" if counts[l] > 1 else l for l, i in zip(labels, frame.estimate_id)]

    def hover(r):
        return (f"<b>{html.escape(r.estimated_by)}</b> ({_style(r.estimator_vantage)[0]})<br>"
                f"{ITEM_LABELS.get(r.item, r.item)}: {_usd_reading(r.quantity_low, r.quantity_high) if r.unit == 'usd' else reading(r.quantity_low, r.quantity_high, r.unit)}<br>"
                f"Period: {_period(r.period_start, r.period_end)}; published {_date(r.estimate_date)}<br>"
                f"<i>Method and assumptions:</i> {_wrap(r.method)}<br><i>Note:</i> {_wrap(r.note)}")

    seen: set = set()
    for panel, frame in ((1, usd), (2, food)):
        labels = dict(zip(frame.estimate_id, labeller(frame)))
        _add_estimate_traces(fig, frame, x_values=lambda g: [labels[i] for i in g.estimate_id], low_col="quantity_low", high_col="quantity_high",
                             hover=hover, row=panel, col=1, log=True, span=ARROW_FACTOR_LOG, show_legend=seen, horizontal=True)
        ticks = [1e7, 3e7, 1e8, 3e8, 1e9, 3e9, 1e10, 3e10] if panel == 1 else [1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6]
        fig.update_xaxes(type="log", row=panel, col=1, tickvals=ticks,
                         ticktext=[(f"{t / 1e9:g}bn" if t >= 1e9 else f"{t / 1e6:g}M") if panel == 1 else f"{t:,.0f}" for t in ticks])
        fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(reversed(labels.values())), automargin=True, row=panel, col=1)
    _vantage_legend(fig, seen)
    _legend_note(fig, "arrow: 'more than' (a floor)", "arrow-right")
    fig.update_layout(title="What Russia is said to give North Korea, in dollars and tonnes", height=260 + 34 * (len(usd) + len(food)),
                      legend=dict(orientation="h", y=-0.12, font=dict(size=12)), margin=dict(l=20, r=20, t=80, b=40))
    shown = pd.concat([usd, food])
    table = payments_table().set_index("estimate_id").loc[list(shown.estimate_id)].reset_index()
    kida = usd[usd.estimate_id == "tv-kida-total"]
    return CourseFigure(
        figure=fig,
        alt=("Horizontal range chart. Dollar estimates span from tens of millions (pre-war oil trade values) through "
             "hundreds of millions a year (troop pay models) to billions (the value of arms deliveries"
             + (f", with KIDA's total at {_usd_reading(kida.quantity_low.iloc[0], kida.quantity_high.iloc[0])}" if not kida.empty else "")
             + "). Food figures range from about a thousand tonnes of flour to a claim of 700,000 tonnes of rice."),
        caption=("Each row is one published estimate. The dollar figures measure different things (a year's troop pay, "
                 "all arms since 2022, the whole exchange), so they are not alternatives for one quantity; hover for "
                 "each one's assumptions. Rows marked 'a year' are rates, the others totals over their period."),
        figure_id="payments-chart",
        table=table,
        tables=("transfers",),
        sources=tuple(data.cited_sources(shown)),
        rows={"transfers": list(shown.estimate_id)},
    )


def payments_claims() -> CourseFigure:
    """Who claims Russia gave what, and when: every wartime 'to North Korea' row on one timeline, figures or not."""
    transfers = data.load("transfers")
    rows = transfers[transfers.direction == "to_dprk"].copy()
    prewar = rows.period_end.notna() & (rows.period_end < WAR_START)
    context, rows = rows[prewar], rows[~prewar].copy()
    position = {item: len(PAYMENT_ORDER) - i for i, item in enumerate(PAYMENT_ORDER)}
    rows["y"] = rows.item.map(position).astype(float)
    # rows sharing an item and a date (or both undated) are spread a little so none hides another
    key = rows.estimate_date.dt.strftime("%Y-%m").fillna("undated")
    rank = rows.groupby([rows.item, key]).cumcount()
    size = rows.groupby([rows.item, key]).item.transform("size")
    rows["offset"] = (rank - (size - 1) / 2) * 0.22
    dated, undated = rows[rows.estimate_date.notna()], rows[rows.estimate_date.isna()]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.84, 0.16], horizontal_spacing=0.02,
                        subplot_titles=("", "date not stated"))
    seen: set = set()
    for col, frame in ((1, dated), (2, undated)):
        for vantage, group in frame.groupby("estimator_vantage", sort=False):
            label, colour, symbol = _style(vantage)
            hollow = group.unit.eq("reported")
            if col == 1:
                x, y = list(group.estimate_date.dt.strftime("%Y-%m-%d")), list(group.y + group.offset)
            else:
                x, y = list(group.offset * 2), list(group.y)
            fig.add_trace(go.Scatter(
                x=x, y=y, mode="markers", name=label, legendgroup=vantage, showlegend=False,
                marker=dict(symbol=[f"{symbol}-open" if h else symbol for h in hollow], size=13, color=colour, line=dict(width=1.5, color=colour)),
                hovertext=[f"<b>{html.escape(r.estimated_by)}</b> ({label})<br>{ITEM_LABELS[r.item]}: "
                           f"{_usd_reading(r.quantity_low, r.quantity_high) if r.unit == 'usd' else reading(r.quantity_low, r.quantity_high, '' if r.unit == 'reported' else r.unit)}<br>"
                           f"Published: {_date(r.estimate_date)}; period: {_period(r.period_start, r.period_end)}<br>"
                           f"<i>Method:</i> {_wrap(r.method)}<br><i>Note:</i> {_wrap(r.note)}" for r in group.itertuples()],
                hoverinfo="text"), row=1, col=col)
            seen.add(vantage)
    _vantage_legend(fig, seen)
    _legend_note(fig, "hollow marker: a claim with no figure", "circle-open")
    fig.update_yaxes(tickvals=list(position.values()), ticktext=[ITEM_LABELS[i] for i in position], range=[0.4, len(PAYMENT_ORDER) + 0.6],
                     automargin=True, zeroline=False)
    fig.update_xaxes(type="date", row=1, col=1, title_text="date the claim or estimate was published")
    fig.update_xaxes(range=[-1.2, 1.2], showticklabels=False, zeroline=False, row=1, col=2)
    fig.update_layout(title="What Russia is said to have given since 2022, by whom and when", height=560,
                      legend=dict(orientation="h", y=-0.22, font=dict(size=12)), margin=dict(l=20, r=20, t=70, b=40))
    table = payments_table(include_oil_volumes=True)
    qualitative = int(rows.unit.eq("reported").sum())
    return CourseFigure(
        figure=fig,
        alt=(f"Timeline with one row per kind of payment, from air defence to money and oil. Each marker is a published "
             f"claim or estimate; {qualitative} of the {len(rows)} shown carry no figure. Technology and air-defence claims "
             "come from South Korean, Ukrainian and multilateral sources from late 2023 on; oil figures from Russia's own "
             "notifications and from US and independent estimates."),
        caption=("Every estimate or claim since 2022 that something went from Russia to North Korea, placed by the date it "
                 "was published. Hollow markers are claims without a number (mostly intelligence assessments); undated "
                 f"claims are set apart on the right. {len(context)} pre-war rows (earlier aid, notifications and trade "
                 "values) are in the table below but not on the timeline."),
        figure_id="payments-claims",
        table=table,
        tables=("transfers",),
        sources=tuple(data.cited_sources(rows)),
        rows={"transfers": list(rows.estimate_id)},
    )


# ---------------------------------------------------------------------------------------------
# The exchange calculator
# ---------------------------------------------------------------------------------------------

class ExchangeInputError(ValueError):
    """An assumption given to the exchange calculator is missing, not a number, or outside what makes sense."""


#: name -> (smallest, largest, what it means). The upper limits are sanity guards, not facts: far beyond any published figure.
LIMITS = {
    "containers": (0, 1_000_000, "number of shipping containers"),
    "rounds_per_container": (0, 5_000, "rounds (shells or rockets) in one container"),
    "price_per_round_usd": (0, 1_000_000, "price of one round, in US dollars"),
    "shell_share": (0, 1, "share of containers that hold shells or rockets (0 to 1)"),
    "barrels": (0, 100_000_000, "barrels of refined petroleum"),
    "oil_price_usd": (0, 10_000, "price of one barrel of oil products, in US dollars"),
}


def _validated(name: str, value) -> float:
    low, high, meaning = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, (Real, np.number)):
        try:
            value = float(str(value).replace(",", "").strip())
        except (TypeError, ValueError):
            raise ExchangeInputError(f"{name} ({meaning}) must be a number; got {value!r}.") from None
    value = float(value)
    if math.isnan(value):
        raise ExchangeInputError(f"{name} ({meaning}) is empty or not a number (NaN). Enter a value.")
    if math.isinf(value):
        raise ExchangeInputError(f"{name} ({meaning}) cannot be infinite. Enter a finite value.")
    if value < low:
        raise ExchangeInputError(f"{name} ({meaning}) cannot be negative; got {value:,g}.")
    if name == "shell_share" and value > high:
        hint = f" Did you mean {value / 100:g} (that is, {value:g}%)?" if value <= 100 else ""
        raise ExchangeInputError(f"shell_share is a share between 0 and 1 (0.5 means half of the containers hold shells); got {value:,g}.{hint}")
    if value > high:
        raise ExchangeInputError(
            f"{name} = {value:,g} is beyond what this calculator accepts (at most {high:,g} {meaning}). "
            "That is far outside every published figure: check the number of zeros.")
    return value


@dataclass(frozen=True)
class ExchangeResult:
    """What the calculator works out from the learner's assumptions (all money in US dollars)."""

    containers: float
    rounds_per_container: float
    price_per_round_usd: float
    shell_share: float
    barrels: float
    oil_price_usd: float
    implied_rounds: float
    value_of_rounds_usd: float
    value_of_oil_usd: float
    oil_share_of_cap: float
    #: each published shell/round estimate, and whether the implied number is below, within or above it
    rounds_vs_published: pd.DataFrame = field(repr=False, compare=False)
    #: each published dollar value of the arms, and the price per round it would imply with this many rounds
    value_vs_published: pd.DataFrame = field(repr=False, compare=False)

    def summary(self) -> str:
        rel = self.rounds_vs_published.relation.value_counts()
        return (
            f"{self.containers:,.0f} containers × {self.shell_share:.0%} holding shells × {self.rounds_per_container:,.0f} rounds each "
            f"= {self.implied_rounds:,.0f} rounds, worth {_usd(self.value_of_rounds_usd)} at {_usd(self.price_per_round_usd)} a round. "
            f"Against the published shell estimates: below {rel.get('below', 0)}, consistent with {rel.get('consistent', 0)}, "
            f"above {rel.get('above', 0)}. Oil: {self.barrels:,.0f} barrels × {_usd(self.oil_price_usd)} = {_usd(self.value_of_oil_usd)} "
            f"({self.oil_share_of_cap:.0%} of the UN annual cap)."
        )


def _relation(value: float, low, high) -> str:
    kind = bound_kind(low, high)
    if kind == "floor":
        return "consistent" if value >= float(low) else "below"
    if kind == "ceiling":
        return "consistent" if value <= float(high) else "above"
    if kind == "none":
        return "no figure"
    if value < float(low):
        return "below"
    if value > float(high):
        return "above"
    return "consistent"


@lru_cache(maxsize=1)
def _published_rounds() -> pd.DataFrame:
    rows = ladder_rows()
    return rows[rows.panel == "shells or rounds"][["estimate_id", "estimated_by", "estimator_vantage", "estimate_date", "quantity_low", "quantity_high", "unit", "method_class", "note"]].reset_index(drop=True)


#: dollar estimates of what the arms were worth to North Korea (transfers rows)
ARMS_VALUE_ROWS = ("tv-kida-munitions", "tv-naumann-arms", "tv-rok-2023")


@lru_cache(maxsize=1)
def _published_values() -> pd.DataFrame:
    transfers = data.load("transfers").set_index("estimate_id")
    present = [i for i in ARMS_VALUE_ROWS if i in transfers.index]
    return transfers.loc[present, ["estimated_by", "estimator_vantage", "estimate_date", "quantity_low", "quantity_high", "period_start", "period_end", "method", "note"]].reset_index()


def implied_rounds(containers, rounds_per_container, shell_share=1.0) -> float:
    """containers × shell_share × rounds_per_container, after the same checks as :func:`exchange_model`."""
    return _validated("containers", containers) * _validated("shell_share", shell_share) * _validated("rounds_per_container", rounds_per_container)


def exchange_model(containers, rounds_per_container, price_per_round_usd, shell_share, barrels, oil_price_usd) -> ExchangeResult:
    """Implied rounds and values from six assumptions, compared with what has been published.

    implied rounds = containers × shell_share × rounds_per_container; value of rounds = implied rounds × price per
    round; value of oil = barrels × oil price. Raises :class:`ExchangeInputError` (a ``ValueError``) with a message a
    learner can act on when an input is not a number, is negative, or is absurdly large.
    """
    values = {name: _validated(name, value) for name, value in dict(
        containers=containers, rounds_per_container=rounds_per_container, price_per_round_usd=price_per_round_usd,
        shell_share=shell_share, barrels=barrels, oil_price_usd=oil_price_usd).items()}
    implied = implied_rounds(values["containers"], values["rounds_per_container"], values["shell_share"])
    value_rounds = implied * values["price_per_round_usd"]
    value_oil = values["barrels"] * values["oil_price_usd"]
    published = _published_rounds().copy()
    published["relation"] = [_relation(implied, lo, hi) for lo, hi in zip(published.quantity_low, published.quantity_high)]
    worth = _published_values().copy()
    worth["relation"] = [_relation(value_rounds, lo, hi) for lo, hi in zip(worth.quantity_low, worth.quantity_high)]
    with np.errstate(divide="ignore", invalid="ignore"):
        worth["implied_price_low_usd"] = [float(v) / implied if implied > 0 and not _missing(v) else float("nan") for v in worth.quantity_low]
        worth["implied_price_high_usd"] = [float(v) / implied if implied > 0 and not _missing(v) else float("nan") for v in worth.quantity_high]
    return ExchangeResult(
        **values, implied_rounds=implied, value_of_rounds_usd=value_rounds, value_of_oil_usd=value_oil,
        oil_share_of_cap=values["barrels"] / refined_petroleum_cap(), rounds_vs_published=published, value_vs_published=worth,
    )


@dataclass(frozen=True)
class Assumption:
    name: str
    value: float
    label: str
    basis: str
    from_data: bool
    rows: tuple[str, ...] = ()


def _row(table: str, key: str, row_id: str) -> pd.Series:
    frame = data.load(table).set_index(key)
    if row_id not in frame.index:
        raise data.DataError(f"The exchange calculator needs row {row_id!r} of {table}.csv, which is missing.")
    return frame.loc[row_id]


def oil_unit_values() -> pd.DataFrame:
    """Pre-war value per barrel of Russian oil products: Kharon's trade value ÷ Russia's UN notification, same year."""
    out = []
    for year, value_id, volume_id in ((2018, "rp-kharon-2018-value", "rp-rus-notif-2018"), (2019, "rp-kharon-2019-value", "rp-rus-notif-2019")):
        value, volume = _row("transfers", "estimate_id", value_id), _row("transfers", "estimate_id", volume_id)
        out.append({"year": year, "value_usd": float(value.quantity_low), "barrels": float(volume.quantity_low),
                    "usd_per_barrel": float(value.quantity_low) / float(volume.quantity_low), "rows": (value_id, volume_id)})
    return pd.DataFrame(out)


def default_assumptions() -> dict[str, Assumption]:
    """The calculator's starting values, each traced to data rows or labelled plainly as an assumption."""
    containers = _row("transfers", "estimate_id", "arms-est-010")
    capacity = _row("transfers", "estimate_id", "arms-est-011")
    price = _row("price_benchmarks", "benchmark_id", "shell-cost-rus-152mm-2024")
    osc = _row("transfers", "estimate_id", "rp-osc-2024")
    oil = oil_unit_values().iloc[-1]
    return {
        "containers": Assumption("containers", float(containers.quantity_low),
                                 "South Korea's defence ministry, February 2024 (about 6,700 containers)",
                                 "Published estimate (arms-est-010).", True, ("arms-est-010",)),
        "rounds_per_container": Assumption("rounds_per_container", float(capacity.quantity_high) / float(containers.quantity_low),
                                           "the same ministry's larger-calibre reading: 3,000,000 rounds ÷ 6,700 containers",
                                           "Computed from two published figures (arms-est-011 ÷ arms-est-010).", True, ("arms-est-011", "arms-est-010")),
        "shell_share": Assumption("shell_share", 1.0, "every container holds shells (the ministry's conversion assumes this)",
                                  "ASSUMPTION: nobody has published what share of containers held shells.", False),
        "price_per_round_usd": Assumption("price_per_round_usd", float(price.value),
                                          "reported Russian production cost of a 152mm shell (Bain & Company via Sky News)",
                                          "ASSUMPTION built on a benchmark: a production cost in Russia, not the price Russia pays North Korea; "
                                          "no such price has been published.", False, ("shell-cost-rus-152mm-2024",)),
        "barrels": Assumption("barrels", float(osc.quantity_low), "Open Source Centre: more than a million barrels, March-November 2024",
                              "Published estimate (a floor; rp-osc-2024).", True, ("rp-osc-2024",)),
        "oil_price_usd": Assumption("oil_price_usd", float(oil.usd_per_barrel),
                                    f"pre-war value per barrel, {int(oil.year)}: Kharon's trade value ÷ Russia's UN notification",
                                    "ASSUMPTION built on data: two different sources divided, for a year before the war.", False, tuple(oil.rows)),
    }


def assumptions_table() -> pd.DataFrame:
    """The calculator's starting values, where each comes from, and which are assumptions rather than data."""
    return pd.DataFrame([{
        "input": a.name, "starting value": round(a.value, 2), "what it is": a.label,
        "kind": "from published data" if a.from_data else "assumption", "basis": a.basis, "rows": ", ".join(a.rows) or "–",
    } for a in default_assumptions().values()])


def default_inputs() -> dict[str, float]:
    return {name: a.value for name, a in default_assumptions().items()}


def shell_price_benchmarks() -> pd.DataFrame:
    return data.load("price_benchmarks").query("item == 'artillery_shell' and unit == 'usd_per_round'").sort_values("value").reset_index(drop=True)


# ---- the figure the calculator updates -----------------------------------------------------

def _reference_rows() -> tuple[pd.DataFrame, pd.DataFrame]:
    rounds = _published_rounds().sort_values(["estimate_date", "estimate_id"], na_position="last").reset_index(drop=True)
    rounds["label"] = [f"{_date(d)[:7] if not _missing(d) else 'undated'} · {by.split(' (')[0][:40]}" for d, by in zip(rounds.estimate_date, rounds.estimated_by)]
    rounds["label"] = [f"{l} [{i[-3:]}]" if dup else l for l, i, dup in zip(rounds.label, rounds.estimate_id, rounds.label.duplicated(keep=False))]
    values = _published_values().copy()
    values["label"] = [f"{by.split(' (')[0][:40]}" for by in values.estimated_by]
    return rounds, values


def _calculator_base(title: str) -> tuple[go.Figure, dict[str, int]]:
    """Published references (fixed) plus placeholder traces for the learner's implied numbers. Returns trace indices."""
    rounds, values = _reference_rows()
    fig = make_subplots(rows=2, cols=1, row_heights=[len(rounds) + 2, len(values) + 3], vertical_spacing=0.1,
                        subplot_titles=("Implied rounds against published shell and round estimates", "Implied value against published dollar values of the arms"))
    seen: set = set()
    _add_estimate_traces(fig, rounds, x_values=lambda g: list(g.label), low_col="quantity_low", high_col="quantity_high",
                         hover=lambda r: f"<b>{html.escape(r.estimated_by)}</b><br>{reading(r.quantity_low, r.quantity_high, r.unit)}<br><i>Method:</i> {r.method_class}",
                         row=1, col=1, log=True, span=ARROW_FACTOR_LOG, show_legend=seen, horizontal=True)
    _add_estimate_traces(fig, values, x_values=lambda g: list(g.label), low_col="quantity_low", high_col="quantity_high",
                         hover=lambda r: f"<b>{html.escape(r.estimated_by)}</b><br>{_usd_reading(r.quantity_low, r.quantity_high)}<br>Period: {_period(r.period_start, r.period_end)}<br><i>Method:</i> {_wrap(r.method)}",
                         row=2, col=1, log=True, span=ARROW_FACTOR_LOG, show_legend=seen, horizontal=True)
    labels_r, labels_v = list(rounds.label), list(values.label)
    index = {}
    index["rounds"] = len(fig.data)
    fig.add_trace(go.Scatter(x=[None, None], y=[labels_r[0], labels_r[-1]], mode="lines+text", name="your implied number",
                             line=dict(color=PALETTE["black"], width=3, dash="dot"), text=["", ""], textposition="top right",
                             hoverinfo="x"), row=1, col=1)
    index["value"] = len(fig.data)
    fig.add_trace(go.Scatter(x=[None] * 5, y=[labels_v[0], labels_v[0], labels_v[-1], labels_v[-1], labels_v[0]], mode="lines+text",
                             name="your implied value", fill="toself", fillcolor="rgba(0,0,0,0.12)",
                             line=dict(color=PALETTE["black"], width=2, dash="dot"), text=[""] * 5, textposition="top right",
                             hoverinfo="x"), row=2, col=1)
    round_ticks = [50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000]
    usd_ticks = [1e8, 2e8, 5e8, 1e9, 2e9, 5e9, 1e10, 2e10, 5e10]
    fig.update_xaxes(type="log", row=1, col=1, title_text="rounds (log scale)", range=[4.5, 7.6],
                     tickvals=round_ticks, ticktext=[f"{t / 1e6:g}M" if t >= 1e6 else f"{t / 1e3:g}k" for t in round_ticks])
    fig.update_xaxes(type="log", row=2, col=1, title_text="US dollars (log scale)", range=[7.5, 11.0],
                     tickvals=usd_ticks, ticktext=[f"{t / 1e9:g}bn" if t >= 1e9 else f"{t / 1e6:g}M" for t in usd_ticks])
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(reversed(labels_r)), automargin=True, row=1, col=1)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(reversed(labels_v)), automargin=True, row=2, col=1)
    fig.update_layout(title=title, height=320 + 26 * (len(rounds) + len(values)), hovermode="closest",
                      legend=dict(orientation="h", y=-0.08, font=dict(size=12)), margin=dict(l=20, r=30, t=90, b=40))
    _vantage_legend(fig, seen)
    return fig, index


def _implied_update(result: "ExchangeResult | float", price_low: float | None = None, price_high: float | None = None) -> dict:
    """x and text for the two 'implied' traces: a vertical line at the implied rounds, and a value line or band."""
    r = result if isinstance(result, float) else result.implied_rounds
    if price_low is not None and price_high is not None:
        v_low, v_high = max(r * price_low, 1), max(r * price_high, 1)
        value_text = [f"{_usd(v_low)} to {_usd(v_high)}", "", "", "", ""]
    else:
        v_low = v_high = max(result.value_of_rounds_usd, 1)
        value_text = [_usd(result.value_of_rounds_usd), "", "", "", ""]
    value_x = [v_low, v_high, v_high, v_low, v_low]
    return {"rounds_x": [max(r, 1), max(r, 1)], "rounds_text": ["", f"{r:,.0f} rounds"], "value_x": value_x, "value_text": value_text}


def calculator_figure(result: ExchangeResult) -> go.Figure:
    """The calculator's figure for one set of assumptions (used by the JupyterLab widget)."""
    fig, index = _calculator_base("Your assumptions against the published estimates")
    update = _implied_update(result)
    fig.data[index["rounds"]].update(x=update["rounds_x"], text=update["rounds_text"])
    value_trace = fig.data[index["value"]]
    value_trace.update(x=update["value_x"], text=update["value_text"])
    return fig


def conversion_options() -> list[dict]:
    """Rounds-per-container values implied by published estimates, for the calculator's presets."""
    options = []
    for r in implied_conversions().itertuples():
        options.append({"value": r.rounds_per_container, "rows": (r.rounds_estimate_id, r.containers_estimate_id),
                        "label": f"{r.rounds_per_container:,.0f} per container: {r.estimated_by.split(' (')[0]}, {_date(r.published)[:7]} ({r.end} end)"})
    return sorted(options, key=lambda o: o["value"])


def container_options() -> list[dict]:
    """Published container counts (one option per distinct number), for the calculator's presets."""
    rows = ladder_rows()
    rows = rows[rows.panel == "containers"].dropna(subset=["quantity_low"])
    options = []
    for count, group in rows.groupby("quantity_low"):
        who = "; ".join(f"{r.estimated_by.split(' (')[0]} {_date(r.estimate_date)[:7]}" for r in group.itertuples())
        options.append({"value": float(count), "rows": tuple(group.estimate_id), "label": f"{count:,.0f} ({who})"})
    return options


def calculator_static() -> CourseFigure:
    """The calculator for the book: a dropdown (rounds per container) and a slider (containers), precomputed.

    Shell share is fixed at 1 (every container holds shells, the reading the published conversions use); the value is
    shown as a band between the two published production-cost benchmarks. The full calculator (share, price, oil)
    runs in JupyterLab with :func:`calculator_widget`.
    """
    fig, index = _calculator_base("Explore: containers × rounds per container, against what was published")
    containers = container_options()
    conversions = conversion_options()
    benchmarks = shell_price_benchmarks()
    p_low, p_high = float(benchmarks.value.min()), float(benchmarks.value.max())
    defaults = default_inputs()
    default_conv = min(range(len(conversions)), key=lambda i: abs(conversions[i]["value"] - defaults["rounds_per_container"]))
    default_count = min(range(len(containers)), key=lambda i: abs(containers[i]["value"] - defaults["containers"]))
    traces = [index["rounds"], index["value"]]

    def state(count: float, per: float) -> dict:
        rounds = implied_rounds(count, per, 1.0)
        u = _implied_update(rounds, p_low, p_high)
        return {"x": [u["rounds_x"], u["value_x"]], "text": [u["rounds_text"], u["value_text"]]}

    def steps_for(conv: dict) -> list[dict]:
        return [dict(method="restyle", label=f"{c['value']:,.0f}", args=[state(c["value"], conv["value"]), traces]) for c in containers]

    start = state(containers[default_count]["value"], conversions[default_conv]["value"])
    fig.data[index["rounds"]].update(x=start["x"][0], text=start["text"][0])
    fig.data[index["value"]].update(x=start["x"][1], text=start["text"][1])
    fig.update_layout(
        sliders=[dict(active=default_count, steps=steps_for(conversions[default_conv]), x=0.0, len=1.0, y=-0.06, yanchor="top", pad=dict(t=30, b=10),
                      currentvalue=dict(prefix="Containers (a published count): ", font=dict(size=13)))],
        updatemenus=[dict(
            type="dropdown", direction="down", x=0.0, xanchor="left", y=1.04, yanchor="bottom", showactive=True, active=default_conv,
            buttons=[dict(method="update", label=conv["label"][:90],
                          args=[state(containers[default_count]["value"], conv["value"]),
                                {"sliders[0].steps": steps_for(conv), "sliders[0].active": default_count}, traces])
                     for conv in conversions])],
    )
    fig.update_layout(margin=dict(t=150, b=80), legend=dict(y=-0.26, yanchor="top"), height=fig.layout.height + 160,
)
    fig.add_annotation(xref="paper", yref="paper", x=-0.01, y=1.055, xanchor="right", yanchor="middle", showarrow=False,
                       text="<b>Rounds per container</b> (pick one):", font=dict(size=13))
    rounds, values = _reference_rows()
    grid = pd.DataFrame([{"containers": c["value"], "rounds per container": round(v["value"], 1),
                          "implied rounds": round(c["value"] * v["value"]),
                          f"value at USD {p_low:,.0f} a round": round(c["value"] * v["value"] * p_low),
                          f"value at USD {p_high:,.0f} a round": round(c["value"] * v["value"] * p_high)}
                         for v in conversions for c in containers])
    rows_used = sorted({i for c in containers for i in c["rows"]} | {i for v in conversions for i in v["rows"]} | set(rounds.estimate_id) | set(values.estimate_id))
    transfers = data.load("transfers").set_index("estimate_id").loc[rows_used].reset_index()
    return CourseFigure(
        figure=fig,
        alt=("Interactive chart with a dropdown of published rounds-per-container assumptions and a slider of published "
             "container counts. A dotted line marks the implied number of rounds against every published shell estimate, "
             "and a second dotted band the implied value against published dollar values of the arms."),
        caption=("Choose a rounds-per-container assumption (each one recovered from a published estimate) and move the "
                 "slider through the published container counts. The upper panel shows where containers × rounds per "
                 "container lands among the published shell estimates; the lower panel prices those rounds between two "
                 f"published production-cost benchmarks (USD {p_low:,.0f} and {p_high:,.0f} a shell) - benchmarks, not "
                 "the price Russia pays. Every container is assumed to hold shells here; the JupyterLab version lets you change that."),
        figure_id="calculator-static",
        table=grid,
        tables=("transfers", "price_benchmarks"),
        sources=tuple(dict.fromkeys(data.cited_sources(transfers) + data.cited_sources(benchmarks))),
        rows={"transfers": rows_used, "price_benchmarks": list(benchmarks.benchmark_id)},
    )


def calculator_widget():
    """The exchange calculator for JupyterLab: type or pick assumptions, see the implied volumes and values.

    Thin by design: it collects values, calls :func:`exchange_model`, and redraws one figure. Bad input shows the
    model's message instead of a traceback.
    """
    import ipywidgets as widgets
    from IPython.display import clear_output, display

    defaults = default_assumptions()
    style = {"description_width": "230px"}
    layout = widgets.Layout(width="480px")
    boxes = {
        "containers": widgets.FloatText(value=defaults["containers"].value, description="Containers", style=style, layout=layout),
        "rounds_per_container": widgets.FloatText(value=defaults["rounds_per_container"].value, description="Rounds per container", style=style, layout=layout),
        "shell_share": widgets.FloatText(value=defaults["shell_share"].value, description="Share holding shells (0–1)", style=style, layout=layout, step=0.05),
        "price_per_round_usd": widgets.FloatText(value=defaults["price_per_round_usd"].value, description="Price per round, USD (assumption)", style=style, layout=layout),
        "barrels": widgets.FloatText(value=defaults["barrels"].value, description="Barrels of oil products", style=style, layout=layout),
        "oil_price_usd": widgets.FloatText(value=defaults["oil_price_usd"].value, description="Oil price per barrel, USD (assumption)", style=style, layout=layout),
    }
    container_pick = widgets.Dropdown(options=[("— pick a published count —", None)] + [(o["label"][:80], o["value"]) for o in container_options()],
                                      description="Published counts", style=style, layout=widgets.Layout(width="720px"))
    conversion_pick = widgets.Dropdown(options=[("— pick a published conversion —", None)] + [(o["label"][:80], o["value"]) for o in conversion_options()],
                                       description="Published conversions", style=style, layout=widgets.Layout(width="720px"))
    price_pick = widgets.Dropdown(options=[("— pick a benchmark —", None)] + [(f"USD {r.value:,.0f}: {r.note[:60]}…", float(r.value)) for r in shell_price_benchmarks().itertuples()],
                                  description="Price benchmarks", style=style, layout=widgets.Layout(width="720px"))
    provenance = widgets.HTML("<ul>" + "".join(
        f"<li><b>{html.escape(a.name)}</b> = {a.value:,.2f}: {html.escape(a.label)}. <i>{html.escape(a.basis)}</i></li>" for a in defaults.values()) + "</ul>")
    message = widgets.HTML()
    output = widgets.Output()

    def redraw(_change=None):
        values = {name: box.value for name, box in boxes.items()}
        try:
            result = exchange_model(**values)
        except ExchangeInputError as error:
            message.value = f'<p role="alert" style="color:#8a1c00"><b>Check your input:</b> {html.escape(str(error))}</p>'
            return
        message.value = f"<p>{html.escape(result.summary())}</p>"
        with output:
            clear_output(wait=True)
            # plotly's own mimetype: JupyterLab draws it natively, and no copy of plotly.js is pushed to the page
            display({"application/vnd.plotly.v1+json": calculator_figure(result).to_plotly_json(), "text/plain": result.summary()}, raw=True)

    def pick(box):
        def apply(change):
            if change["new"] is not None:
                box.value = round(change["new"], 2)
        return apply

    container_pick.observe(pick(boxes["containers"]), names="value")
    conversion_pick.observe(pick(boxes["rounds_per_container"]), names="value")
    price_pick.observe(pick(boxes["price_per_round_usd"]), names="value")
    for box in boxes.values():
        box.observe(redraw, names="value")
    redraw()
    explorer = widgets.VBox([
        widgets.HTML("<p><b>Starting values and where they come from</b> (values marked ASSUMPTION are not facts):</p>"), provenance,
        container_pick, conversion_pick, price_pick, *boxes.values(), message, output,
    ])
    explorer.inputs, explorer.message = boxes, message  # handles for tests and for learners who script the explorer
    return explorer


# ---------------------------------------------------------------------------------------------
# Exercises checked with partnership.check
# ---------------------------------------------------------------------------------------------

def _per_container_larger_calibre() -> float:
    return float(_row("transfers", "estimate_id", "arms-est-011").quantity_high) / float(_row("transfers", "estimate_id", "arms-est-010").quantity_low)


def _container_growth() -> float:
    rows = ladder_rows()
    containers = rows[(rows.panel == "containers")].dropna(subset=["estimate_date", "quantity_low"]).sort_values("estimate_date")
    return float(containers.quantity_low.iloc[-1]) / float(containers.quantity_low.iloc[0])


def _osc_cap_multiple() -> float:
    return float(_row("transfers", "estimate_id", "rp-osc-2024").quantity_low) / refined_petroleum_cap()


def _kida_price_on_osc_high() -> float:
    return float(_row("transfers", "estimate_id", "tv-kida-munitions").quantity_low) / float(_row("transfers", "estimate_id", "arms-est-036").quantity_high)


EXERCISES = {
    "ex-02-per-container": Exercise(
        prompt="How many rounds per container does South Korea's defence ministry's February 2024 larger-calibre reading assume?",
        expected=_per_container_larger_calibre, tolerance=0.01,
        hint="Divide the upper end of the ministry's February 2024 rounds range by its container count from the same day.",
    ),
    "ex-02-container-growth": Exercise(
        prompt="How many times larger is the most recent published container count than the first one?",
        expected=_container_growth, tolerance=0.01,
        hint="Sort the container estimates by publication date and divide the last figure by the first.",
    ),
    "ex-03-cap-multiple": Exercise(
        prompt="The Open Source Centre's floor for March-November 2024 is how many times the UN annual cap?",
        expected=_osc_cap_multiple, tolerance=0.01,
        hint="Divide the OSC figure (barrels) by the cap in the measures table (resolution 2397).",
    ),
    "ex-03-breakeven-price": Exercise(
        prompt="What price per round would make KIDA's munitions valuation match the Open Source Centre's upper figure for rounds?",
        expected=_kida_price_on_osc_high, tolerance=0.02,
        hint="Divide KIDA's munitions figure (USD) by the upper end of the OSC range of rounds; or read implied_price_low_usd from exchange_model.",
    ),
}
