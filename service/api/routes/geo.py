"""GeoJSON layers the maps load by URL: ``/api/v1/geo/{districts,stations,sections,zones}.geojson``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from fastapi.types import DecoratedCallable

from service.api.cache import cached_json
from service.api.deps import EngineDep, LangDep
from service.api.schemas import FeatureCollection
from service.figures.latest import (
    DISTRICT_PUBLIC,
    ZONE_PUBLIC,
    frame_features,
    point_features,
    section_items,
    station_items,
    zones_frame,
)

GEOJSON = "application/geo+json"


class GeoJSONResponse(JSONResponse):
    """JSON served as ``application/geo+json``."""

    media_type = GEOJSON


router = APIRouter(prefix="/api/v1/geo", tags=["geo"], default_response_class=GeoJSONResponse)
_GEO_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {GEOJSON: {}}}}


def _layer(path: str, operation_id: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """The GET route of one layer: a ``FeatureCollection`` documented as ``application/geo+json``."""
    return router.get(
        path, response_model=FeatureCollection, responses=_GEO_RESPONSE, operation_id=operation_id
    )


@_layer("/districts.geojson", "geoDistricts")
def districts_geojson(request: Request) -> FeatureCollection | Response:
    """District boundaries (区/县), WGS-84."""
    # Loaded once per app from the shipped file: built once.
    return cached_json(
        request,
        "geo/districts",
        lambda: frame_features(request.app.state.districts, DISTRICT_PUBLIC),
        response_class=GeoJSONResponse,
        static=True,
    )


@_layer("/stations.geojson", "geoStations")
def stations_geojson(
    request: Request, engine: EngineDep, lang: LangDep
) -> FeatureCollection | Response:
    """Station points with their latest hourly AQI."""
    return cached_json(
        request,
        ("geo/stations", lang),
        lambda: point_features(station_items(engine, lang)),
        response_class=GeoJSONResponse,
    )


@_layer("/sections.geojson", "geoSections")
def sections_geojson(request: Request, engine: EngineDep) -> FeatureCollection | Response:
    """Section points with their latest class; sections without published coordinates have none."""
    return cached_json(
        request,
        "geo/sections",
        lambda: point_features(section_items(engine)),
        response_class=GeoJSONResponse,
    )


@_layer("/zones.geojson", "geoZones")
def zones_geojson(request: Request, engine: EngineDep) -> FeatureCollection | Response:
    """Harbour ship-pollution zones (rebuilt when a zone file is imported)."""
    return cached_json(
        request,
        "geo/zones",
        lambda: frame_features(zones_frame(engine), ZONE_PUBLIC),
        response_class=GeoJSONResponse,
    )
