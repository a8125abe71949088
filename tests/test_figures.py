"""Figures and maps: one renderer for JupyterLab and the book, nothing fetched, accessible names, real geography."""
from __future__ import annotations

import json
import re

import numpy as np
import plotly.graph_objects as go
import pytest
from pyproj import Transformer

from partnership import data, figures, geography, maps
from partnership.figures import FigureError, figure_bundle, notes_html
from partnership.maps import GEOD, MapError, region_map


def _simple_figure():
    return go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))


def test_bundle_has_lab_mimetype_and_offline_html():
    bundle = figure_bundle(_simple_figure(), alt="Two bars", figure_id="Test figure")
    assert set(bundle) == {figures.PLOTLY_MIMETYPE, "text/html", "text/plain"}
    page = bundle["text/html"]
    assert 'aria-label="Two bars"' in page and 'role="figure"' in page
    assert "<script src" not in page and "cdn" not in page.lower() and "mathjax" not in page.lower()
    spec = json.loads(re.search(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert spec["data"][0]["y"] == [1, 2]


def test_bundle_html_cannot_be_broken_by_text_in_the_figure():
    fig = go.Figure(go.Bar(x=["</script><script>alert(1)</script>"], y=[1]))
    page = figure_bundle(fig, alt='A "quoted" <b>label</b>', figure_id="x")["text/html"]
    assert "</script><script>alert" not in page
    assert 'aria-label="A &quot;quoted&quot; &lt;b&gt;label&lt;/b&gt;"' in page


@pytest.mark.parametrize("kwargs, message", [
    (dict(alt="", caption="c"), "alt text"),
    (dict(alt="   ", caption="c"), "alt text"),
    (dict(alt="a", caption=""), "caption"),
])
def test_show_requires_alt_text_and_caption(kwargs, message):
    with pytest.raises(FigureError, match=message):
        figures.show(_simple_figure(), **kwargs)


def test_show_refuses_geo_traces_that_would_fetch_map_data():
    with pytest.raises(FigureError, match="load map data from the internet"):
        figures.show(go.Figure(go.Scattergeo(lon=[0], lat=[0])), alt="a", caption="c")


def test_notes_escape_text_and_link_the_data():
    html = notes_html(caption="Shells <estimated>", table=None, tables=("routes",), sources=data.cited_sources(data.load("routes"))[:1])
    assert "Shells &lt;estimated&gt;" in html
    assert 'href="../book/data/routes.html"' in html and 'href="../data/routes.csv"' in html
    assert "vantage:" in html


@pytest.mark.parametrize("bounds", [(10, 0, 5, 5), (0, 0, 200, 10), ("a", 1, 2, 3), (1, 2, 3), "atlantis"])
def test_region_map_rejects_bad_windows(bounds):
    with pytest.raises(MapError):
        region_map(data.load("countries_eurasia_50m"), bounds, title="x")


def test_region_map_draws_both_countries_and_keeps_figure_small():
    regional = region_map(data.load("countries_eurasia_50m"), "tumen", title="Tumen")
    names = {trace.name for trace in regional.fig.data}
    assert {"North Korea", "Russia", "China"} <= names
    assert len(regional.fig.to_json()) < 300_000
    assert regional.fig.layout.meta["kind"] == "map"


def test_the_tumen_border_is_drawn_at_50m_detail():
    def points(countries):
        regional = region_map(countries, "tumen", title="Tumen")
        north_korea = next(t for t in regional.fig.data if t.name == "North Korea")
        return sum(v is not None for v in north_korea.x)

    detailed, coarse = points(data.load("countries_eurasia_50m")), points(data.load("countries_world_110m"))
    assert detailed > 3 * coarse and detailed > 50, (detailed, coarse)


def test_range_rings_are_geodesic():
    regional = region_map(data.load("countries_eurasia_50m"), "northeast_asia", title="rings")
    regional.add_range_ring(125.75, 39.03, 1000, name="1,000 km", hover="ring", colour="#000")
    ring = regional.fig.data[-1]
    back = Transformer.from_crs(regional.crs, 4326, always_xy=True)
    lon, lat = back.transform(np.array(ring.x) * 1000, np.array(ring.y) * 1000)
    _, _, distance = GEOD.inv(np.full_like(lon, 125.75), np.full_like(lat, 39.03), lon, lat)
    assert np.allclose(distance / 1000, 1000, atol=1.0)


@pytest.mark.parametrize("radius", [0, -5, 25_000, float("nan")])
def test_range_ring_radius_must_be_sensible(radius):
    regional = region_map(data.load("countries_eurasia_50m"), "tumen", title="x")
    with pytest.raises(MapError, match="radius"):
        regional.add_range_ring(130, 42, radius, name="r", hover="r", colour="#000")


def test_paths_need_two_points():
    regional = region_map(data.load("countries_eurasia_50m"), "tumen", title="x")
    with pytest.raises(MapError, match="at least two points"):
        regional.add_path([130], [42], name="p", hover="p", colour="#000")


def test_route_lengths_are_plausible():
    lengths = geography.route_lengths().set_index("route_id")
    assert 100 < lengths.loc["sea_rajin_dunai", "straight_line_km"] < 300
    assert lengths.loc["rail_dunai_tikhoretsk", "straight_line_km"] > 5000
    assert lengths.loc["rail_tumangang_khasan_2023", "straight_line_km"] < 20


def test_chapter_figures_have_alt_caption_table_and_sources():
    for item in (geography.border_map(), geography.route_length_chart()):
        assert len(item.alt) > 40 and item.caption and item.table is not None and len(item.table) > 0
        assert item.sources and set(item.sources) <= set(data.load("sources").source_id)


def test_palette_is_okabe_ito():
    assert figures.COLOURWAY[:3] == ["#0072B2", "#D55E00", "#009E73"]


def test_short_paths_are_drawn_without_error():
    regional = region_map(data.load("countries_eurasia_50m"), "tumen", title="x")
    regional.add_path([130.603, 130.646], [42.422, 42.428], name="crossing", hover="h", colour="#000")
    assert len(regional.fig.data[-1].x) == 2
