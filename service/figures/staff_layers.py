"""The staff map's layer bodies and time-slider windows (use cases of ``/maps/staff/...`` and
``envmon render-maps``): one builder per layer declared in ``maps.staff_layers.STAFF_LAYERS``.

Every builder reads bounded data whatever the stored history: latest hours, the year's district
figures, places, and the precomputed ``station_days`` of a window of at most ``MAX_WINDOW_DAYS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
from sqlalchemy import Engine

from maps import basemaps
from maps.layers import stations_near_zones
from maps.sea_layer import sea_features
from maps.staff_features import (
    FeatureCollection,
    base_features,
    daily_station_features,
    daily_window,
    district_features,
    monitor_features,
    section_features,
    station_features,
    zone_features,
)
from maps.staff_layers import MAX_WINDOW_DAYS
from maps.zone_supervision import monitor_popup_html, zone_supervision_html
from service.clock import Clock
from service.figures.latest import zones_frame
from service.figures.map_data import (
    city_outline,
    district_map_figures,
    sections_frame,
    stations_frame,
)
from service.figures.sea import sea_map_frames
from service.figures.zone_supervision import SupervisionOptions, supervised_zones, zone_summaries
from service.settings import Settings
from service.store.latest import station_day_aqi
from service.store.zone_monitoring import registry_places
from service.zones import zones_with_derived_eca

#: Days of the station popup's daily AQI chart (ending on the window's last day).
CHART_DAYS = 30


@dataclass(frozen=True, slots=True)
class LayerRequest:
    """What a layer is drawn for: ``districts`` (places), language, basemap, the CST days
    ``[start, end]`` of the time window (district figures are ``end``'s year), and the distance
    (km) within which a station is ringed as near a zone."""

    districts: gpd.GeoDataFrame
    lang: str
    basemap: basemaps.Basemap
    start: dt.date
    end: dt.date
    near_km: float = 2.0


Builder = Callable[[Engine, Clock, LayerRequest], FeatureCollection]


def _base(engine: Engine, clock: Clock, req: LayerRequest) -> FeatureCollection:
    return base_features(req.districts, city_outline(), req.basemap)


def _districts(indicator: Any) -> Builder:
    def build(engine: Engine, clock: Clock, req: LayerRequest) -> FeatureCollection:
        figures = district_map_figures(engine, req.districts, req.end.year, clock)
        return district_features(
            figures, indicator, req.lang, req.basemap, sections=sections_frame(engine)
        )

    return build


def _zones(engine: Engine, clock: Clock, req: LayerRequest) -> FeatureCollection:
    """Zones (with the demo yard and port in demo mode); a zone with monitors has its last
    ``CHART_DAYS`` days of supervision in its popup (staff view: the staff map is staff-only)."""
    options = SupervisionOptions.from_settings(Settings())
    # Every monitored zone from one read of the registry and of the readings.
    summaries = zone_summaries(engine, None, req.end, CHART_DAYS, staff=True, options=options)
    sections = {
        code: zone_supervision_html(summary.model_dump(), req.lang)
        for code, summary in summaries.items()
    }
    popups = {
        m.code: monitor_popup_html(
            m.model_dump(),
            summary.name_en if req.lang == "en" and summary.name_en else summary.name,
            req.lang,
        )
        for summary in summaries.values()
        for m in summary.monitors or []
    }
    # plus the derived emission control area (推导) until the bureau's zones hold one
    zones = zones_with_derived_eca(engine, supervised_zones(engine))
    body = zone_features(zones, req.lang, req.basemap, sections)
    # The monitors of the zones, drawn on top of them (the staff map is staff-only).
    with engine.connect() as conn:
        places = registry_places(conn)
    mon = places[places["code"].isin(list(popups)) & places["lon"].notna()]
    frame = gpd.GeoDataFrame(
        mon, geometry=gpd.points_from_xy(mon["lon"], mon["lat"]), crs="EPSG:4326"
    )
    body["features"] += monitor_features(frame, req.lang, req.basemap, popups)["features"]
    return body


def _sections(engine: Engine, clock: Clock, req: LayerRequest) -> FeatureCollection:
    return section_features(sections_frame(engine), req.lang, req.basemap)


def _stations(engine: Engine, clock: Clock, req: LayerRequest) -> FeatureCollection:
    stations = stations_frame(engine, req.lang)
    near_df = stations_near_zones(stations, zones_frame(engine), req.near_km)
    near = {str(r.station): f"{r.zone_name} ({r.distance_km:.1f} km)" for r in near_df.itertuples()}
    first = max(req.start, req.end - dt.timedelta(days=CHART_DAYS - 1))
    days = station_day_aqi(engine, first, req.end)
    return station_features(stations, req.lang, req.basemap, days=days, near=near)


def _sea(engine: Engine, clock: Clock, req: LayerRequest) -> FeatureCollection:
    points, areas = sea_map_frames(engine, f"{req.end.year:04d}")
    return sea_features(points, areas, req.lang, req.basemap)


def _daily(engine: Engine, clock: Clock, req: LayerRequest) -> FeatureCollection:
    return daily_station_features(stations_frame(engine, req.lang), req.lang, req.basemap)


#: Builders by layer key (the keys of ``maps.staff_layers.STAFF_LAYERS``).
BUILDERS: dict[str, Builder] = {
    "base": _base,
    "eg_ratio": _districts("excellent_good"),
    "class_iii": _districts("class_iii"),
    "zones": _zones,
    "sea": _sea,
    "sections": _sections,
    "stations": _stations,
    "daily_aqi": _daily,
}


def staff_layer_body(
    engine: Engine, clock: Clock, key: str, req: LayerRequest
) -> FeatureCollection:
    """The body of staff layer ``key`` (``KeyError`` for an undeclared one)."""
    return BUILDERS[key](engine, clock, req)


def staff_days(engine: Engine, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The time slider's daily station AQI over CST days ``[start, end]`` (at most
    ``MAX_WINDOW_DAYS``): ``{"dates": [...], "values": {station: [aqi or None per date]}}``."""
    if (end - start).days + 1 > MAX_WINDOW_DAYS:
        raise ValueError(f"a window holds at most {MAX_WINDOW_DAYS} days")
    days = station_day_aqi(engine, start, end)
    codes = sorted({str(c) for c in days["station"]}) if not days.empty else []
    return daily_window(days, codes, start.isoformat(), end.isoformat())
