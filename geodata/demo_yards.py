"""Demo yards, ports and their monitors: shown, labelled demo, until the bureau loads real ones.

No coordinate here is a real yard, port or monitor. Each demo zone is a circle around a district's
label point (Tianditu's, shipped in ``districts.geojson``): 普陀 for the ship-repair yard (the
district where most of Zhoushan's ship-repair yards are), 定海 for the port area. The monitors sit
at points derived from those circles (centre, east edge). Every name says 示例 / demo and every
``source`` says NOT real; ``demo`` is True throughout.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import pandas as pd
import shapely

from geodata.crs import METRIC, WGS84
from geodata.places import load_districts

#: Radii of the demo circles, metres.
YARD_RADIUS_M: Final = 600.0
PORT_RADIUS_M: Final = 900.0

YARD_DISTRICT: Final = "330903"  # 普陀区
PORT_DISTRICT: Final = "330902"  # 定海区
DEMO_YARD: Final = f"DEMO-YARD-{YARD_DISTRICT}"
DEMO_PORT: Final = f"DEMO-PORT-{PORT_DISTRICT}"
_SOURCE: Final = "envmon demo: a circle around the district's label point; NOT a real {what}"


def _label_points_m() -> dict[str, shapely.Point]:
    d = load_districts().set_index("code")
    pts = gpd.GeoSeries(
        gpd.points_from_xy(d["label_lon"], d["label_lat"]), index=d.index, crs=WGS84
    ).to_crs(METRIC)
    return {str(k): v for k, v in pts.items()}


def load_demo_zones() -> gpd.GeoDataFrame:
    """A demo ship-repair yard and a demo port area (Polygons, EPSG:4326), ``demo`` True."""
    pts = _label_points_m()
    rows = [
        (DEMO_YARD, "示例修造船厂 (demo)", "Demo ship-repair yard", "ship_repair_yard",
         YARD_DISTRICT, shapely.buffer(pts[YARD_DISTRICT], YARD_RADIUS_M), "yard"),
        (DEMO_PORT, "示例港区 (demo)", "Demo port area", "port_area",
         PORT_DISTRICT, shapely.buffer(pts[PORT_DISTRICT], PORT_RADIUS_M), "port"),
    ]  # fmt: skip
    frame = pd.DataFrame(
        [
            {
                "code": code,
                "name": name,
                "name_en": name_en,
                "kind": kind,
                "district_code": district,
                "datum": "WGS84",
                "valid_from": None,
                "valid_to": None,
                "source": _SOURCE.format(what=what),
                "note": "demo",
                "demo": True,
            }
            for code, name, name_en, kind, district, _, what in rows
        ]
    )
    geoms = gpd.GeoSeries([r[5] for r in rows], crs=METRIC).to_crs(WGS84)
    return gpd.GeoDataFrame(frame, geometry=geoms.to_numpy(), crs=WGS84)


def load_demo_monitors() -> gpd.GeoDataFrame:
    """Demo monitors (Points, EPSG:4326) in the station registry's columns plus ``zone``:
    a yard-boundary (east edge) and an in-plant (centre) monitor of the demo yard, a port monitor
    at the demo port's centre."""
    pts = _label_points_m()
    yard, port = pts[YARD_DISTRICT], pts[PORT_DISTRICT]
    east = shapely.Point(yard.x + YARD_RADIUS_M, yard.y)
    rows = [
        ("DEMO-YARD-B1", "示例厂界监测点 (demo)", "Demo yard-boundary monitor", "boundary_air",
         YARD_DISTRICT, DEMO_YARD, east),
        ("DEMO-YARD-P1", "示例厂区内监测点 (demo)", "Demo in-plant monitor", "plant_air",
         YARD_DISTRICT, DEMO_YARD, yard),
        ("DEMO-PORT-M1", "示例港区监测点 (demo)", "Demo port monitor", "port_air",
         PORT_DISTRICT, DEMO_PORT, port),
    ]  # fmt: skip
    frame = pd.DataFrame(
        [
            {
                "code": code,
                "name": name,
                "name_en": name_en,
                "kind": kind,
                "district_code": district,
                "datum": "WGS-84 (demo position derived from the district's label point)",
                "source": "envmon demo: derived from a district label point; NOT a real monitor",
                "demo": True,
                "zone": zone,
            }
            for code, name, name_en, kind, district, zone, _ in rows
        ]
    )
    geoms = gpd.GeoSeries([r[6] for r in rows], crs=METRIC).to_crs(WGS84)
    return gpd.GeoDataFrame(frame, geometry=geoms.to_numpy(), crs=WGS84)


__all__ = ["DEMO_PORT", "DEMO_YARD", "load_demo_monitors", "load_demo_zones"]
