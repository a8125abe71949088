"""The timeline: every event drawn once, menus that filter without a kernel, turning points linked to chapters."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnership import data, timeline
from partnership.timeline import TimelineError


@pytest.fixture(scope="module")
def figure():
    return timeline.timeline_figure()


def test_every_event_is_drawn_once_in_its_category_lane(figure):
    events = timeline.events()
    assert sum(len(trace.x) for trace in figure.figure.data) == len(events)
    drawn = sorted(row[5] for trace in figure.figure.data for row in trace.customdata)
    assert drawn == sorted(events.event_id)
    for trace in figure.figure.data:
        assert len(set(trace.y)) == 1  # one lane per trace


def test_hover_shows_summary_and_sources(figure):
    events = timeline.events().set_index("event_id")
    sources = data.load("sources").set_index("source_id")
    trace = figure.figure.data[0]
    title, _, _, summary, publishers, event_id = trace.customdata[0]
    first_source = data.split_ids(events.at[event_id, "source_ids"])[0]
    assert summary.replace("<br>", " ").split()[:3] == events.at[event_id, "summary"].split()[:3]
    assert sources.at[first_source, "publisher"].split()[0] in publishers
    assert "Sources" in trace.hovertemplate


def test_category_menu_switches_traces(figure):
    menu = figure.figure.layout.updatemenus[0]
    n = len(figure.figure.data)
    assert len(menu.buttons) == n + 1
    assert menu.buttons[0].args[0]["visible"] == [True] * n
    for index, button in enumerate(menu.buttons[1:]):
        visible = button.args[0]["visible"]
        assert len(visible) == n and visible[index] and sum(visible) == 1


def test_actor_menu_keeps_only_events_involving_that_actor(figure):
    events = timeline.events()
    menu = figure.figure.layout.updatemenus[1]
    assert menu.buttons[0].label == "All actors"
    names = {v: k for k, v in timeline.ACTOR_NAMES.items()}
    assert len(menu.buttons) >= 8
    for button in menu.buttons[1:]:
        code = names.get(button.label.removeprefix("Involving "), button.label.removeprefix("Involving "))
        shown = sum(x is not None for xs in button.args[0]["x"] for x in xs)
        assert shown == events.actor_list.map(lambda actors: code in actors).sum(), button.label


def test_menus_compose_because_they_change_different_attributes(figure):
    category, actor = figure.figure.layout.updatemenus[:2]
    assert {k for b in category.buttons for k in b.args[0]} == {"visible"}
    assert {k for b in actor.buttons for k in b.args[0]} == {"x"}


def test_figure_is_small_offline_and_described(figure):
    payload = figure.figure.to_json()
    assert len(payload) < 300_000
    assert not any(t.type in {"scattergeo", "choropleth"} for t in figure.figure.data)
    assert len(figure.alt) > 80 and figure.caption and figure.sources and len(figure.table) == len(timeline.events())


def test_the_articles_window_is_shaded_between_election_and_inauguration(figure):
    events = timeline.events().set_index("event_id")
    shapes = [s for s in figure.figure.layout.shapes if s.type == "rect"]
    assert len(shapes) == 1
    start, end = (events.at[e, "date"] for e in timeline.ARTICLE_WINDOW)
    assert pd.Timestamp(shapes[0].x0) == start and pd.Timestamp(shapes[0].x1) == end


def test_key_turns_are_the_five_the_course_is_built_around():
    table = timeline.key_turns_table()
    assert len(table) == 5
    events = {e for ids in table.events for e in ids}
    for needed in ("2023-09-13-kim-putin-vostochny-summit", "2024-06-19-comprehensive-strategic-partnership-treaty",
                   "2024-03-28-poe-veto", "2024-10-18-nis-statement", "2025-05-29-msmt-first-report"):
        assert needed in events
    for chapters in table.chapters:
        assert chapters and set(chapters) <= set(timeline.CHAPTERS)


def test_key_turns_link_to_chapters_and_rows():
    page = timeline.key_turns().data
    assert 'href="../notebooks/02-what-flows-to-moscow.html"' in page
    assert 'href="../book/data/events.html#row-2024-06-19-comprehensive-strategic-partnership-treaty"' in page
    for stem in {s for chapters in timeline.key_turns_table().chapters for s in chapters}:
        assert re.fullmatch(r"\d\d-[a-z-]+", stem)


def test_events_per_year_counts_every_recent_event():
    figure = timeline.events_per_year(2019)
    events = timeline.events()
    total = sum(sum(trace.y) for trace in figure.figure.data)
    assert total == (events.year >= 2019).sum()
    assert len(figure.figure.to_json()) < 300_000


@pytest.mark.parametrize("start", ["not a date", None, 12])
def test_bad_start_dates_raise_a_clear_error(start):
    with pytest.raises(TimelineError, match="YYYY-MM-DD"):
        timeline.timeline_figure(start)


@pytest.mark.parametrize("since", [3000, "2020", 2020.5])
def test_bad_years_raise_a_clear_error(since):
    with pytest.raises(TimelineError):
        timeline.events_per_year(since)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1993, max_value=2025))
def test_events_per_year_never_loses_or_invents_events(since):
    figure = timeline.events_per_year(since)
    events = timeline.events()
    assert sum(sum(trace.y) for trace in figure.figure.data) == (events.year >= since).sum()


def test_exercises_are_computed_from_the_data():
    events = timeline.events()
    assert timeline.EXERCISES["ex-01-events-2024"].expected() == (events.year == 2024).sum()
    assert timeline.EXERCISES["ex-01-first-involving-china"].is_correct("1993-05-11-unscr-825")


def test_figure_json_round_trips(figure):
    spec = json.loads(figure.figure.to_json())
    assert spec["layout"]["meta"]["kind"] == "timeline"
