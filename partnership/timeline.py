"""The partnership in time: an interactive timeline of the data package's events and the turning points in it.

The timeline works without a kernel: plotly's own dropdown menus filter it by category (they switch traces on
and off) and by actor (they replace each trace's dates with gaps where an event does not involve that actor).
Because the two menus change different trace attributes, their choices combine.
"""
from __future__ import annotations

import html
import re
import textwrap

import pandas as pd
import plotly.graph_objects as go
from IPython.display import HTML

from . import data
from .check import Exercise
from .figures import PALETTE, CourseFigure

#: Category → (label, colour, marker symbol). Shape and lane carry the category too, not colour alone.
CATEGORY_STYLE = {
    "diplomacy": ("Diplomacy and summits", PALETTE["blue"], "circle"),
    "treaty": ("Treaty steps", PALETTE["vermillion"], "star"),
    "arms_transfer": ("Arms transfers (reported)", PALETTE["orange"], "square"),
    "troops": ("Troops (reported)", PALETTE["purple"], "triangle-up"),
    "military": ("Military action", PALETTE["black"], "x"),
    "technology": ("Technology", PALETTE["sky_blue"], "diamond"),
    "economy": ("Economy and transport", PALETTE["green"], "pentagon"),
    "monitoring": ("Monitoring reports", PALETTE["grey"], "hexagon"),
    "sanctions": ("Sanctions", PALETTE["vermillion"], "triangle-down"),
    "un_vote": ("UN votes and vetoes", PALETTE["blue"], "hourglass"),
    "missile_launch": ("Missile launches", PALETTE["orange"], "cross"),
    "nuclear_test": ("Nuclear tests", PALETTE["black"], "star-diamond"),
}

#: Actor codes used in events.csv, with the names shown in the actor menu.
ACTOR_NAMES = {
    "PRK": "North Korea", "RUS": "Russia", "USA": "United States", "KOR": "South Korea", "JPN": "Japan",
    "CHN": "China", "UKR": "Ukraine", "EU": "European Union", "UN": "United Nations", "MSMT": "MSMT (11 states)",
    "NATO": "NATO", "GBR": "United Kingdom",
}

#: The course's other chapters (notebook stems), for links from the turning points.
CHAPTERS = {
    "02-what-flows-to-moscow": "What flows to Moscow",
    "03-what-moscow-pays": "What Moscow pays",
    "04-the-sanctions-architecture": "The sanctions architecture",
    "05-why-sanctions-leak": "Why sanctions leak",
    "06-the-peninsula-and-japan": "The peninsula and Japan",
    "07-ukraine-and-europe": "Ukraine and Europe",
    "08-china-and-the-wider-alignment": "China and the wider alignment",
    "09-weighing-the-argument": "Weighing the argument",
    "10-responses-and-scenarios": "Responses and scenarios",
}

#: The turning points the course is built around: (event ids, short label, why it matters, chapters).
#: The first event id of each is where the turning point is marked on the timeline.
KEY_TURNS = [
    (["2023-09-13-kim-putin-vostochny-summit"], "The Vostochny summit",
     "Kim's visit to Russia's spaceport opened the exchange: munitions shipments were first reported in the weeks around it.",
     ["02-what-flows-to-moscow", "03-what-moscow-pays"]),
    (["2024-03-28-poe-veto", "2024-04-30-poe-mandate-ends"], "The 2024 veto",
     "Russia's veto ended the UN panel that had monitored sanctions on North Korea since 2009.",
     ["04-the-sanctions-architecture", "05-why-sanctions-leak"]),
    (["2024-06-19-comprehensive-strategic-partnership-treaty", "2024-12-04-treaty-enters-into-force"], "The June 2024 treaty",
     "A mutual-assistance clause (Article 4) turned a bargain into a formal alliance, in force from December 2024.",
     ["06-the-peninsula-and-japan", "08-china-and-the-wider-alignment"]),
    (["2024-10-18-nis-statement", "2025-04-28-kcna-acknowledges"], "The troop deployment",
     "North Korean soldiers went to Russia and fought in Kursk; Pyongyang and Moscow confirmed it only in April 2025.",
     ["07-ukraine-and-europe"]),
    (["2025-05-29-msmt-first-report", "2024-10-16-msmt-launch", "2025-10-22-msmt-second-report"], "The MSMT reports",
     "Eleven states built their own monitoring team after the UN panel's end; its reports are now the main multilateral record.",
     ["02-what-flows-to-moscow", "05-why-sanctions-leak"]),
]

#: Where the undated seed article falls: after the election it mentions, before the inauguration it anticipates.
ARTICLE_WINDOW = ("2024-11-06-trump-wins-us-election", "2025-01-20-trump-inaugurated-nuclear-power")


class TimelineError(ValueError):
    """A timeline was asked for with an unknown category, actor or event."""


def events() -> pd.DataFrame:
    """The events table with a list of actor codes and the year, sorted by date."""
    frame = data.load("events").sort_values(["date", "event_id"]).reset_index(drop=True)
    frame["actor_list"] = frame["actors"].map(data.split_ids)
    frame["year"] = frame["date"].dt.year
    return frame


def _date_text(row) -> str:
    if row.date_precision == "year":
        return str(row.date.year)
    if row.date_precision == "month":
        return row.date.strftime("%B %Y")
    return f"{row.date.day} {row.date.strftime('%B %Y')}"


def _wrap(text: str, width: int = 64) -> str:
    return "<br>".join(textwrap.wrap(html.escape(str(text)), width))


def _publishers(source_ids: str, sources: pd.DataFrame) -> str:
    names = [sources.at[s, "publisher"] for s in data.split_ids(source_ids) if s in sources.index]
    unique = list(dict.fromkeys(names))
    shown = "; ".join(unique[:3]) + (f"; and {len(unique) - 3} more" if len(unique) > 3 else "")
    return _wrap(shown, 70)


def _actor_codes(frame: pd.DataFrame) -> list[str]:
    counts = frame["actor_list"].explode().value_counts()
    return [code for code in counts.index if counts[code] >= 3]


def timeline_figure(start: str = "2022-01-01") -> CourseFigure:
    """Every event on one chart, one lane per category, with menus to filter by category and by actor.

    ``start`` sets the first date in view (learners can zoom out to 1993 with the toolbar or the 'All years' button).
    """
    frame = events()
    try:
        if not isinstance(start, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", start):
            raise ValueError
        start_date = pd.Timestamp(start)
    except ValueError:
        raise TimelineError(f"start must be a date written YYYY-MM-DD, not {start!r}.") from None
    sources = data.load("sources").set_index("source_id")
    categories = [c for c in CATEGORY_STYLE if c in set(frame.category)]
    unknown = sorted(set(frame.category) - set(CATEGORY_STYLE))
    categories += unknown  # a category added to the data later still appears, in grey
    fig = go.Figure()
    per_trace = []
    for category in categories:
        label, colour, symbol = CATEGORY_STYLE.get(category, (category.replace("_", " ").capitalize(), PALETTE["grey"], "circle-open"))
        subset = frame[frame.category == category]
        per_trace.append(subset)
        customdata = [
            [_wrap(r.title, 60), _date_text(r), ", ".join(ACTOR_NAMES.get(a, a) for a in r.actor_list), _wrap(r.summary), _publishers(r.source_ids, sources), r.event_id]
            for r in subset.itertuples()
        ]
        fig.add_trace(go.Scatter(
            x=subset.date.dt.strftime("%Y-%m-%d").tolist(), y=[label] * len(subset), mode="markers", name=label,
            marker=dict(color=colour, symbol=symbol, size=11, line=dict(width=1, color="white")),
            customdata=customdata,
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]} · %{customdata[2]}<br>%{customdata[3]}"
                          "<br><i>Sources: %{customdata[4]}</i><br>Row: events:%{customdata[5]}<extra></extra>",
        ))
    n = len(per_trace)
    category_buttons = [dict(label="All categories", method="restyle", args=[{"visible": [True] * n}])]
    for index, category in enumerate(categories):
        label = CATEGORY_STYLE.get(category, (category,))[0]
        category_buttons.append(dict(label=label, method="restyle", args=[{"visible": [i == index for i in range(n)]}]))
    all_x = [s.date.dt.strftime("%Y-%m-%d").tolist() for s in per_trace]
    actor_buttons = [dict(label="All actors", method="restyle", args=[{"x": all_x}])]
    for code in _actor_codes(frame):
        xs = [[d if code in actors else None for d, actors in zip(s.date.dt.strftime("%Y-%m-%d"), s.actor_list)] for s in per_trace]
        actor_buttons.append(dict(label=f"Involving {ACTOR_NAMES.get(code, code)}", method="restyle", args=[{"x": xs}]))
    last = frame.date.max() + pd.Timedelta(days=60)
    range_buttons = [
        dict(label=f"Since {start_date.year}", method="relayout", args=[{"xaxis.range": [start_date.strftime("%Y-%m-%d"), last.strftime("%Y-%m-%d")]}]),
        dict(label="All years", method="relayout", args=[{"xaxis.range": [(frame.date.min() - pd.Timedelta(days=365)).strftime("%Y-%m-%d"), last.strftime("%Y-%m-%d")]}]),
    ]
    menu_style = dict(bgcolor="white", bordercolor="#6b6b6b", font=dict(size=12), showactive=True, yanchor="bottom", y=1.1)
    fig.update_layout(
        updatemenus=[
            dict(name="Kind of event", buttons=category_buttons, x=0.0, xanchor="left", **menu_style),
            dict(name="Actor", buttons=actor_buttons, x=0.33, xanchor="left", **menu_style),
            dict(name="Years shown", buttons=range_buttons, type="buttons", direction="right", x=1.0, xanchor="right", **menu_style),
        ],
        height=640, showlegend=False, hovermode="closest",
        margin=dict(l=190, r=20, t=120, b=50),
        title=dict(text="A partnership in time: every dated event in the data package", y=0.98),
        xaxis=dict(type="date", range=[start_date.strftime("%Y-%m-%d"), last.strftime("%Y-%m-%d")], title="date"),
        yaxis=dict(categoryorder="array", categoryarray=[CATEGORY_STYLE.get(c, (c,))[0] for c in reversed(categories)], title=None),
        meta={"kind": "timeline"},
    )
    _mark_article_window(fig, frame)
    _mark_key_turns(fig, frame)
    table = frame[["date", "date_precision", "title", "category", "actors", "summary", "event_id"]].copy()
    table["date"] = table["date"].dt.date
    return CourseFigure(
        figure=fig,
        alt="Timeline chart with one horizontal lane per kind of event (diplomacy, treaty steps, reported arms transfers, "
            "troops, monitoring reports, sanctions, UN votes and others). Events cluster from 2023 on: the Vostochny summit "
            "in September 2023, the veto that ended the UN panel in March 2024, the treaty in June 2024, the troop deployment "
            "from October 2024 and the MSMT reports in 2025. A shaded band marks the weeks in which the seed article was written.",
        caption="Every event in the data package, by kind. Use the menus to show one kind of event or only events involving "
                "one actor; hover over a point for its summary and sources. Reported transfers and troop figures are claims "
                "by the governments or researchers named in each row.",
        figure_id="timeline",
        table=table,
        tables=("events", "sources"),
        sources=tuple(data.cited_sources(frame)),
    )


def _mark_article_window(fig: go.Figure, frame: pd.DataFrame) -> None:
    dates = frame.set_index("event_id")["date"]
    if not set(ARTICLE_WINDOW) <= set(dates.index):
        return
    start, end = (dates[e].strftime("%Y-%m-%d") for e in ARTICLE_WINDOW)
    fig.add_vrect(x0=start, x1=end, fillcolor=PALETTE["yellow"], opacity=0.35, line_width=0, layer="below")
    fig.add_annotation(x=end, y=0.0, yref="paper", xanchor="left", yanchor="bottom", showarrow=False,
                       text="← seed article written", font=dict(size=11, color="#333"), bgcolor="rgba(255,255,255,0.8)")


def _mark_key_turns(fig: go.Figure, frame: pd.DataFrame) -> None:
    """A dotted line at each turning point, numbered above the plot so that no label covers an event."""
    by_id = frame.set_index("event_id")
    for number, (event_ids, label, _, _) in enumerate(KEY_TURNS, start=1):
        date = by_id.loc[event_ids[0], "date"].strftime("%Y-%m-%d")
        fig.add_shape(type="line", x0=date, x1=date, y0=0, y1=1, yref="paper", layer="below",
                      line=dict(color="#555", width=1, dash="dot"))
        fig.add_annotation(x=date, y=1.0 if number % 2 else 1.045, yref="paper", yanchor="bottom", showarrow=False,
                           text=f"{number} {label.removeprefix('The ')}", font=dict(size=11, color="#222"))


def _chapter_link(stem: str, pages: str) -> str:
    return f'<a href="{pages}{stem}.html">{html.escape(CHAPTERS.get(stem, stem))}</a>'


def key_turns_table() -> pd.DataFrame:
    """The turning points as a table: date(s), what happened (from the events table) and the chapters that explain them."""
    frame = events().set_index("event_id")
    missing = [e for ids, *_ in KEY_TURNS for e in ids if e not in frame.index]
    if missing:
        raise TimelineError(f"Turning-point events missing from events.csv: {', '.join(missing)}.")
    rows = []
    for number, (event_ids, label, why, chapters) in enumerate(KEY_TURNS, start=1):
        picked = frame.loc[event_ids].sort_values("date")
        rows.append({
            "number": number, "turn": label, "why_it_matters": why,
            "dates": "; ".join(_date_text(r) for r in picked.itertuples()),
            "events": list(picked.index), "what_happened": [r.summary for r in picked.itertuples()],
            "chapters": list(chapters), "source_ids": data.cited_sources(picked.reset_index()),
        })
    return pd.DataFrame(rows)


def key_turns(pages: str = "../notebooks/") -> HTML:
    """The five turning points with what happened, the rows behind them and links to the chapters that explain them."""
    table = key_turns_table()
    body = []
    for row in table.itertuples():
        happened = "".join(
            f'<li>{html.escape(text)} <a href="{data.DATA_PAGES}events.html#row-{html.escape(e)}">events:{html.escape(e)}</a></li>'
            for e, text in zip(row.events, row.what_happened)
        )
        chapters = ", ".join(_chapter_link(stem, pages) for stem in row.chapters)
        body.append(
            f"<tr><td>{row.number}</td><th scope=\"row\">{html.escape(row.turn)}</th><td>{html.escape(row.dates)}</td>"
            f"<td>{html.escape(row.why_it_matters)}<ul>{happened}</ul></td><td>{chapters}</td></tr>"
        )
    sources = sorted({s for ids in table.source_ids for s in ids})
    return HTML(
        '<div class="course-table-scroll" tabindex="0" role="region" aria-label="Five turning points">'
        '<table class="course-data-table"><caption>Five turning points, and the chapters that explain them</caption>'
        "<thead><tr><th scope=\"col\">#</th><th scope=\"col\">Turning point</th><th scope=\"col\">When</th>"
        "<th scope=\"col\">What happened (from the events table)</th><th scope=\"col\">Explained in</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
        + data.provenance_html(tables=("events",), source_ids=sources)
    )


def events_per_year(since: int = 2018) -> CourseFigure:
    """How many events of each kind the data package records per year (a measure of the record, not of activity)."""
    frame = events()
    if not isinstance(since, int) or since > frame.year.max():
        raise TimelineError(f"since must be a year no later than {frame.year.max()}, not {since!r}.")
    recent = frame[frame.year >= since]
    years = range(since, int(frame.year.max()) + 1)  # empty years stay on the axis, as zeros
    counts = recent.groupby(["year", "category"]).size().unstack(fill_value=0).reindex(years, fill_value=0)
    fig = go.Figure()
    patterns = ["", "/", "\\", "x", "-", "|", "+", ".", "", "/", "\\", "x"]
    for index, category in enumerate(c for c in CATEGORY_STYLE if c in counts.columns):
        label, colour, _ = CATEGORY_STYLE[category]
        fig.add_trace(go.Bar(x=counts.index.astype(str), y=counts[category], name=label,
                             marker=dict(color=colour, pattern=dict(shape=patterns[index % len(patterns)], fgcolor="white")),
                             hovertemplate=f"<b>{label}</b><br>%{{x}}: %{{y}} events<extra></extra>"))
    fig.update_layout(barmode="stack", height=460, title=f"Events recorded per year since {since}, by kind",
                      xaxis_title="year", yaxis_title="events in the data package", legend=dict(traceorder="normal"))
    table = counts.reset_index().rename(columns={c: CATEGORY_STYLE.get(c, (c,))[0] for c in counts.columns})
    return CourseFigure(
        figure=fig,
        alt=f"Stacked bar chart of events recorded per year since {since}, split by kind of event. Events per year: "
            + ", ".join(f"{year}: {int(total)}" for year, total in counts.sum(axis=1).items())
            + f". The busiest year is {int(counts.sum(axis=1).idxmax())}.",
        caption="Events recorded per year, by kind. This counts what the course's sources documented, not how much happened: "
                "secret transfers leave no event until someone reports them.",
        figure_id="events-per-year",
        table=table,
        tables=("events",),
        sources=tuple(data.cited_sources(recent)),
    )


def _events_in(year: int) -> int:
    return int((events().year == year).sum())


EXERCISES = {
    "ex-01-events-2024": Exercise(
        prompt="How many events in the data package are dated in 2024?",
        expected=lambda: _events_in(2024),
        hint="Use the data table under the events-per-year chart, or count rows of timeline.events() whose year is 2024.",
    ),
    "ex-01-first-involving-china": Exercise(
        prompt="What is the event_id of the earliest event in the data package that involves China (actor code CHN)?",
        expected=lambda: events().loc[lambda f: f.actor_list.map(lambda a: "CHN" in a)].iloc[0]["event_id"],
        hint="Choose 'Involving China' in the actor menu and 'All years', or filter timeline.events() by actor_list.",
    ),
}
