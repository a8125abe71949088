"""Maps drawn from real country shapes (Natural Earth) with geopandas, shown with plotly.

Why not plotly's own geo traces? ``choropleth`` and ``scattergeo`` download ``world_110m.json`` from
a CDN when the page opens, so an offline copy of the book shows an empty frame. Here geopandas clips
the shapes to the region shown, projects them to an equal-area projection centred on that region, and
plotly draws them as ordinary filled shapes on x/y axes: nothing is fetched, the Tumen river border and
the Korean coast keep their 1:50m detail, and the figure data stays small.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import plotly.graph_objects as go
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry import box

from .figures import PALETTE

GEOD = Geod(ellps="WGS84")

#: Named map windows (lon_min, lat_min, lon_max, lat_max) used across the chapters.
REGIONS = {
    "tumen": (128.5, 40.5, 133.5, 44.0),
    "russian_far_east": (115.0, 35.0, 145.0, 55.0),
    "northeast_asia": (110.0, 25.0, 150.0, 55.0),
    "russia_route": (30.0, 35.0, 145.0, 62.0),
    "kursk": (30.0, 47.0, 42.0, 54.0),
}

LAND = "#ececec"
BORDER = "#8a8a8a"
HIGHLIGHT = {"PRK": PALETTE["vermillion"], "RUS": PALETTE["blue"]}


class MapError(ValueError):
    """A map was asked for with a window or layer that cannot be drawn."""


def _check_bounds(bounds: Sequence[float]) -> tuple[float, float, float, float]:
    try:
        lon_min, lat_min, lon_max, lat_max = (float(v) for v in bounds)
    except (TypeError, ValueError):
        raise MapError(f"A map window is four numbers (lon_min, lat_min, lon_max, lat_max); got {bounds!r}.") from None
    if not (-180 <= lon_min < lon_max <= 180 and -90 <= lat_min < lat_max <= 90):
        raise MapError(
            f"Map window {bounds!r} is not a valid box: longitudes must run -180..180 and latitudes "
            "-90..90, with the minimum before the maximum."
        )
    return lon_min, lat_min, lon_max, lat_max


def _ring_xy(coords: Iterable[tuple[float, float]]) -> tuple[list[float], list[float]]:
    xs, ys = [], []
    for x, y, *_ in coords:
        xs.append(round(x / 1000.0, 1))  # kilometres, rounded to 100 m: smaller JSON, no visible loss
        ys.append(round(y / 1000.0, 1))
    return xs, ys


def _polygon_xy(geometry) -> tuple[list[float | None], list[float | None]]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            rx, ry = _ring_xy(ring.coords)
            xs += rx + [None]
            ys += ry + [None]
    return xs, ys


@dataclass
class RegionalMap:
    """A plotly figure of one region, with the projection needed to add layers to it."""

    bounds: tuple[float, float, float, float]
    fig: go.Figure
    crs: CRS
    _to_xy: Transformer = field(repr=False)

    def xy(self, lon: Sequence[float], lat: Sequence[float]) -> tuple[list[float], list[float]]:
        x, y = self._to_xy.transform(np.asarray(lon, float), np.asarray(lat, float))
        return [round(v / 1000.0, 1) for v in np.atleast_1d(x)], [round(v / 1000.0, 1) for v in np.atleast_1d(y)]

    def add_points(
        self,
        lon: Sequence[float],
        lat: Sequence[float],
        *,
        labels: Sequence[str],
        hover: Sequence[str],
        name: str,
        colour: str = PALETTE["black"],
        symbol: str = "circle",
        text_position: str = "top right",
    ) -> "RegionalMap":
        x, y = self.xy(lon, lat)
        self.fig.add_trace(
            go.Scatter(
                x=x, y=y, mode="markers+text", text=list(labels), textposition=text_position,
                textfont=dict(size=12, color="#111"), hovertext=list(hover), hoverinfo="text",
                marker=dict(size=9, color=colour, symbol=symbol, line=dict(width=1, color="white")),
                name=name, showlegend=True,
            )
        )
        return self

    def add_path(
        self,
        lon: Sequence[float],
        lat: Sequence[float],
        *,
        name: str,
        hover: str,
        colour: str,
        dash: str = "solid",
        width: float = 3,
        legendgroup: str | None = None,
        showlegend: bool = True,
    ) -> "RegionalMap":
        """A line through the points, each leg drawn along the geodesic (the shortest path on the Earth)."""
        if len(lon) != len(lat) or len(lon) < 2:
            raise MapError(f"A path needs at least two points with matching lon/lat lists; got {len(lon)} and {len(lat)}.")
        dense_lon, dense_lat = [lon[0]], [lat[0]]
        for (lon1, lat1), (lon2, lat2) in zip(zip(lon, lat), zip(lon[1:], lat[1:])):
            _, _, distance = GEOD.inv(lon1, lat1, lon2, lat2)
            steps = max(int(distance // 50_000), 0)  # a point every ~50 km keeps long legs curved
            for plon, plat in (GEOD.npts(lon1, lat1, lon2, lat2, steps) if steps > 0 else []):
                dense_lon.append(plon)
                dense_lat.append(plat)
            dense_lon.append(lon2)
            dense_lat.append(lat2)
        x, y = self.xy(dense_lon, dense_lat)
        self.fig.add_trace(
            go.Scatter(
                x=x, y=y, mode="lines", line=dict(color=colour, width=width, dash=dash), name=name,
                hovertext=hover, hoverinfo="text", legendgroup=legendgroup, showlegend=showlegend,
            )
        )
        return self

    def add_range_ring(
        self, lon: float, lat: float, radius_km: float, *, name: str, hover: str, colour: str, dash: str = "dot"
    ) -> "RegionalMap":
        """A geodesic circle: every point ``radius_km`` from (lon, lat) along the Earth's surface."""
        if not (0 < radius_km < 20_000):
            raise MapError(f"A range ring's radius must be between 0 and 20,000 km; got {radius_km}.")
        azimuths = np.linspace(0, 360, 241)
        ring_lon, ring_lat, _ = GEOD.fwd(np.full_like(azimuths, lon), np.full_like(azimuths, lat), azimuths, np.full_like(azimuths, radius_km * 1000.0))
        x, y = self.xy(ring_lon, ring_lat)
        self.fig.add_trace(
            go.Scatter(x=x, y=y, mode="lines", line=dict(color=colour, width=2, dash=dash), name=name, hovertext=hover, hoverinfo="text")
        )
        return self


def projection_for(bounds: Sequence[float]) -> CRS:
    """Lambert azimuthal equal-area centred on the window: areas and nearby distances stay true."""
    lon_min, lat_min, lon_max, lat_max = _check_bounds(bounds)
    return CRS.from_proj4(
        f"+proj=laea +lat_0={(lat_min + lat_max) / 2:.2f} +lon_0={(lon_min + lon_max) / 2:.2f} +datum=WGS84 +units=m +no_defs"
    )


def region_map(
    countries: gpd.GeoDataFrame,
    bounds: Sequence[float] | str,
    *,
    title: str,
    highlight: dict[str, str] | None = None,
    height: int = 560,
    simplify_km: float | None = None,
) -> RegionalMap:
    """Country shapes clipped to ``bounds`` (or a name from :data:`REGIONS`), projected and drawn.

    ``highlight`` maps ISO3 codes to fill colours; other countries are light grey.
    """
    if isinstance(bounds, str):
        if bounds not in REGIONS:
            raise MapError(f"Unknown map region {bounds!r}; choose one of {sorted(REGIONS)} or give four numbers.")
        bounds = REGIONS[bounds]
    window = _check_bounds(bounds)
    highlight = HIGHLIGHT if highlight is None else highlight
    crs = projection_for(window)
    # Clip a little beyond the window so coastlines run off the frame instead of stopping at its edge.
    pad_lon, pad_lat = (window[2] - window[0]) * 0.15, (window[3] - window[1]) * 0.15
    clip = box(max(window[0] - pad_lon, -180), max(window[1] - pad_lat, -90), min(window[2] + pad_lon, 180), min(window[3] + pad_lat, 90))
    shapes = countries[countries.intersects(clip)].copy()
    shapes["geometry"] = shapes.geometry.intersection(clip)
    shapes = shapes[~shapes.geometry.is_empty].to_crs(crs)
    width_km = (window[2] - window[0]) * 111 * np.cos(np.radians((window[1] + window[3]) / 2))
    tolerance = (simplify_km if simplify_km is not None else max(width_km / 1200, 0.2)) * 1000
    shapes["geometry"] = shapely.simplify(shapes.geometry.values, tolerance, preserve_topology=True)

    fig = go.Figure()
    for row in shapes.sort_values("name").itertuples():
        xs, ys = _polygon_xy(row.geometry)
        if not xs:
            continue
        colour = highlight.get(row.iso3)
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, mode="lines", fill="toself", fillcolor=colour or LAND,
                opacity=0.55 if colour else 1.0,
                line=dict(color=BORDER, width=0.6), hoveron="fills", hoverinfo="text",
                text=row.name, name=row.name, showlegend=False,
            )
        )
    transformer = Transformer.from_crs(4326, crs, always_xy=True)
    corners_x, corners_y = transformer.transform(
        [window[0], window[2], window[0], window[2], (window[0] + window[2]) / 2, (window[0] + window[2]) / 2],
        [window[1], window[1], window[3], window[3], window[1], window[3]],
    )
    x_range = [min(corners_x) / 1000, max(corners_x) / 1000]
    y_range = [min(corners_y) / 1000, max(corners_y) / 1000]
    fig.update_layout(
        title=dict(text=title, x=0.01),
        height=height,
        margin=dict(l=10, r=10, t=60, b=10),
        plot_bgcolor="#dbe9f4",  # sea
        xaxis=dict(visible=False, range=x_range, constrain="domain"),
        yaxis=dict(visible=False, range=y_range, scaleanchor="x", scaleratio=1),
        legend=dict(bgcolor="rgba(255,255,255,0.85)", x=0.01, y=0.01, xanchor="left", yanchor="bottom"),
        hovermode="closest",
        meta={"kind": "map"},
    )
    return RegionalMap(bounds=window, fig=fig, crs=crs, _to_xy=transformer)
