"""Basemaps: a tile URL template and the datum its tiles are drawn in, or no tiles at all.

- OpenStreetMap (default for internet deployments), or the bureau's own tile server by template;
- Tianditu (天地图) web-Mercator vector tiles with a key (CGCS2000, drawn as WGS-84);
- AutoNavi (高德): tiles in GCJ-02, so every overlay is shifted to GCJ-02 before drawing;
- offline: no tiles; the district and coast polygons themselves are the base map.

Overlays are stored and passed in WGS-84; ``to_display`` shifts a frame for the chosen basemap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import shapely

from geodata import wgs84_to_gcj02

OSM_TILES: Final = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION: Final = "&copy; OpenStreetMap contributors"
TIANDITU_TILES: Final = (
    "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
    "&tk={key}"
)
TIANDITU_LABELS: Final = TIANDITU_TILES.replace("vec_w", "cva_w").replace("LAYER=vec", "LAYER=cva")
AUTONAVI_TILES: Final = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"

Datum = Literal["WGS84", "GCJ02"]


@dataclass(frozen=True, slots=True)
class Basemap:
    """Tile layers (URL templates) and the datum the tiles are drawn in; no tiles means offline."""

    name: str
    tiles: tuple[str, ...] = ()
    attribution: str = ""
    subdomains: str = "abc"
    datum: Datum = "WGS84"
    max_zoom: int = 18

    @property
    def offline(self) -> bool:
        """True when there are no tiles: the district and coast polygons form the base map."""
        return not self.tiles


def osm(tiles: str = OSM_TILES, attribution: str = OSM_ATTRIBUTION) -> Basemap:
    """OpenStreetMap, or any WGS-84 web-Mercator tile server given by its URL template."""
    return Basemap("osm", (tiles,), attribution, subdomains="abc")


def tianditu(key: str) -> Basemap:
    """Tianditu vector tiles plus their Chinese labels; ``key`` is the bureau's Tianditu key."""
    if not key:
        raise ValueError("a Tianditu basemap needs a key")
    tiles = (TIANDITU_TILES.replace("{key}", key), TIANDITU_LABELS.replace("{key}", key))
    return Basemap("tianditu", tiles, "&copy; 天地图 Tianditu", subdomains="01234567")


def autonavi(tiles: str = AUTONAVI_TILES) -> Basemap:
    """AutoNavi (高德) tiles, drawn in GCJ-02: overlays are shifted to match."""
    return Basemap(
        "autonavi", (tiles,), "&copy; 高德地图 AutoNavi", subdomains="1234", datum="GCJ02"
    )


def offline() -> Basemap:
    """No tiles at all; works with no network."""
    return Basemap("offline")


def from_name(name: str, *, tiles: str | None = None, key: str | None = None) -> Basemap:
    """Basemap by name (``osm``, ``tianditu``, ``autonavi``, ``offline``), as settings give it."""
    if name == "osm":
        return osm(tiles or OSM_TILES)
    if name == "tianditu":
        return tianditu(key or "")
    if name == "autonavi":
        return autonavi(tiles or AUTONAVI_TILES)
    if name == "offline":
        return offline()
    raise ValueError(f"unknown basemap {name!r}: expected osm, tianditu, autonavi or offline")


def _gcj(coords: np.ndarray) -> np.ndarray:
    lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


def to_display(frame: gpd.GeoDataFrame, basemap: Basemap) -> gpd.GeoDataFrame:
    """``frame`` (EPSG:4326) with its geometries in the basemap's datum (a copy when shifted)."""
    if basemap.datum == "WGS84" or frame.empty:
        return frame
    out = frame.copy()
    out["geometry"] = shapely.transform(np.asarray(frame.geometry.values), _gcj)
    return out


def point_to_display(lon: float, lat: float, basemap: Basemap) -> tuple[float, float]:
    """One WGS-84 point in the basemap's datum."""
    if basemap.datum == "WGS84":
        return lon, lat
    x, y = wgs84_to_gcj02(lon, lat)
    return float(x), float(y)
