"""Figures about where the partnership happens: the border, the ports, the routes between them."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from . import data
from .figures import PALETTE, SYMBOLS, CourseFigure
from .maps import GEOD, region_map

#: Colours and dashes per transport mode, so the legend does not rely on colour alone.
MODE_STYLE = {"sea": (PALETTE["blue"], "solid"), "rail": (PALETTE["vermillion"], "dash"), "road": (PALETTE["green"], "dot")}


def route_lengths(routes: pd.DataFrame | None = None, places: pd.DataFrame | None = None) -> pd.DataFrame:
    """Geodesic length of each route through its waypoints, in km: a lower bound on the real distance."""
    routes = data.load("routes") if routes is None else routes
    places = (data.load("places") if places is None else places).set_index("place_id")
    rows = []
    for route in routes.itertuples():
        stops = data.split_ids(route.waypoints)
        coords = places.loc[stops, ["lon", "lat"]].to_numpy(float)
        length = sum(GEOD.inv(a[0], a[1], b[0], b[1])[2] for a, b in zip(coords[:-1], coords[1:])) / 1000.0
        rows.append({"route_id": route.route_id, "route": route.name, "mode": route.mode, "cargo": route.cargo,
                     "stops": " → ".join(places.loc[s, "name"] for s in stops), "straight_line_km": round(length)})
    return pd.DataFrame(rows)


def _place_layer(regional, places: pd.DataFrame, ids: list[str], name: str, symbol: str, colour: str) -> None:
    subset = places.set_index("place_id").loc[ids].reset_index()
    hover = [f"<b>{r.name}</b><br>{r.description}<br><i>Also written: {r.name_variants or '–'}</i>" for r in subset.itertuples()]
    regional.add_points(subset.lon, subset.lat, labels=list(subset.name.str.split(" \\(").str[0]), hover=hover,
                        name=name, symbol=symbol, colour=colour)


def border_map() -> CourseFigure:
    """The Russian Far East and North Korea, with the ports and the rail crossing on the Tumen."""
    countries = data.load("countries_eurasia_50m")
    places = data.load("places")
    regional = region_map(countries, (126.0, 38.5, 136.5, 46.0), title="North Korea and the Russian Far East", height=620)
    ports = ["rajin", "chongjin", "vladivostok", "dunai", "vostochny_port"]
    crossings = ["tumangang", "khasan"]
    _place_layer(regional, places, ports, "Ports and cities", SYMBOLS[0], PALETTE["black"])
    _place_layer(regional, places, crossings, "Rail border crossing", SYMBOLS[1], PALETTE["purple"])
    shown = places[places.place_id.isin(ports + crossings)]
    table = shown[["name", "country", "kind", "lat", "lon"]].rename(columns={"lat": "latitude", "lon": "longitude"})
    return CourseFigure(
        figure=regional.fig,
        alt="Map of North Korea (orange) and Russia's Primorsky region (blue). The two countries share a short border "
            "on the Tumen river near Tumangang and Khasan; the North Korean port of Rajin lies just south-west of it, "
            "and the Russian ports of Vladivostok, Dunai and Vostochny lie to the north-east.",
        caption="North Korea and Russia meet only on the lower Tumen river. Ports and the rail crossing are placed "
                "from the course gazetteer (town or district coordinates, not the exact piers).",
        figure_id="border-map",
        table=table,
        tables=("places", "countries_eurasia_50m"),
        sources=tuple(data.cited_sources(shown)),
    )


def route_length_chart() -> CourseFigure:
    """How far cargo travels on each reported route, as a straight-line lower bound."""
    routes = data.load("routes")
    lengths = route_lengths(routes)
    lengths = lengths.sort_values("straight_line_km")
    fig = go.Figure()
    for mode, (colour, _) in MODE_STYLE.items():
        subset = lengths[lengths["mode"] == mode]
        if subset.empty:
            continue
        fig.add_trace(go.Bar(
            x=subset.straight_line_km, y=subset.route, orientation="h", name=f"{mode} route",
            marker=dict(color=colour, pattern=dict(shape="" if mode == "sea" else "/")),
            customdata=subset[["stops", "cargo"]].to_numpy(),
            hovertemplate="<b>%{y}</b><br>%{customdata[0]}<br>Cargo reported: %{customdata[1]}<br>%{x:,} km in a straight line<extra></extra>",
        ))
    fig.update_layout(title="Straight-line length of each reported route", xaxis_title="kilometres (geodesic, lower bound)",
                      yaxis=dict(automargin=True), height=120 + 45 * len(lengths), barmode="overlay",
                      legend=dict(orientation="h", y=-0.2))
    return CourseFigure(
        figure=fig,
        alt="Horizontal bar chart of route lengths. The rail route from the Russian port of Dunai to the depot area at "
            "Tikhoretsk is by far the longest, thousands of kilometres; the sea legs from Rajin to Russian Pacific ports "
            "and the Tumen rail crossing are short.",
        caption="Reported routes, measured as geodesic (shortest) distance between the places they name. Real sea lanes "
                "and railways are longer; the point is the contrast between short border hops and the long haul west.",
        figure_id="route-lengths",
        table=lengths[["route", "mode", "stops", "cargo", "straight_line_km"]],
        tables=("routes", "places"),
        sources=tuple(data.cited_sources(routes)),
    )
