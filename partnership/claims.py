"""Weighing the seed article: the claims ledger, what it leaves out, its prescriptions and eight sides' views.

Everything here is drawn from tables of the data package (``claims``, ``omissions``, ``responses``,
``statements``, ``vote_explanations``); nothing is typed into a notebook cell. Evidence is written as
``table:row_id`` references, which :func:`resolve` turns back into rows and every rendering links to the
row's anchor on the book's data pages.
"""
from __future__ import annotations

import html
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from IPython.display import HTML

from . import data
from .check import Exercise
from .figures import PALETTE, CourseFigure

#: Rating → (label, colour, bar pattern, what it means). Order = from best to least supported.
RATINGS = {
    "well_supported": ("Well supported", PALETTE["blue"], "", "Several independent rows, from more than one vantage point, bear it out."),
    "partly_supported": ("Partly supported", PALETTE["sky_blue"], "/", "Part of the claim is borne out; part is untested, overstated or rests on one side's estimates."),
    "contested": ("Contested", PALETTE["orange"], "x", "Credible rows point both ways, or the claim turns on a judgement the sides dispute."),
    "unsupported": ("Unsupported", PALETTE["vermillion"], "\\", "The evidence so far runs against it."),
    "not_testable": ("Not testable", PALETTE["grey"], ".", "A value or a call to action: nothing in open data could confirm or refute it."),
}

#: Claim type → (label, what it means).
CLAIM_TYPES = {
    "fact": ("Fact", "A checkable statement about what happened."),
    "estimate": ("Estimate", "About quantities, causes or motives that can only be estimated."),
    "forecast": ("Forecast", "About what will or could happen."),
    "value_judgement": ("Value judgement", "An appraisal: good, bad, threatening."),
    "recommendation": ("Recommendation", "What someone should do. Rated on its factual premise."),
}

#: The eight sides of chapter 10, with the statements actor code and how the view is labelled.
SIDES = {
    "Washington": ("USA", "the United States government, in its own and jointly led statements"),
    "Seoul": ("KOR", "South Korea: government statements and, where marked, the opposition"),
    "Tokyo": ("JPN", "the Japanese government"),
    "Beijing": ("CHN", "the Chinese government"),
    "Moscow": ("RUS", "the Russian government"),
    "Pyongyang": ("PRK", "the North Korean leadership and state media"),
    "Kyiv": ("UKR", "the Ukrainian government"),
    "Brussels": ("EU", "the European Union's Council and High Representative"),
}

LEVER_LABELS = {
    "military_preparedness": "Military preparedness",
    "diplomacy": "Diplomacy",
    "economic_pressure": "Economic pressure",
    "intelligence_sharing": "Intelligence sharing",
    "targeted_sanctions": "Targeted sanctions",
    "blocking_financial_flows": "Blocking financial flows",
    "engaging_china": "Engaging China (and other key players)",
}

TRADE_REPORTERS = {"PRK": "KOTRA's mirror statistics for North Korea", "CHN": "Chinese customs", "RUS": "Russian figures"}
COUNTRY_NAMES = {"CHN": "China", "RUS": "Russia", "PRK": "North Korea", "WLD": "the world", "KOR": "South Korea", "JPN": "Japan"}

#: Tables whose references name a side's own words (used for the counter-arguments and perspectives columns).
VIEW_TABLES = {"statements", "vote_explanations"}


class ClaimsError(ValueError):
    """A row reference is malformed or points at a row that does not exist, or an unknown id was asked for."""


# ---------------------------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------------------------

def parse_refs(cell) -> list[tuple[str, str]]:
    """``"events:a;transfers:b"`` → ``[("events", "a"), ("transfers", "b")]``; an empty cell → ``[]``."""
    refs = []
    for item in data.split_ids(cell):
        table, sep, row_id = item.partition(":")
        if not sep or not table or not row_id:
            raise ClaimsError(f"{item!r} is not a row reference: write table:row_id, for example transfers:arms-est-037.")
        refs.append((table, row_id))
    return refs


def _key(table: str) -> str:
    meta = data.resource(table)
    if "schema" not in meta:
        raise ClaimsError(f"{table!r} is a map, not a table: row references must point at tables.")
    key = meta["schema"]["primaryKey"]
    if not isinstance(key, str):
        raise ClaimsError(f"{table!r} has a composite key; row references support single-column keys only.")
    return key


@lru_cache(maxsize=64)
def _indexed(table: str, folder: str, stamp: int) -> pd.DataFrame:
    # Keyed on the CSV's modification time, so an edited table is re-read (rendering the ledger resolves hundreds of rows).
    return data.load(table, Path(folder)).set_index(_key(table), drop=False)


def _rows(table: str) -> pd.DataFrame:
    folder = data.data_dir()
    try:
        path = folder / data.resource(table, folder)["path"]
        return _indexed(table, str(folder), path.stat().st_mtime_ns if path.exists() else 0)
    except data.DataError as error:
        raise ClaimsError(str(error)) from None


def table_rows(table: str) -> pd.DataFrame:
    """A table indexed by its primary key (a copy you may change)."""
    return _rows(table).copy()


def resolve(table: str, row_id: str) -> pd.Series:
    """The row ``row_id`` of ``table``; a ClaimsError naming the table and id if there is none."""
    rows = _rows(table)
    if row_id not in rows.index:
        raise ClaimsError(f"No row {row_id!r} in {table}.csv (its key column is {_key(table)}).")
    return rows.loc[row_id]


def reference_columns(table: str) -> list[str]:
    """The columns of ``table`` that hold ``table:row_id`` references (declared in its schema)."""
    return list(data.resource(table)["schema"].get("x-row-references", []))


def broken_references(tables: Iterable[str] = ("claims", "omissions", "responses")) -> list[str]:
    """Every reference in the ledger tables that does not resolve to a primary key, described (empty = all good)."""
    problems = []
    cache: dict[str, set[str]] = {}
    for table in tables:
        frame = data.load(table)
        key = _key(table)
        for column in reference_columns(table):
            for row_key, cell in zip(frame[key], frame[column]):
                try:
                    refs = parse_refs(cell)
                except ClaimsError as error:
                    problems.append(f"{table}.csv {row_key} {column}: {error}")
                    continue
                for target, row_id in refs:
                    if target not in cache:
                        try:
                            cache[target] = set(_rows(target).index.astype(str))
                        except (ClaimsError, data.DataError) as error:
                            problems.append(f"{table}.csv {row_key} {column}: unknown table {target!r} ({error})")
                            cache[target] = set()
                            continue
                    if row_id not in cache[target]:
                        problems.append(f"{table}.csv {row_key} {column}: no row {row_id!r} in {target}.csv")
    return problems


def sources_of(refs: Iterable[tuple[str, str]]) -> list[str]:
    """Documents cited by the referenced rows, in first-seen order."""
    ids: list[str] = []
    for table, row_id in refs:
        row = resolve(table, row_id)
        if "source_ids" in row.index:
            ids.extend(data.split_ids(row["source_ids"]))
    return list(dict.fromkeys(ids))


# ---------------------------------------------------------------------------------------------
# Describing rows
# ---------------------------------------------------------------------------------------------

def _date(value) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _text(value) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


def _number(value) -> str:
    if value is None or pd.isna(value):
        return ""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,}"


def describe(table: str, row_id: str) -> str:
    """One line saying what a referenced row is, in the row's own words."""
    row = resolve(table, row_id)
    if table == "events":
        return f"{_date(row['date'])}: {row['title']}"
    if table in {"transfers", "force_estimates"}:
        low_col, high_col = ("quantity_low", "quantity_high") if table == "transfers" else ("low", "high")
        low, high = _number(row[low_col]), _number(row[high_col])
        amount = low if low == high else (f"{low}–{high}" if low and high else (f"at least {low}" if low else f"up to {high}" if high else "reported"))
        what = row["item"] if table == "transfers" else f"{row['group']} {row['metric']}"
        unit = row["unit"] if table == "transfers" else "people"
        when = _date(row["estimate_date"])
        return f"{row['estimated_by']} ({when or 'undated'}): {what.replace('_', ' ')}, {amount} {unit if amount != 'reported' else ''}".strip()
    if table in VIEW_TABLES:
        return f"{row['speaker']} ({_date(row['date']) or 'undated'}): {row['paraphrase']}"
    if table == "trade":
        reporter = TRADE_REPORTERS.get(row["reporter"], row["reporter"])
        partner = COUNTRY_NAMES.get(row["partner"], row["partner"])
        return f"{reporter}, {row['year']}: {row['flow']} trade with {partner}, ${_number(row['value'])} million"
    if table == "launches":
        return f"{row['tracker']}, {row['year']}: {row['count']} {row['count_unit'].replace('_', ' ')}"
    if table == "indicators":
        return f"{row['country']} {row['indicator'].replace('_', ' ')}, {row['year']}: {_number(row['value'])} {row['unit'].replace('_', ' ')}"
    if table == "resolutions":
        votes = f"{_text(row['votes_for'])}–{_text(row['votes_against'])}–{_text(row['abstentions'])}"
        return f"{_text(row['symbol']) or row['resolution_id']} ({_date(row['date'])}): {_text(row['summary'])} Vote {votes}."
    if table == "measures":
        return f"{row['resolution_id']}: {row['description']}"
    if table == "msmt_members":
        return f"MSMT member {row['country_iso3']} since {_date(row['joined_date'])}"
    for column in ("title", "name", "summary", "description", "paraphrase", "note"):
        if column in row.index and isinstance(row[column], str):
            return row[column]
    return f"{table} row {row_id}"


def _row_link(table: str, row_id: str, pages: str = data.DATA_PAGES) -> str:
    return f'<a href="{pages}{html.escape(table)}.html#row-{html.escape(row_id)}"><code>{html.escape(table)}:{html.escape(row_id)}</code></a>'


def _evidence_list(cell) -> str:
    items = [f"<li>{html.escape(describe(t, r))} {_row_link(t, r)}</li>" for t, r in parse_refs(cell)]
    return f"<ul>{''.join(items)}</ul>" if items else "<p>–</p>"


def _side_label(actor: str) -> str:
    for side, (code, _) in SIDES.items():
        if code == actor:
            return side
    return {"G7": "G7 and partners", "ANALYST": "Analyst"}.get(actor, actor)


def _view_list(cell) -> str:
    """Statements quoted as each side's own view, labelled with whose view it is."""
    items = []
    for table, row_id in parse_refs(cell):
        row = resolve(table, row_id)
        actor = row["actor"] if table == "statements" else data.split_ids(row["actors"])[0]
        quote = row.get("short_quote") if table == "statements" else None
        quote_html = f' <q>{html.escape(quote)}</q>' if isinstance(quote, str) and quote else ""
        items.append(
            f"<li><strong>{html.escape(_side_label(actor))}'s view</strong> ({html.escape(row['speaker'])}, "
            f"{_date(row['date']) or 'undated'}): {html.escape(row['paraphrase'])}{quote_html} {_row_link(table, row_id)}</li>"
        )
    return f"<ul>{''.join(items)}</ul>" if items else "<p>–</p>"


# ---------------------------------------------------------------------------------------------
# The ledger
# ---------------------------------------------------------------------------------------------

def definitions() -> pd.DataFrame:
    """What each claim type and each rating means: the ledger's vocabulary, as a table."""
    types = [{"kind": "claim type", "term": label, "meaning": meaning} for label, meaning in CLAIM_TYPES.values()]
    ratings = [{"kind": "rating", "term": label, "meaning": meaning} for label, _, _, meaning in RATINGS.values()]
    return pd.DataFrame(types + ratings)


def ledger_frame() -> pd.DataFrame:
    """The claims table, in article order."""
    return data.load("claims").sort_values("claim_id").reset_index(drop=True)


def _check_choice(value, allowed: dict, name: str) -> None:
    if value is not None and value not in allowed:
        raise ClaimsError(f"{name} must be one of {', '.join(allowed)} (or None for all), not {value!r}.")


def ledger(claim_type: str | None = None, rating: str | None = None) -> HTML:
    """The claims ledger as an HTML table, optionally only one type of claim or one rating."""
    _check_choice(claim_type, CLAIM_TYPES, "claim_type")
    _check_choice(rating, RATINGS, "rating")
    frame = ledger_frame()
    if claim_type:
        frame = frame[frame.claim_type == claim_type]
    if rating:
        frame = frame[frame.rating == rating]
    if frame.empty:
        return HTML("<p>No claim in the ledger has that type and rating.</p>")
    # Row anchors (links from elsewhere point to claim-<id>) belong to the full ledger only; a filtered copy on
    # the same page gets its own name, so ids and landmark labels stay unique.
    filters = [CLAIM_TYPES[claim_type][0] for claim_type in [claim_type] if claim_type] + [RATINGS[rating][0] for rating in [rating] if rating]
    label = "Claims ledger" + (f" ({', '.join(filters)})" if filters else "")
    body = []
    for row in frame.itertuples():
        rating_label = RATINGS[row.rating][0]
        anchor = "" if filters else f' id="claim-{row.claim_id}"'
        body.append(
            f'<tr{anchor}><th scope="row">{row.claim_id}<br><small>¶{row.paragraph}</small></th>'
            f"<td>{html.escape(row.claim)}</td><td>{CLAIM_TYPES[row.claim_type][0]}</td>"
            f'<td><strong>{rating_label}</strong></td>'
            f"<td>{html.escape(row.rating_reason)}<details><summary>Evidence rows</summary>{_evidence_list(row.evidence)}</details>"
            f"<p><em>What would change the rating:</em> {html.escape(row.would_change_rating)}</p></td>"
            f"<td>{_view_list(row.counter_arguments)}</td></tr>"
        )
    head = "".join(f'<th scope="col">{h}</th>' for h in ("Claim", "What the article says (paraphrased)", "Type", "Rating", "Why, and the evidence", "Counter-arguments from other vantage points"))
    return HTML(
        f'<div class="course-table-scroll" tabindex="0" role="region" aria-label="{html.escape(label)}">'
        f'<table class="course-data-table"><caption>The claims ledger: {len(frame)} claims, paraphrased, in the order the article makes them '
        "(¶ = paragraph; 0 = headline and subtitle)</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        + data.provenance_html(tables=("claims", "statements", "vote_explanations"), source_ids=data.cited_sources(frame))
    )


def ledger_summary() -> CourseFigure:
    """How many of the article's claims of each type the ledger rates in each way."""
    frame = ledger_frame()
    counts = frame.groupby(["claim_type", "rating"]).size().unstack(fill_value=0).reindex(index=list(CLAIM_TYPES), columns=list(RATINGS), fill_value=0)
    fig = go.Figure()
    for rating, (label, colour, pattern, meaning) in RATINGS.items():
        fig.add_trace(go.Bar(
            y=[CLAIM_TYPES[t][0] for t in counts.index], x=counts[rating], name=label, orientation="h",
            marker=dict(color=colour, pattern=dict(shape=pattern, fgcolor="#333")),
            text=[str(v) if v else "" for v in counts[rating]], textposition="inside", insidetextanchor="middle",
            hovertemplate=f"<b>%{{y}}</b><br>{label}: %{{x}} claims<br><i>{html.escape(meaning)}</i><extra></extra>",
        ))
    fig.update_layout(barmode="stack", height=380, title=f"The article's {len(frame)} claims, by type and rating",
                      xaxis_title="number of claims", yaxis=dict(autorange="reversed"),
                      legend=dict(orientation="h", y=-0.25, traceorder="normal"), margin=dict(l=130))
    table = counts.rename(index={k: v[0] for k, v in CLAIM_TYPES.items()}, columns={k: v[0] for k, v in RATINGS.items()})
    table = table.reset_index().rename(columns={"claim_type": "Claim type"})
    per_rating = "; ".join(f"{RATINGS[r][0].lower()}: {int(counts[r].sum())}" for r in RATINGS)
    per_type = "; ".join(
        f"{CLAIM_TYPES[t][0].lower()}s: " + ", ".join(f"{int(counts.at[t, r])} {RATINGS[r][0].lower()}" for r in RATINGS if counts.at[t, r])
        for t in CLAIM_TYPES if counts.loc[t].sum()
    )
    return CourseFigure(
        figure=fig,
        alt=f"Stacked horizontal bar chart of the {len(frame)} claims by type, each bar split by rating. In all, {per_rating}. "
            f"By type: {per_type}.",
        caption="The claims ledger at a glance. Ratings are the course's reading of the evidence in the data package, with "
                "reasons given for every claim in the ledger below; recommendations are rated on their factual premise.",
        figure_id="ledger-summary",
        table=table,
        tables=("claims",),
        sources=tuple(data.cited_sources(frame)),
    )


def claim_card(claim_id: str) -> HTML:
    """One claim laid out for close reading: the claim, its rating and reason, every evidence row, the counter-views."""
    frame = ledger_frame().set_index("claim_id", drop=False)
    if claim_id not in frame.index:
        raise ClaimsError(f"No claim {claim_id!r}; claim ids run from {frame.index.min()} to {frame.index.max()}.")
    row = frame.loc[claim_id]
    refs = parse_refs(row["evidence"]) + parse_refs(row["counter_arguments"])
    return HTML(
        f'<div class="course-claim-card"><p><strong>{row["claim_id"]}</strong> (paragraph {row["paragraph"]}, '
        f'{CLAIM_TYPES[row["claim_type"]][0].lower()}): {html.escape(row["claim"])}</p>'
        f'<p><strong>Rating: {RATINGS[row["rating"]][0]}.</strong> {html.escape(row["rating_reason"])}</p>'
        f"<p><strong>Evidence</strong></p>{_evidence_list(row['evidence'])}"
        f"<p><strong>Counter-arguments</strong></p>{_view_list(row['counter_arguments'])}"
        f"<p><strong>What would change the rating:</strong> {html.escape(row['would_change_rating'])}</p></div>"
        + data.provenance_html(tables=tuple(dict.fromkeys(t for t, _ in refs)), source_ids=sources_of(refs))
    )


def omissions() -> HTML:
    """What the article leaves out, with evidence and the views of those left out."""
    frame = data.load("omissions").sort_values("omission_id")
    body = []
    for row in frame.itertuples():
        related = ", ".join(f'<a href="#claim-{c}">{c}</a>' for c in data.split_ids(row.related_claims))
        body.append(
            f"<tr><th scope=\"row\">{html.escape(row.topic)}</th><td>{html.escape(row.what_is_missing)}</td>"
            f"<td>{html.escape(row.why_it_matters)}<details><summary>Evidence rows</summary>{_evidence_list(row.evidence)}</details></td>"
            f"<td>{_view_list(row.perspectives)}</td><td>{related or '–'}</td></tr>"
        )
    head = "".join(f'<th scope="col">{h}</th>' for h in ("Topic", "What the article leaves out", "Why it matters", "In their own words", "Related claims"))
    return HTML(
        '<div class="course-table-scroll" tabindex="0" role="region" aria-label="What the article leaves out">'
        '<table class="course-data-table"><caption>What the article leaves out</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        + data.provenance_html(tables=("omissions",), source_ids=data.cited_sources(frame))
    )


def for_and_against() -> HTML:
    """The article's conclusion argued both ways, from the ledger: the strongest supports and the strongest objections."""
    claims = ledger_frame()
    testable = claims[claims.claim_type.isin(["fact", "estimate", "forecast"])]
    support = testable[testable.rating == "well_supported"]
    doubt = claims[claims.rating.isin(["contested", "unsupported"])]
    gaps = data.load("omissions").sort_values("omission_id")

    def items(frame):
        return "".join(
            f'<li><a href="#claim-{r.claim_id}">{r.claim_id}</a> {html.escape(r.claim)} <em>({RATINGS[r.rating][0].lower()})</em>'
            f"<br><small>{html.escape(r.rating_reason)}</small></li>" for r in frame.itertuples()
        )

    gap_items = "".join(f"<li><strong>{html.escape(g.topic)}.</strong> {html.escape(g.why_it_matters)}</li>" for g in gaps.itertuples())
    sources = data.cited_sources(pd.concat([support, doubt])) + data.cited_sources(gaps)
    return HTML(
        '<div class="course-for-against">'
        "<h3>For the article's conclusion</h3>"
        "<p>The partnership is real, growing and two-way, and it links a European war to Korean security. These factual "
        f"and estimated claims are well supported by rows from more than one vantage point:</p><ul>{items(support)}</ul>"
        "<h3>Against, or at least: not so fast</h3>"
        f"<p>These claims are contested or unsupported by the evidence so far:</p><ul>{items(doubt)}</ul>"
        f"<p>And these omissions change how the argument reads:</p><ul>{gap_items}</ul></div>"
        + data.provenance_html(tables=("claims", "omissions"), source_ids=list(dict.fromkeys(sources)))
    )


# ---------------------------------------------------------------------------------------------
# Chapter 10: the prescriptions and the eight sides
# ---------------------------------------------------------------------------------------------

def responses() -> HTML:
    """Each lever the article proposes, with what the evidence says it can and cannot do, and the sides' views."""
    frame = data.load("responses").sort_values("response_id")
    body = []
    for row in frame.itertuples():
        body.append(
            f"<tr><th scope=\"row\">{LEVER_LABELS[row.lever]}<br><small>from <a href=\"09-weighing-the-argument.html#claim-{row.claim_id}\">{row.claim_id}</a></small></th>"
            f"<td>{html.escape(row.article_proposes)}</td><td>{html.escape(row.evidence_can)}</td><td>{html.escape(row.evidence_cannot)}"
            f"<details><summary>Evidence rows</summary>{_evidence_list(row.evidence)}</details></td>"
            f"<td>{_view_list(row.perspectives)}</td></tr>"
        )
    head = "".join(f'<th scope="col">{h}</th>' for h in ("Lever", "The article proposes", "What the evidence says it can do", "What it cannot do", "The sides' views"))
    return HTML(
        '<div class="course-table-scroll" tabindex="0" role="region" aria-label="The article\'s prescriptions against the evidence">'
        '<table class="course-data-table"><caption>Seven prescriptions against the evidence</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        + data.provenance_html(tables=("responses",), source_ids=data.cited_sources(frame))
    )


def side_statements(side: str) -> pd.DataFrame:
    """One side's own statements (statements.csv, plus its explanations of vote at the UN), oldest first."""
    if side not in SIDES:
        raise ClaimsError(f"side must be one of {', '.join(SIDES)}, not {side!r}.")
    code = SIDES[side][0]
    statements = data.load("statements")
    own = statements[statements.actor == code].assign(table="statements")
    votes = data.load("vote_explanations")
    votes = votes[votes.actors == code].assign(table="vote_explanations", short_quote=None)
    columns = ["table", "statement_id", "date", "speaker", "paraphrase", "short_quote", "source_ids"]
    both = pd.concat([own[columns], votes[columns]], ignore_index=True)
    return both.sort_values("date", na_position="last").reset_index(drop=True)


def perspectives(sides: Iterable[str] | None = None) -> HTML:
    """Eight sides, each in its own sourced statements, clearly labelled as that side's view."""
    chosen = list(SIDES) if sides is None else list(sides)
    sources = data.load("sources").set_index("source_id")
    cards, cited, rows = [], [], {}
    for side in chosen:
        frame = side_statements(side)
        items = []
        for row in frame.itertuples():
            quote = f' <q>{html.escape(row.short_quote)}</q>' if isinstance(row.short_quote, str) and row.short_quote else ""
            docs = ", ".join(
                f'<a href="{html.escape(sources.at[s, "url"])}">{html.escape(sources.at[s, "publisher"])}</a>'
                for s in data.split_ids(row.source_ids) if s in sources.index
            )
            items.append(
                f"<li><strong>{_date(row.date) or 'undated'}, {html.escape(row.speaker)}:</strong> {html.escape(row.paraphrase)}{quote} "
                f"<small>(as reported by {docs}; {_row_link(row.table, row.statement_id)})</small></li>"
            )
            rows.setdefault(row.table, []).append(row.statement_id)
        cited.extend(data.cited_sources(frame))
        cards.append(
            f'<section class="course-side" aria-label="{side}\'s view"><h3>{side}\'s view</h3>'
            f"<p><em>What {html.escape(SIDES[side][1])} says, paraphrased from its own statements. This is {side}'s view, not the course's.</em></p>"
            f"<ul>{''.join(items)}</ul></section>"
        )
    return HTML("".join(cards) + data.provenance_html(tables=tuple(rows), source_ids=list(dict.fromkeys(cited)), rows=rows))


def perspective_matrix() -> CourseFigure:
    """Which topics each side speaks about in the course's statements table: silence is information too."""
    statements = data.load("statements")
    sides = list(SIDES)
    codes = {SIDES[s][0]: s for s in sides}
    subset = statements[statements.actor.isin(codes)]
    topics = sorted(subset.topic.unique())  # topics only analysts discuss are left out of this grid
    counts = subset.groupby(["actor", "topic"]).size().unstack(fill_value=0).reindex(index=[SIDES[s][0] for s in sides], columns=topics, fill_value=0)
    labels = [t.replace("_", " ") for t in topics]
    fig = go.Figure(go.Heatmap(
        z=counts.to_numpy(), x=labels, y=sides, colorscale=[[0, "#ffffff"], [1, PALETTE["blue"]]], showscale=False,
        text=counts.to_numpy(), texttemplate="%{text}", hovertemplate="<b>%{y}</b> on %{x}: %{z} statements<extra></extra>",
        xgap=2, ygap=2,
    ))
    fig.update_layout(height=420, title="Statements in the data package, by side and topic",
                      yaxis=dict(autorange="reversed"), xaxis=dict(side="top", tickangle=0), margin=dict(t=110, l=100))
    table = counts.rename(index={v: k for k, v in codes.items()}).rename(columns=dict(zip(topics, labels))).reset_index().rename(columns={"actor": "side"})
    return CourseFigure(
        figure=fig,
        alt="Grid of eight sides (rows) by topic (columns), each cell showing how many of that side's statements in the data "
            "package concern that topic. Most frequent topic per side: "
            + "; ".join(f"{side}: {labels[int(counts.loc[SIDES[side][0]].to_numpy().argmax())]}" for side in sides) + ".",
        caption="What each side talks about, counted from the statements table (each number is also printed in its cell). "
                "A blank cell means the course found no statement by that side on that topic, not that the side has no view.",
        figure_id="perspective-matrix",
        table=table,
        tables=("statements",),
        sources=tuple(data.cited_sources(subset)),
    )


EXERCISES = {
    "ex-09-contested": Exercise(
        prompt="How many of the article's claims does the ledger rate as contested?",
        expected=lambda: int((ledger_frame().rating == "contested").sum()),
        hint="Use the data table under the ledger summary chart (add up the Contested column), or count ledger_frame().rating.",
    ),
    "ex-09-forecasts": Exercise(
        prompt="Give the set of claim ids the ledger classifies as forecasts.",
        expected=lambda: frozenset(ledger_frame().loc[lambda f: f.claim_type == "forecast", "claim_id"]),
        hint="Call claims.ledger(claim_type='forecast') and collect the ids in the first column.",
    ),
}
