"""GeoJSON layers the maps load by URL: ``/api/v1/geo/{districts,stations,sections,zones}.geojson``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

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
_GEO_RESPONSE = {200: {"content": {GEOJSON: {}}}}


@router.get(
    "/districts.geojson",
    response_model=FeatureCollection,
    responses=_GEO_RESPONSE,
    operation_id="geoDistricts",
)
def districts_geojson(request: Request) -> FeatureCollection:
    """District boundaries (区/县), WGS-84."""
    return frame_features(request.app.state.districts, DISTRICT_PUBLIC)


@router.get(
    "/stations.geojson",
    response_model=FeatureCollection,
    responses=_GEO_RESPONSE,
    operation_id="geoStations",
)
def stations_geojson(engine: EngineDep, lang: LangDep) -> FeatureCollection:
    """Station points with their latest hourly AQI."""
    return point_features(station_items(engine, lang))


@router.get(
    "/sections.geojson",
    response_model=FeatureCollection,
    responses=_GEO_RESPONSE,
    operation_id="geoSections",
)
def sections_geojson(engine: EngineDep) -> FeatureCollection:
    """Section points with their latest class; sections without published coordinates have none."""
    return point_features(section_items(engine))


@router.get(
    "/zones.geojson",
    response_model=FeatureCollection,
    responses=_GEO_RESPONSE,
    operation_id="geoZones",
)
def zones_geojson(engine: EngineDep) -> FeatureCollection:
    """Harbour ship-pollution zones."""
    return frame_features(zones_frame(engine), ZONE_PUBLIC)
