"""Demo nearshore seawater points and sea areas, derived from the district outlines: NOT real.

The bureau has not (yet) loaded its own seawater monitoring points and bays (``envmon sea import``).
So that the sea figures, maps and reports can be shown on the demo feed, each district gets one demo
sea area, the band between 1 km and 5 km off its (simplified) coast, clipped off the city's land,
and two demo points on the 3 km offset line. Every row is named ``示例…(demo)``, coded ``DEMO-SEA-…``
and has ``demo=True``; ``geodata/data/SOURCES.md`` says the positions are synthetic. No coordinate
here is a real monitoring point.
"""

from __future__ import annotations

from functools import cache
from typing import Final

import geopandas as gpd
import pandas as pd
import shapely

from geodata.crs import METRIC, WGS84
from geodata.places import load_city, load_districts

#: Band of the demo sea area off the coast, metres; demo points sit on the middle line.
DEMO_BAND_M: Final = (1000.0, 5000.0)
DEMO_POINT_OFFSET_M: Final = 3000.0
#: Positions of the two demo points along the offset line, as fractions of its length.
DEMO_POINT_AT: Final = (0.2, 0.65)
#: Target class of each district's demo sea area (GB 3097 class): a plausible mix, demo only.
DEMO_TARGETS: Final[dict[str, str]] = {
    "330902": "III",
    "330903": "II",
    "330921": "II",
    "330922": "I",
}
DEMO_SOURCE: Final = "envmon demo: offset from the district outline; NOT a real sea point"
DEMO_AREA_SOURCE: Final = "envmon demo: band off the district outline; NOT a real bay"


def _largest(geom: shapely.Geometry) -> shapely.Geometry:
    parts = shapely.get_parts(geom)
    return max(parts, key=lambda g: g.area)


@cache
def _demo() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    districts = load_districts().to_crs(METRIC)
    land = load_city().to_crs(METRIC).geometry.iloc[0]
    point_rows, area_rows, points, areas = [], [], [], []
    taken = shapely.Polygon()  # neighbours' bands would overlap: each keeps only sea not yet taken
    for code, name, name_en, geom in zip(
        districts["code"], districts["name"], districts["name_en"], districts.geometry, strict=True
    ):
        main = _largest(geom)
        band = shapely.difference(
            shapely.buffer(main, DEMO_BAND_M[1]), shapely.buffer(main, DEMO_BAND_M[0])
        )
        band = shapely.make_valid(shapely.difference(shapely.difference(band, land), taken))
        taken = shapely.union(taken, band)
        line = shapely.buffer(main, DEMO_POINT_OFFSET_M).exterior
        short = str(name_en).split()[0]
        area_code = f"DEMO-SEA-{code}"
        areas.append(band)
        area_rows.append(
            {
                "code": area_code,
                "name": f"示例近岸海域 (demo) {name}",
                "name_en": f"Demo sea area {short}",
                "kind": "zone",
                "district_code": str(code),
                "target_class": DEMO_TARGETS.get(str(code), "II"),
                "datum": "WGS-84 (demo geometry)",
                "source": DEMO_AREA_SOURCE,
                "demo": True,
            }
        )
        for k, at in enumerate(DEMO_POINT_AT, start=1):
            pt = line.interpolate(at, normalized=True)
            step = 0.0
            while shapely.intersects(land, pt) and step < 1.0:  # next sea position on the line
                step += 0.02
                pt = line.interpolate((at + step) % 1.0, normalized=True)
            points.append(pt)
            point_rows.append(
                {
                    "code": f"DEMO-SEA-{code}-{k}",
                    "name": f"示例海水点位 (demo) {name}{k}",
                    "name_en": f"Demo sea point {short} {k}",
                    "district_code": str(code),
                    "area_code": area_code,
                    "target_class": DEMO_TARGETS.get(str(code), "II"),
                    "datum": "WGS-84 (demo position)",
                    "source": DEMO_SOURCE,
                    "demo": True,
                }
            )
    pts = gpd.GeoDataFrame(pd.DataFrame(point_rows), geometry=points, crs=METRIC).to_crs(WGS84)
    polys = gpd.GeoDataFrame(pd.DataFrame(area_rows), geometry=areas, crs=METRIC)
    polys["area_km2"] = (polys.geometry.area / 1e6).round(2)
    polys = polys.to_crs(WGS84)
    polys["geometry"] = shapely.set_precision(polys.geometry.to_numpy(), 1e-6)
    pts["geometry"] = shapely.set_precision(pts.geometry.to_numpy(), 1e-6)
    return pts, polys


def load_demo_sea_points() -> gpd.GeoDataFrame:
    """Demo seawater points (two per district, 3 km off its coast), Points, EPSG:4326, ``demo``."""
    return _demo()[0].copy()


def load_demo_sea_areas() -> gpd.GeoDataFrame:
    """Demo sea areas (one 1-5 km coastal band per district), Polygons, EPSG:4326, ``area_km2``."""
    return _demo()[1].copy()


__all__ = ["load_demo_sea_areas", "load_demo_sea_points"]
