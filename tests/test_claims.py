"""The claims ledger: every row reference resolves, sources are derived not typed, the article is covered, nothing copied."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from partnership import claims, data
from partnership.claims import ClaimsError

LEDGER_TABLES = ("claims", "omissions", "responses")
ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "article.txt"
REF = re.compile(r"^([a-z_0-9]+):([A-Za-z0-9][A-Za-z0-9_.-]*)$")


def _primary_keys() -> dict[str, set[str]]:
    keys = {}
    for name in data.table_names():
        key = data.resource(name)["schema"]["primaryKey"]
        keys[name] = set(data.load(name)[key].astype(str))
    return keys


def _references(table: str):
    """(row key, column, table, row_id) for every reference in a ledger table, parsed here independently of the module."""
    frame = data.load(table)
    key = data.resource(table)["schema"]["primaryKey"]
    for column in data.resource(table)["schema"]["x-row-references"]:
        for row_key, cell in zip(frame[key], frame[column]):
            for item in data.split_ids(cell):
                match = REF.match(item)
                assert match, f"{table}.csv {row_key} {column}: {item!r} is not written table:row_id"
                yield row_key, column, match.group(1), match.group(2)


@pytest.mark.parametrize("table", LEDGER_TABLES)
def test_every_row_reference_resolves_to_a_primary_key(table):
    keys = _primary_keys()
    broken = [f"{row} {column} -> {target}:{row_id}" for row, column, target, row_id in _references(table)
              if target not in keys or row_id not in keys[target]]
    assert not broken, broken


def test_the_module_finds_no_broken_reference_either():
    assert claims.broken_references() == []


@pytest.mark.parametrize("table, column", [("claims", "counter_arguments"), ("omissions", "perspectives"), ("responses", "perspectives")])
def test_counter_arguments_are_sides_own_statements(table, column):
    targets = {target for _, col, target, _ in _references(table) if col == column}
    assert targets <= claims.VIEW_TABLES, targets


@pytest.mark.parametrize("table", LEDGER_TABLES)
def test_source_ids_are_the_documents_behind_the_referenced_rows(table):
    frame = data.load(table)
    key = data.resource(table)["schema"]["primaryKey"]
    columns = data.resource(table)["schema"]["x-row-references"]
    for _, row in frame.iterrows():
        refs = [r for column in columns for r in claims.parse_refs(row[column])]
        assert data.split_ids(row["source_ids"]) == claims.sources_of(refs), row[key]


def test_broken_references_are_reported_not_hidden(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(data.data_dir(), folder)
    path = folder / "claims.csv"
    text = path.read_text(encoding="utf-8").replace("transfers:arms-est-037", "transfers:arms-est-999", 1)
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv(data.DATA_ENV, str(folder))
    data.clear_cache()
    try:
        problems = claims.broken_references()
        assert any("arms-est-999" in p and "transfers" in p for p in problems), problems
        with pytest.raises(ClaimsError, match="arms-est-999"):
            claims.resolve("transfers", "arms-est-999")
    finally:
        monkeypatch.delenv(data.DATA_ENV)
        data.clear_cache()


@pytest.mark.parametrize("cell", ["events", "events:", ":abc", "transfers:arms-est-037;nonsense"])
def test_malformed_references_raise_a_clear_error(cell):
    with pytest.raises(ClaimsError, match="table:row_id"):
        claims.parse_refs(cell)


def test_references_to_maps_or_unknown_tables_are_refused():
    with pytest.raises(ClaimsError, match="map"):
        claims.resolve("countries_world_110m", "PRK")
    with pytest.raises(ClaimsError):
        claims.resolve("no_such_table", "x")


def test_every_claim_has_evidence_a_rating_a_reason_and_what_would_change_it():
    frame = claims.ledger_frame()
    assert len(frame) >= 40
    for row in frame.itertuples():
        assert claims.parse_refs(row.evidence), row.claim_id
        assert row.rating in claims.RATINGS and row.claim_type in claims.CLAIM_TYPES
        assert len(row.rating_reason) > 40 and len(row.would_change_rating) > 5, row.claim_id
    # ids follow the article's order, paragraph by paragraph
    assert list(frame.claim_id) == [f"c{i:02d}" for i in range(1, len(frame) + 1)]
    assert frame.paragraph.is_monotonic_increasing


def test_module_enums_match_the_schema():
    fields = {f["name"]: f for f in data.resource("claims")["schema"]["fields"]}
    assert fields["rating"]["constraints"]["enum"] == list(claims.RATINGS)
    assert fields["claim_type"]["constraints"]["enum"] == list(claims.CLAIM_TYPES)
    levers = {f["name"]: f for f in data.resource("responses")["schema"]["fields"]}["lever"]["constraints"]["enum"]
    assert levers == list(claims.LEVER_LABELS)


def _article_paragraphs() -> list[str]:
    if not ARTICLE.exists():
        pytest.skip("the seed article is not beside the repository (../shared/seed/article.txt)")
    return [line.strip() for line in ARTICLE.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 200]


def test_every_paragraph_of_the_article_is_in_the_ledger():
    paragraphs = _article_paragraphs()
    covered = set(claims.ledger_frame().paragraph)
    assert covered == set(range(0, len(paragraphs) + 1)), sorted(set(range(len(paragraphs) + 1)) - covered)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


def test_no_sentence_of_the_article_is_copied():
    article = _words(" ".join(_article_paragraphs()))
    grams = {tuple(article[i:i + 7]) for i in range(len(article) - 6)}
    for table in LEDGER_TABLES:
        frame = data.load(table)
        for column in frame.columns:
            if column in {"source_ids"} or column in data.resource(table)["schema"].get("x-row-references", []):
                continue
            for cell in frame[column].dropna().astype(str):
                words = _words(cell)
                copied = [" ".join(words[i:i + 7]) for i in range(len(words) - 6) if tuple(words[i:i + 7]) in grams]
                assert not copied, f"{table}.{column} repeats the article: {copied[0]!r}"


def test_recommendations_cover_the_articles_prescriptions():
    frame = claims.ledger_frame().set_index("claim_id")
    responses = data.load("responses")
    assert set(responses.lever) == set(claims.LEVER_LABELS)
    assert (frame.loc[responses.claim_id, "claim_type"] == "recommendation").all()
    for row in responses.itertuples():
        assert row.evidence_can and row.evidence_cannot and claims.parse_refs(row.evidence)


def test_omissions_cover_what_the_brief_asks_for():
    topics = " ".join(data.load("omissions").topic).lower()
    for needed in ("china", "seoul", "tokyo", "moscow", "pyongyang", "date"):
        assert needed in topics, needed
    related = {c for cell in data.load("omissions").related_claims for c in data.split_ids(cell)}
    assert related <= set(claims.ledger_frame().claim_id)


def test_the_article_is_dated_only_as_far_as_its_words_allow():
    events = data.load("events").set_index("event_id")
    election = events.loc["2024-11-06-trump-wins-us-election", "date"]
    inauguration = events.loc["2025-01-20-trump-inaugurated-nuclear-power", "date"]
    assert election < inauguration
    dating = data.load("omissions").set_index("omission_id").loc["o08"]
    assert "no date" in dating.what_is_missing and "president-elect" in dating.what_is_missing


def test_ledger_renders_every_claim_with_links_to_data_rows():
    page = claims.ledger().data
    frame = claims.ledger_frame()
    for claim_id in frame.claim_id:
        assert f'id="claim-{claim_id}"' in page
    assert 'href="../book/data/transfers.html#row-arms-est-037"' in page
    assert "'s view</strong>" in page  # counter-arguments are labelled with whose view they are
    only = claims.ledger(claim_type="forecast").data
    assert only.count("<tr><th scope=\"row\">") == int((frame.claim_type == "forecast").sum())
    # shown on the same page as the full ledger: no second copy of its row ids, and a landmark name of its own
    assert 'id="claim-' not in only
    assert 'aria-label="Claims ledger (' in only and 'aria-label="Claims ledger"' in page


@pytest.mark.parametrize("kwargs", [dict(claim_type="opinion"), dict(rating="true"), dict(rating="")])
def test_ledger_filters_reject_unknown_values(kwargs):
    with pytest.raises(ClaimsError, match="must be one of"):
        claims.ledger(**kwargs)


def test_claim_card_and_unknown_ids():
    card = claims.claim_card("c17").data
    assert "Rating: Contested" in card and "mo-nis-2025-nocash" in card
    with pytest.raises(ClaimsError, match="No claim"):
        claims.claim_card("c99")


def test_summary_figure_counts_every_claim_and_stays_small():
    figure = claims.ledger_summary()
    counts = figure.table.drop(columns="Claim type").to_numpy().sum()
    assert counts == len(claims.ledger_frame())
    assert figure.alt and figure.caption and figure.sources
    assert len(figure.figure.to_json()) < 300_000
    patterns = {trace.marker.pattern.shape for trace in figure.figure.data}
    assert len(patterns) == len(claims.RATINGS)  # not colour alone


def test_for_and_against_draws_on_both_sides_of_the_ledger():
    page = claims.for_and_against().data
    frame = claims.ledger_frame()
    for claim_id in frame[frame.rating.isin(["contested", "unsupported"])].claim_id:
        assert f"#claim-{claim_id}" in page
    assert "For the article" in page and "Against" in page


def test_eight_perspectives_each_from_that_sides_own_statements():
    page = claims.perspectives().data
    for side, (code, _) in claims.SIDES.items():
        assert f"<h3>{side}'s view</h3>" in page and f"This is {side}'s view, not the course's." in page
        frame = claims.side_statements(side)
        assert len(frame) >= 3, side
        own = data.load("statements").set_index("statement_id")
        for row in frame[frame.table == "statements"].itertuples():
            assert own.at[row.statement_id, "actor"] == code
    with pytest.raises(ClaimsError):
        claims.side_statements("Canberra")


def test_perspective_matrix_counts_statements():
    figure = claims.perspective_matrix()
    statements = data.load("statements")
    codes = {code for code, _ in claims.SIDES.values()}
    assert figure.table.drop(columns="side").to_numpy().sum() == statements.actor.isin(codes).sum()
    assert len(figure.figure.to_json()) < 300_000


def test_responses_table_renders_every_lever():
    page = claims.responses().data
    for label in claims.LEVER_LABELS.values():
        assert label in page


def test_exercises_are_computed_from_the_data():
    frame = claims.ledger_frame()
    assert claims.EXERCISES["ex-09-contested"].expected() == (frame.rating == "contested").sum()
    assert claims.EXERCISES["ex-09-forecasts"].is_correct(list(frame[frame.claim_type == "forecast"].claim_id))
    assert not claims.EXERCISES["ex-09-contested"].is_correct(float("nan"))
