"""Nearshore seawater (GB 3097-1997): points with their class, 优良（一、二类）比例, map layers.

``GET /api/v1/sea/figures``: every point, bay / zone, district and the city for a period.
``GET /api/v1/sea/points`` (JSON or ``format=csv``): the points with their class.
``GET /api/v1/sea/points.geojson`` and ``/api/v1/sea/areas.geojson``: the map layers.
``period`` is ``YYYY`` or ``YYYY-MM`` (CST); the default is the year of the newest sea sample (the
current year once it has one).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine

from service.api.cache import cached_json
from service.api.deps import ClockDep, EngineDep
from service.api.errors import ValidationFailed
from service.api.routes.exports import CSV_RESPONSE, Format, FormatQuery, csv_response
from service.api.schemas import FeatureCollection, Listing
from service.clock import Clock
from service.figures.latest import point_features
from service.figures.sea import (
    PeriodError,
    latest_sea_period,
    period_bounds,
    sea_area_features,
    sea_figures,
    sea_points,
)
from service.figures.sea_values import SeaFigures, SeaPoint
from service.figures.values import Feature
from stations.cst import CST

router = APIRouter(prefix="/api/v1/sea", tags=["public"])

GEOJSON = "application/geo+json"
_GEO_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {GEOJSON: {}}}}

PeriodQuery = Annotated[
    str | None,
    Query(
        pattern=r"^\d{4}(-(0[1-9]|1[0-2]))?$",
        description="YYYY or YYYY-MM (CST); default: the year of the newest sample",
    ),
]


class _GeoJSON(JSONResponse):
    media_type = GEOJSON


def _period(period: str | None, engine: Engine, clock: Clock) -> str:
    if period is None:
        return latest_sea_period(engine, clock.now().astimezone(CST).date())
    try:
        period_bounds(period)
    except PeriodError as exc:
        raise ValidationFailed("period", "year_in_1900..2200", str(exc)) from None
    return period


@router.get("/figures", response_model=SeaFigures, operation_id="seaFigures")
def figures(
    request: Request, engine: EngineDep, clock: ClockDep, period: PeriodQuery = None
) -> SeaFigures | Response:
    """Each point's class, and 优良（一、二类）水质比例 per bay / zone, district and the city, by
    points and by area, with the districts' and city's targets and budgets."""
    p = _period(period, engine, clock)
    return cached_json(request, ("sea/figures", p), lambda: sea_figures(engine, p))


@router.get(
    "/points", response_model=Listing[SeaPoint], responses=CSV_RESPONSE, operation_id="seaPoints"
)
def points(
    request: Request,
    engine: EngineDep,
    clock: ClockDep,
    period: PeriodQuery = None,
    format: FormatQuery = Format.json,
) -> Listing[SeaPoint] | Response:
    """Every seawater monitoring point with its GB 3097 class (``IV+`` is 劣四类) over the period."""
    p = _period(period, engine, clock)
    if format is Format.csv:
        items = sea_points(engine, p)
        return csv_response(items, f"sea_points_{p}", demo=any(i.demo for i in items))

    def build() -> Listing[SeaPoint]:
        items = sea_points(engine, p)
        return Listing[SeaPoint](demo=any(i.demo for i in items), count=len(items), items=items)

    return cached_json(request, ("sea/points", p), build)


@router.get(
    "/points.geojson",
    response_model=FeatureCollection,
    responses=_GEO_RESPONSE,
    response_class=_GeoJSON,
    operation_id="seaPointsGeo",
)
def points_geojson(
    request: Request, engine: EngineDep, clock: ClockDep, period: PeriodQuery = None
) -> FeatureCollection | Response:
    """The points as a map layer (properties: class, target, demo...)."""
    p = _period(period, engine, clock)
    return cached_json(
        request,
        ("sea/points.geojson", p),
        lambda: point_features(sea_points(engine, p)),
        response_class=_GeoJSON,
    )


@router.get(
    "/areas.geojson",
    response_model=FeatureCollection,
    responses=_GEO_RESPONSE,
    response_class=_GeoJSON,
    operation_id="seaAreasGeo",
)
def areas_geojson(
    request: Request, engine: EngineDep, clock: ClockDep, period: PeriodQuery = None
) -> FeatureCollection | Response:
    """Bays and functional zones with their 优良 ratio over the period (map layer)."""
    p = _period(period, engine, clock)

    def build() -> FeatureCollection:
        return FeatureCollection(features=[Feature(**f) for f in sea_area_features(engine, p)])

    return cached_json(request, ("sea/areas.geojson", p), build, response_class=_GeoJSON)
