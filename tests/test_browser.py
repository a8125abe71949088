"""Open every built page in Chromium, with every request off this machine blocked, and check what a reader sees."""
from __future__ import annotations

import pytest

from conftest import SITE, site_pages

PAGES = [p.relative_to(SITE).as_posix() for p in site_pages(SITE)] if SITE.exists() else ["book/welcome.html"]


def _visit(browser, server, relative, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside, errors = [], []
    context.plotly_requests = []

    def route(route_request):
        url = route_request.request.url
        if url.split("?")[0].endswith("/plotly.min.js"):
            context.plotly_requests.append(url)
        if url.startswith(server) or url.startswith(("data:", "blob:")):
            route_request.continue_()
        else:  # the network is "off": nothing may leave the local server
            outside.append(url)
            route_request.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("console", lambda message: errors.append(f"console {message.type}: {message.text}") if message.type == "error" else None)
    page.goto(f"{server}/{relative}", wait_until="load")
    return context, page, outside, errors


def _figure_state(control):
    return control.evaluate(
        """c => { const wrap = c.closest('.course-plotly-wrap'); const gd = wrap.querySelector('.course-plotly');
                 return JSON.stringify([gd.data.map(t => [t.visible, t.x, t.y, t.z]), gd.layout.annotations || null,
                                        gd.layout.xaxis && gd.layout.xaxis.range, gd.layout.title]); }"""
    )


def _check_keyboard_controls(page, relative):
    """Each explorer's controls are native elements: reachable by keyboard, and changing one redraws the figure."""
    controls = page.locator(".course-controls select, .course-controls input[type=range]")
    for index in range(controls.count()):
        control = controls.nth(index)
        before = _figure_state(control)
        control.focus()
        assert control.evaluate("c => document.activeElement === c"), f"control {index} on {relative} cannot take focus"
        page.keyboard.press("End" if control.evaluate("c => c.type") == "range" else "ArrowDown")
        page.wait_for_timeout(400)
        assert _figure_state(control) != before, f"control {index} on {relative} changed nothing when used from the keyboard"


#: Every icon the page's styles ask Font Awesome for (icons are private-use characters in ::before/::after).
_ICONS_SHOWN = """() => {
  const shown = new Set();
  for (const element of document.querySelectorAll('*')) {
    for (const pseudo of ['::before', '::after']) {
      const style = getComputedStyle(element, pseudo);
      if (!/Font Awesome/.test(style.fontFamily) || !style.content || style.content === 'none') continue;
      for (const character of style.content) {
        const point = character.codePointAt(0);
        if (point >= 0xE000 && point <= 0xF8FF) shown.add(point);
      }
    }
  }
  return [...shown];
}"""


@pytest.fixture(scope="module")
def icon_codepoints(site):
    from fontTools.ttLib import TTFont

    fonts = (site / "_static" / "vendor" / "fontawesome" / "webfonts").glob("*.woff2")
    return set().union(*(set(TTFont(str(path)).getBestCmap()) for path in fonts))


@pytest.mark.parametrize("relative", PAGES)
def test_page_works_offline_draws_every_figure_and_is_accessible(browser, server, relative, artifacts, icon_codepoints):
    """One visit per page: nothing leaves the local server, no errors, every figure drawn, every icon in the
    (cut-down) icon fonts, no serious axe finding."""
    from axe_playwright_python.sync_playwright import Axe

    context, page, outside, errors = _visit(browser, server, relative, artifacts)
    try:
        figures = page.locator(".course-plotly")
        for index in range(figures.count()):
            figure = figures.nth(index)
            figure.scroll_into_view_if_needed()
            figure.locator("svg.main-svg").first.wait_for(state="attached", timeout=15_000)
            assert figure.get_attribute("data-drawn") in {"yes", "pending"}
            marks = figure.locator(".scatterlayer .trace, .barlayer .trace, .boxlayer .trace, .heatmaplayer image, g.table").count()
            assert marks > 0, f"figure {index} on {relative} has axes but no marks"
            if figure.get_attribute("data-figure-kind") == "map":
                fills = figure.locator("path.js-fill").count()
                assert fills >= 2, f"map {index} on {relative} drew only {fills} country shapes"
            assert figure.get_attribute("aria-label"), f"figure {index} on {relative} has no accessible name"
        _check_keyboard_controls(page, relative)
        missing = sorted(hex(point) for point in page.evaluate(_ICONS_SHOWN) if point not in icon_codepoints)
        assert not missing, f"{relative} shows icons the cut-down icon fonts lack: {missing}"
        page.wait_for_timeout(300)
        assert len(context.plotly_requests) == (1 if figures.count() else 0), f"plotly.js requested {len(context.plotly_requests)} times"
        assert not outside, f"{relative} tried to reach the internet: {outside}"
        assert not errors, f"{relative} logged errors: {errors}"
        # Every axe finding counts, whatever its impact (heading order, landmarks, names...), as Lighthouse's
        # accessibility score does: the target is 100 on every page.
        findings = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in Axe().run(page).response["violations"]]
        assert not findings, f"{relative}: {findings}"
    except Exception:
        page.screenshot(path=str(artifacts / (relative.replace("/", "__") + ".png")), full_page=True)
        raise
    finally:
        context.close()


def test_figure_pages_load_the_figure_loader_once_and_text_pages_not_at_all(site):
    for path in site_pages(site):
        text = path.read_text(encoding="utf-8")
        loads = text.count("course-figures.js")
        assert "plotly.min.js" not in text, f"{path.name} loads plotly.js directly instead of through the loader"
        if "course-plotly" in text:
            assert loads == 1, f"{path.name} loads the figure loader {loads} times"
        else:
            assert loads == 0, f"{path.name} has no figure but loads the figure loader"


def test_no_page_references_another_host_for_scripts_or_styles(site):
    import re

    pattern = re.compile(r"<(?:script|link)[^>]+(?:src|href)=\"(https?:)?//", re.IGNORECASE)
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not pattern.search(text), f"{path.relative_to(site)} loads a script or stylesheet from another host"


def test_page_weight_budget(site):
    """The heaviest page's own bytes (HTML with inline figure data) at most 1.5 MB; the median at most 400 KB."""
    import statistics

    sizes = {p.relative_to(site).as_posix(): p.stat().st_size for p in site_pages(site)}
    heaviest = max(sizes, key=sizes.get)
    assert sizes[heaviest] <= 1.5 * 2**20, f"{heaviest} is {sizes[heaviest] / 2**20:.2f} MB"
    assert statistics.median(sizes.values()) <= 400 * 2**10


def test_no_page_embeds_widget_state_or_widget_scripts(site):
    for path in site_pages(site):
        text = path.read_text(encoding="utf-8")
        assert "application/vnd.jupyter.widget-state+json" not in text, f"{path.name} embeds widget state it cannot use"
        assert "require.min.js" not in text and "html-manager" not in text, f"{path.name} loads the widget manager"


def test_search_finds_a_place_offline(browser, server, artifacts):
    """The search page works from the local site (its scripts are deferred, so check it still answers)."""
    context, page, outside, errors = _visit(browser, server, "search.html?q=Rajin", artifacts)
    try:
        page.locator("#search-results li").first.wait_for(timeout=15_000)
        assert page.locator("#search-results li").count() >= 1
        assert not outside and not errors, (outside, errors)
    finally:
        context.close()


def test_solutions_stay_hidden_until_the_reader_opens_them(browser, server, artifacts):
    """Chapter solutions are collapsed by the toggle script (loaded only on pages that have them) and open on click."""
    context, page, outside, errors = _visit(browser, server, "notebooks/01-a-partnership-in-time.html", artifacts)
    try:
        solution = page.locator(".solution.dropdown").first
        solution.locator("button.toggle-button").wait_for(timeout=10_000)
        assert "toggle-hidden" in solution.get_attribute("class")
        solution.locator("button.toggle-button").click()
        page.wait_for_timeout(300)
        assert "toggle-hidden" not in solution.get_attribute("class")
        assert solution.locator("p").nth(1).is_visible()
        assert not outside and not errors, (outside, errors)
    finally:
        context.close()
