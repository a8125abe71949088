"""Chapter 04 figures: resolutions, measures, the 2024 break, the MSMT map and who can see what."""
from __future__ import annotations

import pandas as pd
import pytest

from partnership import data, quiz, sanctions
from partnership.check import registry

FIGURES = ["resolutions_timeline", "measures_matrix", "the_break", "msmt_map", "monitoring_coverage", "shell_evidence"]


@pytest.fixture(scope="module")
def figures():
    return {name: getattr(sanctions, name)() for name in FIGURES}


@pytest.mark.parametrize("name", FIGURES)
def test_figures_have_alt_caption_table_sources_and_stay_small(figures, name):
    item = figures[name]
    assert len(item.alt) > 40 and item.caption and item.figure_id
    assert item.table is not None and len(item.table) > 0
    assert item.sources and set(item.sources) <= set(data.load("sources").source_id)
    for table in item.tables:
        data.resource(table)
    for table, ids in (item.rows or {}).items():
        assert ids, table
    assert len(item.figure.to_json()) < 300_000
    assert not [t for t in item.figure.data if t.type in {"choropleth", "scattergeo"}]


@pytest.mark.parametrize("name", FIGURES)
def test_figures_can_be_sent_by_a_kernel(figures, name):
    """Dates must not reach the notebook as numpy datetimes or NaT, which Jupyter cannot serialise."""
    from jupyter_client.session import json_packer

    from partnership.figures import figure_bundle

    item = figures[name]
    json_packer(figure_bundle(item.figure, alt=item.alt, figure_id=item.figure_id))


def test_council_texts_classify_triggers_and_votes():
    council = sanctions.council_texts().set_index("resolution_id")
    assert council.loc["unscr-1718", "trigger_kind"] == "nuclear_test"
    assert council.loc["unscr-2397", "trigger_kind"] == "launch"
    assert council.loc["unscr-825", "trigger_kind"] == "other"
    assert council.loc["unscr-825", "vote"] == "13–0–2" and not council.loc["unscr-825", "unanimous"]
    assert council.loc["unscr-2407", "role"] == "renewal"
    assert council.loc["draft-2022-05-26", "role"] == "vetoed" and council.loc["draft-2022-05-26", "vote"] == "13–2–0"
    assert council.loc["draft-2024-03-28", "vote"] == "13–1–1"
    assert "ga_resolution" not in set(council.kind)


def test_timeline_marks_vetoed_drafts_differently(figures):
    fig = figures["resolutions_timeline"].figure
    vetoed = [t for t in fig.data if t.name == "Draft vetoed"]
    adopted = [t for t in fig.data if t.name and t.name.startswith("Adopted")]
    assert vetoed and adopted
    assert {t.marker.symbol for t in vetoed}.isdisjoint({t.marker.symbol for t in adopted})
    assert {t.marker.color for t in vetoed}.isdisjoint({t.marker.color for t in adopted})
    labels = " ".join(" ".join(t.text) for t in vetoed)
    assert "China" in labels and "Russia" in labels and "abstained" in labels


def test_measures_accumulate_and_drafts_are_marked_as_proposed():
    matrix = sanctions.measure_matrix_table().set_index("resolution_id")
    adopted = matrix[matrix.role != "vetoed"]
    assert adopted.kinds_so_far.is_monotonic_increasing
    assert matrix.loc["unscr-1718", "arms_embargo"] == 1 and matrix.loc["unscr-2270", "arms_embargo"] == 2
    assert matrix.loc["unscr-2371", "coal_ban_or_cap"] == 2
    assert matrix.loc["draft-2022-05-26", "refined_petroleum_cap"] == 3
    assert matrix.loc["draft-2024-03-28", "panel_of_experts"] == 3
    assert "500k" in matrix.loc["unscr-2397", "refined_petroleum_cap__text"]
    # symbols carry the meaning as well as colour
    texts = set("".join(matrix[[c for c in matrix.columns if c.endswith("__text")]].to_numpy().ravel()))
    assert {"●", "▲", "✗"} <= texts


def test_the_break_sets_each_sides_reasons_side_by_side():
    reasons = sanctions.stated_reasons()
    for topic in ("draft-2022-05-26", "draft-2024-03-28"):
        stances = set(reasons.loc[reasons.topic == topic, "stance"])
        assert {"sponsor", "veto"} <= stances
    assert "abstain" in set(reasons.loc[reasons.topic == "draft-2024-03-28", "stance"])
    assert {"Russia", "China"} <= set(reasons.country)
    assert reasons.reason.str.len().min() > 20


def test_msmt_map_shows_the_eleven_members_without_wraparound_bands(figures):
    item = figures["msmt_map"]
    members = set(data.load("msmt_members").country_iso3)
    assert len(members) == 11 and set(item.table["ISO code"]) == members
    fig = item.figure
    width = fig.layout.xaxis.range[1] - fig.layout.xaxis.range[0]
    for trace in fig.data:
        if trace.fill != "toself":
            continue
        ring: list[float] = []
        for x in list(trace.x) + [None]:
            if x is None:
                if ring:
                    assert max(ring) - min(ring) < 0.6 * width, f"{trace.name} has a ring spanning the whole map"
                ring = []
            else:
                ring.append(x)
    blue = [t for t in fig.data if t.fill == "toself" and t.fillcolor == sanctions.PALETTE["blue"]]
    assert len(blue) == 11
    squares = [t for t in fig.data if t.mode == "markers+text" and t.marker.symbol == "square"]
    assert sum(len(t.x) for t in squares) == 11  # members are marked by shape as well as colour


def test_world_map_rejects_nothing_but_draws_the_whole_world():
    world = data.load("countries_world_110m")
    regional = sanctions.world_map(world, title="t", highlight={})
    x0, x1 = regional.fig.layout.xaxis.range
    assert x1 - x0 > 30_000  # Equal Earth: about 34,000 km wide
    x, y = regional.xy([127.5], [40.0])
    assert x0 < x[0] < x1


def test_monitoring_coverage_rows_follow_their_sources():
    grid = sanctions.coverage_table().set_index("source_type")
    assert grid.loc["sipri_arms_transfers", "ammunition"] == -1
    assert grid.loc["sipri_arms_transfers", "weapon_systems"] == 2
    assert grid.loc["satellite_imagery", "cargo_contents"] == -1
    assert grid.loc["customs_statistics", "undeclared_trade"] == -1
    sources = data.load("monitoring_sources").set_index("source_type")
    assert sources.loc["un_panel", "active_to"] == pd.Timestamp("2024-04-30")
    events = data.load("events").set_index("event_id")
    assert sources.loc["msmt", "active_from"] == events.loc["2024-10-16-msmt-launch", "date"]
    assert sources.loc["un_panel", "active_to"] == events.loc["2024-04-30-poe-mandate-ends", "date"]


def test_shell_evidence_counts_every_estimate_once():
    estimates = sanctions.shell_estimates()
    counts = estimates.evidence.value_counts()
    assert counts.sum() == len(estimates)
    assert counts.idxmax() == sanctions.EVIDENCE_ORDER[0]
    assert set(counts.index) <= set(sanctions.EVIDENCE_ORDER)


def test_exercises_have_answers_from_the_data():
    exercises = registry()
    assert exercises["ex-04-unanimous"].expected() == 10
    assert exercises["ex-04-unanimous"].is_correct(10)
    assert exercises["ex-04-oil-cap"].is_correct(75)
    assert not exercises["ex-04-oil-cap"].is_correct(25)


@pytest.mark.parametrize("bank", ["04-the-sanctions-architecture", "05-why-sanctions-leak"])
def test_quiz_banks_load(bank):
    questions = quiz.load_bank(bank)
    assert 4 <= len(questions) <= 6
