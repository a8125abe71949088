"""Regional and global implications: the Korean peninsula and Japan, Ukraine and Europe, China.

Figures for chapters 06–08. Every function reads the data package and returns a
:class:`~partnership.figures.CourseFigure` (or a plain DataFrame for the pure helpers), so the notebooks only
call them. Estimates are never averaged: where sources disagree, each published figure is drawn on its own.

The regional explorer has three parts, as the course's interactivity rule asks:

* :func:`explorer_state` — the pure model: for a layer (routes, ranges, deployments, trade partners) and a
  period it returns the map features to draw, or raises :class:`ExplorerError` with a message a student can read;
* :func:`regional_explorer_widget` — a thin ipywidgets front end for JupyterLab;
* :func:`regional_explorer_static` — the same states precomputed into one plotly figure with a layer menu and a
  period slider, which works in the static book without a kernel.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import data
from .check import Exercise
from .figures import PALETTE, PLOTLY_MIMETYPE, SYMBOLS, CourseFigure, figure_bundle
from .geography import MODE_STYLE
from .maps import GEOD, region_map


class RegionalError(ValueError):
    """A regional figure or helper was asked for something the data cannot give."""


class ExplorerError(RegionalError):
    """The explorer was asked for a layer or period it does not have."""


# ---------------------------------------------------------------------------------------------
# Shared styles and small helpers
# ---------------------------------------------------------------------------------------------

#: Colour and marker per estimator vantage, so a legend never relies on colour alone.
VANTAGE_STYLE = {
    "ROK": (PALETTE["blue"], "circle"),
    "Ukraine": (PALETTE["orange"], "square"),
    "US": (PALETTE["green"], "diamond"),
    "multilateral": (PALETTE["purple"], "star"),
    "UK": (PALETTE["sky_blue"], "x"),
    "Russia": (PALETTE["vermillion"], "cross"),
    "DPRK": (PALETTE["black"], "hexagon"),
    "Japan": (PALETTE["yellow"], "pentagon"),
    "independent": (PALETTE["grey"], "triangle-up"),
    "unattributed": (PALETTE["grey"], "triangle-down"),
}

#: How each actor code in statements.csv is shown: by capital, since the course asks what changes for each.
ACTOR_LABELS = {
    "KOR": "Seoul (South Korea)",
    "JPN": "Tokyo (Japan)",
    "UKR": "Kyiv (Ukraine)",
    "EU": "Brussels (EU)",
    "G7": "G7 and partners",
    "CHN": "Beijing (China)",
    "USA": "Washington (US)",
    "RUS": "Moscow (Russia)",
    "PRK": "Pyongyang (DPRK)",
    "ANALYST": "Analysts",
}

TOPIC_SYMBOLS = {
    "treaty": "diamond",
    "troops": "square",
    "arms_transfers": "circle",
    "sanctions": "x",
    "un_veto": "cross",
    "regional_security": "triangle-up",
    "axis_debate": "star",
    "diplomacy": "hexagon",
}


@lru_cache(maxsize=1)
def _countries():
    return data.load("countries_eurasia_50m")


def _text(value) -> str:
    """A cell as text: missing values (None, NaN, pd.NA) become ''."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _wrap(text, width: int = 60) -> str:
    """Break hover text into lines (plotly does not wrap)."""
    words, lines, line = _text(text).split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return "<br>".join(html.escape(part) for part in lines)


def _fmt(value) -> str:
    if value is None or pd.isna(value):
        return ""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() or value >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")


def _range_text(low, high, unit: str = "") -> str:
    """'1,000–3,000', 'at least 3,000', 'up to 4,800,000' or '' — never a midpoint."""
    suffix = f" {unit}" if unit else ""
    if pd.notna(low) and pd.notna(high):
        return (f"{_fmt(low)}{suffix}" if float(low) == float(high) else f"{_fmt(low)}–{_fmt(high)}{suffix}")
    if pd.notna(low):
        return f"at least {_fmt(low)}{suffix}"
    if pd.notna(high):
        return f"up to {_fmt(high)}{suffix}"
    return ""


def _dates(values) -> list:
    """Dates as ISO strings for plotly: datetime64 arrays do not survive the kernel's JSON encoder."""
    return [None if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d") for v in values]


def _date_text(value) -> str:
    return "date not given" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%d %b %Y").lstrip("0")


def _places() -> pd.DataFrame:
    return data.load("places").set_index("place_id")


def _short_place(name: str) -> str:
    return str(name).split(" (")[0]


# ---------------------------------------------------------------------------------------------
# Chapter 06 — the Korean peninsula and Japan
# ---------------------------------------------------------------------------------------------

UNIT_LABELS = {"launch_events": "launch occasions", "missiles": "missiles counted one by one"}
UNIT_DASH = {"launch_events": "solid", "missiles": "dash"}


def tracker_counts(year: int | None = None) -> pd.DataFrame:
    """Launch counts by tracker (and, if given, for one year), with what each tracker counts."""
    launches = data.load("launches")
    if year is not None:
        launches = launches[launches.year == year]
        if launches.empty:
            years = sorted(data.load("launches").year.unique())
            raise RegionalError(f"No tracker count for {year}. Years with counts: {', '.join(map(str, years))}.")
    table = launches.assign(what=launches.count_unit.map(UNIT_LABELS))
    return table[["row_id", "year", "tracker", "count", "what", "definition", "source_ids", "note"]].sort_values(["year", "tracker", "what"]).reset_index(drop=True)


def launches_by_tracker() -> CourseFigure:
    """DPRK missile launches per year as each tracker counts them: occasions (solid) and missiles (dashed)."""
    launches = data.load("launches")
    years = list(range(int(launches.year.min()), int(launches.year.max()) + 1))
    fig = go.Figure()
    trackers = list(dict.fromkeys(launches.sort_values("year").tracker))
    colours = [PALETTE[k] for k in ("blue", "vermillion", "green", "orange", "purple", "sky_blue", "black")]
    for number, tracker in enumerate(trackers):
        for unit in ("launch_events", "missiles"):
            rows = launches[(launches.tracker == tracker) & (launches.count_unit == unit)].set_index("year")
            if rows.empty:
                continue
            series = rows["count"].astype(float).reindex(years)  # missing years break the line instead of bridging it
            hover = [
                f"<b>{html.escape(tracker)}</b><br>{year}: {int(rows.loc[year, 'count'])} {UNIT_LABELS[unit]}<br>{_wrap(rows.loc[year, 'note'])}"
                if year in rows.index else "" for year in years
            ]
            fig.add_trace(go.Scatter(
                x=years, y=series, mode="lines+markers", name=f"{tracker}: {UNIT_LABELS[unit]}",
                line=dict(color=colours[number % len(colours)], dash=UNIT_DASH[unit], width=2),
                marker=dict(symbol=SYMBOLS[number % len(SYMBOLS)], size=9, color=colours[number % len(colours)]),
                hovertext=hover, hoverinfo="text",
            ))
    fig.update_layout(
        title="North Korean missile launches per year, as different trackers count them",
        xaxis=dict(title="year", dtick=1), yaxis=dict(title="count", rangemode="tozero"),
        height=560, legend=dict(orientation="h", y=-0.25, font=dict(size=12)), margin=dict(b=190),
    )
    table = tracker_counts()[["year", "tracker", "count", "what", "definition"]]
    return CourseFigure(
        figure=fig,
        alt="Line chart of North Korean missile launches per year from 2013, one line per tracker. Counts of missiles "
            "(dashed) are always higher than counts of launch occasions (solid) for the same year, and trackers disagree: "
            "for 2022 the counts range from about thirty launch occasions to about a hundred missiles.",
        caption="The same year gives different numbers depending on who counts and what they count: launch occasions or "
                "individual missiles, which missile types, whether failures count. Compare like with like.",
        figure_id="launches-by-tracker",
        table=table,
        tables=("launches",),
        sources=tuple(data.cited_sources(launches)),
        rows={"launches": list(launches.row_id)},
    )


#: Places whose distance from each launch area the course reports.
REACH_CITIES = ("seoul", "tokyo", "beijing", "vladivostok")


def reach_table(cities: tuple[str, ...] = REACH_CITIES) -> pd.DataFrame:
    """Geodesic distance from each missile's launch area(s) to each city, and whether a published range covers it."""
    missiles = data.load("missiles")
    places = _places()
    unknown = [c for c in cities if c not in places.index]
    if unknown:
        raise RegionalError(f"Unknown place id(s) {', '.join(unknown)}: use place ids from places.csv.")
    rows = []
    for missile in missiles.itertuples():
        for launch in data.split_ids(missile.launch_place_ids):
            origin = places.loc[launch]
            for city in cities:
                target = places.loc[city]
                _, _, metres = GEOD.inv(origin.lon, origin.lat, target.lon, target.lat)
                km = metres / 1000.0
                if km <= missile.range_km_low:
                    verdict = "within the lowest published figure"
                elif km <= missile.range_km_high:
                    verdict = "within the highest published figure only"
                else:
                    verdict = "beyond the published figures"
                rows.append({
                    "missile": missile.name, "launch_area": _short_place(origin["name"]), "city": _short_place(target["name"]),
                    "distance_km": round(km), "range_km_low": float(missile.range_km_low), "range_km_high": float(missile.range_km_high),
                    "reach": verdict, "missile_id": missile.missile_id, "launch_place_id": launch, "city_id": city,
                })
    return pd.DataFrame(rows)


#: North-east Asia, framed on the peninsula: wide enough for the largest ring, Beijing and Tokyo.
RANGE_MAP_BOUNDS = (114.0, 29.0, 143.0, 48.5)
#: Label positions that keep names near Pyongyang apart.
LABEL_POSITIONS = {"pyongyang": "top left", "chunghwa": "bottom left", "wonsan": "middle right", "seoul": "bottom right",
                   "tokyo": "top left", "beijing": "top center", "vladivostok": "top right"}

RING_COLOURS = [PALETTE["vermillion"], PALETTE["blue"], PALETTE["green"], PALETTE["purple"], PALETTE["orange"]]


def _ring_layers(regional, missiles: pd.DataFrame, places: pd.DataFrame) -> None:
    for number, missile in enumerate(missiles.itertuples()):
        colour = RING_COLOURS[number % len(RING_COLOURS)]
        for launch in data.split_ids(missile.launch_place_ids):
            origin = places.loc[launch]
            area = _short_place(origin["name"])
            if missile.range_km_high != missile.range_km_low:
                bounds = [(missile.range_km_low, "dot", "lowest"), (missile.range_km_high, "dash", "highest")]
            else:
                bounds = [(missile.range_km_low, "dashdot", "only")]
            for radius, dash, which in bounds:
                regional.add_range_ring(
                    origin.lon, origin.lat, float(radius),
                    name=f"{missile.name} from {area}: ~{_fmt(radius)} km ({which} figure, approximate)",
                    hover=f"<b>{html.escape(missile.name)}</b> ({html.escape(_text(missile.aliases))})<br>"
                          f"~{_fmt(radius)} km from {html.escape(area)}: the {which} published range figure<br>{_wrap(missile.range_basis)}",
                    colour=colour, dash=dash,
                )


def range_map() -> CourseFigure:
    """Geodesic range rings for the KN-23/Hwasong-11 family from sourced launch areas, with nearby capitals."""
    missiles = data.load("missiles")
    places = _places()
    regional = region_map(_countries(), RANGE_MAP_BOUNDS, title="Approximate reach of North Korea's Hwasong-11 family (KN-23, KN-24)", height=700)
    _ring_layers(regional, missiles, places)
    launch_ids = list(dict.fromkeys(pid for cell in missiles.launch_place_ids for pid in data.split_ids(cell)))
    launch = places.loc[launch_ids]
    regional.add_points(
        launch.lon, launch.lat, labels=[_short_place(n) for n in launch.name],
        hover=[f"<b>{html.escape(_short_place(r.name))}</b> (launch area)<br>{_wrap(r.description)}" for r in launch.itertuples()],
        name="Launch area named in reports", colour=PALETTE["vermillion"], symbol="triangle-up", text_position="bottom right",
    )
    regional.fig.data[-1].textposition = [LABEL_POSITIONS.get(pid, "top right") for pid in launch_ids]
    city_ids = [c for c in ("seoul", "tokyo", "beijing", "vladivostok") if c in places.index]
    cities = places.loc[city_ids]
    regional.add_points(
        cities.lon, cities.lat, labels=[_short_place(n) for n in cities.name],
        hover=[f"<b>{html.escape(_short_place(r.name))}</b><br>{_wrap(r.description)}" for r in cities.itertuples()],
        name="City", colour=PALETTE["black"], symbol="circle", text_position="top left",
    )
    regional.fig.data[-1].textposition = [LABEL_POSITIONS.get(pid, "top right") for pid in city_ids]
    regional.fig.update_layout(legend=dict(font=dict(size=11), orientation="h", x=0, y=0, yanchor="top", bgcolor="rgba(255,255,255,0)"),
                               margin=dict(b=150), height=820)
    reach = reach_table()
    table = reach[["missile", "launch_area", "city", "distance_km", "range_km_low", "range_km_high", "reach"]]
    shown = pd.concat([launch, cities])
    return CourseFigure(
        figure=regional.fig,
        alt="Map of north-east Asia with dotted and dashed circles drawn around North Korean launch areas near Wonsan, "
            "Pyongyang and Chunghwa. The circles cover the whole Korean peninsula, including Seoul, and reach into "
            "north-east China and the Russian Far East, but stop short of Tokyo.",
        caption="Approximate only. Each ring is every point a published range figure away from a reported launch area, "
                "measured along the Earth's surface. Most figures are the longest flights seen in tests, not maximum "
                "ranges; one is North Korea's own claim. Missiles can be fired from other places, so a ring is not a "
                "limit on where they can strike.",
        figure_id="range-map",
        table=table,
        tables=("missiles", "places", "countries_eurasia_50m"),
        sources=tuple(dict.fromkeys(data.cited_sources(missiles) + data.cited_sources(shown.reset_index()))),
        rows={"missiles": list(missiles.missile_id), "places": launch_ids + city_ids},
    )


#: How the transfers table's items toward the DPRK group into what Russian help is reported to bring.
HELP_THEMES = {
    "air_defence": "Air defence and electronic warfare",
    "electronic_warfare": "Air defence and electronic warfare",
    "missile_space_technology": "Missile and space technology, battlefield data",
    "military_technology_other": "Other military technology",
    "refined_petroleum": "Fuel",
    "crude_oil": "Fuel",
    "food": "Food",
    "money": "Money and estimated value",
    "total_value": "Money and estimated value",
}
HELP_ORDER = list(dict.fromkeys(HELP_THEMES.values()))


def russian_help_table(since: str = "2023-01-01") -> pd.DataFrame:
    """What Russia is reported to give the DPRK: one row per published claim or estimate, dated, never merged."""
    transfers = data.load("transfers")
    help_rows = transfers[transfers.direction == "to_dprk"].copy()
    help_rows["theme"] = help_rows["item"].map(HELP_THEMES).fillna("Other")
    help_rows["when"] = help_rows.estimate_date.fillna(help_rows.period_end).fillna(help_rows.period_start)
    cutoff = pd.Timestamp(since)
    help_rows = help_rows[help_rows["when"].isna() | (help_rows["when"] >= cutoff)]
    help_rows["amount"] = [
        _range_text(r.quantity_low, r.quantity_high, r.unit.replace("usd", "US dollars")) if r.unit != "reported" else "claim, no quantity"
        for r in help_rows.itertuples()
    ]
    help_rows["date"] = help_rows["when"].map(_date_text)
    help_rows["theme"] = pd.Categorical(help_rows["theme"], categories=HELP_ORDER + ["Other"], ordered=True)
    ordered = help_rows.sort_values(["theme", "when"], na_position="last")
    return ordered[["estimate_id", "theme", "item", "amount", "estimated_by", "estimator_vantage", "date", "when", "note", "source_ids"]].reset_index(drop=True)


def russian_help() -> CourseFigure:
    """Claims about what Russia gives North Korea, by theme and date, marked by who makes each claim."""
    table = russian_help_table()
    dated = table.dropna(subset=["when"])
    fig = go.Figure()
    for vantage, rows in dated.groupby("estimator_vantage", sort=False):
        colour, symbol = VANTAGE_STYLE.get(vantage, (PALETTE["grey"], "circle"))
        fig.add_trace(go.Scatter(
            x=_dates(rows["when"]), y=rows["theme"].astype(str), mode="markers", name=f"claimed by: {vantage}",
            marker=dict(size=13, color=colour, symbol=symbol, line=dict(width=1, color="#333")),
            hovertext=[f"<b>{html.escape(r.estimated_by)}</b> ({r.date})<br>{html.escape(r.amount)}<br>{_wrap(r.note)}" for r in rows.itertuples()],
            hoverinfo="text",
        ))
    themes = [t for t in HELP_ORDER if t in set(dated["theme"].astype(str))]
    fig.update_layout(
        title="What Russia is reported to give North Korea (each marker is one published claim or estimate)",
        yaxis=dict(categoryorder="array", categoryarray=list(reversed(themes)), automargin=True, title=""),
        xaxis=dict(title="date of the claim or of the period it covers"), height=520,
        legend=dict(orientation="h", y=-0.2),
    )
    undated = int(table["when"].isna().sum())
    return CourseFigure(
        figure=fig,
        alt="Dot chart of published claims about Russian help to North Korea since 2023, one row per theme: air defence "
            "and electronic warfare, missile and space technology, other military technology, fuel, food and money. "
            "The military claims come mostly from South Korean, Ukrainian and multilateral (MSMT) sources and date from "
            "late 2024 and 2025; fuel and food figures include Russia's own notifications and export data.",
        caption="The military items are intelligence claims, not confirmed by Moscow or Pyongyang; fuel and food figures "
                "include Russia's own notifications and export data. Each marker is labelled by who published it. "
                f"{undated} undated estimate(s) appear in the table only.",
        figure_id="russian-help",
        table=table.drop(columns=["when"]),
        tables=("transfers",),
        sources=tuple(data.cited_sources(table)),
        rows={"transfers": list(table.estimate_id)},
    )


TREATY_EVENT_IDS = (
    "2024-06-19-comprehensive-strategic-partnership-treaty", "2024-06-20-seoul-nsc-condemns-treaty",
    "2024-06-20-tokyo-grave-concern-treaty", "2024-06-21-seoul-summons-russian-envoy", "2024-10-24-duma-ratifies-treaty",
    "2024-11-06-federation-council-ratifies", "2024-11-09-putin-signs-ratification", "2024-11-11-kim-ratifies-treaty",
    "2024-12-04-treaty-enters-into-force", "2025-04-28-kcna-acknowledges", "2026-02-10-russian-envoy-treaty-assistance",
)


def _event_lane(row) -> str:
    actors = data.split_ids(row.actors)
    first = actors[0] if actors else ""
    if first in ("KOR",):
        return ACTOR_LABELS["KOR"]
    if first in ("JPN",):
        return ACTOR_LABELS["JPN"]
    return "Moscow and Pyongyang"


def treaty_timeline() -> CourseFigure:
    """The June 2024 treaty from signature to first use, with Seoul's, Tokyo's and others' statements about it."""
    events = data.load("events")
    missing = [e for e in TREATY_EVENT_IDS if e not in set(events.event_id)]
    if missing:
        raise RegionalError(f"Treaty events missing from events.csv: {', '.join(missing)}.")
    steps = events[events.event_id.isin(TREATY_EVENT_IDS)].sort_values("date")
    statements = data.load("statements")
    said = statements[statements.topic == "treaty"].sort_values("date")
    fig = go.Figure()
    lanes_events = steps.assign(lane=[_event_lane(r) for r in steps.itertuples()])
    for lane, rows in lanes_events.groupby("lane", sort=False):
        fig.add_trace(go.Scatter(
            x=_dates(rows.date), y=[lane] * len(rows), mode="markers", name=f"event: {lane}",
            marker=dict(size=13, symbol="diamond" if lane.startswith("Moscow") else "square", color=PALETTE["vermillion"] if lane.startswith("Moscow") else PALETTE["blue"]),
            hovertext=[f"<b>{html.escape(r.title)}</b><br>{_date_text(r.date)}<br>{_wrap(r.summary)}" for r in rows.itertuples()], hoverinfo="text",
        ))
    for actor, rows in said.groupby("actor", sort=False):
        lane = ACTOR_LABELS.get(actor, actor)
        fig.add_trace(go.Scatter(
            x=_dates(rows.date), y=[lane] * len(rows), mode="markers", name=f"statement: {lane}",
            marker=dict(size=11, symbol="circle-open", color=PALETTE["black"], line=dict(width=2)),
            hovertext=[f"<b>{html.escape(r.speaker)}</b><br>{_date_text(r.date)}<br>{_wrap(r.paraphrase)}" for r in rows.itertuples()], hoverinfo="text",
        ))
    fig.update_layout(
        title="The 2024 treaty: signature, ratification, entry into force, first use — and the reactions",
        xaxis=dict(title=""), yaxis=dict(automargin=True, title=""), height=460, legend=dict(orientation="h", y=-0.25),
    )
    table = pd.concat([
        steps.assign(kind="event", who=[", ".join(data.split_ids(a)) for a in steps.actors], text=steps.summary)[["date", "kind", "who", "title", "text", "source_ids"]],
        said.assign(kind="statement", who=said.actor.map(ACTOR_LABELS), title=said.speaker, text=said.paraphrase)[["date", "kind", "who", "title", "text", "source_ids"]],
    ]).sort_values("date")
    table["date"] = table["date"].map(_date_text)
    return CourseFigure(
        figure=fig,
        alt="Timeline from June 2024 to early 2026. Filled markers show the treaty being signed in Pyongyang, ratified in "
            "Moscow and Pyongyang in October and November 2024, entering into force in December 2024, and cited by "
            "Pyongyang in April 2025 to justify sending troops. Open markers show statements from Seoul, Tokyo, "
            "Washington, Kyiv, Moscow and Pyongyang, most in the days after signature.",
        caption="The mutual-assistance promise (Article 4) was signed in June 2024 and took effect in December 2024. "
                "Pyongyang cited the treaty when it confirmed its troops in Russia in April 2025.",
        figure_id="treaty-timeline",
        table=table.reset_index(drop=True),
        tables=("events", "statements"),
        sources=tuple(dict.fromkeys(data.cited_sources(steps) + data.cited_sources(said))),
        rows={"events": list(steps.event_id), "statements": list(said.statement_id)},
    )


BUDGET_SERIES = {
    ("KOR", "defence_budget_government_proposal"): ("government proposal", PALETTE["sky_blue"], "/"),
    ("KOR", "defence_budget"): ("passed by the National Assembly", PALETTE["blue"], ""),
    ("JPN", "defence_budget_initial"): ("initial budget", PALETTE["orange"], ""),
    ("JPN", "defence_budget_initial_draft"): ("Cabinet draft / initial budget", PALETTE["orange"], "x"),
}


def defence_budgets() -> CourseFigure:
    """South Korea's and Japan's defence budgets by year, each in its own currency, with Japan's 2%-of-GDP goal."""
    indicators = data.load("indicators")
    fig = make_subplots(rows=1, cols=2, subplot_titles=("South Korea (trillion won)", "Japan (trillion yen, fiscal years)"), horizontal_spacing=0.12)
    used = []
    for (country, indicator), (label, colour, pattern) in BUDGET_SERIES.items():
        rows = indicators[(indicators.country == country) & (indicators.indicator == indicator)].sort_values("year")
        if rows.empty:
            continue
        used.append(rows)
        fig.add_trace(go.Bar(
            x=rows.year.astype(int), y=rows.value.astype(float), name=f"{country}: {label}",
            marker=dict(color=colour, pattern=dict(shape=pattern)), text=[f"{float(v):.1f}" for v in rows.value], textposition="outside",
            hovertext=[f"<b>{country} {int(r.year)}</b>: {_fmt(r.value)} {r.unit.replace('_', ' ')}<br>{_wrap(r.note)}" for r in rows.itertuples()],
            hoverinfo="text",
        ), row=1, col=1 if country == "KOR" else 2)
    target = indicators[indicators.indicator == "defence_related_spending_target_level"]
    if not target.empty:
        used.append(target)
        fig.add_trace(go.Scatter(
            x=target.year.astype(int), y=target.value.astype(float), mode="markers+text", name="JPN: 2%-of-GDP goal, defence-related spending (FY2027, approx.)",
            marker=dict(symbol="star", size=16, color=PALETTE["vermillion"]), text=["2% goal"], textposition="top center",
            hovertext=[_wrap(n) for n in target.note], hoverinfo="text",
        ), row=1, col=2)
    fig.update_layout(
        title="How Seoul and Tokyo have budgeted for defence", barmode="group", height=520,
        legend=dict(orientation="h", y=-0.2), margin=dict(t=90),
    )
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(rangemode="tozero")
    shown = pd.concat(used + [indicators[indicators.country.isin(["KOR", "JPN"])]]).drop_duplicates("indicator_id")
    table = shown.sort_values(["country", "indicator", "year"])[["country", "indicator", "year", "value", "unit", "note"]]
    return CourseFigure(
        figure=fig,
        alt="Two bar charts. Left: South Korea's defence budget rises every year from 2023 to 2026, both as proposed by "
            "the government and as passed. Right: Japan's initial or draft defence budgets rise from fiscal 2022 to fiscal "
            "2026, with a star for the fiscal 2027 goal of spending about 2% of GDP on defence and related items.",
        caption="Budgets are in each country's own currency and are not comparable across the two panels. Japan's 2% goal "
                "covers a wider set of 'defence-related' spending than the defence budget bars.",
        figure_id="defence-budgets",
        table=table.reset_index(drop=True),
        tables=("indicators",),
        sources=tuple(data.cited_sources(shown)),
        rows={"indicators": list(shown.indicator_id)},
    )


def statements_timeline(actors: tuple[str, ...], *, title: str, figure_id: str, event_ids: tuple[str, ...] = (),
                        since: str | None = None) -> CourseFigure:
    """Who said what, when: one lane per actor (by capital), one marker per paraphrased statement; optional events."""
    statements = data.load("statements")
    unknown = [a for a in actors if a not in ACTOR_LABELS]
    if unknown:
        raise RegionalError(f"Unknown actor code(s) {', '.join(unknown)}; use codes from statements.csv: {', '.join(ACTOR_LABELS)}.")
    chosen = statements[statements.actor.isin(actors)].sort_values("date")
    if since:
        chosen = chosen[chosen.date.isna() | (chosen.date >= pd.Timestamp(since))]
    if chosen.empty:
        raise RegionalError(f"No statements by {', '.join(actors)} in the data.")
    fig = go.Figure()
    for topic, rows in chosen.groupby("topic", sort=False):
        fig.add_trace(go.Scatter(
            x=_dates(rows.date), y=rows.actor.map(ACTOR_LABELS), mode="markers", name=f"topic: {topic.replace('_', ' ')}",
            marker=dict(size=13, symbol=TOPIC_SYMBOLS.get(topic, "circle"), line=dict(width=1, color="#333")),
            hovertext=[f"<b>{html.escape(r.speaker)}</b><br>{_date_text(r.date)}<br>{_wrap(r.paraphrase)}"
                       + (f"<br><i>“{html.escape(r.short_quote)}”</i>" if isinstance(r.short_quote, str) and r.short_quote else "")
                       for r in rows.itertuples()],
            hoverinfo="text",
        ))
    events = data.load("events")
    shown_events = events[events.event_id.isin(event_ids)]
    if len(shown_events) != len(set(event_ids)):
        missing = sorted(set(event_ids) - set(events.event_id))
        raise RegionalError(f"Unknown event id(s): {', '.join(missing)}.")
    if not shown_events.empty:
        fig.add_trace(go.Scatter(
            x=_dates(shown_events.date), y=["Events"] * len(shown_events), mode="markers", name="event (hover for details)",
            marker=dict(size=14, symbol="star-diamond", color=PALETTE["vermillion"]),
            hovertext=[f"<b>{html.escape(r.title)}</b><br>{_date_text(r.date)}<br>{_wrap(r.summary)}" for r in shown_events.itertuples()],
            hoverinfo="text",
        ))
    lanes = [ACTOR_LABELS[a] for a in actors if a in set(chosen.actor)] + (["Events"] if not shown_events.empty else [])
    fig.update_layout(
        title=title, height=200 + 70 * len(lanes), legend=dict(orientation="h", y=-0.3),
        yaxis=dict(categoryorder="array", categoryarray=list(reversed(lanes)), automargin=True, title=""), xaxis=dict(title=""),
    )
    table = chosen.assign(who=chosen.actor.map(ACTOR_LABELS), date=chosen.date.map(_date_text))[["date", "who", "speaker", "topic", "paraphrase", "short_quote"]]
    if not shown_events.empty:
        table = pd.concat([table, shown_events.assign(who="event", speaker="", topic=shown_events.category, paraphrase=shown_events.summary,
                                                      short_quote="", date=shown_events.date.map(_date_text))[table.columns]])
    names = ", ".join(ACTOR_LABELS[a] for a in actors)
    return CourseFigure(
        figure=fig,
        alt=f"Timeline of paraphrased statements by {names}, one lane per actor and one marker per statement, shaped by topic. "
            "Hover over a marker to read the paraphrase and any short quotation.",
        caption="Statements are paraphrased; short quotations are the speaker's own words. A statement shows a position, "
                "not a fact about what happened.",
        figure_id=figure_id,
        table=table.reset_index(drop=True),
        tables=("statements",) + (("events",) if not shown_events.empty else ()),
        sources=tuple(dict.fromkeys(data.cited_sources(chosen) + data.cited_sources(shown_events))),
        rows={"statements": list(chosen.statement_id), **({"events": list(shown_events.event_id)} if not shown_events.empty else {})},
    )


# ---------------------------------------------------------------------------------------------
# Chapter 07 — Ukraine and Europe
# ---------------------------------------------------------------------------------------------

#: Rows of force_estimates that are plans, forecasts or announcements of intent, not counts of people present.
PLANS_AND_FORECASTS = {"est-001", "est-003", "est-006", "est-021", "est-022", "est-023", "est-025", "est-052", "est-053"}
#: Casualty rows that cover a short spell, not the running total.
NOT_CUMULATIVE = {"est-028": "one weekend's fighting only", "est-033": "one week only"}
TROOP_GROUPS = ("combat_troops", "all_military", "engineers", "builders")


def troop_event_lane(row) -> str:
    """Which story a troops/military event belongs to: outside reports, official acknowledgement, engineers and builders."""
    text = f"{row.title} {row.summary}".lower()
    if any(word in text for word in ("engineer", "builder", "deminer", "sapper", "construction troops")):
        return "Engineers and builders"
    first = (data.split_ids(row.actors) or [""])[0]
    if re.search(r"\bNIS\b", row.title) or first not in ("RUS", "PRK"):  # e.g. 'NIS: first ... shipped' lists PRK first
        return "Reports by Seoul, Kyiv, Washington, NATO"
    return "Moscow and Pyongyang"


def troop_events() -> pd.DataFrame:
    """Events about the deployment: every 'troops' event plus military events in the Kursk region."""
    events = data.load("events")
    chosen = events[(events.category == "troops") | ((events.category == "military") & events.place_id.isin(["kursk", "sudzha"]))].copy()
    chosen["lane"] = [troop_event_lane(r) for r in chosen.itertuples()]
    return chosen.sort_values("date").reset_index(drop=True)


def kursk_map() -> CourseFigure:
    """The Kursk region, where North Korean troops were deployed, and the Ukrainian cities hit by DPRK missiles."""
    places = _places()
    events = data.load("events")
    regional = region_map(_countries(), "kursk", title="The Kursk region and north-east Ukraine", height=620,
                          highlight={"RUS": PALETTE["blue"], "UKR": PALETTE["yellow"]})
    layers = [
        (["kursk", "sudzha"], "Deployment area (Kursk region)", PALETTE["vermillion"], "diamond", "top right"),
        (["kharkiv", "kyiv"], "City hit by a missile reported as North Korean", PALETTE["black"], "x", "bottom right"),
    ]
    shown_ids = []
    for ids, name, colour, symbol, position in layers:
        subset = places.loc[ids]
        hover = []
        for pid, row in subset.iterrows():
            linked = events[events.place_id == pid].sort_values("date")
            lines = "<br>".join(f"{_date_text(e.date)}: {html.escape(e.title)}" for e in linked.itertuples())
            hover.append(f"<b>{html.escape(_short_place(row['name']))}</b><br>{_wrap(row.description)}<br>{lines}")
        regional.add_points(subset.lon, subset.lat, labels=[_short_place(n) for n in subset.name], hover=hover, name=name,
                            colour=colour, symbol=symbol, text_position=position)
        shown_ids += ids
    linked = events[events.place_id.isin(shown_ids)].sort_values(["place_id", "date"])
    table = linked.assign(place=linked.place_id.map(lambda p: _short_place(places.loc[p, "name"])), date=linked.date.map(_date_text))[["place", "date", "title", "category"]]
    return CourseFigure(
        figure=regional.fig,
        alt="Map of Russia's Kursk region and north-east Ukraine. Kursk city and the town of Sudzha, near the Ukrainian "
            "border, are marked as the deployment area; Kharkiv, close to the border, and Kyiv, further west, are marked "
            "as cities hit by missiles reported to be North Korean.",
        caption="Places come from the course gazetteer (city or town points). Hover over a place to see the dated events "
                "the data package links to it.",
        figure_id="kursk-map",
        table=table.reset_index(drop=True),
        tables=("places", "events", "countries_eurasia_50m"),
        sources=tuple(dict.fromkeys(data.cited_sources(places.loc[shown_ids].reset_index()) + data.cited_sources(linked))),
        rows={"places": shown_ids, "events": list(linked.event_id)},
    )


def deployment_estimates() -> pd.DataFrame:
    """Published estimates of North Korean military personnel sent to Russia, each kept as published."""
    forces = data.load("force_estimates")
    rows = forces[(forces.metric == "deployed") & forces.group.isin(TROOP_GROUPS)].copy()
    rows["status"] = np.where(rows.estimate_id.isin(PLANS_AND_FORECASTS), "plan or forecast", "reported count")
    rows["figure"] = [_range_text(r.low, r.high) for r in rows.itertuples()]
    return rows.sort_values("estimate_date").reset_index(drop=True)


def _estimate_traces(fig, rows: pd.DataFrame, *, row: int, col: int, legend_seen: set, value_label: str) -> None:
    """One trace per (vantage, status): marker at the low figure, bar up to the high figure, '≥' for 'at least'."""
    for (vantage, status), group in rows.groupby(["estimator_vantage", "status"], sort=False):
        colour, symbol = VANTAGE_STYLE.get(vantage, (PALETTE["grey"], "circle"))
        low = group.low.astype(float).fillna(group.high.astype(float))
        spread = (group.high.astype(float) - group.low.astype(float)).clip(lower=0).fillna(0)
        name = f"{vantage}" + ("" if status in ("reported count", "cumulative") else f" ({status})")
        fig.add_trace(go.Scatter(
            x=_dates(group.estimate_date), y=low, mode="markers+text",
            text=["≥" if pd.isna(h) else "" for h in group.high], textposition="top center",
            error_y=dict(type="data", array=list(spread), arrayminus=[0] * len(group), visible=True, color=colour, thickness=1.5, width=4),
            marker=dict(size=11, color=colour, symbol=symbol + ("-open" if status not in ("reported count", "cumulative") else ""),
                        line=dict(width=1.5, color=colour if status not in ("reported count", "cumulative") else "#333")),
            name=name, legendgroup=name, showlegend=name not in legend_seen,
            hovertext=[f"<b>{html.escape(r.estimated_by)}</b><br>{_date_text(r.estimate_date)}: {html.escape(r.figure)} {value_label}"
                       f"<br>{html.escape(r.status)}<br>{_wrap(r.note)}" for r in group.itertuples()],
            hoverinfo="text",
        ), row=row, col=col)
        legend_seen.add(name)


def deployment_timeline() -> CourseFigure:
    """From first reports (October 2024) to acknowledgement (April 2025) and the engineers and builders after."""
    estimates = deployment_estimates()
    events = troop_events()
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.62, 0.38], vertical_spacing=0.06,
                        subplot_titles=("Published estimates of personnel sent (each as published, never averaged)", "What happened, and who said so"))
    seen: set = set()
    _estimate_traces(fig, estimates, row=1, col=1, legend_seen=seen, value_label="personnel")
    lane_style = {
        "Reports by Seoul, Kyiv, Washington, NATO": (PALETTE["blue"], "circle"),
        "Moscow and Pyongyang": (PALETTE["vermillion"], "diamond"),
        "Engineers and builders": (PALETTE["green"], "square"),
    }
    for lane, rows in events.groupby("lane", sort=False):
        colour, symbol = lane_style.get(lane, (PALETTE["grey"], "circle"))
        fig.add_trace(go.Scatter(
            x=_dates(rows.date), y=[lane] * len(rows), mode="markers", name=f"event: {lane}",
            marker=dict(size=12, color=colour, symbol=symbol, line=dict(width=1, color="#333")),
            hovertext=[f"<b>{html.escape(r.title)}</b><br>{_date_text(r.date)}<br>{_wrap(r.summary)}" for r in rows.itertuples()], hoverinfo="text",
        ), row=2, col=1)
    fig.update_yaxes(title_text="personnel", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(automargin=True, categoryorder="array", categoryarray=list(reversed(list(lane_style))), row=2, col=1)
    fig.update_layout(title="North Korean troops in Russia: estimates and milestones", height=720, legend=dict(orientation="h", y=-0.12, font=dict(size=11)))
    table = estimates.assign(date=estimates.estimate_date.map(_date_text))[["date", "group", "figure", "status", "estimated_by", "estimator_vantage", "note"]]
    return CourseFigure(
        figure=fig,
        alt="Two-part timeline from October 2024 to early 2026. Top: estimates of North Korean personnel sent to Russia, "
            "mostly between about 10,000 and 15,000 from South Korean, Ukrainian, US and MSMT sources, with open markers for "
            "plans and forecasts such as a Ukrainian forecast of 25,000 to 30,000 more. Bottom: outside reports begin in "
            "October 2024; Moscow and Pyongyang acknowledge the deployment only at the end of April 2025; announcements about "
            "engineers and builders follow from June 2025.",
        caption="Each marker is one published figure: a bar runs from the low to the high figure, '≥' marks 'at least', and "
                "open markers are plans, forecasts or announcements rather than counts. Figures from different sources "
                "measure different things (troops in Kursk, in Russia, or planned) and are not averaged.",
        figure_id="deployment-timeline",
        table=table,
        tables=("force_estimates", "events"),
        sources=tuple(dict.fromkeys(data.cited_sources(estimates) + data.cited_sources(events))),
        rows={"force_estimates": list(estimates.estimate_id), "events": list(events.event_id)},
    )


CASUALTY_METRICS = {"killed": "Killed", "wounded": "Wounded", "casualties_total": "Casualties (killed, wounded, missing or captured)"}


def casualty_table() -> pd.DataFrame:
    """Every published casualty figure for North Korean forces, labelled by source and scope."""
    forces = data.load("force_estimates")
    rows = forces[forces.metric.isin(CASUALTY_METRICS)].copy()
    rows["status"] = [NOT_CUMULATIVE.get(i, "cumulative") for i in rows.estimate_id]
    rows["figure"] = [_range_text(r.low, r.high) for r in rows.itertuples()]
    rows["measure"] = rows.metric.map(CASUALTY_METRICS)
    return rows.sort_values(["metric", "estimate_date"]).reset_index(drop=True)


def casualty_estimates() -> CourseFigure:
    """Casualty estimates as ranges by source, one panel per measure: side by side, never averaged."""
    table = casualty_table()
    metrics = [m for m in CASUALTY_METRICS if m in set(table.metric)]
    fig = make_subplots(rows=len(metrics), cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=[CASUALTY_METRICS[m] for m in metrics])
    seen: set = set()
    for number, metric in enumerate(metrics, start=1):
        _estimate_traces(fig, table[table.metric == metric], row=number, col=1, legend_seen=seen, value_label="")
        fig.update_yaxes(rangemode="tozero", title_text="people", row=number, col=1)
    fig.update_layout(title="Published estimates of North Korean casualties in the Kursk fighting, by source", height=300 * len(metrics) + 120,
                      legend=dict(orientation="h", y=-0.08, font=dict(size=11)))
    shown = table.assign(date=table.estimate_date.map(_date_text))[["measure", "date", "figure", "status", "estimated_by", "estimator_vantage", "note"]]
    return CourseFigure(
        figure=fig,
        alt="Three panels of dated estimates from December 2024 to September 2025: killed, wounded, and total casualties "
            "of North Korean forces. Estimates rise over time; South Korea's NIS raised its count of deaths from at least "
            "100 to about 2,000, and total casualty estimates from Ukraine, South Korea and the UK run from about 1,100 to "
            "more than 6,000 as time passes.",
        caption="Each estimate is shown as published, by who made it; '≥' marks 'at least'. Open markers cover only a short "
                "spell (a week or a weekend), not the running total. Estimates made on different dates are not comparable "
                "as if they were a disagreement: later ones cover a longer war.",
        figure_id="casualty-estimates",
        table=shown,
        tables=("force_estimates",),
        sources=tuple(data.cited_sources(table)),
        rows={"force_estimates": list(table.estimate_id)},
    )


#: How each ballistic-missile count in transfers.csv is read: missiles fired at Ukraine, or missiles supplied.
MISSILE_COUNT_KIND = {
    "arms-est-006": "supplied to Russia", "arms-est-007": "fired at Ukraine", "arms-est-014": "fired at Ukraine",
    "arms-est-030": "fired at Ukraine", "arms-est-031": "supplied to Russia", "arms-est-039": "supplied to Russia",
}


def missile_findings() -> pd.DataFrame:
    """Events in which North Korean missiles are reported, found or identified in Ukraine."""
    events = data.load("events")
    text = (events.title + " " + events.summary).str.lower()
    chosen = events[text.str.contains("missile") & events.actors.str.contains("PRK")
                    & (events.actors.str.contains("UKR") | text.str.contains("ukrain|kharkiv|kyiv"))]
    return chosen.sort_values("date").reset_index(drop=True)


def missiles_against_ukraine() -> CourseFigure:
    """North Korean missiles used against Ukrainian cities: counts by what they count, and the findings over time."""
    transfers = data.load("transfers")
    counts = transfers[(transfers.direction == "to_russia") & (transfers["item"] == "ballistic_missiles")].copy()
    counts["kind"] = counts.estimate_id.map(MISSILE_COUNT_KIND).fillna("unclassified")
    counts["figure"] = [_range_text(r.quantity_low, r.quantity_high) for r in counts.itertuples()]
    findings = missile_findings()
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.55, 0.45], vertical_spacing=0.08,
                        subplot_titles=("How many? Published counts of North Korean ballistic missiles", "Who found what, when"))
    styles = {"fired at Ukraine": (PALETTE["vermillion"], "x"), "supplied to Russia": (PALETTE["blue"], "circle"), "unclassified": (PALETTE["grey"], "square")}
    for kind, rows in counts.groupby("kind", sort=False):
        colour, symbol = styles[kind]
        low = rows.quantity_low.astype(float).fillna(rows.quantity_high.astype(float))
        fig.add_trace(go.Scatter(
            x=_dates(rows.estimate_date), y=low, mode="markers+text", name=f"missiles {kind}",
            text=[("≥" if pd.isna(r.quantity_high) else "<" if pd.isna(r.quantity_low) else "") for r in rows.itertuples()], textposition="top center",
            marker=dict(size=12, color=colour, symbol=symbol, line=dict(width=1.5, color=colour)),
            hovertext=[f"<b>{html.escape(r.estimated_by)}</b><br>{_date_text(r.estimate_date)}: {html.escape(r.figure)} missiles {kind}<br>{_wrap(r.note)}" for r in rows.itertuples()],
            hoverinfo="text",
        ), row=1, col=1)
    places = _places()
    lanes = []
    for row in findings.itertuples():
        lanes.append(_short_place(places.loc[row.place_id, "name"]) if isinstance(row.place_id, str) and row.place_id in places.index else "place not given")
    findings = findings.assign(lane=lanes)
    fig.add_trace(go.Scatter(
        x=_dates(findings.date), y=findings.lane, mode="markers", name="finding or report",
        marker=dict(size=12, symbol="diamond", color=PALETTE["black"]),
        hovertext=[f"<b>{html.escape(r.title)}</b><br>{_date_text(r.date)}<br>{_wrap(r.summary)}" for r in findings.itertuples()], hoverinfo="text",
    ), row=2, col=1)
    fig.update_yaxes(title_text="missiles", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(automargin=True, title_text="where", row=2, col=1)
    fig.update_layout(title="North Korean ballistic missiles in the war against Ukraine", height=680, legend=dict(orientation="h", y=-0.12))
    table = pd.concat([
        counts.assign(date=counts.estimate_date.map(_date_text), what="count: " + counts.kind, text=counts.note, who=counts.estimated_by)[["date", "what", "figure", "who", "text"]],
        findings.assign(date=findings.date.map(_date_text), what="finding: " + findings.lane, figure="", who=findings.actors, text=findings.summary)[["date", "what", "figure", "who", "text"]],
    ]).reset_index(drop=True)
    return CourseFigure(
        figure=fig,
        alt="Two-part chart from December 2023 to April 2025. Top: published counts of North Korean ballistic missiles, "
            "separating missiles fired at Ukraine (from at least 24 to at least 60) from missiles supplied to Russia "
            "(fewer than 50 early in 2024, up to about 148 for 2024). Bottom: findings in Kharkiv, at the UN and in Kyiv, "
            "from the first US report to the UN panel's finding and later Conflict Armament Research briefings.",
        caption="Counts of missiles fired are a floor for deliveries, not a delivery estimate; counts of missiles supplied "
                "come from intelligence services and the MSMT. The UN Panel of Experts tied Kharkiv debris to the "
                "Hwasong-11 series before its mandate ended in April 2024.",
        figure_id="missiles-against-ukraine",
        table=table,
        tables=("transfers", "events"),
        sources=tuple(dict.fromkeys(data.cited_sources(counts) + data.cited_sources(findings))),
        rows={"transfers": list(counts.estimate_id), "events": list(findings.event_id)},
    )


# ---------------------------------------------------------------------------------------------
# Chapter 08 — China and the wider alignment
# ---------------------------------------------------------------------------------------------

def _compiler(note) -> str:
    text = str(note or "")
    for name in ("KOTRA", "KITA", "ITC"):
        if text.startswith(name):
            return name
    return "other"


def china_share() -> pd.DataFrame:
    """China's share of the DPRK's recorded trade, from totals compiled the same way (same compiler, same year)."""
    trade = data.load("trade")
    dprk = trade[(trade.reporter == "PRK") & (trade.flow == "total")].copy()
    dprk["compiler"] = dprk.note.map(_compiler)
    rows = []
    for (year, compiler), group in dprk.groupby(["year", "compiler"]):
        china, world = group[group.partner == "CHN"], group[group.partner == "WLD"]
        if china.empty or world.empty:
            continue
        chosen = None
        for c in china.itertuples():  # prefer a pair published in the same document
            for w in world.itertuples():
                if set(data.split_ids(c.source_ids)) & set(data.split_ids(w.source_ids)):
                    chosen = (c, w)
                    break
            if chosen:
                break
        c, w = chosen or (next(china.itertuples()), next(world.itertuples()))
        rows.append({"year": int(year), "compiler": compiler, "china_usd_million": float(c.value), "world_usd_million": float(w.value),
                     "china_share_pct": round(100 * float(c.value) / float(w.value), 1), "china_row": c.row_id, "world_row": w.row_id,
                     "source_ids": ";".join(dict.fromkeys(data.split_ids(c.source_ids) + data.split_ids(w.source_ids)))})
    if not rows:
        raise RegionalError("trade.csv has no year with both a China total and a world total from the same compiler.")
    return pd.DataFrame(rows).sort_values(["year", "compiler"]).reset_index(drop=True)


TRADE_SERIES = [
    # (label, reporter, partner, colour, symbol, dash)
    ("China, KOTRA (mirror statistics)", "PRK", "CHN", PALETTE["vermillion"], "circle", "solid"),
    ("China, Chinese customs", "CHN", "PRK", PALETTE["orange"], "square", "dash"),
    ("Russia, Russian customs and officials", "RUS", "PRK", PALETTE["blue"], "diamond", "solid"),
    ("Russia, KOTRA or ITC (DPRK side)", "PRK", "RUS", PALETTE["sky_blue"], "triangle-up", "dot"),
]


def china_trade_share() -> CourseFigure:
    """China's weight in the DPRK's recorded trade over time, and Russia's, by who compiled each figure."""
    share = china_share()
    trade = data.load("trade")
    fig = make_subplots(rows=2, cols=1, vertical_spacing=0.14, row_heights=[0.45, 0.55],
                        subplot_titles=("China's share of North Korea's recorded trade (%)", "Recorded trade in US$ million (log scale)"))
    for compiler, rows in share.groupby("compiler", sort=False):
        fig.add_trace(go.Scatter(
            x=rows.year, y=rows.china_share_pct, mode="lines+markers" if len(rows) > 1 else "markers", name=f"China's share, {compiler}",
            marker=dict(size=10, symbol="circle" if compiler == "KOTRA" else "x", color=PALETTE["vermillion"] if compiler == "KOTRA" else PALETTE["black"]),
            line=dict(color=PALETTE["vermillion"]),
            hovertext=[f"{int(r.year)} ({compiler}): {r.china_share_pct}% = {_fmt(r.china_usd_million)} of {_fmt(r.world_usd_million)} US$ million" for r in rows.itertuples()],
            hoverinfo="text",
        ), row=1, col=1)
    used = []
    for label, reporter, partner, colour, symbol, dash in TRADE_SERIES:
        rows = trade[(trade.reporter == reporter) & (trade.partner == partner) & (trade.flow == "total")].sort_values("year")
        if rows.empty:
            continue
        used.append(rows)
        fig.add_trace(go.Scatter(
            x=rows.year, y=rows.value.astype(float), mode="lines+markers", name=label,
            line=dict(color=colour, dash=dash), marker=dict(size=9, symbol=symbol, color=colour),
            hovertext=[f"<b>{html.escape(label)}</b><br>{int(r.year)}: {_fmt(r.value)} US$ million<br>{_wrap(r.note)}" for r in rows.itertuples()],
            hoverinfo="text",
        ), row=2, col=1)
    fig.update_yaxes(title_text="%", range=[80, 100], row=1, col=1)
    fig.update_yaxes(title_text="US$ million", type="log", row=2, col=1)
    fig.update_xaxes(dtick=1)
    fig.update_layout(title="North Korea's recorded trade: China dominates, Russia's share is tiny",
                      height=760, legend=dict(orientation="h", y=-0.12))
    series = pd.concat(used)
    table = pd.concat([
        share.assign(series="China's share (%)", value=share.china_share_pct)[["year", "series", "value", "compiler"]],
        series.assign(series=series.reporter + " reports trade with " + series.partner, compiler=series.note.map(_compiler))[["year", "series", "value", "compiler"]],
    ]).sort_values(["series", "year"]).reset_index(drop=True)
    cited = list(dict.fromkeys([s for cell in share.source_ids for s in data.split_ids(cell)] + data.cited_sources(series)))
    return CourseFigure(
        figure=fig,
        alt="Top: China's share of North Korea's recorded trade stays between about 88% and 98% from 2015 to 2024, highest "
            "in 2023. Bottom, on a log scale: trade with China runs from several hundred million to several billion US dollars "
            "a year, while recorded trade with Russia stays in the tens of millions and almost vanishes in 2021.",
        caption="Shares are computed from totals compiled the same way (KOTRA's mirror statistics, or ITC) in the same "
                "year, so they may differ from published percentages by a few tenths. Different compilers give different "
                "totals and are kept apart. Recorded trade leaves out the arms and oil flows discussed elsewhere in the course.",
        figure_id="china-trade-share",
        table=table,
        tables=("trade",),
        sources=tuple(cited),
        rows={"trade": list(dict.fromkeys(list(share.china_row) + list(share.world_row) + list(series.row_id)))},
    )


def _positive(value) -> bool:
    return value is not None and not pd.isna(value) and value > 0


def china_votes() -> pd.DataFrame:
    """How China voted on each Security Council text about the DPRK in the data (General Assembly votes left out)."""
    resolutions = data.load("resolutions")
    council = resolutions[resolutions.kind != "ga_resolution"].sort_values("date")
    rows = []
    for r in council.itertuples():
        vetoed = data.split_ids(r.vetoed_by)
        abstained = data.split_ids(r.abstaining_members)
        against = data.split_ids(r.against_members)
        if "CHN" in vetoed:
            vote = "against (veto)"
        elif "CHN" in against:
            vote = "against"
        elif "CHN" in abstained:
            vote = "abstained"
        elif r.kind == "resolution" and not _positive(r.votes_against) and not _positive(r.abstentions):
            vote = "in favour (unanimous)"
        else:
            vote = "in favour"
        rows.append({"resolution_id": r.resolution_id, "date": r.date, "text": r.symbol if isinstance(r.symbol, str) else "vetoed draft",
                     "outcome": "vetoed" if r.kind == "draft_vetoed" else "adopted", "china_vote": vote, "trigger": r.trigger, "source_ids": r.source_ids})
    return pd.DataFrame(rows)


VOTE_STYLE = {"in favour (unanimous)": (PALETTE["green"], "circle"), "in favour": (PALETTE["green"], "circle-open"),
              "abstained": (PALETTE["orange"], "diamond"), "against": (PALETTE["vermillion"], "x"), "against (veto)": (PALETTE["vermillion"], "x")}


def china_votes_chart() -> CourseFigure:
    """China's Security Council votes on the DPRK, 1993 to 2024: in favour of every sanctions resolution, then a veto."""
    votes = china_votes()
    fig = go.Figure()
    order = list(VOTE_STYLE)
    for vote in order:
        rows = votes[votes.china_vote == vote]
        if rows.empty:
            continue
        colour, symbol = VOTE_STYLE[vote]
        fig.add_trace(go.Scatter(
            x=_dates(rows.date), y=[vote] * len(rows), mode="markers+text" if vote != "in favour (unanimous)" else "markers", name=vote,
            text=[t.replace(" (", "<br>(") if t != "vetoed draft" else "vetoed<br>draft" for t in rows.text], textposition="top center", textfont=dict(size=10),
            marker=dict(size=14, color=colour, symbol=symbol, line=dict(width=2, color=colour)),
            hovertext=[f"<b>{html.escape(r.text)}</b> ({_date_text(r.date)}), {r.outcome}<br>China: {r.china_vote}<br>{_wrap(r.trigger)}" for r in rows.itertuples()],
            hoverinfo="text",
        ))
    present = [v for v in order if v in set(votes.china_vote)]
    fig.update_layout(title="How China voted on Security Council texts about North Korea", height=360,
                      yaxis=dict(categoryorder="array", categoryarray=list(reversed(present)), automargin=True, title=""),
                      xaxis=dict(title=""), legend=dict(orientation="h", y=-0.25))
    table = votes.assign(date=votes.date.map(_date_text))[["date", "text", "outcome", "china_vote", "trigger"]]
    return CourseFigure(
        figure=fig,
        alt="Timeline of China's votes on Security Council texts about North Korea. China abstained in 1993, voted for every "
            "sanctions resolution from 2006 to 2017 and for the panel renewals to 2022, vetoed a new sanctions draft with "
            "Russia in May 2022, and abstained when Russia vetoed the Panel of Experts' renewal in March 2024.",
        caption="Resolutions adopted unanimously count China in favour. The two vetoed drafts show the shift: China joined "
                "Russia's veto in 2022 and abstained, rather than vetoing, in 2024.",
        figure_id="china-votes",
        table=table,
        tables=("resolutions", "vote_explanations"),
        sources=tuple(data.cited_sources(votes)),
        rows={"resolutions": list(votes.resolution_id)},
    )


def beijing_position() -> CourseFigure:
    """Beijing's words about the partnership, with its explanations of vote and the September 2025 parade."""
    return statements_timeline(
        ("CHN",), title="What Beijing has said about the Russia–DPRK partnership", figure_id="beijing-position",
        event_ids=("2022-05-26-double-veto", "2024-03-28-poe-veto", "2025-09-03-kim-xi-putin-beijing-parade", "2025-09-03-kim-putin-beijing-talks"),
    )


#: Where each statement in the 'axis' debate stands. Assigned by the course from each statement's paraphrase.
AXIS_SIDES = {
    "analyst-2024-04-kendall-taylor-fontaine": "Sees a coordinated alignment",
    "analyst-2024-06-19-victor-cha": "Sees a coordinated alignment",
    "g7-2025-03-14-charlevoix": "Sees a coordinated alignment",
    "analyst-2024-08-14-kavanagh-depetris": "Sees looser, mostly bilateral ties",
    "analyst-2024-10-08-chivvis-keating": "Sees looser, mostly bilateral ties",
}


def axis_debate_table() -> pd.DataFrame:
    statements = data.load("statements")
    debate = statements[statements.topic == "axis_debate"].copy()
    debate["side"] = debate.statement_id.map(AXIS_SIDES).fillna("Not yet placed")
    debate["voice"] = np.where(debate.actor == "ANALYST", "analysts", "governments")
    return debate.sort_values(["side", "date"]).reset_index(drop=True)


def axis_debate() -> CourseFigure:
    """The debate over an 'axis' of Russia, China, Iran and the DPRK, with named voices on each side."""
    debate = axis_debate_table()
    sides = ["Sees a coordinated alignment", "Sees looser, mostly bilateral ties"]
    debate["who"] = [f"{s.split(' (')[0]}" if voice == "analysts" else "G7 foreign ministers (Charlevoix)" for s, voice in zip(debate.speaker, debate.voice)]
    debate["who"] = [f"{w} ({_date_text(d)[-8:]})" for w, d in zip(debate.who, debate.date)]
    fig = go.Figure()
    for (side, voice), rows in debate.groupby(["side", "voice"], sort=False):
        fig.add_trace(go.Scatter(
            x=[side] * len(rows), y=rows.who, mode="markers", name=f"{side}: {voice}",
            marker=dict(size=18, symbol="circle" if voice == "analysts" else "square",
                        color=PALETTE["vermillion"] if side == sides[0] else PALETTE["blue"], line=dict(width=1, color="#333")),
            hovertext=[f"<b>{html.escape(r.speaker)}</b> ({_date_text(r.date)})<br>{_wrap(r.paraphrase)}"
                       + (f"<br><i>“{html.escape(r.short_quote)}”</i>" if isinstance(r.short_quote, str) and r.short_quote else "") for r in rows.itertuples()],
            hoverinfo="text",
        ))
    order = list(debate.sort_values(["side", "date"]).who)
    fig.update_layout(title="Is there an 'axis'? Named voices on each side", height=180 + 55 * len(debate),
                      xaxis=dict(categoryorder="array", categoryarray=sides + [s for s in debate.side.unique() if s not in sides], title="", side="top"),
                      yaxis=dict(categoryorder="array", categoryarray=list(reversed(order)), automargin=True, title=""),
                      legend=dict(orientation="h", y=-0.1))
    table = debate.assign(date=debate.date.map(_date_text))[["side", "speaker", "date", "paraphrase", "short_quote"]]
    return CourseFigure(
        figure=fig,
        alt="A two-column chart of named voices in 2024 and 2025. Under 'sees a coordinated alignment': Andrea "
            "Kendall-Taylor and Richard Fontaine, Victor Cha, and the G7 foreign ministers. Under 'sees looser, mostly "
            "bilateral ties': Jennifer Kavanagh and Daniel DePetris, and Christopher Chivvis and Jack Keating.",
        caption="The course places each voice on a side from what it argued (see the table); a side is a summary, and each "
                "voice's full argument is in its source. Analysts are circles, governments squares.",
        figure_id="axis-debate",
        table=table,
        tables=("statements",),
        sources=tuple(data.cited_sources(debate)),
        rows={"statements": list(debate.statement_id)},
    )


# ---------------------------------------------------------------------------------------------
# The regional explorer: a pure model, a static (kernel-free) figure, an ipywidgets front end
# ---------------------------------------------------------------------------------------------

LAYERS = {"routes": "Supply routes", "ranges": "Missile ranges and strikes", "deployments": "Troop deployments", "trade": "Trade partners"}
#: Periods as (label, first year, last year), inclusive.
PERIODS = (("2019–2021", 2019, 2021), ("2022", 2022, 2022), ("2023", 2023, 2023), ("2024", 2024, 2024), ("2025", 2025, 2025))
PERIOD_LABELS = tuple(p[0] for p in PERIODS)
EXPLORER_BOUNDS = (26.0, 30.0, 146.0, 60.0)
SHORT_LAYERS = {"routes": "Routes", "ranges": "Ranges", "deployments": "Troops", "trade": "Trade"}
SHORT_PERIODS = {"2019–2021": "2019–21", "2022": "2022", "2023": "2023", "2024": "2024", "2025": "2025"}
DEFAULT_STATE = ("routes", "2024")

#: Years in which each route is reported in use, and the rows that date it (routes.csv has no dates of its own).
ROUTE_YEARS = {
    "rail_khasan_tumangang_wagner_2022": (2022, 2022, "events: US claim of a November 2022 delivery (route description)"),
    "sea_rajin_dunai": (2023, 2024, "events 2023-08-01-rajin-dunai-shipments-begin; 2024-03-01-nkpro-shipping-pause"),
    "rail_dunai_tikhoretsk": (2023, 2023, "events 2023-10-13-us-releases-container-imagery"),
    "rail_tumangang_khasan_2023": (2023, 2023, "events 2023-10-06-csis-tumangang-railcars"),
    "sea_rajin_vostochny": (2023, 2024, "route description: tracked in 2023–2024"),
    "sea_vostochny_chongjin": (2024, 2024, "events 2024-03-07-first-tanker-vostochny; 2024-11-22-osc-million-barrels"),
    "rail_khasan_tumangang_energy_2024": (2024, 2024, "route description: imagery of February–July 2024"),
}

FEATURE_COLUMNS = ["feature_id", "kind", "name", "lon", "lat", "labels", "hover", "radius_km", "colour", "style", "width", "source_ids"]


@dataclass(frozen=True)
class ExplorerState:
    """What the map shows for one layer and period: features to draw and a one-line note."""

    layer: str
    period: str
    features: pd.DataFrame
    note: str


def _check_state(layer, period) -> tuple[str, int, int]:
    if not isinstance(layer, str) or layer not in LAYERS:
        raise ExplorerError(f"Choose a layer from: {', '.join(LAYERS)} (you gave {layer!r}).")
    for label, first, last in PERIODS:
        if period == label:
            return label, first, last
    raise ExplorerError(f"Choose a period from: {', '.join(PERIOD_LABELS)} (you gave {period!r}).")


def _feature(**values) -> dict:
    row = {column: None for column in FEATURE_COLUMNS}
    row.update(values)
    return row


def _routes_features(first: int, last: int) -> tuple[list[dict], str]:
    routes = data.load("routes")
    places = _places()
    features = []
    for route in routes.itertuples():
        start, end, dated_by = ROUTE_YEARS.get(route.route_id, (None, None, ""))
        if start is None or end < first or start > last:
            continue
        stops = data.split_ids(route.waypoints)
        colour, dash = MODE_STYLE.get(route.mode, (PALETTE["grey"], "solid"))
        features.append(_feature(
            feature_id=f"route:{route.route_id}", kind="path", name=f"{route.mode} route: {route.name}",
            lon=tuple(float(places.loc[s, "lon"]) for s in stops), lat=tuple(float(places.loc[s, "lat"]) for s in stops),
            hover=(f"<b>{html.escape(route.name)}</b><br>Cargo reported: {html.escape(route.cargo)}<br>Reported in use: "
                   f"{start}{'' if start == end else '–' + str(end)}<br>{_wrap(route.description)}"),
            colour=colour, style=dash, width=3, source_ids=route.source_ids,
        ))
    note = (f"{len(features)} reported route(s) dated to this period." if features
            else "No route in the data is dated to this period (routes are dated from 2022).")
    return features, note


def _ranges_features(first: int, last: int) -> tuple[list[dict], str]:
    missiles = data.load("missiles")
    places = _places()
    features = []
    for number, missile in enumerate(missiles.itertuples()):
        colour = RING_COLOURS[number % len(RING_COLOURS)]
        for launch in data.split_ids(missile.launch_place_ids):
            origin = places.loc[launch]
            radius = float(missile.range_km_high)
            features.append(_feature(
                feature_id=f"ring:{missile.missile_id}:{launch}", kind="ring", name=f"{missile.name}: ~{_fmt(radius)} km from {_short_place(origin['name'])} (approx.)",
                lon=(float(origin.lon),), lat=(float(origin.lat),), radius_km=radius,
                hover=f"<b>{html.escape(missile.name)}</b>: highest published range figure, ~{_fmt(radius)} km<br>{_wrap(missile.range_basis)}",
                colour=colour, style="dash", width=2, source_ids=missile.source_ids,
            ))
    events = data.load("events")
    strikes = events[(events.category == "military") & events.title.str.lower().str.contains("missile")
                     & events.place_id.isin(places.index[places.country == "UKR"])]
    strikes = strikes[(strikes.date.dt.year >= first) & (strikes.date.dt.year <= last)].sort_values("date")
    if not strikes.empty:
        located = places.loc[list(strikes.place_id)]
        features.append(_feature(
            feature_id=f"strikes:{first}-{last}", kind="points", name="Strike with a missile reported as North Korean",
            lon=tuple(located.lon.astype(float)), lat=tuple(located.lat.astype(float)), labels=tuple(_short_place(n) for n in located.name),
            hover=tuple(f"<b>{html.escape(r.title)}</b><br>{_date_text(r.date)}<br>{_wrap(r.summary)}" for r in strikes.itertuples()),
            colour=PALETTE["black"], style="x", source_ids=";".join(data.cited_sources(strikes)),
        ))
    note = ("Rings show capability, not events, and are the same in every period. "
            + (f"{len(strikes)} reported strike(s) on Ukrainian cities in this period." if not strikes.empty else "No strike on a Ukrainian city with a North Korean missile is dated to this period."))
    return features, note


def _deployment_features(first: int, last: int) -> tuple[list[dict], str]:
    places = _places()
    events = troop_events()
    in_period = events[(events.date.dt.year >= first) & (events.date.dt.year <= last) & events.place_id.notna()]
    in_period = in_period[in_period.place_id.isin(places.index[places.country == "RUS"])]
    features = []
    for place_id, rows in in_period.groupby("place_id", sort=False):
        place = places.loc[place_id]
        features.append(_feature(
            feature_id=f"deploy:{place_id}:{first}-{last}", kind="points", name=f"Troop events at {_short_place(place['name'])} ({len(rows)})",
            lon=(float(place.lon),), lat=(float(place.lat),), labels=(f"{_short_place(place['name'])} ({len(rows)})",),
            hover=("<br>".join(f"{_date_text(r.date)}: {html.escape(r.title)}" for r in rows.itertuples()),),
            colour=PALETTE["vermillion"], style="diamond", width=10 + 3 * min(len(rows), 6), source_ids=";".join(data.cited_sources(rows)),
        ))
    estimates = deployment_estimates()
    estimates = estimates[(estimates.estimate_date.dt.year >= first) & (estimates.estimate_date.dt.year <= last) & (estimates.status == "reported count")]
    if estimates.empty:
        note = "No published count of North Korean troops in Russia is dated to this period."
    else:
        values = pd.concat([estimates.low, estimates.high]).dropna().astype(float)
        note = (f"{len(estimates)} published count(s) from {estimates.estimated_by.nunique()} estimator(s), "
                f"from {_fmt(values.min())} to {_fmt(values.max())} personnel (each counts something different; not averaged).")
    return features, note


def _trade_features(first: int, last: int) -> tuple[list[dict], str]:
    trade = data.load("trade")
    places = _places()
    totals = trade[(trade.flow == "total") & (trade.year >= first) & (trade.year <= last)]
    kotra_china = totals[(totals.reporter == "PRK") & (totals.partner == "CHN") & totals.note.str.startswith("KOTRA")]
    customs_china = totals[(totals.reporter == "CHN") & (totals.partner == "PRK")]
    choices = {  # KOTRA for China where it has the year (as in the share chart), else China's own customs figure
        "CHN": pd.concat([kotra_china, customs_china[~customs_china.year.isin(kotra_china.year)]]),
        "RUS": pd.concat([totals[(totals.reporter == "RUS") & (totals.partner == "PRK")], totals[(totals.reporter == "PRK") & (totals.partner == "RUS")]]),
    }
    capital = {"CHN": "beijing", "RUS": "moscow"}
    widest = float(trade[(trade.flow == "total") & (trade.partner.isin(["CHN", "PRK"]))].value.max())
    features, parts = [], []
    for partner, rows in choices.items():
        label = "China" if partner == "CHN" else "Russia"
        if rows.empty:
            parts.append(f"no {label} figure")
            continue
        latest = rows[rows.year == rows.year.max()].iloc[0]
        value = float(latest.value)
        origin, target = places.loc["pyongyang"], places.loc[capital[partner]]
        features.append(_feature(
            feature_id=f"trade:{partner}:{first}-{last}", kind="path", name=f"Trade with {label}, {int(latest.year)}: {_fmt(value)} US$ million",
            lon=(float(origin.lon), float(target.lon)), lat=(float(origin.lat), float(target.lat)),
            hover=f"<b>North Korea's recorded trade with {label}, {int(latest.year)}</b><br>{_fmt(value)} US$ million<br>{_wrap(latest.note)}",
            colour=PALETTE["vermillion"] if partner == "CHN" else PALETTE["blue"], style="solid" if partner == "CHN" else "dash",
            width=round(1.5 + 12 * value / widest, 1), source_ids=latest.source_ids,
        ))
        parts.append(f"{label} {_fmt(value)} (in {int(latest.year)})")
    note = "Recorded trade, US$ million, latest year in the period: " + "; ".join(parts) + ". Line width is proportional to value."
    return features, note


_LAYER_BUILDERS = {"routes": _routes_features, "ranges": _ranges_features, "deployments": _deployment_features, "trade": _trade_features}


def explorer_state(layer: str, period: str) -> ExplorerState:
    """The pure model behind the explorer: which features the map shows for ``layer`` in ``period``."""
    label, first, last = _check_state(layer, period)
    features, note = _LAYER_BUILDERS[layer](first, last)
    frame = pd.DataFrame(features, columns=FEATURE_COLUMNS)
    return ExplorerState(layer=layer, period=label, features=frame, note=note)


def _draw_feature(regional, feature) -> None:
    if feature.kind == "ring":
        regional.add_range_ring(feature.lon[0], feature.lat[0], feature.radius_km, name=feature.name, hover=feature.hover,
                                colour=feature.colour, dash=feature.style)
    elif feature.kind == "path":
        regional.add_path(list(feature.lon), list(feature.lat), name=feature.name, hover=feature.hover, colour=feature.colour,
                  dash=feature.style, width=3 if feature.width is None or pd.isna(feature.width) else float(feature.width))
    elif feature.kind == "points":
        regional.add_points(list(feature.lon), list(feature.lat), labels=list(feature.labels or ()), hover=list(feature.hover),
                            name=feature.name, colour=feature.colour, symbol=feature.style)
        if feature.width is not None and not pd.isna(feature.width):
            regional.fig.data[-1].marker.size = float(feature.width)
    else:  # pragma: no cover - the model only makes the kinds above
        raise ExplorerError(f"Unknown feature kind {feature.kind!r}.")


def _note_annotation(state: ExplorerState) -> dict:
    return dict(text=_wrap(f"{LAYERS[state.layer]}, {state.period}: {state.note}", 95), x=0.5, y=1.0, xref="paper", yref="paper",
                xanchor="center", yanchor="bottom", showarrow=False, align="center", bgcolor="rgba(255,255,255,0.9)", font=dict(size=12))


def _explorer_table(states: list[ExplorerState]) -> pd.DataFrame:
    rows = []
    for state in states:
        if state.features.empty:
            rows.append({"layer": LAYERS[state.layer], "period": state.period, "feature": "(nothing dated to this period)", "note": state.note})
        for feature in state.features.itertuples():
            rows.append({"layer": LAYERS[state.layer], "period": state.period, "feature": feature.name, "note": state.note})
    return pd.DataFrame(rows)


def _explorer_sources(states: list[ExplorerState]) -> tuple[str, ...]:
    ids = []
    for state in states:
        for cell in state.features.source_ids:
            ids.extend(data.split_ids(cell))
    return tuple(dict.fromkeys(ids))


def explorer_figure(layer: str, period: str) -> CourseFigure:
    """One state of the explorer as its own map (what the widget shows)."""
    state = explorer_state(layer, period)
    regional = region_map(_countries(), EXPLORER_BOUNDS, title=f"{LAYERS[state.layer]}, {state.period}", height=620)
    for feature in state.features.itertuples():
        _draw_feature(regional, feature)
    regional.fig.update_layout(annotations=[_note_annotation(state)], margin=dict(t=110))
    return CourseFigure(
        figure=regional.fig,
        alt=f"Map from Ukraine to Japan showing {LAYERS[state.layer].lower()} for {state.period}. {state.note}",
        caption=f"{LAYERS[state.layer]}, {state.period}. {state.note}",
        figure_id=f"explorer-{state.layer}-{state.period}",
        table=_explorer_table([state]),
        tables=("routes", "missiles", "events", "force_estimates", "trade", "places"),
        sources=_explorer_sources([state]) or tuple(data.cited_sources(data.load("places").query("place_id == 'pyongyang'"))),
    )


def regional_explorer_static() -> CourseFigure:
    """Every layer × period precomputed into one figure: a layer menu and a period slider, no kernel needed."""
    regional = region_map(_countries(), EXPLORER_BOUNDS, title="Regional explorer: choose a layer, then a period", height=680, simplify_km=8)
    base = len(regional.fig.data)
    trace_of: dict[str, int] = {}
    states = {}
    for layer in LAYERS:
        for period in PERIOD_LABELS:
            state = explorer_state(layer, period)
            states[(layer, period)] = state
            for feature in state.features.itertuples():
                if feature.feature_id not in trace_of:
                    _draw_feature(regional, feature)
                    trace_of[feature.feature_id] = len(regional.fig.data) - 1
    total = len(regional.fig.data)

    def visible(state: ExplorerState) -> list[bool]:
        shown = {trace_of[f] for f in state.features.feature_id}
        return [True] * base + [i in shown for i in range(base, total)]

    def slider(number: int, layer: str) -> dict:
        # One slider per layer, side by side, so no control ever has to be rebuilt: a slider both picks its layer and
        # a period, and the page's keyboard mirror (one native range input per slider) stays in step with the figure.
        steps = [dict(method="update", label=SHORT_PERIODS[period], args=[{"visible": visible(states[(layer, period)])},
                                                                          {"annotations": [_note_annotation(states[(layer, period)])]}])
                 for period in PERIOD_LABELS]
        return dict(active=PERIOD_LABELS.index(DEFAULT_STATE[1]), steps=steps, x=0.25 * number + 0.01, len=0.23, y=0.0, yanchor="top",
                    currentvalue=dict(prefix=f"{SHORT_LAYERS[layer]}: ", font=dict(size=12)), font=dict(size=10), pad=dict(t=8),
                    name=f"{LAYERS[layer]}, period")

    start = states[DEFAULT_STATE]
    for index, trace in enumerate(regional.fig.data):
        trace.visible = visible(start)[index]
    buttons = [dict(method="update", label=LAYERS[layer],
                    args=[{"visible": visible(states[(layer, DEFAULT_STATE[1])])},
                          {"annotations": [_note_annotation(states[(layer, DEFAULT_STATE[1])])]}])
               for layer in LAYERS]
    regional.fig.update_layout(
        updatemenus=[dict(type="buttons", direction="right", buttons=buttons, active=list(LAYERS).index(DEFAULT_STATE[0]),
                          x=0.0, y=1.12, xanchor="left", yanchor="bottom", showactive=True, font=dict(size=12), name="Layer")],
        sliders=[slider(number, layer) for number, layer in enumerate(LAYERS)], annotations=[_note_annotation(start)],
        margin=dict(t=150, b=100), legend=dict(font=dict(size=11)),
        title=dict(y=0.985, yanchor="top"),
    )
    all_states = list(states.values())
    return CourseFigure(
        figure=regional.fig,
        alt="Interactive map from Ukraine to Japan. Buttons choose a layer: supply routes between North Korea and Russia, "
            "missile range rings and strikes on Ukrainian cities, troop deployment sites in Russia, or trade lines from "
            "Pyongyang to Beijing and Moscow. One slider per layer chooses a period from 2019–2021 to 2025, and a note "
            "above the map says what is shown.",
        caption="Choose a layer with the buttons (each starts at " + DEFAULT_STATE[1] + "), or move one of the four period "
                "sliders below the map: each slider shows its own layer. The note above the map says what is shown, and the "
                "table lists every feature in every state, so nothing depends on using the controls.",
        figure_id="regional-explorer",
        table=_explorer_table(all_states),
        tables=("routes", "missiles", "events", "force_estimates", "trade", "places"),
        sources=_explorer_sources(all_states),
    )


@dataclass
class ExplorerControls:
    """Handles to a displayed explorer (for tests and for learners who script it); displays nothing itself."""

    layer: object
    period: object
    message: object
    handle: object

    def _ipython_display_(self) -> None:  # the controls and the map are already on screen
        pass


def regional_explorer_widget() -> ExplorerControls:
    """The explorer for JupyterLab: a layer dropdown and a period slider redraw one map; errors show as text.

    The map is a plain display that the callback updates by its display id, not an ``Output`` widget: an Output
    widget holding a map's worth of plotly JSON stalls headless execution (nbclient), which the book build uses.
    """
    import ipywidgets as widgets
    from IPython.display import display

    layer = widgets.Dropdown(options=[(label, key) for key, label in LAYERS.items()], value=DEFAULT_STATE[0], description="Layer")
    period = widgets.SelectionSlider(options=list(PERIOD_LABELS), value=DEFAULT_STATE[1], description="Period", continuous_update=False)
    message = widgets.HTML()
    display(widgets.VBox([widgets.HBox([layer, period]), message]))
    handle = display({"text/plain": "Drawing the map..."}, raw=True, display_id=True)

    def redraw(*_):
        try:
            figure = explorer_figure(layer.value, period.value)
        except ValueError as error:  # the model explains what went wrong; never show a traceback
            message.value = f"<p role='alert'><strong>Cannot draw this map:</strong> {html.escape(str(error))}</p>"
            return
        # The course's own bundle (not plotly's renderer, which may try to open a browser), in plain JSON types.
        bundle = figure_bundle(figure.figure, alt=figure.alt, figure_id=figure.figure_id)
        bundle[PLOTLY_MIMETYPE] = json.loads(figure.figure.to_json())
        if handle is not None:
            handle.update(bundle, raw=True)
        message.value = f"<p>{html.escape(figure.caption)}</p>"

    layer.observe(redraw, names="value")
    period.observe(redraw, names="value")
    redraw()
    return ExplorerControls(layer=layer, period=period, message=message, handle=handle)


# ---------------------------------------------------------------------------------------------
# What the partnership changes for each capital
# ---------------------------------------------------------------------------------------------

def _row(table: str, key: str, value: str) -> pd.Series:
    frame = data.load(table)
    hit = frame[frame[key] == value]
    if hit.empty:
        raise RegionalError(f"{table}.csv has no row {value!r}; the capitals summary needs it.")
    return hit.iloc[0]


def capitals_summary() -> pd.DataFrame:
    """For Seoul, Tokyo, Kyiv, Brussels and Beijing: what the data show changed, with the rows behind each line."""
    reach = reach_table()
    kn23 = reach[(reach.missile_id == "kn-23")]
    seoul_reach = kn23[kn23.city_id == "seoul"].iloc[0]
    tokyo_reach = kn23[kn23.city_id == "tokyo"].iloc[0]
    kor23, kor26 = _row("indicators", "indicator_id", "kor-defence-budget-final-2023"), _row("indicators", "indicator_id", "kor-defence-budget-final-2026")
    jpn22, jpn26 = _row("indicators", "indicator_id", "jpn-defence-budget-fy2022"), _row("indicators", "indicator_id", "jpn-defence-budget-fy2026")
    fired = _row("transfers", "estimate_id", "arms-est-030")
    deaths = _row("force_estimates", "estimate_id", "est-048")
    share = china_share()
    kotra = share[share.compiler == "KOTRA"].iloc[-1]
    votes = china_votes()
    vetoes = votes[votes.china_vote == "against (veto)"]
    statements = data.load("statements")
    eu = statements[statements.actor == "EU"]
    rows = [
        ("Seoul", f"Seoul lies {int(seoul_reach.distance_km)} km from Wonsan, well inside every published KN-23 figure; the defence "
                  f"budget passed for 2026 ({_fmt(kor26.value)} trillion won) is above 2023's ({_fmt(kor23.value)}). Seoul called the "
                  "treaty a breach of UN resolutions and said it would reconsider arming Ukraine.",
         "missiles; indicators; events 2024-06-20-seoul-nsc-condemns-treaty"),
        ("Tokyo", f"Tokyo is {int(tokyo_reach.distance_km)} km from Wonsan, beyond the published KN-23 figures, and Japan's defence "
                  f"ministry keeps its own launch count; defence budgets grew from {_fmt(jpn22.value)} trillion yen (FY2022 initial) to "
                  f"{_fmt(jpn26.value)} (FY2026 Cabinet draft) toward a 2%-of-GDP goal. Tokyo voiced 'serious concern' about the troop dispatch.",
         "launches; indicators; statements jpn-2024-10-25-hayashi"),
        ("Kyiv", f"North Korean missiles hit Kharkiv and, Kyiv says, Kyiv itself; Ukraine's GUR counted at least {_fmt(fired.quantity_low)} "
                 f"fired by December 2024. North Korean troops fought in Kursk; South Korea's NIS put deaths at about {_fmt(deaths.low)} by "
                 "September 2025.",
         "events 2024-01-02-kharkiv-strike-dprk-missiles; transfers arms-est-030; force_estimates est-048"),
        ("Brussels", f"The EU added North Korean officials to its Russia sanctions packages and called a troop deployment a 'unilateral "
                     f"hostile act' ({len(eu)} EU statements in the data); with G7 partners it described a war now linking European "
                     "and Indo-Pacific security.",
         "statements (actor EU, G7)"),
        ("Beijing", f"China remains North Korea's dominant trade partner (about {kotra.china_share_pct:.0f}% of recorded trade in "
                    f"{int(kotra.year)}, KOTRA). It joined Russia's veto of new sanctions in {vetoes.date.dt.year.min() if not vetoes.empty else '–'} "
                    "and abstained on the panel in 2024, calls Russia–DPRK ties their own affair, and hosted Kim and Putin at its 2025 parade.",
         "trade; resolutions; statements (actor CHN); events 2025-09-03-kim-xi-putin-beijing-parade"),
    ]
    return pd.DataFrame(rows, columns=["capital", "what the data show", "where to look"])


#: The rows each line of the capitals summary rests on, by table (kept beside the text so the provenance note can link them).
CAPITAL_ROWS = {
    "missiles": ["kn-23"],
    "indicators": ["kor-defence-budget-final-2023", "kor-defence-budget-final-2026", "jpn-defence-budget-fy2022", "jpn-defence-budget-fy2026",
                   "jpn-defence-related-target-gdp-fy2027"],
    "events": ["2024-06-20-seoul-nsc-condemns-treaty", "2024-01-02-kharkiv-strike-dprk-missiles", "2025-04-24-kyiv-dprk-missile",
               "2025-09-03-kim-xi-putin-beijing-parade"],
    "statements": ["kor-2024-06-20-nsc-chang", "jpn-2024-10-25-hayashi", "eu-2024-10-24-borrell", "eu-2024-12-16-15th-package",
                   "g7-2024-11-26-fm", "chn-2024-11-01-lin-jian", "chn-2025-04-28-guo-jiakun"],
    "transfers": ["arms-est-030"],
    "force_estimates": ["est-048"],
    "resolutions": ["draft-2022-05-26", "draft-2024-03-28"],
}


def capitals_table() -> CourseFigure:
    """What the partnership changes for Seoul, Tokyo, Kyiv, Brussels and Beijing, as a table with its sources."""
    summary = capitals_summary()
    key_of = {"missiles": "missile_id", "indicators": "indicator_id", "events": "event_id", "statements": "statement_id",
              "transfers": "estimate_id", "force_estimates": "estimate_id", "resolutions": "resolution_id"}
    cited: list[str] = []
    for table_name, ids in CAPITAL_ROWS.items():
        frame = data.load(table_name)
        rows = frame[frame[key_of[table_name]].isin(ids)]
        missing = sorted(set(ids) - set(rows[key_of[table_name]]))
        if missing:
            raise RegionalError(f"{table_name}.csv is missing row(s) {', '.join(missing)} used by the capitals summary.")
        cited += data.cited_sources(rows)
    share = china_share()
    cited += [s for cell in share[share.compiler == "KOTRA"].tail(1).source_ids for s in data.split_ids(cell)]
    fig = go.Figure(go.Table(
        columnwidth=[12, 70, 28],
        header=dict(values=["<b>Capital</b>", "<b>What the data show</b>", "<b>Where to look</b>"], fill_color="#e8eef5", align="left", font=dict(size=13)),
        cells=dict(values=[summary[c] for c in summary.columns], align="left", fill_color="white", font=dict(size=12), height=30),
    ))
    fig.update_layout(title="What the partnership changes, capital by capital", height=480, margin=dict(l=10, r=10, t=60, b=10))
    return CourseFigure(
        figure=fig,
        alt="Table with one row each for Seoul, Tokyo, Kyiv, Brussels and Beijing, summarising what the course's data show "
            "the Russia–North Korea partnership has changed for each, and which tables to check.",
        caption="A summary, computed from the data package where it gives numbers. Each line points to the rows behind it; "
                "open them before quoting a figure.",
        figure_id="capitals-summary",
        table=summary,
        tables=tuple(CAPITAL_ROWS) + ("trade",),
        sources=tuple(dict.fromkeys(cited)),
        rows=CAPITAL_ROWS,
    )


# ---------------------------------------------------------------------------------------------
# Checkable exercises (expected answers computed from the data package)
# ---------------------------------------------------------------------------------------------

def _tracker_gap_2022() -> float:
    counts = tracker_counts(2022)
    csis = counts[(counts.tracker == "CSIS Missile Defense Project") & (counts.what == UNIT_LABELS["missiles"])]["count"].iloc[0]
    japan = counts[(counts.tracker == "Japan Ministry of Defense") & (counts.what == UNIT_LABELS["missiles"])]["count"].iloc[0]
    return float(csis - japan)


def _wonsan_tokyo_km() -> float:
    reach = reach_table(("tokyo",))
    return float(reach[(reach.launch_place_id == "wonsan")].distance_km.iloc[0])


def _nis_death_revision() -> float:
    forces = data.load("force_estimates").set_index("estimate_id")
    return float(forces.loc["est-048", "low"] - forces.loc["est-045", "low"])


def _china_share_2024() -> float:
    share = china_share()
    return float(share[(share.compiler == "KOTRA") & (share.year == 2024)].china_share_pct.iloc[0])


EXERCISES = {
    "ex-06-tracker-gap": Exercise(
        prompt="For 2022, how many more missiles did the CSIS Missile Defense Project count than Japan's Ministry of Defense?",
        expected=_tracker_gap_2022,
        hint="Filter tracker_counts(2022) to the two trackers' 'missiles counted one by one' rows and subtract.",
    ),
    "ex-06-wonsan-tokyo": Exercise(
        prompt="How far is Tokyo from Wonsan along the Earth's surface, in km?",
        expected=_wonsan_tokyo_km,
        tolerance=0.02,
        hint="reach_table(('tokyo',)) has a distance_km column; or use GEOD.inv with the two places' coordinates.",
    ),
    "ex-07-nis-deaths": Exercise(
        prompt="By how many did South Korea's NIS raise its estimate of North Korean deaths between April and September 2025?",
        expected=_nis_death_revision,
        hint="Look at casualty_table() rows with measure 'Killed' estimated by South Korea NIS in 2025.",
    ),
    "ex-08-china-share": Exercise(
        prompt="Using KOTRA's totals, what percentage of North Korea's recorded trade in 2024 was with China (one decimal)?",
        expected=_china_share_2024,
        tolerance=0.002,
        hint="Divide the 2024 PRK-CHN total by the PRK-WLD total in trade.csv (KOTRA rows), times 100; or use china_share().",
    ),
}
