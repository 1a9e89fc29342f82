"""Load the shipped places (districts, city, air stations, water sections, harbour zones) as GeoDataFrames.

Every frame is in EPSG:4326 (WGS-84; CGCS2000 sources are treated as WGS-84, agreeing to decimetres)
and carries the stable columns ``code``, ``name`` (Chinese), ``name_en``, ``district_code``, ``kind``,
``source`` and ``demo`` (bool). Files and their origins: ``geodata/data/SOURCES.md``.
Loads are cached; callers always receive a copy they may modify.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd
import shapely

from geodata.crs import METRIC, WGS84

DATA_DIR: Final = Path(__file__).resolve().parent / "data"

#: Half width of the territorial sea (12 nautical miles), metres: the envelope of "Zhoushan waters".
SEA_MARGIN_M: Final = 12 * 1852.0

DEMO_NAME: Final = "示例站点 (demo)"
DEMO_NAME_EN: Final = "Demo station"

ZONE_KINDS: Final = (
    "anchorage",
    "port_area",
    "ship_repair_yard",
    "emission_control_area",
    "route",
    "bunkering",
    "other",
)

STATION_COLUMNS: Final = (
    "code",
    "name",
    "name_en",
    "kind",
    "district_code",
    "datum",
    "source",
    "demo",
)
SECTION_COLUMNS: Final = (
    "code",
    "name",
    "name_en",
    "kind",
    "district_code",
    "control_level",
    "provincial",
    "waterbody",
    "coord_status",
    "source",
    "demo",
)


def _points_frame(table: pd.DataFrame, columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    lon = pd.to_numeric(table["lon"], errors="coerce")
    lat = pd.to_numeric(table["lat"], errors="coerce")
    geom = gpd.points_from_xy(lon, lat)
    # An unpublished coordinate stays missing (None), never a made-up point.
    geom[lon.isna().to_numpy() | lat.isna().to_numpy()] = None
    return gpd.GeoDataFrame(table[list(columns)].copy(), geometry=geom, crs=WGS84)


@cache
def _districts() -> gpd.GeoDataFrame:
    return gpd.read_file(DATA_DIR / "districts.geojson")


@cache
def _city() -> gpd.GeoDataFrame:
    return gpd.read_file(DATA_DIR / "city.geojson")


@cache
def _stations(include_demo: bool) -> gpd.GeoDataFrame:
    table = pd.read_csv(DATA_DIR / "air_stations.csv", dtype={"district_code": str, "code": str})
    national = _points_frame(table, STATION_COLUMNS)
    if not include_demo:
        return national
    districts = _districts()
    missing = districts[~districts["code"].isin(national["district_code"])]
    demo = gpd.GeoDataFrame(
        {
            "code": "DEMO-" + missing["code"],
            "name": DEMO_NAME,
            "name_en": DEMO_NAME_EN,
            "kind": "demo_air",
            "district_code": missing["code"],
            "datum": "WGS-84 (demo position: the district's label point)",
            "source": "envmon demo: district label point; NOT a real station",
            "demo": True,
        },
        geometry=gpd.points_from_xy(missing["label_lon"], missing["label_lat"]),
        crs=WGS84,
    )
    return gpd.GeoDataFrame(pd.concat([national, demo], ignore_index=True), crs=WGS84)


@cache
def _sections() -> gpd.GeoDataFrame:
    table = pd.read_csv(DATA_DIR / "water_sections.csv", dtype={"district_code": str})
    return _points_frame(table, SECTION_COLUMNS)


@cache
def _zones() -> gpd.GeoDataFrame:
    zones = gpd.read_file(DATA_DIR / "zones.geojson")
    zones["district_code"] = None
    for col in ("valid_from", "valid_to"):
        zones[col] = _iso_dates(zones[col])
    return zones


def load_districts() -> gpd.GeoDataFrame:
    """Zhoushan's four county-level districts (区/县), MultiPolygons, EPSG:4326.

    Extra columns: ``label_lon``/``label_lat`` (degrees), ``area_km2`` (geodesic area of the shipped,
    simplified polygon) and ``area_km2_official`` (published land area), ``datum``.
    """
    return _districts().copy()


def load_city() -> gpd.GeoDataFrame:
    """The city outline (舟山市, 330900): union of the four districts, one row, EPSG:4326."""
    return _city().copy()


def load_stations(include_demo: bool = False) -> gpd.GeoDataFrame:
    """Air-quality monitoring stations (监测站点), Points, EPSG:4326.

    The three national stations; with ``include_demo=True`` also one demo station per district that
    has none, at the district's label point, named ``示例站点 (demo)``, code ``DEMO-<adcode>``,
    ``demo=True``.
    """
    return _stations(include_demo).copy()


def load_sections() -> gpd.GeoDataFrame:
    """The 25 surface-water sections (断面); geometry is None where no source publishes coordinates.

    ``control_level``: ``provincial_or_above`` | ``city`` | ``county``; ``provincial``: bool;
    ``waterbody``: ``river`` | ``lake`` (湖库, here reservoirs); ``coord_status``: ``published`` |
    ``not_published``.
    """
    return _sections().copy()


def load_zones() -> gpd.GeoDataFrame:
    """Shipped harbour features (routes as axes, bunkering positions, a dredging zone), EPSG:4326.

    ``kind`` is one of ``ZONE_KINDS``; ``datum``, ``notice_date``, ``valid_from``, ``valid_to`` (ISO
    dates, text) and ``source`` say where each came from. Route corridors are derived, see
    ``geodata.spatial.route_corridors``.
    """
    return _zones().copy()


@cache
def _derived_eca() -> gpd.GeoDataFrame:
    eca = gpd.read_file(DATA_DIR / "eca_derived.geojson")
    eca["district_code"] = None
    return eca


def load_derived_eca() -> gpd.GeoDataFrame:
    """The harbour's emission control area as envmon derives it (``geodata.eca``), one row,
    EPSG:4326, ``kind`` ``emission_control_area``, ``derived`` True, its names marked 推导/derived.

    Not an official outline: shown only until the bureau imports one.
    """
    return _derived_eca().copy()


@cache
def _sea_area() -> shapely.Geometry:
    city = _city().to_crs(METRIC).geometry.iloc[0]
    area = shapely.buffer(shapely.convex_hull(city), SEA_MARGIN_M)
    out = gpd.GeoSeries([area], crs=METRIC).to_crs(WGS84).iloc[0]
    return shapely.make_valid(out)


def zhoushan_sea_area() -> shapely.Geometry:
    """The area zone files must fall in: convex hull of the city outline buffered by 12 nmi.

    A practical envelope for catching typos and swapped coordinates, not a legal boundary.
    EPSG:4326 polygon.
    """
    return _sea_area()


def _iso_dates(values: pd.Series) -> pd.Series:
    """Dates as ISO ``YYYY-MM-DD`` text (None where missing): the same in files, store and API."""
    parsed = pd.to_datetime(values, errors="coerce")
    return parsed.dt.strftime("%Y-%m-%d").astype(object).where(parsed.notna(), None)
