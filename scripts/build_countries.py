"""Derive the course's country shapes from Natural Earth (via npm `world-atlas` 2.0.2).

How the committed files in data/geo/ were made (run once by a maintainer, not at build time):

    npm install --prefix /tmp/atlas world-atlas@2.0.2
    python scripts/build_countries.py /tmp/atlas/node_modules/world-atlas

Steps, and why:
1. GDAL reads the TopoJSON directly (layer "countries"). The file has no CRS; it is WGS84 lon/lat.
2. Several shapes are invalid (North Korea has "too few points" at 1:110m and would vanish), so every
   geometry is repaired with shapely.make_valid before anything else.
3. ISO 3166 codes come from pycountry, keyed on the numeric id Natural Earth carries; the few
   shapes without an ISO number (e.g. Kosovo, Somaliland, N. Cyprus) get a code "X" + first letters.
4. Coordinates are snapped to a grid (0.01 deg for the world, 0.001 deg ~ 100 m for the regional file)
   with shapely.set_precision, which keeps shapes valid, so the files stay small.
5. The regional file keeps the 1:50m shapes clipped to Eurasia east of 20E (Ukraine to the Pacific),
   where the Tumen river border and the Korean coast matter.
"""
from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pycountry
import shapely
from shapely.geometry import box

OUT = Path(__file__).resolve().parents[1] / "data" / "geo"
REGION_BOUNDS = (20.0, 10.0, 180.0, 78.0)  # lon_min, lat_min, lon_max, lat_max


def iso_codes(numeric_id: str | None, name: str) -> tuple[str, str]:
    if numeric_id:
        country = pycountry.countries.get(numeric=str(numeric_id).zfill(3))
        if country is not None:
            return country.alpha_3, country.numeric
    return "X" + "".join(ch for ch in name.upper() if ch.isalpha())[:2], ""


def read_countries(path: Path, grid: float) -> gpd.GeoDataFrame:
    frame = gpd.read_file(path, layer="countries", engine="pyogrio")
    frame = frame.set_crs(4326, allow_override=True)
    frame["geometry"] = shapely.make_valid(frame.geometry.values)
    frame["geometry"] = shapely.set_precision(frame.geometry.values, grid)
    codes = [iso_codes(i, n) for i, n in zip(frame["id"], frame["name"])]
    frame["iso3"] = [c[0] for c in codes]
    frame["iso_numeric"] = [c[1] for c in codes]
    frame = frame[~frame.geometry.is_empty]
    return frame[["iso3", "iso_numeric", "name", "geometry"]].sort_values("iso3").reset_index(drop=True)


def main(atlas_dir: str) -> None:
    atlas = Path(atlas_dir)
    OUT.mkdir(parents=True, exist_ok=True)
    world = read_countries(atlas / "countries-110m.json", grid=0.01)
    world.to_file(OUT / "countries_world_110m.geojson", driver="GeoJSON", COORDINATE_PRECISION=2)

    region = read_countries(atlas / "countries-50m.json", grid=0.001)
    region["geometry"] = region.geometry.intersection(box(*REGION_BOUNDS))
    region = region[~region.geometry.is_empty & region.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    region.to_file(OUT / "countries_eurasia_50m.geojson", driver="GeoJSON", COORDINATE_PRECISION=3)
    for name in ("countries_world_110m.geojson", "countries_eurasia_50m.geojson"):
        print(name, (OUT / name).stat().st_size // 1024, "KB")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/build_countries.py PATH/TO/node_modules/world-atlas")
    main(sys.argv[1])
