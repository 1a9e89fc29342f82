"""``GET /api/v1/stations``: 监测站点 with their latest hourly AQI and concentrations (public)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from service.api.cache import cached_json
from service.api.deps import EngineDep, LangDep, SettingsDep
from service.api.routes.exports import CSV_RESPONSE, Format, FormatQuery, csv_response
from service.api.schemas import Listing, StationLatest
from service.figures.demo_data import figures_are_demo
from service.figures.latest import station_items

router = APIRouter(prefix="/api/v1", tags=["public"])

DistrictQuery = Annotated[
    str | None, Query(max_length=12, pattern=r"^\d{6}$", description="district code, e.g. 330902")
]


@router.get(
    "/stations",
    response_model=Listing[StationLatest],
    responses=CSV_RESPONSE,
    operation_id="listStations",
)
def list_stations(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    lang: LangDep,
    district: DistrictQuery = None,
    format: FormatQuery = Format.json,
) -> Listing[StationLatest] | Response:
    """Every air station with the real-time AQI (HJ 633 实时报) of its latest hour."""
    if format is Format.csv:
        return csv_response(
            station_items(engine, lang, district), "stations", demo=figures_are_demo(engine)
        )

    def build() -> Listing[StationLatest]:
        items = station_items(engine, lang, district)
        return Listing[StationLatest](demo=settings.feeds.demo_mode, count=len(items), items=items)

    return cached_json(request, ("stations", lang, district), build)
