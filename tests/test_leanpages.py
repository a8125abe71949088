"""Each page carries only the theme files it uses, and the icon fonts hold only the icons the site shows."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from conftest import site_pages
from partnership import leanpages

# --- the rules, on small inputs ---------------------------------------------------------------------------

CODE = '<div class="highlight-python notranslate"><div class="highlight"><pre>x = 1</pre></div></div>'
SOLUTION = '<div class="solution dropdown admonition" id="s1"><p class="admonition-title">Solution</p></div>'
CARD = '<div class="sd-card sd-sphinx-override"><div class="sd-card-body">text</div></div>'
TABS = '<div class="sd-tab-set docutils"><input checked="checked" id="sd-tab-item-0"/></div>'


def test_a_plain_text_page_needs_none_of_the_optional_files():
    unused = leanpages.unused_assets("<p>Only words.</p>", thebe=False)
    assert {"copybutton.css", "copybutton.js", "clipboard.min.js", "togglebutton.css", "togglebutton.js",
            "sphinx-design.min.css", "design-tabs.js", "exercise.css", "sphinx-thebe.css", "sphinx-thebe.js"} == unused


@pytest.mark.parametrize(("body", "kept"), [
    (CODE, {"copybutton.css", "copybutton.js", "clipboard.min.js"}),
    (SOLUTION, {"togglebutton.css", "togglebutton.js", "exercise.css"}),
    (CARD, {"sphinx-design.min.css"}),
    (TABS, {"sphinx-design.min.css", "design-tabs.js"}),
])
def test_a_page_keeps_the_files_for_the_markup_it_has(body, kept):
    unused = leanpages.unused_assets(body, thebe=False)
    assert not kept & unused


def test_live_code_keeps_thebe_when_it_is_switched_on():
    assert not {"sphinx-thebe.css", "sphinx-thebe.js"} & leanpages.unused_assets("<p>x</p>", thebe=True)


def test_inline_settings_go_with_their_script_and_other_inline_scripts_stay():
    unused = leanpages.unused_assets("<p>x</p>", thebe=False)
    toggle = SimpleNamespace(filename=None, attributes={"body": "let toggleHintShow = 'Click to show';"})
    thebe = SimpleNamespace(filename=None, attributes={"body": 'const THEBE_JS_URL = "x";'})
    other = SimpleNamespace(filename=None, attributes={"body": "window.courseSetting = 1;"})
    versioned = SimpleNamespace(filename="_static/copybutton.js?v=f281be69", attributes={})
    assert not leanpages.keep_asset(toggle, unused)
    assert not leanpages.keep_asset(thebe, unused)
    assert leanpages.keep_asset(other, unused)
    assert not leanpages.keep_asset(versioned, unused)
    assert leanpages.keep_asset("_static/course.css", unused)


def test_search_scripts_stay_on_the_search_page_only():
    head = ('<script src="_static/searchtools.js"></script>\n'
            '    <script defer="defer" src="_static/language_data.js"></script>\n'
            '<script src="searchindex.js"></script>\n<script src="_static/doctools.js"></script>')
    elsewhere = leanpages.drop_search_scripts(head.replace('src="', 'src="../'), search_page=False)
    assert "search" not in elsewhere and "doctools.js" in elsewhere
    on_search = leanpages.drop_search_scripts(head, search_page=True)
    assert on_search.count('<script defer="defer" src=') == 3 and "searchindex.js" in on_search


def test_icon_vocabulary_separates_names_from_icons_that_rules_always_show():
    css = ('.fa-github:before{content:"\\f09b"}.fa-a:before,.fa-b:before{content:"\\f002"}'
           '@media (min-width:1px){.fa-bars{--fa:"\\f0c9"}}'
           'html{--pst-icon-note:"\uf05a"}.admonition-title:after{content:var(--pst-icon-note)}'
           'a.external:after{content:"\\f35d"}.fa-lg{font-size:1.25em}')
    by_class, always = leanpages.icon_vocabulary(css)
    assert by_class == {"github": {0xF09B}, "a": {0xF002}, "b": {0xF002}, "bars": {0xF0C9}}
    assert always == {0xF05A, 0xF35D}


# --- the built site ---------------------------------------------------------------------------------------


def _article(text: str) -> str:
    """The page's own content (the theme's header and sidebars carry bootstrap dropdowns, not toggles)."""
    match = re.search(r'<article class="bd-article">(.*)</article>', text, re.S)
    return match.group(1) if match else ""


def _loads(text: str, name: str) -> bool:
    return re.search(r'(?:src|href)="[^"]*/' + re.escape(name) + r'(?:\?[^"]*)?"', text) is not None


def test_each_page_loads_the_optional_theme_files_exactly_when_it_has_what_they_serve(site):
    checked = {"copy": 0, "toggle": 0, "exercise": 0}
    for path in site_pages(site):
        text = path.read_text(encoding="utf-8")
        article = _article(text)
        name = path.relative_to(site).as_posix()
        has_code = '<div class="highlight">' in article
        has_toggle = re.search(r'<div class="[^"]*\bdropdown\b[^"]*admonition|class="[^"]*\btoggle\b', article) is not None
        has_exercise = re.search(r'class="[^"]*\b(?:exercise|solution)\b', article) is not None
        checked["copy"] += has_code
        checked["toggle"] += has_toggle
        checked["exercise"] += has_exercise
        assert _loads(text, "copybutton.js") == has_code, f"{name}: copy buttons loaded={not has_code}, code blocks={has_code}"
        assert _loads(text, "togglebutton.js") == has_toggle, f"{name}: toggle script does not match its dropdowns"
        assert _loads(text, "exercise.css") == has_exercise, f"{name}: exercise styles do not match its exercises"
        assert not _loads(text, "sphinx-thebe.js"), f"{name} loads live-code scripts although live code is off"
        assert _loads(text, "searchindex.js") == (name == "search.html"), f"{name}: the search index belongs to search.html only"
    assert all(checked.values()), f"some feature appears on no page, so its check proved nothing: {checked}"


def _font_codepoints(site) -> dict[str, set[int]]:
    from fontTools.ttLib import TTFont

    fonts = {}
    for path in sorted((site / "_static" / "vendor" / "fontawesome" / "webfonts").glob("*.woff2")):
        fonts[path.name] = set(TTFont(str(path)).getBestCmap())
    return fonts


def test_icon_fonts_are_cut_down_and_still_hold_the_header_icons(site):
    fonts = _font_codepoints(site)
    assert {"fa-solid-900.woff2", "fa-brands-400.woff2"} <= set(fonts)
    for path in (site / "_static" / "vendor" / "fontawesome" / "webfonts").glob("*.woff2"):
        assert path.stat().st_size < 20_000, f"{path.name} is {path.stat().st_size} bytes: the icon subset did not run"
    everything = set().union(*fonts.values())
    # magnifying glass (search), bars (menu), GitHub (repository), download, expand (full screen)
    assert {0xF002, 0xF0C9, 0xF09B, 0xF019, 0xF065} <= everything
