"""Figures about the UN sanctions on the DPRK: the resolutions and what prompted them, how the measures
tightened, the break of 2022-2024, the monitoring team formed outside the UN, and who can see what.

Every figure is computed from the data package (``resolutions``, ``measures``, ``events``,
``vote_explanations``, ``statements``, ``msmt_members``, ``monitoring_sources``, ``transfers``) and
returned as a :class:`~partnership.figures.CourseFigure` with alt text, caption, data table and sources.
"""
from __future__ import annotations

import html
import json
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import shapely
from plotly.subplots import make_subplots
from pyproj import CRS, Transformer
from shapely.geometry import box

from . import data
from .check import Exercise
from .figures import PALETTE, CourseFigure
from .maps import BORDER, LAND, RegionalMap, _polygon_xy

#: Human labels for the measure types of ``measures.csv``, in the order the matrix shows them.
MEASURE_LABELS = {
    "arms_embargo": "Arms embargo",
    "luxury_goods_ban": "Luxury goods",
    "asset_freeze_travel_ban": "Asset freeze, travel ban",
    "financial_measures": "Financial measures",
    "cargo_inspection": "Cargo inspection",
    "coal_ban_or_cap": "Coal",
    "iron_ore_ban": "Iron, iron ore",
    "seafood_ban": "Seafood",
    "textiles_ban": "Textiles",
    "refined_petroleum_cap": "Refined petroleum cap",
    "crude_oil_cap": "Crude oil cap",
    "overseas_workers": "Workers abroad",
    "joint_ventures_ban": "Joint ventures",
    "sanctions_committee": "Sanctions committee",
    "panel_of_experts": "Panel of Experts",
    "other": "Other measures",
}

#: What a monitoring source can see, as coded in ``monitoring_sources.csv``.
FLOW_LABELS = {
    "weapon_systems": "Weapon systems",
    "ammunition": "Ammunition",
    "movements": "Ship & rail movements",
    "cargo_contents": "Cargo contents",
    "oil": "Oil volumes",
    "declared_trade": "Declared trade",
    "undeclared_trade": "Undeclared trade",
    "finance_cyber": "Finance & cyber",
}

COUNTRY_NAMES = {
    "CHN": "China", "RUS": "Russia", "USA": "United States", "KOR": "South Korea", "JPN": "Japan", "FRA": "France",
    "GBR": "United Kingdom", "PRK": "North Korea", "PAK": "Pakistan", "DEU": "Germany", "ITA": "Italy",
    "NLD": "Netherlands", "NZL": "New Zealand", "AUS": "Australia", "CAN": "Canada",
}

_RENEWAL = "panel of experts mandate renewal"


def _wrap(text: str, width: int = 60) -> str:
    return "<br>".join(textwrap.wrap(html.escape(str(text)), width))


def _names(codes) -> str:
    return ", ".join(COUNTRY_NAMES.get(c, c) for c in data.split_ids(codes))


def _vote(row) -> str:
    return f"{int(row.votes_for)}–{int(row.votes_against)}–{int(row.abstentions)}"


def _dates_as_text(fig: go.Figure) -> go.Figure:
    """The figure with every date (in traces, shapes, annotations, axis ranges) as JSON text.

    Numpy datetimes, pandas NaT and naive timestamps cannot travel in a notebook's plotly output; a round trip
    through plotly's own JSON encoder turns them into ISO strings, which plotly reads back as dates.
    """
    return go.Figure(json.loads(pio.to_json(fig, validate=False)))


# ---------------------------------------------------------------------------------------------
# The resolutions and what prompted them
# ---------------------------------------------------------------------------------------------

def council_texts() -> pd.DataFrame:
    """Security Council resolutions and vetoed drafts on the DPRK, each classified for the timeline.

    ``role`` is ``sanctions`` (a resolution that set or changed measures, or urged the DPRK without
    sanctions, as 825 did), ``renewal`` (a Panel of Experts renewal) or ``vetoed``; ``trigger_kind`` is
    ``nuclear_test`` when the trigger date is a nuclear test in ``events``, ``launch`` when the trigger
    names a launch, else ``other``.
    """
    resolutions = data.load("resolutions")
    council = resolutions[resolutions.kind.isin(["resolution", "draft_vetoed"])].copy()
    events = data.load("events")
    test_dates = set(events.loc[events.category == "nuclear_test", "date"])
    council["role"] = np.where(
        council.kind == "draft_vetoed", "vetoed",
        np.where(council.trigger.fillna("").str.lower().str.contains(_RENEWAL), "renewal", "sanctions"),
    )

    def trigger_kind(row) -> str | None:
        if pd.isna(row.trigger_date):
            return None
        if row.trigger_date in test_dates:
            return "nuclear_test"
        text = str(row.trigger).lower()
        return "launch" if any(word in text for word in ("launch", "icbm", "missile")) else "other"

    council["trigger_kind"] = council.apply(trigger_kind, axis=1)
    council["vote"] = council.apply(_vote, axis=1)
    council["unanimous"] = (council.votes_for == 15) & (council.votes_against == 0) & (council.abstentions == 0)
    council["label"] = [
        f"{int(n)}" if not pd.isna(n) else f"Draft of {d:%d %b %Y}" for n, d in zip(council.number, council.date)
    ]
    return council.sort_values("date").reset_index(drop=True)


def _stagger(dates: pd.Series, levels: int, window_days: int = 400) -> list[int]:
    """Give items close in time different vertical levels so their labels do not overlap."""
    out, previous, level = [], None, 0
    for date in dates:
        level = (level + 1) % levels if previous is not None and (date - previous).days < window_days else 0
        out.append(level)
        previous = date
    return out


def resolutions_timeline() -> CourseFigure:
    """UN Security Council resolutions on the DPRK, 825 (1993) to 2397 (2017), with what prompted them, the
    votes, the annual Panel renewals and the two vetoed drafts."""
    council = council_texts()
    events = data.load("events")
    tests = events[events.category == "nuclear_test"].sort_values("date")
    panel_end = events.loc[events.event_id == "2024-04-30-poe-mandate-ends", "date"]

    lane = {"nuclear_test": 6.2, "launch": 5.2, "sanctions": 2.5, "renewal": 1.3, "vetoed": 0.3}
    council["y"] = council.role.map(lane).astype(float)
    sanctions = council.role == "sanctions"
    council.loc[sanctions, "y"] = lane["sanctions"] + 0.38 * np.array(_stagger(council.loc[sanctions, "date"], 5))
    vetoed = council.role == "vetoed"
    council.loc[vetoed, "y"] = lane["vetoed"] + 0.5 * np.array(_stagger(council.loc[vetoed, "date"], 2, window_days=2000))[::-1]

    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.07, 0.93], horizontal_spacing=0.015)

    def column(date) -> int:
        return 1 if date.year < 2000 else 2

    # Connectors from each trigger to the Council's response.
    for col in (1, 2):
        xs, ys = [], []
        for row in council.itertuples():
            if pd.isna(row.trigger_kind) or column(row.date) != col:
                continue
            y_trigger = lane["nuclear_test"] if row.trigger_kind == "nuclear_test" else lane["launch"]
            xs += [f"{row.trigger_date:%Y-%m-%d}", f"{row.date:%Y-%m-%d}", None]  # strings: None must not become NaT
            ys += [y_trigger, row.y, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=PALETTE["grey"], width=1, dash="dot"),
                                 hoverinfo="skip", name="What prompted it → response", legendgroup="link",
                                 showlegend=col == 2), row=1, col=col)

    # Triggers: nuclear tests from events; launches and other triggers from the resolutions' trigger columns.
    fig.add_trace(go.Scatter(
        x=tests.date, y=[lane["nuclear_test"]] * len(tests), mode="markers", name="Nuclear test",
        marker=dict(symbol="star", size=15, color=PALETTE["vermillion"], line=dict(width=1, color="black")),
        hovertext=[f"<b>{t.title}</b><br>{t.date:%d %b %Y}<br>{_wrap(t.summary)}" for t in tests.itertuples()],
        hoverinfo="text"), row=1, col=2)
    for kind, name, symbol, colour in [("launch", "Missile or satellite launch", "triangle-up", PALETTE["orange"]),
                                       ("other", "Other trigger", "square", PALETTE["grey"])]:
        rows = council[council.trigger_kind == kind]
        for col in (1, 2):
            subset = rows[[column(d) == col for d in rows.date]]
            if subset.empty:
                continue
            fig.add_trace(go.Scatter(
                x=subset.trigger_date, y=[lane["launch"]] * len(subset), mode="markers", name=name,
                marker=dict(symbol=symbol, size=12, color=colour, line=dict(width=1, color="black")),
                hovertext=[f"<b>{html.escape(r.trigger)}</b><br>{r.trigger_date:%d %b %Y}" for r in subset.itertuples()],
                hoverinfo="text", legendgroup=name, showlegend=col == (2 if kind == "launch" else 1)), row=1, col=col)

    # Responses.
    styles = [
        ("Adopted unanimously (15–0–0)", (council.role != "vetoed") & council.unanimous, "circle", PALETTE["blue"]),
        ("Adopted with abstentions", (council.role != "vetoed") & ~council.unanimous, "diamond", PALETTE["sky_blue"]),
        ("Draft vetoed", council.role == "vetoed", "x", PALETTE["vermillion"]),
    ]
    for name, mask, symbol, colour in styles:
        rows = council[mask]
        for col in (1, 2):
            subset = rows[[column(d) == col for d in rows.date]]
            if subset.empty:
                continue
            text, positions = [], []
            for i, r in enumerate(subset.itertuples()):
                if r.role == "vetoed":
                    abstained = f"; {_names(r.abstaining_members)} abstained" if isinstance(r.abstaining_members, str) else ""
                    text.append(f"Draft, {r.date:%b %Y}: {r.vote}, veto by {_names(r.vetoed_by)}{abstained}")
                    positions.append("middle left")
                elif r.role == "renewal":
                    text.append(r.label)
                    positions.append("top center" if i % 2 == 0 else "bottom center")
                elif r.unanimous:
                    text.append(r.label)  # the marker shape says 'unanimous'; the vote is in the hover and the table
                    positions.append("middle right")
                else:
                    text.append(f"{r.label}<br>{r.vote}")
                    positions.append("top center")
            hover = [
                f"<b>{html.escape(r.symbol) if isinstance(r.symbol, str) else r.label}</b>, {r.date:%d %b %Y}<br>"
                f"Vote {r.vote} (for–against–abstaining)"
                + (f"; vetoed by {_names(r.vetoed_by)}" if isinstance(r.vetoed_by, str) else "")
                + (f"; abstaining: {_names(r.abstaining_members)}" if isinstance(r.abstaining_members, str) else "")
                + f"<br>Prompted by: {html.escape(str(r.trigger)) if isinstance(r.trigger, str) else '–'}<br>{_wrap(r.summary)}"
                for r in subset.itertuples()
            ]
            fig.add_trace(go.Scatter(
                x=subset.date, y=subset.y, mode="markers+text", name=name, text=text, textposition=positions,
                textfont=dict(size=11, color="#111"), hovertext=hover, hoverinfo="text", legendgroup=name, cliponaxis=False,
                showlegend=col == 2 or name == "Adopted with abstentions",
                marker=dict(symbol=symbol, size=12 if symbol != "x" else 14, color=colour,
                            line=dict(width=1.5, color="black" if symbol != "x" else colour))), row=1, col=col)

    if not panel_end.empty:
        end = panel_end.iloc[0]
        fig.add_shape(type="line", x0=end, x1=end, y0=-0.2, y1=6.8, line=dict(color=PALETTE["black"], width=1.5, dash="dash"), row=1, col=2)
        fig.add_annotation(x=end, y=6.85, text=f"Panel mandate ends<br>{end:%d %b %Y}", showarrow=False, yanchor="bottom",
                           xanchor="right", font=dict(size=11), row=1, col=2)
    fig.update_xaxes(range=[pd.Timestamp("1992-10-01"), pd.Timestamp("1993-09-01")], tickvals=[pd.Timestamp("1993-01-01")],
                     ticktext=["1993"], row=1, col=1)
    fig.update_xaxes(range=[pd.Timestamp("2005-12-01"), pd.Timestamp("2025-06-30")], dtick="M24", tickformat="%Y", row=1, col=2)
    fig.update_yaxes(range=[-0.3, 7.6], tickvals=[lane["nuclear_test"], lane["launch"], lane["sanctions"] + 0.76, lane["renewal"], lane["vetoed"] + 0.25],
                     ticktext=["Nuclear tests", "Launches, other", "Resolutions", "Panel renewals", "Vetoed drafts"],
                     showgrid=False, row=1, col=1)
    fig.update_layout(title=dict(text="The Security Council and the DPRK: what prompted each resolution, and the vote", x=0.01),
                      height=600, margin=dict(l=120, r=20, t=70, b=40), hovermode="closest",
                      legend=dict(orientation="h", y=-0.08, x=0, font=dict(size=12)))

    table = council.assign(
        text=[r.symbol if isinstance(r.symbol, str) else f"Draft ({r.date:%d %b %Y})" for r in council.itertuples()],
        date_=council.date.dt.date, trigger_date_=council.trigger_date.dt.date,
        vetoed=council.vetoed_by.fillna("").map(_names),
    )[["text", "date_", "role", "vote", "vetoed", "trigger", "trigger_date_", "summary"]].rename(columns={
        "text": "Council text", "date_": "Date", "role": "Kind", "vote": "Vote (for–against–abstaining)",
        "vetoed": "Vetoed by", "trigger": "What prompted it", "trigger_date_": "Trigger date", "summary": "What it did"})
    sources = data.cited_sources(council) + data.cited_sources(tests)
    return CourseFigure(
        figure=_dates_as_text(fig),
        alt="Timeline from 1993 to 2025. Nuclear tests (stars) and launches (triangles) are each joined by a dotted line "
            "to the Security Council resolution that followed, all adopted unanimously except resolution 825 in 1993, "
            "which had two abstentions. Panel of Experts renewals follow yearly; the two vetoed drafts of 2022 and 2024 "
            "appear as crosses, and a dashed line marks the end of the Panel's mandate in April 2024.",
        caption="Each nuclear test from 2006 to 2017 was followed by a unanimous resolution within weeks or months; "
                "launches prompted others. Votes are for–against–abstaining; unanimity is recorded as 15–0–0 where "
                "sources said 'unanimously'. Only the Panel renewals whose date and vote were found are shown.",
        figure_id="resolutions-timeline",
        table=table,
        tables=("resolutions", "events"),
        sources=tuple(dict.fromkeys(sources)),
        rows={"resolutions": list(council.resolution_id)},
    )


# ---------------------------------------------------------------------------------------------
# How the measures tightened
# ---------------------------------------------------------------------------------------------

def _compact(value: float, unit: str) -> str:
    """A cap as a short cell label: 2M (barrels), 7.5M t, $400.9M, 24 mo."""
    if value is None or pd.isna(value):
        return ""
    if value >= 1_000_000:
        number = f"{value / 1_000_000:g}M"
    elif value >= 1_000:
        number = f"{value / 1_000:g}k"
    else:
        number = f"{value:g}"
    return {"usd_per_year": f"${number}", "metric_tons_per_year": f"{number} t", "months": f"{number} mo"}.get(unit, number)


def measure_matrix_table() -> pd.DataFrame:
    """Resolution × measure states: 1 = first time this kind of measure appears, 2 = the same kind again
    (widened, tightened or restated), 3 = proposed in a vetoed draft; plus the cell text shown."""
    council = council_texts()
    council = council[council.role != "renewal"]
    measures = data.load("measures")
    order = list(MEASURE_LABELS)
    seen: set[str] = set()
    records = []
    for row in council.itertuples():
        here = measures[measures.resolution_id == row.resolution_id]
        record = {"resolution_id": row.resolution_id, "row_label": (f"{row.label} ({row.date:%b %Y})" if row.role != "vetoed"
                                                                       else f"{row.label} (vetoed)"),
                  "role": row.role}
        for measure in order:
            cells = here[here.measure == measure]
            if cells.empty:
                record[measure] = 0
                record[f"{measure}__text"] = ""
                record[f"{measure}__hover"] = ""
                continue
            if row.role == "vetoed":
                state, symbol = 3, "✗"
            elif measure == "other":  # each 'other' row is a different measure (a new export ban, a call on the NPT...)
                state, symbol = 1, "◆"
            elif measure in seen:
                state, symbol = 2, "▲"
            else:
                state, symbol = 1, "●"
            values = [_compact(c.value, c.unit) for c in cells.itertuples() if not pd.isna(c.value)]
            record[measure] = state
            record[f"{measure}__text"] = symbol + ("<br>" + values[0] if values else "")
            record[f"{measure}__hover"] = "<br>".join(_wrap(c.description, 50) for c in cells.itertuples())
        if row.role != "vetoed":
            seen.update(m for m in order if record[m] and m != "other")
        record["kinds_so_far"] = len(seen)
        records.append(record)
    return pd.DataFrame(records)


def measures_matrix() -> CourseFigure:
    """Which kinds of measure each resolution introduced or extended: the regime tightening step by step."""
    matrix = measure_matrix_table()
    order = list(MEASURE_LABELS)
    z = matrix[order].to_numpy(float)
    text = matrix[[f"{m}__text" for m in order]].to_numpy()
    hover = matrix[[f"{m}__hover" for m in order]].to_numpy()
    labels = [MEASURE_LABELS[m] for m in order]
    colourscale = [  # z = 0..3 with zmin -0.5, zmax 3.5: each state owns a quarter of the scale
        [0.0, "#ffffff"], [0.25, "#ffffff"],
        [0.25, "#a6cde8"], [0.5, "#a6cde8"],           # 1: first appearance (light blue)
        [0.5, "#d9ecf7"], [0.75, "#d9ecf7"],           # 2: again (paler)
        [0.75, "#f6c6a8"], [1.0, "#f6c6a8"],           # 3: proposed, vetoed (light vermillion)
    ]
    fig = go.Figure(go.Heatmap(
        z=z, x=labels, y=matrix.row_label, text=text, texttemplate="%{text}", textfont=dict(size=10, color="#111"),
        customdata=hover, hovertemplate="<b>%{y}</b> – %{x}<br>%{customdata}<extra></extra>",
        colorscale=colourscale, zmin=-0.5, zmax=3.5, showscale=False, xgap=2, ygap=2,
    ))
    for i, row in matrix.iterrows():
        if row.role == "vetoed":
            continue
        fig.add_annotation(x=1.0, xref="paper", xanchor="left", y=row.row_label, text=f" {int(row.kinds_so_far)}",
                           showarrow=False, font=dict(size=12))
    fig.add_annotation(x=1.0, xref="paper", xanchor="left", y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                       text=" kinds<br> so far", font=dict(size=11))
    # A legend that does not rely on colour: symbols explained as text.
    fig.add_annotation(x=0, xref="paper", y=-0.02, yref="paper", yanchor="top", xanchor="left", showarrow=False, align="left",
                       text="● first time this kind of measure appears   ▲ the same kind again (widened, tightened or restated)<br>"
                            "◆ other measures, each different (see the table)   ✗ proposed in a vetoed draft<br>Numbers: caps set (M = million, k = thousand; oil in barrels a year)",
                       font=dict(size=12))
    fig.update_layout(
        title=dict(text="How the measures accumulated, resolution by resolution", x=0.01, y=0.99, yanchor="top"),
        height=260 + 36 * len(matrix), margin=dict(l=170, r=70, t=190, b=70),
        xaxis=dict(side="top", tickangle=-40, showgrid=False), yaxis=dict(autorange="reversed", showgrid=False),
        plot_bgcolor="white",
    )
    table = matrix[["row_label"] + [f"{m}__text" for m in order] + ["kinds_so_far"]].copy()
    table = table.replace("<br>", " ", regex=True)
    table.columns = ["Resolution"] + labels + ["Kinds of measure so far"]
    table.loc[matrix.role == "vetoed", "Kinds of measure so far"] = None
    measures = data.load("measures")
    used = measures[measures.resolution_id.isin(matrix.resolution_id)]
    adopted = matrix[matrix.role != "vetoed"]
    first, last = adopted.iloc[0], adopted.iloc[-1]
    return CourseFigure(
        figure=_dates_as_text(fig),
        alt="Grid with one row per resolution from 825 (1993) to 2397 (2017) and the two vetoed drafts, and one column per kind "
            "of measure. Early resolutions mark the arms embargo, luxury goods and asset freezes; from 2016 the rows fill "
            "with bans on coal, iron, seafood and textiles, caps on oil and limits on workers abroad. The number of kinds of "
            "measure in force rises from "
            f"{int(first.kinds_so_far)} after {first.row_label} to {int(last.kinds_so_far)} after {last.row_label}; the vetoed "
            "drafts would have lowered the oil caps and renewed the Panel of Experts.",
        caption="A cell marks a kind of measure in a resolution: ● the first time it appears, ▲ when a later resolution "
                "widens, tightens or restates it, ◆ another measure (each different), ✗ proposed in a draft that was vetoed. "
                "Numbers are the caps set (M = million, k = thousand; oil in barrels a year). The yearly Panel renewals are "
                "left out; resolution 1874 created the Panel.",
        figure_id="measures-matrix",
        table=table,
        tables=("measures", "resolutions"),
        sources=tuple(data.cited_sources(used)),
        rows={"measures": list(used.measure_id)},
    )


# ---------------------------------------------------------------------------------------------
# The break: the vetoes, the Panel's end, the MSMT
# ---------------------------------------------------------------------------------------------

#: event id → (lane, marker, colour, short label, label position)
BREAK_EVENTS = {
    "2022-05-26-double-veto": ("un", "x", PALETTE["vermillion"], "China and Russia veto<br>new sanctions", "top center"),
    "2024-03-28-poe-veto": ("un", "x", PALETTE["vermillion"], "Russia vetoes Panel renewal;<br>China abstains", "top left"),
    "2024-04-30-poe-mandate-ends": ("un", "square", PALETTE["black"], "Panel<br>mandate ends", "top right"),
    "2024-10-16-msmt-launch": ("msmt", "circle", PALETTE["blue"], "MSMT launched<br>by eleven states", "bottom center"),
    "2025-05-29-msmt-first-report": ("msmt", "diamond", PALETTE["blue"], "First report:<br>DPRK–Russia<br>military ties", "top left"),
    "2025-07-17-msmt-un-briefing": ("msmt", "triangle-up", PALETTE["sky_blue"], "Findings<br>briefed at UN", "bottom center"),
    "2025-10-22-msmt-second-report": ("msmt", "diamond", PALETTE["blue"], "Second report:<br>cyber theft,<br>IT workers", "top right"),
}
STANCE_LABELS = {"veto": "✗ vetoed", "abstain": "○ abstained", "sponsor": "✓ sponsor", "sponsor_ally": "✓ backed it",
                 "rejects": "✗ rejects it"}
STANCE_COLOURS = {"veto": "#f6c6a8", "abstain": "#f5e6a3", "sponsor": "#cfe3f3", "sponsor_ally": "#e3eef7", "rejects": "#f6c6a8"}

#: Statements (statements.csv) shown beside the vote explanations: China's full explanation of vote, and the
#: rejections of the MSMT by Russia and the DPRK.
EXTRA_STATEMENTS = {"chn-2024-03-28-geng-eov": ("draft-2024-03-28", "abstain"),
                    "rus-2024-10-23-zakharova-msmt": ("msmt", "rejects"),
                    "prk-2025-06-01-mfa-msmt": ("msmt", "rejects")}


def stated_reasons() -> pd.DataFrame:
    """Who said what about the 2022 and 2024 votes and about the MSMT, in the course's paraphrase."""
    explanations = data.load("vote_explanations")
    rows = [dict(topic=r.resolution_id, date=r.date, who=r.speaker, country=_names(r.actors), stance=r.stance,
                 reason=r.paraphrase, row_id=r.statement_id, table="vote_explanations", source_ids=r.source_ids)
            for r in explanations.itertuples()]
    statements = data.load("statements").set_index("statement_id")
    for statement_id, (topic, stance) in EXTRA_STATEMENTS.items():
        if statement_id not in statements.index:
            continue
        r = statements.loc[statement_id]
        rows.append(dict(topic=topic, date=r.date, who=r.speaker, country=_names(r.actor), stance=stance,
                         reason=r.paraphrase, row_id=statement_id, table="statements", source_ids=r.source_ids))
    frame = pd.DataFrame(rows)
    topic_order = {"draft-2022-05-26": 0, "draft-2024-03-28": 1, "msmt": 2}
    stance_order = {"sponsor": 0, "sponsor_ally": 1, "veto": 2, "abstain": 3, "rejects": 4}
    frame["_t"] = frame.topic.map(topic_order)
    frame["_s"] = frame.stance.map(stance_order)
    return frame.sort_values(["_t", "_s", "date"], na_position="last").drop(columns=["_t", "_s"]).reset_index(drop=True)


def the_break() -> CourseFigure:
    """The 2022 double veto, the 2024 veto and the Panel's end, the MSMT and its reports, and the reasons each side gave."""
    events = data.load("events").set_index("event_id")
    shown = events.loc[[e for e in BREAK_EVENTS if e in events.index]].reset_index()
    reasons = stated_reasons()
    topic_names = {"draft-2022-05-26": "2022 sanctions draft", "draft-2024-03-28": "2024 Panel renewal", "msmt": "The MSMT"}

    fig = make_subplots(rows=2, cols=1, row_heights=[0.25, 0.75], vertical_spacing=0.05,
                        specs=[[{"type": "xy"}], [{"type": "table"}]])
    lanes = {"un": 1.0, "msmt": 0.0}
    for row in shown.itertuples():
        lane, symbol, colour, label, position = BREAK_EVENTS[row.event_id]
        fig.add_trace(go.Scatter(
            x=[row.date], y=[lanes[lane]], mode="markers+text", text=[label], showlegend=False, cliponaxis=False,
            textposition=position, textfont=dict(size=11),
            marker=dict(symbol=symbol, size=14, color=colour, line=dict(width=1, color="black" if symbol != "x" else colour)),
            hovertext=f"<b>{html.escape(row.title)}</b><br>{row.date:%d %b %Y}<br>{_wrap(row.summary)}", hoverinfo="text"),
            row=1, col=1)
    start, end = shown.date.min(), shown.date.max()
    panel_end = events.loc["2024-04-30-poe-mandate-ends", "date"] if "2024-04-30-poe-mandate-ends" in events.index else None
    msmt_start = events.loc["2024-10-16-msmt-launch", "date"] if "2024-10-16-msmt-launch" in events.index else None
    if panel_end is not None and msmt_start is not None:
        fig.add_shape(type="rect", x0=panel_end, x1=msmt_start, y0=-0.6, y1=1.6, fillcolor="#eeeeee", line=dict(width=0),
                      layer="below", row=1, col=1)
        fig.add_annotation(x=panel_end + (msmt_start - panel_end) / 2, y=-0.45, text="no Panel,<br>no MSMT yet", showarrow=False,
                           font=dict(size=10, color="#444"), row=1, col=1)
    fig.update_xaxes(range=[start - pd.Timedelta(days=150), end + pd.Timedelta(days=200)], dtick="M6", tickformat="%b %Y", row=1, col=1)
    fig.update_yaxes(range=[-0.9, 2.0], tickvals=[1, 0], ticktext=["UN Security Council", "Outside the UN"], showgrid=False, row=1, col=1)

    cell_colours = [STANCE_COLOURS.get(s, "white") for s in reasons.stance]
    fig.add_trace(go.Table(
        columnwidth=[62, 62, 150, 62, 360],
        header=dict(values=["<b>About</b>", "<b>Date</b>", "<b>Who</b>", "<b>Position</b>", "<b>Stated reason (paraphrased)</b>"],
                    fill_color="#dddddd", align="left", font=dict(size=12)),
        cells=dict(values=[
            [topic_names[t] for t in reasons.topic],
            [d.strftime("%d %b %Y") if not pd.isna(d) else "not dated" for d in reasons.date],
            [w if c.split(",")[0] in w else f"<b>{c}</b>: {w}" for w, c in zip(reasons.who, reasons.country)],
            [STANCE_LABELS[s] for s in reasons.stance],
            list(reasons.reason),
        ], fill_color=[["white"] * len(reasons)] * 3 + [cell_colours, ["white"] * len(reasons)], align="left",
            font=dict(size=11), height=24)), row=2, col=1)
    fig.update_layout(title=dict(text="The break: two vetoes, the end of the Panel, and a monitor outside the UN", x=0.01),
                      height=1400, margin=dict(l=130, r=20, t=60, b=20))
    table = reasons.assign(About=reasons.topic.map(topic_names), Date=reasons.date.dt.date,
                           Position=reasons.stance.map(STANCE_LABELS))[
        ["About", "Date", "who", "country", "Position", "reason"]].rename(columns={"who": "Who", "country": "Country", "reason": "Stated reason (paraphrased)"})
    timeline = shown.assign(Date=shown.date.dt.date)[["Date", "title", "summary"]].rename(columns={"title": "Event", "summary": "Summary"})
    table = pd.concat([timeline.assign(About="Timeline"), table], ignore_index=True)[
        ["About", "Date", "Event", "Summary", "Who", "Country", "Position", "Stated reason (paraphrased)"]]
    resolutions = data.load("resolutions").set_index("resolution_id").loc[["draft-2022-05-26", "draft-2024-03-28"]].reset_index()
    sources = data.cited_sources(shown) + data.cited_sources(reasons) + data.cited_sources(resolutions)
    rows = {"events": list(shown.event_id), "vote_explanations": list(reasons.loc[reasons.table == "vote_explanations", "row_id"]),
            "statements": list(reasons.loc[reasons.table == "statements", "row_id"])}
    return CourseFigure(
        figure=_dates_as_text(fig),
        alt="Top: a timeline from 2022 to 2025. China and Russia vetoed a sanctions draft in May 2022; Russia vetoed the Panel "
            "of Experts renewal in March 2024 with China abstaining; the Panel ended on 30 April 2024; after a gap, eleven "
            "states launched the MSMT in October 2024, which issued reports in May and October 2025. Below: a table of the "
            "reasons each side gave, sponsors first, then Russia and China.",
        caption="The vetoes and what followed. The table paraphrases each speaker's stated reasons, side by side; it does not "
                "judge them. Shading and symbols mark the position (✓ supported, ✗ vetoed or rejected, ○ abstained).",
        figure_id="the-break",
        table=table,
        tables=("events", "vote_explanations", "statements", "resolutions"),
        sources=tuple(dict.fromkeys(sources)),
        rows=rows,
    )


# ---------------------------------------------------------------------------------------------
# The MSMT on a world map
# ---------------------------------------------------------------------------------------------

#: World window: the region maps' equal-area projection is centred on a window and breaks down for the
#: whole globe, so world maps use the Equal Earth projection (also equal-area) instead.
WORLD_BOUNDS = (-180.0, -58.0, 180.0, 84.0)


def _unwrap_antimeridian(geometry):
    """Repair polygon parts that cross the 180° meridian (drawn as bands round the whole world otherwise).

    Natural Earth's 1:110m Russia and Fiji carry parts whose longitudes jump from +180 to -180; shifted by
    360° they become one compact shape again, which is then cut at 180° into an eastern and a western piece.
    """
    from shapely import affinity
    from shapely.ops import unary_union

    parts = list(getattr(geometry, "geoms", [geometry]))
    if all(p.bounds[2] - p.bounds[0] <= 180 for p in parts):
        return geometry
    fixed = []
    for part in parts:
        if part.bounds[2] - part.bounds[0] <= 180:
            fixed.append(part)
            continue
        shifted = shapely.transform(part, lambda xy: np.column_stack([np.where(xy[:, 0] < 0, xy[:, 0] + 360, xy[:, 0]), xy[:, 1]]))
        shifted = shifted.buffer(0)
        fixed.append(shifted.intersection(box(-180, -90, 180, 90)))
        fixed.append(affinity.translate(shifted.intersection(box(180, -90, 540, 90)), xoff=-360))
    return unary_union([f for f in fixed if not f.is_empty])


def world_map(countries, *, title: str, highlight: dict[str, str], height: int = 520, simplify_km: float = 12.0,
              lon_0: float = 0.0) -> RegionalMap:
    """Country shapes of the whole world in the Equal Earth projection, drawn like :func:`partnership.maps.region_map`.

    A helper for this chapter until :mod:`partnership.maps` offers a world projection (see the chapter report).
    """
    crs = CRS.from_proj4(f"+proj=eqearth +lon_0={lon_0} +datum=WGS84 +units=m +no_defs")
    clip = box(*WORLD_BOUNDS)
    shapes = countries.copy()
    shapes["geometry"] = [_unwrap_antimeridian(g) for g in shapes.geometry]
    shapes = shapes[shapes.intersects(clip)]
    shapes["geometry"] = shapes.geometry.intersection(clip)
    shapes = shapes[~shapes.geometry.is_empty].to_crs(crs)
    shapes["geometry"] = shapely.simplify(shapes.geometry.values, simplify_km * 1000, preserve_topology=True)
    fig = go.Figure()
    for row in shapes.sort_values("name").itertuples():
        xs, ys = _polygon_xy(row.geometry)
        if not xs:
            continue
        colour = highlight.get(row.iso3)
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", fill="toself", fillcolor=colour or LAND, opacity=0.6 if colour else 1.0,
            line=dict(color=BORDER, width=0.5), hoveron="fills", hoverinfo="text", text=row.name, name=row.name,
            showlegend=False))
    transformer = Transformer.from_crs(4326, crs, always_xy=True)
    xs, _ = transformer.transform([WORLD_BOUNDS[0], WORLD_BOUNDS[2]], [0, 0])
    _, ys = transformer.transform([0, 0], [WORLD_BOUNDS[1], WORLD_BOUNDS[3]])
    fig.update_layout(
        title=dict(text=title, x=0.01), height=height, margin=dict(l=10, r=10, t=60, b=10), plot_bgcolor="#dbe9f4",
        xaxis=dict(visible=False, range=[xs[0] / 1000, xs[1] / 1000], constrain="domain"),
        yaxis=dict(visible=False, range=[ys[0] / 1000, ys[1] / 1000], scaleanchor="x", scaleratio=1),
        legend=dict(bgcolor="rgba(255,255,255,0.9)", x=0.01, y=0.01, xanchor="left", yanchor="bottom"),
        hovermode="closest", meta={"kind": "map"},
    )
    return RegionalMap(bounds=WORLD_BOUNDS, fig=fig, crs=crs, _to_xy=transformer)


def _label_point(geometry) -> tuple[float, float]:
    """A point inside the country's largest piece (so France is labelled in Europe, not in French Guiana)."""
    parts = list(getattr(geometry, "geoms", [geometry]))
    largest = max(parts, key=lambda g: g.area)
    point = largest.representative_point()
    return point.x, point.y


def msmt_map() -> CourseFigure:
    """The eleven states of the Multilateral Sanctions Monitoring Team, with Russia and the DPRK for reference."""
    members = data.load("msmt_members")
    world = data.load("countries_world_110m").set_index("iso3")
    member_codes = list(members.country_iso3)
    highlight = {code: PALETTE["blue"] for code in member_codes}
    highlight.update({"PRK": PALETTE["vermillion"], "RUS": PALETTE["orange"]})
    regional = world_map(world.reset_index(), title="The Multilateral Sanctions Monitoring Team: the eleven founding states",
                         highlight=highlight)
    joined = members.merge(world[["name"]], left_on="country_iso3", right_index=True, how="left")
    points = [_label_point(world.loc[c, "geometry"]) for c in member_codes]
    # Europe is crowded: put the labels of the European members on alternating sides.
    positions = {"GBR": "middle left", "FRA": "bottom left", "NLD": "top center", "DEU": "bottom right", "ITA": "bottom right",
                 "KOR": "bottom left", "JPN": "middle right", "NZL": "middle left", "AUS": "middle left"}
    for code, (lon, lat), name in zip(member_codes, points, joined.name):
        regional.add_points([lon], [lat], labels=[COUNTRY_NAMES.get(code, name)],
                            hover=[f"<b>{COUNTRY_NAMES.get(code, name)}</b><br>MSMT member since "
                                   f"{members.set_index('country_iso3').loc[code, 'joined_date']:%d %b %Y}"],
                            name="MSMT member state", colour=PALETTE["blue"], symbol="square",
                            text_position=positions.get(code, "top right"))
    for code, symbol, colour in [("RUS", "diamond", PALETTE["orange"]), ("PRK", "star", PALETTE["vermillion"])]:
        lon, lat = _label_point(world.loc[code, "geometry"])
        regional.add_points([lon], [lat], labels=[COUNTRY_NAMES[code]], hover=[f"<b>{COUNTRY_NAMES[code]}</b> (not a member)"],
                            name=f"{COUNTRY_NAMES[code]} (for reference)", colour=colour, symbol=symbol,
                            text_position="top right" if code == "RUS" else "top left")
    # One legend entry per kind of marker.
    seen = set()
    for trace in regional.fig.data:
        if trace.mode == "markers+text":
            trace.showlegend = trace.name not in seen
            trace.legendgroup = trace.name
            seen.add(trace.name)
    regional.fig.update_traces(textfont=dict(size=10), selector=dict(mode="markers+text"))
    table = pd.DataFrame({"Country": [COUNTRY_NAMES.get(c, n) for c, n in zip(member_codes, joined.name)],
                          "ISO code": member_codes, "Joined": members.joined_date.dt.date})
    return CourseFigure(
        figure=_dates_as_text(regional.fig),
        alt="World map in an equal-area projection. Eleven countries are shaded blue and marked with squares: the United "
            "States and Canada; the United Kingdom, France, the Netherlands, Germany and Italy; Japan and South Korea; "
            "Australia and New Zealand. Russia (orange, diamond) and North Korea (vermillion, star) are marked for reference.",
        caption="The Multilateral Sanctions Monitoring Team was launched in October 2024 by eleven states from North America, "
                "Europe and the Asia-Pacific; no member lies in Africa, Latin America or the rest of Asia. Shapes: Natural "
                "Earth 1:110m, Equal Earth projection.",
        figure_id="msmt-map",
        table=table,
        tables=("msmt_members", "countries_world_110m"),
        sources=tuple(data.cited_sources(members)),
        rows={"msmt_members": member_codes},
    )


# ---------------------------------------------------------------------------------------------
# Who can see what
# ---------------------------------------------------------------------------------------------

#: Short row labels for the coverage figure.
SOURCE_SHORT = {
    "un_panel": "UN Panel of Experts", "msmt": "MSMT", "sipri_arms_transfers": "SIPRI arms transfers",
    "satellite_imagery": "Satellite imagery", "ais_ship_tracking": "Ship tracking (AIS)",
    "customs_statistics": "Customs statistics", "supplier_notifications": "Oil notifications to UN",
    "intelligence_disclosures": "Intelligence disclosures",
}


def coverage_table() -> pd.DataFrame:
    """Monitoring source × flow: 2 sees, 1 sees in part, -1 blind (per the cited documents), 0 not addressed."""
    sources = data.load("monitoring_sources")
    records = []
    for row in sources.itertuples():
        record = {"source_type": row.source_type, "name": row.name}
        for flow in FLOW_LABELS:
            if flow in data.split_ids(row.sees):
                record[flow] = 2
            elif flow in data.split_ids(row.partly_sees):
                record[flow] = 1
            elif flow in data.split_ids(row.blind_to):
                record[flow] = -1
            else:
                record[flow] = 0
        records.append(record)
    return pd.DataFrame(records)


def monitoring_coverage() -> CourseFigure:
    """What each monitoring source covers and misses, and when it was active."""
    sources = data.load("monitoring_sources")
    grid = coverage_table()
    flows = list(FLOW_LABELS)
    symbols = {2: "✓", 1: "◐", -1: "✗", 0: ""}
    z = grid[flows].to_numpy(float)
    text = np.vectorize(symbols.get)(grid[flows].to_numpy())
    short = {r.source_type: SOURCE_SHORT.get(r.source_type, r.name) for r in sources.itertuples()}
    y = [short[s] for s in grid.source_type]
    hover = [[f"<b>{short[s]}</b><br>Covers: {_wrap(c, 55)}<br>Misses: {_wrap(m, 55)}" for _ in flows]
             for s, c, m in zip(sources.source_type, sources.covers, sources.misses)]
    as_of = data.load("sources").accessed.max()
    start = pd.Timestamp("2006-01-01")

    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.6, 0.4], horizontal_spacing=0.03)
    colourscale = [[0.0, "#f6c6a8"], [0.2, "#f6c6a8"], [0.2, "#ffffff"], [0.5, "#ffffff"], [0.5, "#d9ecf7"],
                   [0.8, "#d9ecf7"], [0.8, "#8fc1e3"], [1.0, "#8fc1e3"]]
    fig.add_trace(go.Heatmap(z=z, x=[FLOW_LABELS[f] for f in flows], y=y, text=text, texttemplate="%{text}",
                             textfont=dict(size=16, color="#111"), customdata=hover, hovertemplate="%{customdata}<extra></extra>",
                             colorscale=colourscale, zmin=-1.5, zmax=2.5, showscale=False, xgap=2, ygap=2), row=1, col=1)
    for row, label in zip(sources.itertuples(), y):
        open_start = pd.isna(row.active_from)
        begin = start if open_start else row.active_from
        finish = as_of if pd.isna(row.active_to) else row.active_to
        colour = PALETTE["vermillion"] if not pd.isna(row.active_to) else PALETTE["blue"]
        fig.add_trace(go.Scatter(
            x=[begin, finish], y=[label, label], mode="lines+markers", showlegend=False,
            line=dict(color=colour, width=8, dash="dot" if open_start else "solid"),
            marker=dict(symbol=["triangle-left" if open_start else "line-ns", "x" if not pd.isna(row.active_to) else "triangle-right"],
                        size=12, color=colour, line=dict(width=2, color=colour)),
            hovertext=f"<b>{short[row.source_type]}</b><br>"
                      + ("long-standing (start not recorded here)" if open_start else f"from {row.active_from:%d %b %Y}")
                      + (f" to {row.active_to:%d %b %Y}" if not pd.isna(row.active_to) else " – continuing"),
            hoverinfo="text"), row=1, col=2)
    panel = sources.set_index("source_type")
    if "un_panel" in panel.index and "msmt" in panel.index:
        fig.add_vrect(x0=panel.loc["un_panel", "active_to"], x1=panel.loc["msmt", "active_from"], fillcolor="#dddddd",
                      line_width=0, layer="below", row=1, col=2)
    fig.update_xaxes(side="top", tickangle=-40, showgrid=False, row=1, col=1)
    fig.update_xaxes(side="top", tickangle=0, range=[start - pd.Timedelta(days=200), as_of + pd.Timedelta(days=200)], dtick="M48",
                     tickformat="%Y", row=1, col=2)
    fig.add_annotation(x=0.8, xref="paper", y=1.0, yref="paper", yshift=34, showarrow=False, text="<b>When it was active</b>",
                       font=dict(size=13))
    fig.update_yaxes(autorange="reversed", showgrid=False, row=1, col=1)
    fig.add_annotation(x=0, xref="paper", y=-0.04, yref="paper", yanchor="top", xanchor="left", showarrow=False, align="left",
                       font=dict(size=12),
                       text="✓ reports it directly   ◐ sees it in part   ✗ the cited documents say it cannot see it"
                            "   (blank: not addressed)<br>Right: solid line = dated start; dotted = long-standing, start not "
                            "recorded;<br>× = ended; arrow = continuing; grey band = between the Panel's end and the MSMT's launch")
    fig.update_layout(title=dict(text="Who can see what: monitoring sources for DPRK sanctions", x=0.01, y=0.99, yanchor="top"),
                      height=620, margin=dict(l=170, r=20, t=200, b=110))
    table = sources.assign(
        active_from_=sources.active_from.dt.date, active_to_=sources.active_to.dt.date,
        **{FLOW_LABELS[f]: np.vectorize(symbols.get)(grid[f].to_numpy()) for f in flows},
    )[["name", "operator", "covers", "misses", "active_from_", "active_to_"] + [FLOW_LABELS[f] for f in flows]].rename(
        columns={"name": "Source", "operator": "Run by", "covers": "Covers", "misses": "Misses",
                 "active_from_": "Active from", "active_to_": "Active to"})
    return CourseFigure(
        figure=_dates_as_text(fig),
        alt="Left: a grid of eight monitoring sources against eight kinds of flow, with ticks, half circles and crosses. Only "
            "intelligence disclosures and the MSMT report ammunition; SIPRI's database is marked blind to it; satellite "
            "imagery sees ship and rail movements but not cargo contents; customs data see declared but not undeclared trade. "
            "Right: when each was active; the UN Panel ends in April 2024 and the MSMT starts in October 2024.",
        caption="Who can see what. Each row paraphrases the cited documents; a blank cell means they do not address that flow, "
                "not that the source is blind to it. The shell trade appears only in intelligence disclosures and MSMT reports, "
                "with imagery showing the ships and trains but not what they carry.",
        figure_id="monitoring-coverage",
        table=table,
        tables=("monitoring_sources",),
        sources=tuple(data.cited_sources(sources)),
        rows={"monitoring_sources": list(sources.source_type)},
    )


EVIDENCE_ORDER = ["Government intelligence (method not disclosed)", "Derived: containers or tonnes × assumed rounds",
                  "Open-source imagery or shipping data", "MSMT (participating states)"]


def evidence_kind(row) -> str:
    """How an estimate of the shell trade was made, from its estimator and method."""
    method = str(row.method).lower()
    if row.estimator_vantage == "multilateral":
        return EVIDENCE_ORDER[3]
    if method.startswith("containers x") or method.startswith("tonnage converted"):
        return EVIDENCE_ORDER[1]
    if row.estimator_vantage == "independent" and ("imagery" in method or "trade/transport" in method):
        return EVIDENCE_ORDER[2]
    return EVIDENCE_ORDER[0]


def shell_estimates() -> pd.DataFrame:
    """Every estimate of ammunition sent from the DPRK to Russia, with how it was made."""
    transfers = data.load("transfers")
    ammo = transfers[(transfers.direction == "to_russia") & transfers.item.isin(["ammunition_unspecified", "artillery_ammunition"])].copy()
    ammo["evidence"] = ammo.apply(evidence_kind, axis=1)
    return ammo


def shell_evidence() -> CourseFigure:
    """How the published estimates of the shell trade were made: mostly government intelligence."""
    ammo = shell_estimates()
    counts = ammo.groupby("evidence").size().reindex(EVIDENCE_ORDER, fill_value=0)
    patterns = ["", "/", ".", "x"]
    colours = [PALETTE["vermillion"], PALETTE["orange"], PALETTE["green"], PALETTE["blue"]]
    fig = go.Figure(go.Bar(
        x=counts.values, y=counts.index, orientation="h", text=counts.values, textposition="outside",
        marker=dict(color=colours, pattern=dict(shape=patterns)),
        hovertemplate="%{y}: %{x} estimates<extra></extra>"))
    fig.update_layout(title=dict(text="How the estimates of the shell trade were made", x=0.01), height=330,
                      xaxis_title="number of published estimates in the data package", yaxis=dict(autorange="reversed", automargin=True),
                      margin=dict(l=20, r=40, t=60, b=50))
    table = ammo[["estimate_id", "estimated_by", "estimate_date", "quantity_low", "unit", "method", "evidence"]].assign(
        estimate_date=ammo.estimate_date.dt.date).rename(columns={
            "estimate_id": "Estimate", "estimated_by": "Estimated by", "estimate_date": "Date", "quantity_low": "Quantity (low)",
            "unit": "Unit", "method": "Method as stated", "evidence": "Kind of evidence"})
    return CourseFigure(
        figure=_dates_as_text(fig),
        alt="Horizontal bar chart of the estimates of North Korean ammunition sent to Russia, by how they were made. "
            "Government intelligence estimates without a disclosed method are by far the largest group; fewer are derived "
            "by multiplying containers by assumed rounds, a few come from open-source imagery or shipping data, and a few from the MSMT.",
        caption="The shell trade is known mostly from governments' intelligence statements, then from calculations on top of "
                "them; open-source imagery and shipping data count ships and containers, not shells. Classified from each "
                "estimate's stated estimator and method.",
        figure_id="shell-evidence",
        table=table,
        tables=("transfers",),
        sources=tuple(data.cited_sources(ammo)),
        rows={"transfers": list(ammo.estimate_id)},
    )


# ---------------------------------------------------------------------------------------------
# Exercises
# ---------------------------------------------------------------------------------------------

def _unanimous_sanctions_resolutions() -> int:
    council = council_texts()
    chosen = council[(council.role == "sanctions") & council.number.between(1718, 2397)]
    return int(chosen.unanimous.sum())


def _refined_cap_cut_percent() -> float:
    measures = data.load("measures").set_index("measure_id")
    before = measures.loc["unscr-2375-refined_petroleum_cap-1", "value"]
    after = measures.loc["unscr-2397-refined_petroleum_cap-1", "value"]
    return float((before - after) / before * 100)


EXERCISES = {
    "ex-04-unanimous": Exercise(
        prompt="How many sanctions resolutions from 1718 (2006) to 2397 (2017) were adopted unanimously (15–0–0)? "
               "Leave out the Panel of Experts renewals.",
        expected=_unanimous_sanctions_resolutions,
        hint="Load data.load('resolutions'); keep kind == 'resolution' with number between 1718 and 2397 whose trigger is "
             "not a Panel renewal, then count the rows with votes_for == 15 and no votes against or abstentions.",
    ),
    "ex-04-oil-cap": Exercise(
        prompt="By what percentage did resolution 2397 cut the annual refined-petroleum cap set by resolution 2375?",
        expected=_refined_cap_cut_percent,
        tolerance=0.01,
        hint="In data.load('measures') find the refined_petroleum_cap rows of unscr-2375 (the annual one, in barrels_per_year) "
             "and unscr-2397; the cut is (old - new) / old × 100.",
    ),
}
