"""Map data: the figures and places a staff or public map is drawn from, the data time the maps
show, and the basemap the settings (or a request) choose. Used by ``/maps/*`` and
``envmon render-maps``; ``maps`` turns the values into pages."""

from __future__ import annotations

import datetime as dt
from functools import cache

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

import geodata
from maps import basemaps
from maps.staff import MapData
from service.clock import Clock
from service.figures.district_figures import all_district_figures
from service.figures.latest import section_items, station_items, zones_frame
from service.settings import Settings
from service.store.latest import station_day_aqi
from stations.cst import format_cst

#: Latest data older than this is flagged stale on the maps (hours).
STALE_HOURS = 3
#: Basemaps a page may ask for; Tianditu only when a key is configured.
BASEMAP_NAMES = ("osm", "tianditu", "autonavi", "offline")


class BasemapRefused(ValueError):
    """A basemap that cannot be drawn: ``field`` and ``rule`` name what failed."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field, self.rule, self.message = field, rule, message


def choose_basemap(settings: Settings, asked: str | None) -> basemaps.Basemap:
    """The basemap ``asked`` names, else ``ENVMON_MAP_BASEMAP`` (with ``ENVMON_MAP_TILES``).

    Raises ``BasemapRefused`` for an unknown name or Tianditu without ``ENVMON_TIANDITU_KEY``.
    """
    name = asked or settings.maps.map_basemap
    if name not in BASEMAP_NAMES:
        raise BasemapRefused("basemap", "one_of", f"basemap: one of {', '.join(BASEMAP_NAMES)}")
    key = settings.maps.tianditu_key
    if name == "tianditu" and not key:
        raise BasemapRefused(
            "basemap", "tianditu_key", "no Tianditu key is configured (ENVMON_TIANDITU_KEY)"
        )
    # The configured tile server belongs to the configured basemap only.
    tiles = settings.maps.map_tiles if name == settings.maps.map_basemap else None
    if settings.environment == "production" and name in {"osm", "autonavi"} and tiles is None:
        # A Chinese public site shows approved maps only (README "Basemaps"): no foreign tiles.
        raise BasemapRefused(
            "basemap", "approved_basemap", "basemap: tianditu, offline or the configured one"
        )
    return basemaps.from_name(name, tiles=tiles, key=key)


def data_time(times: pd.Series | None, now: dt.datetime) -> tuple[str, bool]:
    """Latest data time (CST text) and whether it is older than ``STALE_HOURS``."""
    if times is None:
        return "—", True
    times = pd.to_datetime(times.dropna(), utc=True)
    if times.empty:
        return "—", True
    latest = times.max().to_pydatetime()
    stale = now - latest > dt.timedelta(hours=STALE_HOURS)
    return format_cst(latest), stale


def stations_frame(engine: Engine, lang: str) -> gpd.GeoDataFrame:
    """Stations with their latest hour (``station_items``) as points, one column per pollutant."""
    rows = []
    for item in station_items(engine, lang):
        row = item.model_dump(exclude={"concentrations", "iaqi"})
        row["primary_pollutant"] = ", ".join(item.primary_pollutant) or None
        row.update(item.concentrations.model_dump())
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return gpd.GeoDataFrame({"code": []}, geometry=[], crs="EPSG:4326")
    geometry = gpd.points_from_xy(frame["lon"], frame["lat"])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def sections_frame(engine: Engine) -> gpd.GeoDataFrame:
    """Sections with their latest class (``section_items``); unplaced sections have no geometry."""
    frame = pd.DataFrame([s.model_dump() for s in section_items(engine)])
    if frame.empty:
        return gpd.GeoDataFrame({"code": []}, geometry=[], crs="EPSG:4326")
    placed = frame["lon"].notna() & frame["lat"].notna()
    geometry = [
        gpd.points_from_xy([x], [y])[0] if ok else None
        for x, y, ok in zip(frame["lon"], frame["lat"], placed, strict=True)
    ]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def district_map_figures(
    engine: Engine, districts: gpd.GeoDataFrame, year: int, clock: Clock
) -> gpd.GeoDataFrame:
    """``districts`` with the 优良天数比例 and Ⅰ–Ⅲ类断面比例 of ``year`` and their targets: the same
    figures as ``/api/v1/districts`` (``all_district_figures``), so the map and the API agree."""
    out = districts.copy()
    figures = {f.code: f for f in all_district_figures(engine, clock, year)}
    eg, c3, eg_t, c3_t = [], [], [], []
    for code in out["code"].astype(str):
        f = figures.get(code)
        eg.append(None if f is None else f.air.excellent_good_ratio.value)
        eg_t.append(None if f is None else f.air.target)
        c3.append(None if f is None else f.water.class_iii_ratio.value)
        c3_t.append(None if f is None else f.water.target)
    out["excellent_good_ratio"], out["excellent_good_target"] = eg, eg_t
    out["class_iii_ratio"], out["class_iii_target"] = c3, c3_t
    return out


@cache
def city_outline() -> gpd.GeoDataFrame:
    """The city's outline (shipped with ``geodata``)."""
    return geodata.load_city()


def staff_map_data(
    engine: Engine,
    clock: Clock,
    districts: gpd.GeoDataFrame,
    start: dt.date,
    end: dt.date,
    lang: str,
) -> MapData:
    """Everything the staff map draws: district figures of ``end``'s year, stations with their
    latest hour, sections, zones, and the daily station AQI over CST days ``[start, end]``."""
    return MapData(
        districts=district_map_figures(engine, districts, end.year, clock),
        stations=stations_frame(engine, lang),
        sections=sections_frame(engine),
        zones=zones_frame(engine),
        station_days=station_day_aqi(engine, start, end),
        city=city_outline(),
    )
