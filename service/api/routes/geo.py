"""GeoJSON layers the maps load by URL: ``/api/v1/geo/{districts,stations,sections,zones}.geojson``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from fastapi.types import DecoratedCallable

from service.api.deps import EngineDep, LangDep
from service.api.schemas import FeatureCollection
from service.api.views import (
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
def districts_geojson(request: Request) -> FeatureCollection:
    """District boundaries (区/县), WGS-84."""
    return frame_features(request.app.state.districts, DISTRICT_PUBLIC)


@_layer("/stations.geojson", "geoStations")
def stations_geojson(engine: EngineDep, lang: LangDep) -> FeatureCollection:
    """Station points with their latest hourly AQI."""
    return point_features(station_items(engine, lang))


@_layer("/sections.geojson", "geoSections")
def sections_geojson(engine: EngineDep) -> FeatureCollection:
    """Section points with their latest class; sections without published coordinates have none."""
    return point_features(section_items(engine))


@_layer("/zones.geojson", "geoZones")
def zones_geojson(engine: EngineDep) -> FeatureCollection:
    """Harbour ship-pollution zones."""
    return frame_features(zones_frame(engine), ZONE_PUBLIC)
