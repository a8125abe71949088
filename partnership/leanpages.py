"""Keep each built page to what it uses, so text shows fast on a phone.

The theme and its extensions put the same eleven stylesheets, a dozen scripts, the whole search index
and three icon fonts (270 KB compressed) on every page. Lighthouse's mobile profile counts all of that
before first paint. This module trims each page to what it uses:

* :func:`unused_assets` names the stylesheets and scripts a page's body has no use for (copy buttons
  without code, toggle buttons without dropdowns, sphinx-design without its components, the exercise
  styles without exercises, and sphinx-thebe when live code is off);
* :func:`drop_search_scripts` keeps the search scripts and the search index on the search page only
  (other pages' search box submits to it);
* :func:`subset_icon_fonts` cuts the Font Awesome fonts down to the icons the site shows, found in the
  built pages, the theme's scripts and the stylesheets' own rules (admonition and link icons).

Each check is by name and by markup the extensions document; if a theme update renames something, the
asset is simply kept (never wrongly dropped), and the browser tests check every icon on every page.
"""
from __future__ import annotations

import re
from pathlib import Path

#: Stylesheets and scripts that only do something when the page body contains this markup.
#: (file name, pattern the body must match for the file to be kept)
_NEEDED_WHEN = [
    # sphinx-copybutton attaches to highlighted code blocks.
    ("copybutton.css", r'class="highlight'),
    ("copybutton.js", r'class="highlight'),
    ("clipboard.min.js", r'class="highlight'),
    # sphinx-togglebutton's selector is ".toggle, .admonition.dropdown".
    ("togglebutton.css", r'class="[^"]*\b(?:toggle|dropdown)\b'),
    ("togglebutton.js", r'class="[^"]*\b(?:toggle|dropdown)\b'),
    # sphinx-design's components all carry sd- classes; its tabs script needs its tab sets.
    ("sphinx-design.min.css", r'class="[^"]*\bsd-'),
    ("design-tabs.js", r'class="[^"]*\bsd-tab'),
    # sphinx-exercise styles its exercise and solution admonitions.
    ("exercise.css", r'class="[^"]*\b(?:exercise|solution)\b'),
]
#: The inline settings sphinx-togglebutton writes beside its script.
_TOGGLE_SETTINGS = re.compile(r"\b(?:toggleHintShow|toggleHintHide|toggleOpenOnPrint|togglebuttonSelector)\b")
_THEBE_FILES = {"sphinx-thebe.css", "sphinx-thebe.js"}


def asset_name(asset) -> str:
    """The file name of a stylesheet or script (a path or Sphinx asset), without folders or ``?v=`` query."""
    return Path(str(getattr(asset, "filename", asset) or "").split("?")[0]).name


def unused_assets(body: str, *, thebe: bool) -> set[str]:
    """File names of the stylesheets and scripts that a page with this body does not use."""
    unused = {name for name, pattern in _NEEDED_WHEN if not re.search(pattern, body)}
    if not thebe:
        unused |= _THEBE_FILES
    return unused


def keep_asset(asset, unused: set[str]) -> bool:
    """False for a stylesheet or script (file or inline) that belongs to an unused feature."""
    name = asset_name(asset)
    if name:
        return name not in unused
    inline = (getattr(asset, "attributes", {}) or {}).get("body", "")
    if "togglebutton.js" in unused and _TOGGLE_SETTINGS.search(inline):
        return False
    if "sphinx-thebe.js" in unused and "THEBE_JS_URL" in inline:
        return False
    return True


_SEARCH_SCRIPTS = re.compile(
    r'[ \t]*<script(?: defer="defer")? src="(?:\.\./)*(?:_static/searchtools|_static/language_data|searchindex)\.js">'
    r"</script>\n?"
)


def drop_search_scripts(html: str, *, search_page: bool) -> str:
    """Keep the search scripts and index only on the search page, deferred so its text shows first."""
    if search_page:
        return _SEARCH_SCRIPTS.sub(lambda m: m.group(0).replace("<script src=", '<script defer="defer" src='), html)
    return _SEARCH_SCRIPTS.sub("", html)


# --- icon fonts -----------------------------------------------------------------------------------------

_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CODEPOINT = re.compile(r'"\\(f[0-9a-f]{3})"|"([\uf000-\uf8ff])"', re.I)
_ICON_SELECTOR = re.compile(r"^\.fa-([a-z0-9-]+)(?::before)?$")
_ICON_CLASS = re.compile(r"\bfa-([a-z0-9-]+)\b")


def _codepoints_in(text: str) -> set[int]:
    return {int(hexa, 16) if hexa else ord(char) for hexa, char in _CODEPOINT.findall(text)}


def icon_vocabulary(css: str) -> tuple[dict[str, set[int]], set[int]]:
    """Split a stylesheet's icon codepoints into (icon class -> codepoints, codepoints used by other rules).

    Font Awesome's own rules (``.fa-github:before{content:"\\f09b"}``) only define names; the theme's other
    rules (admonition titles, external links) show their icon whatever the page's classes.
    """
    by_class: dict[str, set[int]] = {}
    always: set[int] = set()
    for selectors, declarations in _RULE.findall(css):
        points = _codepoints_in(declarations)
        if not points:
            continue
        names = [_ICON_SELECTOR.match(selector.strip()) for selector in selectors.split(",")]
        if all(names):
            for match in names:
                by_class.setdefault(match.group(1), set()).update(points)
        else:
            always |= points
    return by_class, always


def icons_in_use(outdir: Path) -> set[int]:
    """Codepoints of every icon the built site can show."""
    static = outdir / "_static"
    by_class: dict[str, set[int]] = {}
    always: set[int] = set()
    for css in static.rglob("*.css"):
        classes, rules = icon_vocabulary(css.read_text(encoding="utf-8", errors="replace"))
        for name, points in classes.items():
            by_class.setdefault(name, set()).update(points)
        always |= rules
    used_classes: set[str] = set()
    for page in outdir.rglob("*.html"):
        for attribute in re.findall(r'class="([^"]*\bfa-[^"]*)"', page.read_text(encoding="utf-8")):
            used_classes.update(_ICON_CLASS.findall(attribute))
    for script in static.rglob("*.js"):  # icons the theme's scripts create (e.g. a close button)
        if script.stat().st_size < 2_000_000:
            used_classes.update(_ICON_CLASS.findall(script.read_text(encoding="utf-8", errors="replace")))
    points = set(always)
    for name in used_classes:
        points |= by_class.get(name, set())
    return points


def subset_icon_fonts(outdir: Path, source_dir: Path) -> dict[str, int]:
    """Rewrite the site's Font Awesome fonts with only the icons in use. Returns bytes per font written.

    Reads the theme's original fonts from ``source_dir`` every time, so a later build that shows a new
    icon gets it back.
    """
    from fontTools import subset

    points = icons_in_use(outdir)
    target_dir = outdir / "_static" / "vendor" / "fontawesome" / "webfonts"
    written = {}
    for source in sorted(source_dir.glob("*")):
        if source.suffix not in {".woff2", ".ttf"} or not (target_dir / source.name).exists():
            continue
        options = subset.Options()
        options.flavor = "woff2" if source.suffix == ".woff2" else None
        options.layout_features = ["*"]
        options.notdef_outline = True
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(points))
        subsetter.subset(font)
        target = target_dir / source.name
        target.unlink()  # never write through a hard link into the theme's own copy
        subset.save_font(font, str(target), options)
        written[source.name] = target.stat().st_size
    return written
