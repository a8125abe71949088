"""The instructor guide's role-play and generated tables: drawn from the data, well formed, with clear errors.

Also checks the instructor pages themselves: numbers in their prose come from the data package, every package
function they name exists, the executable pages are MyST notebooks, and the glossary has the terms chapters use.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml

from partnership import data, roleplay
from partnership.roleplay import ACTORS, BRIEFS, RoleplayError

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "book" / "instructors"
REQUIRED = {"USA", "KOR", "JPN", "CHN", "RUS", "PRK", "UKR", "EU"}
MEETING = pd.Timestamp(roleplay.SCENARIO_DATE)


class _Checker(HTMLParser):
    """Collects ids and checks that every non-void tag is closed in order."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.errors = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()


def _parse(text: str) -> _Checker:
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert not checker.errors and not checker.stack, (checker.errors, checker.stack)
    return checker


# --------------------------------------------------------------------------------------------- role sheets

def test_every_required_delegation_has_a_sheet():
    assert REQUIRED <= set(ACTORS)
    assert set(BRIEFS) == set(ACTORS)


@pytest.mark.parametrize("code", sorted(ACTORS))
def test_sheet_has_at_least_two_sourced_statements_from_the_data(code):
    statements = roleplay.statements_for(code)
    before = statements[statements["date"] <= MEETING]
    sources = set(data.load("sources")["source_id"])
    sourced = [row for row in before.itertuples() if data.split_ids(row.source_ids) and set(data.split_ids(row.source_ids)) <= sources]
    assert len(sourced) >= 2, f"{code}: only {len(sourced)} sourced statements dated on or before the meeting"
    sheet = roleplay.role_sheet(code)
    for row in sourced:
        assert html.escape(row.paraphrase) in sheet, f"{code}: statement {row.statement_id} missing from the sheet"
        for source_id in data.split_ids(row.source_ids):
            url = data.load("sources").set_index("source_id").loc[source_id, "url"]
            assert f'href="{html.escape(url)}"' in sheet, f"{code}: no link to source {source_id}"


@pytest.mark.parametrize("code", sorted(ACTORS))
def test_sheet_statements_belong_to_that_government(code):
    statements = roleplay.statements_for(code)
    table = data.load("statements").set_index("statement_id")
    for row in statements.itertuples():
        actor = table.loc[row.statement_id, "actor"]
        if row.joint:
            assert actor == "G7" and any(re.search(p, table.loc[row.statement_id, "speaker"]) for p in ACTORS[code].joint_names)
        else:
            assert actor == code


@pytest.mark.parametrize("code", sorted(ACTORS))
def test_sheet_is_well_formed_html_and_keeps_later_material_for_the_debrief(code):
    sheet = roleplay.role_sheet(code)
    _parse(sheet)
    marker = sheet.index("For the debrief only")
    later = roleplay.statements_for(code)
    for row in later[later["date"] > MEETING].itertuples():
        position = sheet.find(html.escape(row.paraphrase))
        assert position > marker, f"{code}: later statement {row.statement_id} appears before the debrief section"


@pytest.mark.parametrize("code", sorted(ACTORS))
def test_brief_points_only_to_that_governments_statements_before_the_meeting(code):
    pointers = roleplay.brief_pointers(code)
    assert pointers, f"{code}: the goals should point to at least one statement on the sheet"
    statements = roleplay.statements_for(code).set_index("statement_id")
    votes = roleplay.vote_explanations_for(code).set_index("statement_id")
    for kind, statement_id in pointers:
        frame = statements if kind == "S" else votes
        assert statement_id in frame.index, f"{code}: {statement_id} is not one of its {'statements' if kind == 'S' else 'vote explanations'}"
        assert frame.loc[statement_id, "date"] <= MEETING, f"{code}: {statement_id} is dated after the meeting"


def test_brief_text_adds_no_numbers():
    """The hand-written goals and instructions state no figures of their own (those come from the data)."""
    for code, brief in BRIEFS.items():
        text = re.sub(r"\{[SV]:[^}]+\}", "", " ".join(brief["goals"] + brief["instructions"]))
        assert not re.search(r"\d", text), f"{code}: a number in the hand-written brief: {text}"


def test_estimates_on_a_sheet_are_that_governments_own():
    for code, who in ACTORS.items():
        estimates = roleplay.estimates_for(code)
        for row in estimates.itertuples():
            table = data.load(row.table)
            key = "estimate_id"
            assert table.set_index(key).loc[row.estimate_id, "estimator_vantage"] == who.vantage


def test_sheets_on_one_page_have_unique_ids():
    ids = []
    for sheet in roleplay.role_sheets().values():
        ids += _parse(sheet).ids
    ids += _parse(roleplay.scenario_html()).ids + _parse(roleplay.injects_html()).ids + _parse(roleplay.debrief_html()).ids
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates


def test_aliases_give_the_same_sheet():
    assert roleplay.role_sheet("ROK") == roleplay.role_sheet("KOR") == roleplay.role_sheet(" south korea ")
    assert roleplay.role_sheet("dprk") == roleplay.role_sheet("PRK")


@pytest.mark.parametrize("bad", ["XYZ", "", "  ", None, 42, "G7", "ANALYST"])
def test_bad_actor_code_gives_a_clear_error(bad):
    with pytest.raises(RoleplayError) as error:
        roleplay.role_sheet(bad)
    message = str(error.value)
    assert "Use one of" in message and all(code in message for code in REQUIRED)
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize("bad", ["not a date", "2024-13-45", object()])
def test_bad_meeting_date_gives_a_clear_error(bad):
    with pytest.raises(RoleplayError, match="YYYY-MM-DD"):
        roleplay.role_sheet("USA", as_of=bad)


def test_an_earlier_meeting_date_moves_statements_to_the_debrief():
    early = roleplay.overview(as_of="2023-01-01").set_index("code")
    default = roleplay.overview().set_index("code")
    assert (early["statements"] <= default["statements"]).all()
    assert early.loc["USA", "statements"] < default.loc["USA", "statements"]


# --------------------------------------------------------------------------------------------- scenario and injects

def test_injects_are_real_event_rows_with_sources_after_the_meeting():
    events = data.load("events").set_index("event_id")
    sources = set(data.load("sources")["source_id"])
    items = roleplay.injects()
    assert len(items) >= 4
    dates = []
    for item in items:
        row = events.loc[item["event_id"]]
        assert item["date"] == row["date"].date().isoformat()
        assert item["what_happened"] == row["summary"] and item["title"] == row["title"]
        assert item["source_ids"] == data.split_ids(row["source_ids"]) and item["source_ids"]
        assert set(item["source_ids"]) <= sources
        assert row["date"] > MEETING
        dates.append(row["date"])
    assert dates == sorted(dates), "injects should be read in date order"
    rendered = roleplay.injects_html()
    for item in items:
        assert html.escape(item["what_happened"]) in rendered


def test_scenario_background_is_real_event_rows_before_the_meeting():
    events = data.load("events").set_index("event_id")
    for item in roleplay.scenario():
        assert events.loc[item["event_id"], "date"] <= MEETING
        assert item["source_ids"]


def test_unknown_or_misdated_injects_are_refused():
    with pytest.raises(RoleplayError, match="events.csv"):
        roleplay.injects(["no-such-event"])
    with pytest.raises(RoleplayError, match="not after the meeting"):
        roleplay.injects([roleplay.SCENARIO_EVENTS[0]])


def test_handouts_are_written_without_book_relative_links(tmp_path):
    written = roleplay.write_handouts(tmp_path)
    assert len(written) == len(ACTORS) + 1
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert "../data/" not in text and text.startswith("<!DOCTYPE html>")
    assert roleplay.DATA_PAGES == "../data/", "writing handouts must restore the book's links"


def test_cli_usage_message(capsys):
    assert roleplay.main([]) == 2
    assert "Usage" in capsys.readouterr().out


# --------------------------------------------------------------------------------------------- generated tables

def test_chapter_overview_reads_every_notebook():
    frame = roleplay.chapter_overview()
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert list(frame["notebook"]) == notebooks
    assert frame["title"].str.len().gt(0).all()
    _parse(roleplay.chapter_overview_html())


def test_chapter_overview_parses_time_and_exercise_labels(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# A test chapter\n\n**Time to learn:** about 25 minutes."),
        nbformat.v4.new_markdown_cell("```{exercise}\n:label: ex-99-one\n\nText\n```\n\n```{exercise} Titled\n:class: x\n:label: ex-99-two\n```"),
        nbformat.v4.new_code_cell('check("ex-99-one", ...)'),
    ]
    nbformat.write(notebook, tmp_path / "99-test.ipynb")
    row = roleplay.chapter_overview(tmp_path).iloc[0]
    assert row["title"] == "A test chapter" and row["minutes"] == 25
    assert row["exercises"] == "ex-99-one, ex-99-two" and row["checkable"] == 1 and row["quiz_questions"] == 0


def test_answer_key_lists_every_checkable_exercise():
    from partnership.check import registry

    key = roleplay.answer_key()
    assert sorted(key["exercise"]) == sorted(registry())
    _parse(roleplay.answer_key_html())


# --------------------------------------------------------------------------------------------- the pages

SHEET_PAGES = sorted(f"role-sheets/{path.name}" for path in (PAGES / "role-sheets").glob("*.md"))
EXECUTABLE = ["index.md", "assessment.md", "roleplay.md", "hosting.md", *SHEET_PAGES]
ALL_PAGES = ["index.md", "syllabi.md", "discussion.md", "assessment.md", "teaching-contested-subjects.md",
             "roleplay.md", "hosting.md", "glossary.md", *SHEET_PAGES]


def _front_matter(text: str) -> dict:
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    return yaml.safe_load(match.group(1)) if match else {}


@pytest.mark.parametrize("name", ALL_PAGES)
def test_instructor_page_exists_with_one_title(name):
    text = (PAGES / name).read_text(encoding="utf-8")
    body = re.sub(r"```.*?```", "", text, flags=re.S)
    assert len(re.findall(r"^# ", body, re.M)) == 1


@pytest.mark.parametrize("name", EXECUTABLE)
def test_executable_pages_are_myst_notebooks(name):
    text = (PAGES / name).read_text(encoding="utf-8")
    meta = _front_matter(text)
    assert meta["jupytext"]["text_representation"]["format_name"] == "myst"
    assert meta["kernelspec"] == {"name": "python3", "display_name": "Python 3"}
    cells = re.findall(r"```\{code-cell\} ipython3\n(.*?)```", text, re.S)
    assert cells, f"{name} has no code cells"
    for cell in cells:
        assert cell.startswith(":tags: [remove-input]\n"), f"{name}: every cell should hide its input"


def test_executable_pages_run(monkeypatch):
    """Run each page's code cells in order, as the book build does, and check each cell's result renders."""
    monkeypatch.setattr(roleplay, "DATA_PAGES", roleplay.DATA_PAGES)  # the sheet pages change it: restore after
    import ast

    from IPython.display import HTML

    for name in EXECUTABLE:
        text = (PAGES / name).read_text(encoding="utf-8")
        namespace: dict = {}
        for cell in re.findall(r"```\{code-cell\} ipython3\n(.*?)```", text, re.S):
            source = "\n".join(line for line in cell.splitlines() if not line.startswith(":tags:"))
            tree = ast.parse(source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, name, "exec"), namespace)
            assert last is not None, f"{name}: each cell should end with the HTML it shows"
            result = eval(compile(ast.Expression(last.value), name, "eval"), namespace)
            assert isinstance(result, HTML) and "<" in result.data
            _parse(result.data)


def test_hosting_page_calls_the_link_generator():
    text = (PAGES / "hosting.md").read_text(encoding="utf-8")
    assert 'links.chapter_links("https://hub.example.edu")' in text
    assert "{doc}`../performance`" in text
    assert not re.search(r"\d+\s*(?:MB|GB|MiB|GiB)\b", text), "memory figures belong on the performance page"


def test_every_delegation_has_a_sheet_page_linked_from_the_roleplay_and_in_the_table_of_contents():
    text = (PAGES / "roleplay.md").read_text(encoding="utf-8")
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    rendered = {}
    for name in SHEET_PAGES:
        sheet = (PAGES / name).read_text(encoding="utf-8")
        codes = re.findall(r'roleplay\.role_sheet\("([A-Z]+)"\)', sheet)
        assert len(codes) == 1, f"{name} should show exactly one delegation's sheet"
        rendered[codes[0]] = name
        # one folder deeper than the other instructor pages, so its links to the data pages go up two folders
        assert 'roleplay.DATA_PAGES = "../../data/"' in sheet
        assert f"{{doc}}`{name[:-3]}`" in text, f"the role-play page does not link to {name}"
        assert f"file: book/instructors/{name[:-3]}\n" in toc, f"{name} is missing from _toc.yml"
    assert set(rendered) == set(ACTORS), f"delegations without a sheet page: {set(ACTORS) - set(rendered)}"


def test_sheet_pages_are_generated_from_the_delegations_and_committed_as_generated():
    pages = roleplay.sheet_pages()
    assert set(pages) == {f"{code.lower()}.md" for code in ACTORS}
    assert "# Role sheet: European Union" in pages["eu.md"] and "delegation of the European Union" in pages["eu.md"]
    assert "delegation of Japan in" in pages["jpn.md"]
    for name, text in pages.items():
        committed = (PAGES / "role-sheets" / name).read_text(encoding="utf-8")
        assert committed == text, f"role-sheets/{name} is stale: build the book (it rewrites the sheet pages)"


def test_roleplay_page_shows_the_scenario_and_injects_and_states_the_meeting_date():
    text = (PAGES / "roleplay.md").read_text(encoding="utf-8")
    assert "roleplay.injects_html()" in text and "roleplay.scenario_html()" in text
    stamp = MEETING
    assert f"{stamp.day} {stamp.strftime('%B %Y')}" in text, "the page's meeting date must match SCENARIO_DATE"


@pytest.mark.parametrize("name", ALL_PAGES)
def test_numbers_in_instructor_pages_come_from_the_data(name):
    from test_prose_numbers import unsourced_numbers

    text = (PAGES / name).read_text(encoding="utf-8")
    # The glossary's and the admonition's bodies are prose: unwrap them so the checker reads them.
    text = re.sub(r"```\{(?:glossary|admonition)\}[^\n]*\n(.*?)```", lambda m: m.group(1), text, flags=re.S)
    assert not unsourced_numbers(text), unsourced_numbers(text)


@pytest.mark.parametrize("name", ALL_PAGES)
def test_package_functions_named_in_the_pages_exist(name):
    import importlib
    import pkgutil

    import partnership

    modules = {info.name for info in pkgutil.iter_modules(partnership.__path__)}
    text = (PAGES / name).read_text(encoding="utf-8")
    for module, function in sorted(set(re.findall(r"\b([a-z_]+)\.([a-z_]+)\(", text))):
        if module in modules:
            assert hasattr(importlib.import_module(f"partnership.{module}"), function), \
                f"{name} names {module}.{function}(), which is not in the package"


def test_glossary_has_the_terms_the_course_uses():
    text = (PAGES / "glossary.md").read_text(encoding="utf-8")
    body = re.search(r"```\{glossary\}\n(.*?)```", text, re.S).group(1)
    terms = [line.strip() for line in body.splitlines() if line.strip() and not line.startswith((" ", ":"))]
    assert 25 <= len(terms) <= 40, len(terms)
    for term in ["UNSCR", "1718 Committee", "Panel of Experts", "MSMT", "Ship-to-ship transfer", "Dark voyage",
                 "Refined petroleum cap", "NIS", "GUR", "KN-23", "Hwasong-11", "Koksan", "MLRS", "Geodesic",
                 "Kursk incursion", "Comprehensive Strategic Partnership Treaty", "Mutual-assistance clause", "Veto",
                 "Abstention", "Sanctions evasion", "Dual-use", "Estimate vs. claim", "Vantage point"]:
        assert term in terms, f"missing glossary term {term!r}"
    referenced = set(re.findall(r"\{term\}`([^`<]+?)(?:\s*<([^>]+)>)?`", " ".join(p.read_text() for p in PAGES.glob("*.md"))))
    lowered = {t.lower() for t in terms}
    for text_part, target in referenced:
        assert (target or text_part).strip().lower() in lowered, f"{{term}} reference to unknown term {(target or text_part)!r}"


def test_exercise_labels_named_in_the_pages_exist():
    from partnership.check import registry

    known = set(registry())
    for labels in roleplay.chapter_overview()["exercises"]:
        known |= set(filter(None, labels.split(", ")))
    for path in PAGES.glob("*.md"):
        for label in set(re.findall(r"\bex-\d\d-[a-z0-9-]*[a-z0-9]\b", path.read_text(encoding="utf-8"))):
            assert label in known, f"{path.name} sets exercise {label}, which no chapter or module declares"
