"""The instructor guide's role-play: an emergency Security Council consultation, built from the data package.

Everything a player reads that is a fact comes from a row of the data package, with its sources:

* :func:`role_sheet` — one delegation's sheet: what that government (and joint statements it took part in)
  has said, from ``statements`` and ``vote_explanations``; how it voted where the data name it
  (``resolutions``); the estimates its own agencies have published (``transfers``, ``force_estimates``);
  a few tables that matter to that capital (``indicators``, ``trade``, ``launches``, ``msmt_members``,
  ``measures``); and the events in which it appears (``events``). Statements and estimates dated after the
  meeting are kept apart, in a section for the debrief.
* :func:`scenario` and :func:`injects` — the situation on the morning of the meeting and the news the chair
  reads out during it, each an ``events`` row: its date, the course's own summary of what happened, and the
  documents behind it.

The only hand-written text is each delegation's goals and instructions (:data:`BRIEFS`). It states no facts of
its own: each goal points to a numbered statement on the sheet ("see S2"), and the tests check that every such
pointer names a statement of that government dated before the meeting.

For printing: ``python -m partnership.roleplay OUT_FOLDER`` writes one HTML handout per delegation, plus the
scenario and injects.

The instructor guide's other generated tables live here too, so that nothing in the guide is typed twice:
:func:`chapter_overview` (each chapter's title, time to learn, exercise labels and quiz size, read from the
notebooks) and :func:`answer_key` (every checkable exercise with its expected answer, computed from the data).
"""
from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import data

#: The meeting is set on this day; the role sheets show what each government had said by then.
SCENARIO_DATE = "2024-11-01"

#: Relative link from a page in book/instructors/ to the generated data pages (None: no links to them; pages
#: one folder deeper, such as the role sheets, set "../../data/").
DATA_PAGES: str | None = "../data/"


class RoleplayError(ValueError):
    """An unknown delegation, event or date asked of the role-play."""


@dataclass(frozen=True)
class Actor:
    code: str                 # as in statements.actor and events.actors
    name: str
    vantage: str              # as in sources.vantage and the estimates' estimator_vantage
    seat: str                 # the seat this simulation gives the delegation (a rule of the game, not a fact)
    joint_names: tuple[str, ...] = ()   # how joint statements name this government in their speaker field
    extras: tuple[str, ...] = ()        # extra tables for this delegation's sheet (see _EXTRAS)


VOTING_VETO = "Voting member with a veto (in this simulation, as a permanent member of the Council)."
VOTING = "Voting member without a veto (in this simulation, an elected member of the Council)."
INVITED = "Invited to speak, without a vote."

ACTORS: dict[str, Actor] = {
    "USA": Actor("USA", "United States", "US", VOTING_VETO, (r"\bUS\b", r"United States"), ("msmt", "oil_cap")),
    "KOR": Actor("KOR", "Republic of Korea (South Korea)", "ROK", VOTING, (r"\bROK\b",), ("msmt", "budget_kor", "launches_kor")),
    "JPN": Actor("JPN", "Japan", "Japan", VOTING, (r"\bJapan\b",), ("msmt", "budget_jpn", "launches_jpn")),
    "CHN": Actor("CHN", "People's Republic of China", "China", VOTING_VETO, (), ("trade_chn",)),
    "RUS": Actor("RUS", "Russian Federation", "Russia", VOTING_VETO, (), ("trade_rus", "oil_cap")),
    "PRK": Actor("PRK", "Democratic People's Republic of Korea (North Korea)", "DPRK", INVITED, (), ("ga_vote",)),
    "UKR": Actor("UKR", "Ukraine", "Ukraine", INVITED, (), ("ga_vote",)),
    "EU": Actor("EU", "European Union", "EU", INVITED, (r"\bEU\b",), ("ga_vote",)),
}

#: Other ways of writing the delegations' codes that :func:`role_sheet` accepts.
ALIASES = {
    "US": "USA", "UNITED STATES": "USA", "ROK": "KOR", "SOUTH KOREA": "KOR", "KOREA": "KOR", "JAPAN": "JPN",
    "CHINA": "CHN", "PRC": "CHN", "RUSSIA": "RUS", "DPRK": "PRK", "NORTH KOREA": "PRK", "UKRAINE": "UKR",
    "EUROPEAN UNION": "EU",
}

#: Each delegation's goals and instructions. ``{S:statement_id}`` becomes a pointer to that statement's number on
#: the sheet; ``{V:statement_id}`` to a vote explanation. No sentence here states a fact of its own.
BRIEFS: dict[str, dict[str, list[str]]] = {
    "USA": {
        "goals": [
            "Your government has said it holds information on military shipments from the DPRK to Russia and "
            "condemned them (see {S:usa-2023-10-13-kirby-containers}). Decide how much of that information you put "
            "before the Council, and how you answer a delegation that calls it unverified.",
            "Your government argued for renewing the Panel of Experts and described its work as credible and "
            "independent (see {V:2024-usa-un}). Decide whether your draft proposes a new monitoring mechanism, and "
            "what you would trade to avoid a veto.",
            "Your defence secretary has described reports of DPRK soldiers in Russia and his concern that they may "
            "join combat (see {S:usa-2024-10-30-austin}). Decide what you ask the Council to say or do about it.",
        ],
        "instructions": [
            "You hold the pen: bring a short draft (three to five operative paragraphs) to the opening round.",
            "Coordinate with delegations whose statements resemble yours, but negotiate with those whose do not: "
            "the draft fails if a delegation with a veto votes against it.",
        ],
    },
    "KOR": {
        "goals": [
            "Your government has called the Russia–DPRK treaty a violation of UN resolutions and promised a stern "
            "response with allies (see {S:kor-2024-06-20-mofa-lim}).",
            "Your national security adviser said Seoul would reconsider its policy on supplying weapons to Ukraine "
            "(see {S:kor-2024-06-20-nsc-chang}); members of your opposition argued against sending offensive weapons "
            "(see {S:kor-2024-10-25-dpk-park-chan-dae}). Decide how far your delegation commits, knowing the debate "
            "at home.",
            "Your intelligence service has published claims about troop movements (see {S:kor-2024-10-18-nis}) and "
            "estimates shown on this sheet. Present each as your service's estimate, with its date.",
        ],
        "instructions": [
            "You vote. Decide which paragraphs of the draft you need, and which you could drop to win votes.",
            "Other delegations may challenge your service's numbers: answer with what the sheet says about how "
            "they were produced, not with new figures.",
        ],
    },
    "JPN": {
        "goals": [
            "Your government has said it is watching the troop dispatch with serious concern and that deepening "
            "Moscow–Pyongyang military ties affect security around Japan (see {S:jpn-2024-10-25-hayashi}).",
            "Your government expressed concern that Russia did not rule out military-technology cooperation with the "
            "DPRK (see {S:jpn-2024-06-20-hayashi}). Decide what assurances or language you seek.",
            "Your government called a proposed Asian NATO an idea for the future (see "
            "{S:jpn-2024-10-02-iwaya-asian-nato}). Decide whether collective defence comes up in your statements at all.",
        ],
        "instructions": [
            "You vote. Other delegations may point to the defence-budget figures on this sheet; decide how you answer "
            "without adding figures that are not on it.",
        ],
    },
    "CHN": {
        "goals": [
            "Your government has said it backs implementing the sanctions but that they are a means, not an end, and "
            "have worsened humanitarian conditions (see {S:chn-2024-03-28-geng-eov}); it abstained when the Panel's "
            "renewal was vetoed (see {V:2024-chn-un}).",
            "Asked about DPRK troops in Russia, your spokesperson said China was not aware of the situation and urged "
            "de-escalation and a political solution (see {S:chn-2024-10-24-lin-jian}). Decide whether and how your "
            "delegation speaks about the troop reports.",
            "Your government has said it welcomes Russia developing ties with relevant countries and stressed its own "
            "good ties with the DPRK (see {S:chn-2024-06-13-lin-jian}).",
        ],
        "instructions": [
            "You hold a veto. Sort the draft's paragraphs into those you could support, those on which you would "
            "abstain and those you would block, and explain each vote in terms your government has used.",
        ],
    },
    "RUS": {
        "goals": [
            "Your government has argued that the Panel of Experts had become biased, that open-ended sanctions on the "
            "DPRK have failed and burden its population, and that they should be reviewed (see "
            "{S:rus-2024-03-28-nebenzia-veto} and {V:2024-rus-un}).",
            "Your president has said the new treaty provides for mutual assistance if either party faces aggression "
            "(see {S:rus-2024-06-19-putin-treaty}).",
            "Your foreign ministry called the new Multilateral Sanctions Monitoring Team illegal for bypassing the "
            "Council (see {S:rus-2024-10-23-zakharova-msmt}). Decide your answer to any proposal for a new "
            "monitoring body.",
        ],
        "instructions": [
            "You hold a veto. You may propose amendments of your own, for example a review of the sanctions, in "
            "your government's terms.",
            "Other delegations will press you on the troop reports. Speak within what your government has said on "
            "this sheet; where it has said nothing, say so or state your delegation's inference as an inference.",
        ],
    },
    "PRK": {
        "goals": [
            "Your leader has said Pyongyang backs the Russian leadership's decisions and will always stand with "
            "Moscow (see {S:prk-2023-09-13-kim-vostochny}).",
            "Your leader presented the treaty with Russia as peaceful and defensive (see {S:prk-2024-06-19-kim-treaty}).",
        ],
        "instructions": [
            "You do not vote. You may ask the chair for the floor after any inject.",
            "Decide whether to address the troop reports at all: the sheet shows what your government had said "
            "publicly by the day of the meeting, and what it said later is in the debrief section.",
        ],
    },
    "UKR": {
        "goals": [
            "Your foreign minister called Russia's veto of the Panel's renewal a de facto guilty plea (see "
            "{S:ukr-2024-03-28-kuleba-veto}).",
            "Your president said, citing your intelligence, that the DPRK was preparing soldiers to fight against "
            "Ukraine (see {S:ukr-2024-10-17-zelensky-10000}). Present your services' figures as their estimates, "
            "and be ready for others to question them.",
            "A presidential adviser criticised the silence of the UN about the treaty (see "
            "{S:ukr-2024-06-19-podolyak-treaty}). Decide what you ask the Council to do.",
        ],
        "instructions": [
            "You do not vote. You may ask the chair for the floor after any inject.",
        ],
    },
    "EU": {
        "goals": [
            "The EU's High Representative said a DPRK troop deployment would seriously breach international law "
            "(see {S:eu-2024-10-24-borrell}).",
            "The Council of the EU has listed DPRK individuals and entities over sanctions evasion and military "
            "support for Russia (see {S:eu-2024-05-31-council-listing} and {S:eu-2024-02-kang-sun-nam-listing}). "
            "Decide whether to offer the EU's own measures as a model, as evidence, or not at all.",
        ],
        "instructions": [
            "You do not vote; you speak as an invited delegation. You may ask the chair for the floor after any inject.",
            "Where the sheet shows no estimates published by the EU itself, cite others' estimates with their "
            "authors' names.",
        ],
    },
}

#: Same for every delegation.
COMMON_INSTRUCTIONS = [
    "Speak for your government as its statements on this sheet describe it. Do not invent positions or figures: "
    "where the sheet is silent, say so, or present your delegation's inference as an inference.",
    "Attribute every number to whoever published it (\"South Korea's intelligence service estimated…\").",
    "The section for the debrief, at the end of this sheet, shows what your government said after the meeting's date. "
    "Do not open it until the debrief.",
]

#: The situation on the morning of the meeting: events rows, read out by the chair at the start.
SCENARIO_EVENTS = (
    "2023-11-01-nis-1m-shells",
    "2024-01-04-us-announces-missile-transfer",
    "2024-03-28-poe-veto",
    "2024-04-25-un-panel-kharkiv-finding",
    "2024-04-30-poe-mandate-ends",
    "2024-06-19-comprehensive-strategic-partnership-treaty",
    "2024-10-16-msmt-launch",
    "2024-10-18-nis-statement",
    "2024-10-28-nato-confirms-kursk",
    "2024-10-31-unsc-wood-8000",
)

#: The injects: events after the meeting's date, in the order the chair reads them.
INJECT_EVENTS = (
    "2024-11-05-first-clashes",
    "2024-11-13-nis-combat",
    "2024-11-20-nis-koksan-mrl",
    "2024-11-22-seoul-air-defence-claim",
    "2024-11-22-osc-million-barrels",
    "2024-12-04-treaty-enters-into-force",
    "2024-12-16-pentagon-confirms-combat",
    "2025-01-11-pows-announced",
)

#: Later events for the debrief ("what happened next").
DEBRIEF_EVENTS = (
    "2025-04-28-kcna-acknowledges",
    "2025-05-29-msmt-first-report",
)

KIND_LABELS = {
    "un_record": "UN record",
    "government_statement": "government statement",
    "intelligence_claim": "intelligence claim",
    "independent_research": "independent research",
    "news_report": "news report",
    "state_media": "state media",
    "reference_work": "reference work",
}

ITEM_LABELS = {
    "artillery_ammunition": "artillery ammunition", "rocket_ammunition": "rocket ammunition",
    "ammunition_unspecified": "ammunition (type not specified)", "ballistic_missiles": "ballistic missiles",
    "artillery_systems": "artillery systems", "rocket_launchers": "rocket launchers", "other_materiel": "other materiel",
    "refined_petroleum": "refined petroleum", "crude_oil": "crude oil", "air_defence": "air defence",
    "electronic_warfare": "electronic warfare", "missile_space_technology": "missile and space technology",
    "military_technology_other": "other military technology", "food": "food", "money": "money",
    "total_value": "total value",
}


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _missing(value) -> bool:
    return value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value))


def _date(value, precision: str = "day") -> str:
    if _missing(value):
        return "date not recorded"
    stamp = pd.Timestamp(value)
    if precision == "year":
        return f"{stamp.year}"
    if precision == "month":
        return stamp.strftime("%B %Y")
    return f"{stamp.day} {stamp.strftime('%B %Y')}"


def _number(value) -> str:
    number = float(value)
    if number.is_integer():
        return f"{number:,.0f}"
    return f"{number:,.6g}" if abs(number) >= 1 else f"{number:.6g}"


def _unit(unit: str) -> str:
    return {"usd": "US dollars", "reported": ""}.get(unit, unit.replace("_", " "))


def reading(low, high, unit: str = "") -> str:
    """How an estimate reads as published: a single figure, a range, a floor, a ceiling, or no number."""
    unit = _unit(unit) if unit else ""
    suffix = f" {unit}" if unit else ""
    if _missing(low) and _missing(high):
        return "reported, with no number"
    if _missing(high):
        return f"at least {_number(low)}{suffix}"
    if _missing(low):
        return f"up to {_number(high)}{suffix}"
    if float(low) == float(high):
        return f"{_number(low)}{suffix}"
    return f"{_number(low)}–{_number(high)}{suffix}"


def as_of_date(as_of=None) -> pd.Timestamp:
    """The meeting date as a Timestamp (default :data:`SCENARIO_DATE`), with a clear error for a bad value."""
    value = SCENARIO_DATE if as_of is None else as_of
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise RoleplayError(f"{as_of!r} is not a date: write it as YYYY-MM-DD, e.g. {SCENARIO_DATE!r}.") from None
    if pd.isna(stamp):
        raise RoleplayError(f"{as_of!r} is not a date: write it as YYYY-MM-DD, e.g. {SCENARIO_DATE!r}.")
    return stamp.normalize()


def actor(code: str) -> Actor:
    """The delegation for ``code`` (``"USA"``, ``"ROK"``, ``"china"``...), or a RoleplayError listing the valid codes."""
    if not isinstance(code, str) or not code.strip():
        raise RoleplayError(f"{code!r} is not a delegation code. Use one of: {', '.join(ACTORS)}.")
    key = code.strip().upper()
    key = ALIASES.get(key, key)
    if key not in ACTORS:
        raise RoleplayError(
            f"There is no role sheet for {code!r}. Use one of: {', '.join(ACTORS)} "
            f"(also accepted: {', '.join(sorted(ALIASES))})."
        )
    return ACTORS[key]


def _sources() -> pd.DataFrame:
    return data.load("sources").set_index("source_id")


def source_links(source_ids, sources: pd.DataFrame | None = None, short: bool = False) -> str:
    """The documents behind a row: publisher and title linked to the document, with its kind and vantage.

    ``short=True`` (for table cells) links the publisher's name only and puts the title in the link's tooltip.
    """
    sources = _sources() if sources is None else sources
    items = []
    for source_id in data.split_ids(source_ids) if isinstance(source_ids, str) else list(source_ids):
        if source_id not in sources.index:
            raise RoleplayError(f"Unknown source id {source_id!r}: add it to sources.csv or correct the id.")
        row = sources.loc[source_id]
        label = f"{KIND_LABELS.get(row['kind'], row['kind'])}; vantage: {row['vantage']}"
        row_link = f' (<a href="{DATA_PAGES}sources.html#row-{_e(source_id)}">row</a>)' if DATA_PAGES else ""
        if short:
            items.append(
                f'<a href="{_e(row["url"])}" title="{_e(row["title"])}">{_e(row["publisher"])}</a> '
                f'<span class="course-vantage">[{_e(label)}]</span>'
            )
        else:
            items.append(
                f'<a href="{_e(row["url"])}">{_e(row["publisher"])}: {_e(row["title"])}</a> '
                f'<span class="course-vantage">[{_e(label)}]</span>{row_link}'
            )
    return "; ".join(items)


def _row_link(table: str, row_id: str) -> str:
    if not DATA_PAGES:
        return f"{_e(table)}.csv, {_e(row_id)}"
    return f'<a href="{DATA_PAGES}{_e(table)}.html#row-{_e(row_id)}">{_e(row_id)}</a>'


def _table(frame: pd.DataFrame, label: str, html_columns: tuple[str, ...] = ()) -> str:
    """An accessible HTML table; columns in ``html_columns`` are already HTML, the rest are escaped."""
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in frame.columns)
    body = []
    for record in frame.to_dict("records"):
        cells = "".join(
            f"<td>{record[c] if c in html_columns else _e('–' if _missing(record[c]) else record[c])}</td>"
            for c in frame.columns
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<div class="course-table-scroll" tabindex="0" role="region" aria-label="{_e(label)}">'
        f'<table class="course-data-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
    )


# ---------------------------------------------------------------------------------------------
# What each government has said
# ---------------------------------------------------------------------------------------------

def _in_actors(cell, code: str) -> bool:
    return code in data.split_ids(cell)


def statements_for(code: str) -> pd.DataFrame:
    """Statements by this government, and joint statements whose speaker names it, oldest first.

    Columns: statement_id, date, speaker, topic, paraphrase, short_quote, source_ids, joint (bool).
    """
    who = actor(code)
    statements = data.load("statements")
    own = statements[statements["actor"] == who.code].assign(joint=False)
    joint = statements[(statements["actor"] != who.code) & statements["actor"].isin(["G7"])]
    if who.joint_names:
        pattern = "|".join(who.joint_names)
        joint = joint[joint["speaker"].astype(str).str.contains(pattern, regex=True)]
    else:
        joint = joint.iloc[0:0]
    frame = pd.concat([own, joint.assign(joint=True)], ignore_index=True)
    return frame.sort_values(["date", "statement_id"], na_position="last").reset_index(drop=True)


def vote_explanations_for(code: str) -> pd.DataFrame:
    """How this government explained its votes on Council drafts (``vote_explanations``), oldest first."""
    who = actor(code)
    votes = data.load("vote_explanations")
    mine = votes[votes["actors"].map(lambda cell: _in_actors(cell, who.code))]
    resolutions = data.load("resolutions").set_index("resolution_id")
    # Undated explanations were issued with the vote: date them by their resolution.
    dates = mine["resolution_id"].map(lambda r: resolutions.loc[r, "date"] if r in resolutions.index else pd.NaT)
    mine = mine.assign(date=mine["date"].fillna(dates))
    return mine.sort_values(["date", "statement_id"]).reset_index(drop=True)


def recorded_votes(code: str) -> pd.DataFrame:
    """Council and Assembly votes in which the data name this government: vetoes, votes against, abstentions."""
    who = actor(code)
    resolutions = data.load("resolutions")
    rows = []
    for row in resolutions.sort_values("date").itertuples():
        how = []
        if _in_actors(row.vetoed_by, who.code):
            how.append("veto")
        elif _in_actors(row.against_members, who.code):
            how.append("against")
        if _in_actors(row.abstaining_members, who.code):
            how.append("abstained")
        if how:
            rows.append({
                "resolution_id": row.resolution_id, "date": row.date, "symbol": row.symbol, "kind": row.kind,
                "vote": ", ".join(how), "votes_for": row.votes_for, "votes_against": row.votes_against,
                "abstentions": row.abstentions, "source_ids": row.source_ids,
            })
    return pd.DataFrame(rows, columns=["resolution_id", "date", "symbol", "kind", "vote", "votes_for", "votes_against",
                                       "abstentions", "source_ids"])


def estimates_for(code: str) -> pd.DataFrame:
    """Estimates published from this government's vantage (``transfers`` and ``force_estimates``).

    Columns: table, estimate_id, what, reading, estimated_by, date (estimate date, else end of period), source_ids.
    """
    who = actor(code)
    rows = []
    transfers = data.load("transfers")
    for row in transfers[transfers["estimator_vantage"] == who.vantage].itertuples():
        direction = "DPRK to Russia" if row.direction == "to_russia" else "Russia to DPRK"
        date = row.estimate_date if not _missing(row.estimate_date) else row.period_end
        rows.append({
            "table": "transfers", "estimate_id": row.estimate_id,
            "what": f"{ITEM_LABELS.get(row.item, row.item)} ({direction})",
            "reading": reading(row.quantity_low, row.quantity_high, row.unit),
            "estimated_by": row.estimated_by, "date": date, "source_ids": row.source_ids,
        })
    forces = data.load("force_estimates")
    for row in forces[forces["estimator_vantage"] == who.vantage].itertuples():
        rows.append({
            "table": "force_estimates", "estimate_id": row.estimate_id,
            "what": f"DPRK personnel in Russia: {row.group.replace('_', ' ')}, {row.metric.replace('_', ' ')}",
            "reading": reading(row.low, row.high, "people"),
            "estimated_by": row.estimated_by, "date": row.estimate_date, "source_ids": row.source_ids,
        })
    frame = pd.DataFrame(rows, columns=["table", "estimate_id", "what", "reading", "estimated_by", "date", "source_ids"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.sort_values(["date", "estimate_id"], na_position="last").reset_index(drop=True)


def events_for(code: str) -> pd.DataFrame:
    """Events rows in which this government is among the actors, oldest first."""
    who = actor(code)
    events = data.load("events")
    return events[events["actors"].map(lambda cell: _in_actors(cell, who.code))].sort_values(["date", "event_id"]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Scenario and injects
# ---------------------------------------------------------------------------------------------

def _event_items(event_ids, *, check_after: pd.Timestamp | None = None, check_before: pd.Timestamp | None = None) -> list[dict]:
    events = data.load("events").set_index("event_id")
    sources = _sources()
    items = []
    for number, event_id in enumerate(event_ids, start=1):
        if event_id not in events.index:
            raise RoleplayError(f"There is no event {event_id!r} in events.csv: correct the id or add the event there.")
        row = events.loc[event_id]
        if check_after is not None and row["date"] <= check_after:
            raise RoleplayError(f"Inject {event_id!r} is dated {row['date'].date()}, not after the meeting ({check_after.date()}).")
        if check_before is not None and row["date"] > check_before:
            raise RoleplayError(f"Scenario event {event_id!r} is dated {row['date'].date()}, after the meeting ({check_before.date()}).")
        source_ids = data.split_ids(row["source_ids"])
        documents = sources.loc[source_ids]
        items.append({
            "number": number,
            "event_id": event_id,
            "date": row["date"].date().isoformat(),
            "date_text": _date(row["date"], row["date_precision"]),
            "title": row["title"],
            "what_happened": row["summary"],
            "category": row["category"],
            "actors": data.split_ids(row["actors"]),
            "source_ids": source_ids,
            "basis": sorted({f"{KIND_LABELS.get(k, k)} ({v})" for k, v in zip(documents["kind"], documents["vantage"])}),
            "sources_html": source_links(source_ids, sources),
        })
    return items


def scenario(as_of=None) -> list[dict]:
    """The situation on the morning of the meeting: the :data:`SCENARIO_EVENTS` rows, oldest first."""
    return _event_items(SCENARIO_EVENTS, check_before=as_of_date(as_of))


def injects(event_ids=INJECT_EVENTS, as_of=None) -> list[dict]:
    """The injects, in order: each a real ``events`` row dated after the meeting.

    Each inject is a dict with ``number``, ``event_id``, ``date`` (ISO), ``date_text``, ``title``,
    ``what_happened`` (the course's own summary from events.csv), ``category``, ``actors``, ``source_ids``,
    ``basis`` (the kinds and vantages of its documents) and ``sources_html``.
    """
    return _event_items(event_ids, check_after=as_of_date(as_of))


def debrief_events() -> list[dict]:
    """What happened after the injects, for the debrief."""
    return _event_items(DEBRIEF_EVENTS)


def _event_list_html(items: list[dict], *, prefix: str, heading: str = "Inject") -> str:
    parts = ['<ul class="roleplay-events" style="list-style:none;padding-left:0">']
    for item in items:
        parts.append(
            f'<li id="{_e(prefix)}-{item["number"]}"><p><strong>{_e(heading)} {item["number"]} — {_e(item["date_text"])}: '
            f'{_e(item["title"])}.</strong> {_e(item["what_happened"])}</p>'
            f'<p class="roleplay-basis">Based on: {_e("; ".join(item["basis"]))}. Sources: {item["sources_html"]}. '
            f'Event row: {_row_link("events", item["event_id"])}.</p></li>'
        )
    parts.append("</ul>")
    return "".join(parts)


def scenario_html(as_of=None) -> str:
    return _event_list_html(scenario(as_of), prefix="roleplay-scenario", heading="Background")


def injects_html(event_ids=INJECT_EVENTS, as_of=None) -> str:
    return _event_list_html(injects(event_ids, as_of), prefix="roleplay-inject", heading="Inject")


def debrief_html() -> str:
    return _event_list_html(debrief_events(), prefix="roleplay-next", heading="Later")


# ---------------------------------------------------------------------------------------------
# Tables that matter to one capital
# ---------------------------------------------------------------------------------------------

def _indicators(country: str) -> pd.DataFrame:
    frame = data.load("indicators")
    frame = frame[frame["country"] == country]
    return pd.DataFrame({
        "indicator": frame["indicator"].str.replace("_", " "),
        "year": frame["year"],
        "value": [f"{_number(v)} {_unit(u)}" for v, u in zip(frame["value"], frame["unit"])],
        "note": frame["note"],
        "sources": [source_links(s, short=True) for s in frame["source_ids"]],
    })


def _launches(tracker_pattern: str) -> pd.DataFrame:
    frame = data.load("launches")
    frame = frame[frame["tracker"].str.contains(tracker_pattern, regex=True)].sort_values(["year", "count_unit"])
    return pd.DataFrame({
        "tracker": frame["tracker"], "year": frame["year"], "count": frame["count"],
        "counted as": frame["count_unit"].str.replace("_", " "),
        "sources": [source_links(s, short=True) for s in frame["source_ids"]],
    })


def _trade(reporter: str) -> pd.DataFrame:
    frame = data.load("trade")
    frame = frame[(frame["reporter"] == reporter) & (frame["partner"] == "PRK") & (frame["flow"] == "total")].sort_values(["year", "row_id"])
    return pd.DataFrame({
        "year": frame["year"], "trade with the DPRK (US$ million)": [_number(v) for v in frame["value"]],
        "note": frame["note"], "sources": [source_links(s, short=True) for s in frame["source_ids"]],
    })


def _msmt(code: str) -> pd.DataFrame:
    frame = data.load("msmt_members")
    frame = frame[frame["country_iso3"] == code]
    return pd.DataFrame({"member": frame["country_iso3"], "joined": [_date(d) for d in frame["joined_date"]],
                         "sources": [source_links(s, short=True) for s in frame["source_ids"]]})


def _oil_cap() -> pd.DataFrame:
    frame = data.load("measures")
    frame = frame[frame["measure"] == "refined_petroleum_cap"]
    return pd.DataFrame({"resolution": frame["resolution_id"], "cap": [reading(v, v, "" if _missing(u) else u) for v, u in zip(frame["value"], frame["unit"])],
                         "description": frame["description"], "sources": [source_links(s, short=True) for s in frame["source_ids"]]})


def _ga_vote() -> pd.DataFrame:
    frame = data.load("resolutions")
    frame = frame[frame["kind"] == "ga_resolution"]
    return pd.DataFrame({"resolution": frame["symbol"], "date": [_date(d) for d in frame["date"]],
                         "for": frame["votes_for"], "against": frame["votes_against"], "abstaining": frame["abstentions"],
                         "named as voting against": frame["against_members"], "sources": [source_links(s, short=True) for s in frame["source_ids"]]})


_EXTRAS = {
    "msmt": ("Membership of the Multilateral Sanctions Monitoring Team", lambda who: _msmt(who.code)),
    "oil_cap": ("The UN cap on refined petroleum supplied to the DPRK", lambda who: _oil_cap()),
    "budget_kor": ("South Korea's defence budgets", lambda who: _indicators("KOR")),
    "budget_jpn": ("Japan's defence budgets and targets", lambda who: _indicators("JPN")),
    "launches_kor": ("DPRK launches counted by a South Korean tally", lambda who: _launches(r"\bROK\b")),
    "launches_jpn": ("DPRK launches counted by Japan's Ministry of Defense", lambda who: _launches(r"Japan")),
    "trade_chn": ("China–DPRK trade, as China's customs report it", lambda who: _trade("CHN")),
    "trade_rus": ("Russia–DPRK trade, as Russian sources report it", lambda who: _trade("RUS")),
    "ga_vote": ("The UN General Assembly vote on Russia's invasion of Ukraine (ES-11/1)", lambda who: _ga_vote()),
}


# ---------------------------------------------------------------------------------------------
# The role sheet
# ---------------------------------------------------------------------------------------------

def _numbered(statements: pd.DataFrame, votes: pd.DataFrame) -> dict[str, str]:
    labels = {sid: f"S{i}" for i, sid in enumerate(statements["statement_id"], start=1)}
    labels.update({sid: f"V{i}" for i, sid in enumerate(votes["statement_id"], start=1)})
    return labels


_POINTER = re.compile(r"\{([SV]):([A-Za-z0-9._-]+)\}")


def brief_pointers(code: str) -> list[tuple[str, str]]:
    """Every ``(kind, statement_id)`` a delegation's hand-written brief points to (for tests)."""
    who = actor(code)
    text = " ".join(BRIEFS[who.code]["goals"] + BRIEFS[who.code]["instructions"])
    return _POINTER.findall(text)


def _render_brief(text: str, labels: dict[str, str], code: str) -> str:
    out, last = [], 0
    for match in _POINTER.finditer(text):
        kind, statement_id = match.groups()
        label = labels.get(statement_id)
        if label is None or not label.startswith(kind):
            raise RoleplayError(
                f"The brief for {code} points to {statement_id!r}, which is not a {'statement' if kind == 'S' else 'vote explanation'} "
                "of that government dated before the meeting. Correct BRIEFS in partnership/roleplay.py."
            )
        out.append(_e(text[last:match.start()]))
        out.append(f'<a href="#role-{code.lower()}-{label.lower()}">{label}</a>')
        last = match.end()
    out.append(_e(text[last:]))
    return "".join(out)


def _statement_items(frame: pd.DataFrame, labels: dict[str, str], code: str, sources: pd.DataFrame, table: str) -> str:
    items = []
    for row in frame.to_dict("records"):
        label = labels.get(row["statement_id"], "")
        anchor = f' id="role-{code.lower()}-{label.lower()}"' if label else ""
        quote = ""
        if table == "statements" and not _missing(row.get("short_quote")):
            quote = f' In their words: “{_e(row["short_quote"])}”.'
        joint = " (joint statement)" if row.get("joint") else ""
        stance = f" Vote: {_e(row['stance'].replace('_', ' '))} on {_e(row['resolution_id'])}." if table == "vote_explanations" else ""
        prefix = f"<strong>{label}</strong> " if label else ""
        items.append(
            f"<li{anchor}><p>{prefix}<strong>{_e(_date(row['date']))}, {_e(row['speaker'])}{joint}.</strong> "
            f"{_e(row['paraphrase'])}{quote}{stance}</p>"
            f'<p class="roleplay-basis">Sources: {source_links(row["source_ids"], sources)}. '
            f"Data row: {_row_link(table, row['statement_id'])}.</p></li>"
        )
    return "<ul>" + "".join(items) + "</ul>" if items else "<p>None in the data package.</p>"


def _estimates_table(frame: pd.DataFrame, label: str) -> str:
    if frame.empty:
        return "<p>None in the data package for this period.</p>"
    shown = pd.DataFrame({
        "date": [_date(d) for d in frame["date"]],
        "what": frame["what"], "estimate as published": frame["reading"], "estimated by": frame["estimated_by"],
        "sources": [source_links(s, short=True) + f" (row {_row_link(t, i)})" for s, t, i in zip(frame["source_ids"], frame["table"], frame["estimate_id"])],
    })
    return _table(shown, label, html_columns=("sources",))


def role_sheet(code: str, as_of=None) -> str:
    """The role sheet for one delegation (HTML), with everything dated up to ``as_of`` (default the meeting date).

    ``code`` is one of :data:`ACTORS` (``"USA"``, ``"KOR"``, ``"JPN"``, ``"CHN"``, ``"RUS"``, ``"PRK"``, ``"UKR"``,
    ``"EU"``) or an alias such as ``"ROK"`` or ``"DPRK"``. Raises :class:`RoleplayError` for anything else.
    """
    who = actor(code)
    meeting = as_of_date(as_of)
    sources = _sources()
    statements = statements_for(who.code)
    votes = vote_explanations_for(who.code)
    before_s, after_s = statements[statements["date"] <= meeting], statements[statements["date"] > meeting]
    before_v, after_v = votes[votes["date"] <= meeting], votes[votes["date"] > meeting]
    labels = _numbered(before_s, before_v)
    estimates = estimates_for(who.code)
    before_e = estimates[estimates["date"].notna() & (estimates["date"] <= meeting)]
    after_e = estimates[~(estimates["date"].notna() & (estimates["date"] <= meeting))]
    events = events_for(who.code)
    before_ev = events[events["date"] <= meeting]
    slug = who.code.lower()

    parts = [f'<section class="roleplay-sheet" id="role-{slug}" aria-label="Role sheet: {_e(who.name)}">']
    parts.append(
        f"<p><strong>Delegation:</strong> {_e(who.name)}. <strong>Seat:</strong> {_e(who.seat)} "
        f"<strong>Meeting date:</strong> {_e(_date(meeting))}. Everything below is dated on or before that day, "
        "except the section for the debrief.</p>"
    )
    brief = BRIEFS[who.code]
    parts.append("<h2>Your goals</h2><ul>" + "".join(f"<li>{_render_brief(g, labels, who.code)}</li>" for g in brief["goals"]) + "</ul>")
    parts.append(
        "<h2>Your instructions</h2><ul>"
        + "".join(f"<li>{_render_brief(i, labels, who.code)}</li>" for i in brief["instructions"] + COMMON_INSTRUCTIONS)
        + "</ul>"
    )
    parts.append(
        "<h2>What your government has said (S)</h2><p>Statements by your government, joint statements it took part in "
        "and, where the speaker says so, voices from your country's domestic debate.</p>"
        + _statement_items(before_s, labels, who.code, sources, "statements")
    )
    parts.append(
        "<h2>How your government explained its Council votes (V)</h2>"
        + _statement_items(before_v, labels, who.code, sources, "vote_explanations")
    )

    votes_table = recorded_votes(who.code)
    votes_table = votes_table[votes_table["date"] <= meeting]
    parts.append("<h2>Figures from the data for your delegation</h2>")
    if votes_table.empty:
        parts.append("<p><strong>Votes:</strong> the data package names no veto, vote against or abstention by your government.</p>")
    else:
        shown = pd.DataFrame({
            "date": [_date(d) for d in votes_table["date"]],
            "text": [s if not _missing(s) else f"draft ({r})" for s, r in zip(votes_table["symbol"], votes_table["resolution_id"])],
            "your vote": votes_table["vote"], "for": votes_table["votes_for"], "against": votes_table["votes_against"],
            "abstaining": votes_table["abstentions"], "sources": [source_links(s, sources, short=True) for s in votes_table["source_ids"]],
        })
        parts.append("<p><strong>Votes in which the data name your government</strong></p>"
                     + _table(shown, f"Votes: {who.name}", html_columns=("sources",)))
    parts.append(
        f"<p><strong>Estimates published from your side (vantage: {_e(who.vantage)})</strong>, as published; "
        "a floor (“at least”) or a ceiling (“up to”) is shown as such.</p>"
        + _estimates_table(before_e, f"Estimates: {who.name}")
    )
    for key in who.extras:
        title, build = _EXTRAS[key]
        frame = build(who)
        if not frame.empty:
            parts.append(f"<p><strong>{_e(title)}</strong></p>" + _table(frame, f"{title} ({who.name})", html_columns=("sources",)))

    timeline = "".join(
        f"<li>{_e(_date(r['date'], r['date_precision']))}: {_e(r['title'])}. {_e(r['summary'])} "
        f"(Event row, with its sources: {_row_link('events', r['event_id'])})</li>"
        for r in before_ev.to_dict("records")
    )
    parts.append(
        f"<details><summary>Events in the data in which your government appears ({len(before_ev)})</summary>"
        f"<ol>{timeline}</ol></details>" if timeline else "<p>No events in the data name your government before the meeting.</p>"
    )

    later = []
    if not after_s.empty:
        later.append("<p><strong>Statements</strong></p>" + _statement_items(after_s, {}, who.code, sources, "statements"))
    if not after_v.empty:
        later.append("<p><strong>Vote explanations</strong></p>" + _statement_items(after_v, {}, who.code, sources, "vote_explanations"))
    if not after_e.empty:
        later.append("<p><strong>Estimates dated later, or with no date in the data</strong></p>"
                     + _estimates_table(after_e, f"Later estimates: {who.name}"))
    parts.append(
        "<details><summary>For the debrief only: what your government said and estimated later</summary>"
        + ("".join(later) if later else "<p>Nothing later in the data package.</p>") + "</details>"
    )
    parts.append("</section>")
    return "".join(parts)


def role_sheets(as_of=None) -> dict[str, str]:
    """Every delegation's sheet, in the order of :data:`ACTORS`."""
    return {code: role_sheet(code, as_of) for code in ACTORS}


def overview(as_of=None) -> pd.DataFrame:
    """One row per delegation: seat, and how many sourced statements, vote explanations and estimates its sheet holds."""
    meeting = as_of_date(as_of)
    rows = []
    for code, who in ACTORS.items():
        statements, votes, estimates = statements_for(code), vote_explanations_for(code), estimates_for(code)
        rows.append({
            "delegation": who.name, "code": code, "seat": who.seat,
            "statements": int((statements["date"] <= meeting).sum()),
            "vote explanations": int((votes["date"] <= meeting).sum()),
            "own estimates": int((estimates["date"].notna() & (estimates["date"] <= meeting)).sum()),
        })
    return pd.DataFrame(rows)


def overview_html(as_of=None) -> str:
    return _table(overview(as_of), "Delegations and what their sheets hold")


# ---------------------------------------------------------------------------------------------
# The instructor guide's other generated tables: chapters at a glance, and the answer key
# ---------------------------------------------------------------------------------------------

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
_TIME = re.compile(r"\*\*Time to learn:\*\*\s*(?:about\s+|around\s+|roughly\s+)?(\d+)\s*min", re.I)
_EXERCISE = re.compile(r"^```\{exercise\}[^\n]*\n((?:[ \t]*:[^\n]*\n)*)", re.M)
_LABEL = re.compile(r":label:\s*(\S+)")


def chapter_overview(folder: Path | None = None) -> pd.DataFrame:
    """One row per chapter notebook, read from the notebooks themselves (so it is never typed twice).

    Columns: notebook, title, minutes (the chapter's "Time to learn"), exercises (their labels), checkable
    (how many exercises call ``check``), quiz_questions (size of the chapter's quiz bank, 0 if none).
    """
    import nbformat

    from . import quiz

    rows = []
    for path in sorted((folder or NOTEBOOKS).glob("[0-9][0-9]-*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
        title = next((line[2:].strip() for line in markdown.splitlines() if line.startswith("# ")), path.stem)
        minutes = _TIME.search(markdown)
        labels = [m.group(1) for block in _EXERCISE.finditer(markdown) for m in [_LABEL.search(block.group(1))] if m]
        try:
            questions = len(quiz.load_bank(path.stem))
        except quiz.QuizError:
            questions = 0
        rows.append({
            "notebook": path.name, "title": title, "minutes": int(minutes.group(1)) if minutes else None,
            "exercises": ", ".join(labels), "checkable": len(re.findall(r"\bcheck\(\s*[\"']", code)),
            "quiz_questions": questions,
        })
    return pd.DataFrame(rows, columns=["notebook", "title", "minutes", "exercises", "checkable", "quiz_questions"])


def chapter_overview_html(folder: Path | None = None) -> str:
    frame = chapter_overview(folder)
    shown = pd.DataFrame({
        "Chapter": [f'<a href="../../notebooks/{_e(n[:-6])}.html">{_e(t)}</a>' for n, t in zip(frame["notebook"], frame["title"])],
        "Time to learn (minutes)": ["–" if _missing(m) else str(int(m)) for m in frame["minutes"]],
        "Exercises (labels)": [_e(x) if x else "–" for x in frame["exercises"]],
        "Checkable in the notebook": frame["checkable"].astype(str),
        "Quiz questions": frame["quiz_questions"].astype(str),
    })
    return _table(shown, "Chapters at a glance", html_columns=("Chapter", "Exercises (labels)"))


def _answer_text(value) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, (set, frozenset, list, tuple)):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)


def answer_key() -> pd.DataFrame:
    """Every exercise learners check with ``check(...)``: its prompt, the expected answer computed from the data
    package now, the tolerance and the hint a wrong answer gets."""
    from .check import registry

    rows = []
    for key, exercise in sorted(registry().items()):
        tolerance = f"± {exercise.tolerance:.0%}" if exercise.tolerance else "exact"
        rows.append({"exercise": key, "prompt": exercise.prompt, "expected answer": _answer_text(exercise.expected()),
                     "tolerance": tolerance, "hint for a wrong answer": exercise.hint})
    return pd.DataFrame(rows, columns=["exercise", "prompt", "expected answer", "tolerance", "hint for a wrong answer"])


def answer_key_html() -> str:
    frame = answer_key()
    if frame.empty:
        return "<p>No checkable exercises are declared yet.</p>"
    return _table(frame, "Answer key for the checkable exercises")


# ---------------------------------------------------------------------------------------------
# Printable handouts
# ---------------------------------------------------------------------------------------------

_HANDOUT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;line-height:1.45}}
table{{border-collapse:collapse;font-size:.85rem}}th,td{{border-bottom:1px solid #ccc;padding:.2rem .4rem;text-align:left;vertical-align:top}}
.roleplay-basis,.course-vantage{{font-size:.85rem;color:#333}}</style></head>
<body><h1>{title}</h1>{body}</body></html>
"""


#: The book's page for each delegation's sheet (book/instructors/role-sheets/<code>.md), written by the build.
SHEET_PAGES = Path(__file__).resolve().parents[1] / "book" / "instructors" / "role-sheets"

_SHEET_PAGE = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  name: python3
  display_name: Python 3
---

# Role sheet: {title}

For the delegation of {delegation} in {{doc}}`the Security Council role-play <../roleplay>`. Print this page, or
share its link, for the student or team playing this delegation. Keep the folded section at the end closed until
the debrief.

```{{code-cell}} ipython3
:tags: [remove-input]

from IPython.display import HTML
from partnership import roleplay

roleplay.DATA_PAGES = "../../data/"  # this page sits one folder below the other instructor pages
HTML(roleplay.role_sheet("{code}"))
```
"""


def sheet_pages() -> dict[str, str]:
    """File name -> text of the book page for each delegation's sheet, in the order of :data:`ACTORS`."""
    pages = {}
    for code, who in ACTORS.items():
        title = re.sub(r"\s*\(.*\)$", "", who.name)  # "Republic of Korea (South Korea)" -> "Republic of Korea"
        delegation = title if " " not in title else f"the {title}"  # "Japan", but "the European Union"
        pages[f"{code.lower()}.md"] = _SHEET_PAGE.format(title=title, delegation=delegation, code=code)
    return pages


def write_sheet_pages(folder: Path = SHEET_PAGES) -> list[Path]:
    """Write the sheet pages, touching only those whose text changed. Returns the paths written."""
    from ._files import write_if_changed

    return [folder / name for name, text in sheet_pages().items() if write_if_changed(folder / name, text)]


def write_handouts(folder, as_of=None) -> list[Path]:
    """Write one printable HTML file per delegation, plus the scenario and the injects, into ``folder``.

    Handouts link each source to its document; they leave out the links to the book's data pages, which only
    work inside the book.
    """
    global DATA_PAGES
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    saved, DATA_PAGES = DATA_PAGES, None
    try:
        for code, who in ACTORS.items():
            path = folder / f"role-{code.lower()}.html"
            path.write_text(_HANDOUT.format(title=f"Role sheet: {html.escape(who.name)}", body=role_sheet(code, as_of)), encoding="utf-8")
            written.append(path)
        path = folder / "scenario-and-injects.html"
        body = ("<h2>The situation on the morning of the meeting</h2>" + scenario_html(as_of)
                + "<h2>Injects</h2>" + injects_html(as_of=as_of))
        path.write_text(_HANDOUT.format(title="Scenario and injects", body=body), encoding="utf-8")
        written.append(path)
    finally:
        DATA_PAGES = saved
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("Usage: python -m partnership.roleplay OUT_FOLDER   (writes printable role sheets and injects)")
        return 2
    for path in write_handouts(argv[0]):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
