"""``GET /api/v1/zones``: harbour ship-pollution zones (public)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from service.api.cache import cached_json
from service.api.deps import EngineDep, SettingsDep
from service.api.routes.exports import CSV_RESPONSE, Format, FormatQuery, csv_response
from service.api.schemas import Listing, Zone
from service.figures.demo_data import figures_are_demo
from service.figures.latest import zone_items

router = APIRouter(prefix="/api/v1", tags=["public"])


@router.get(
    "/zones", response_model=Listing[Zone], responses=CSV_RESPONSE, operation_id="listZones"
)
def list_zones(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    kind: Annotated[str | None, Query(max_length=40, description="zone kind, e.g. route")] = None,
    format: FormatQuery = Format.json,
) -> Listing[Zone] | Response:
    """Every zone (anchorage, port area, ship-repair yard, emission-control area, route, bunkering)."""
    if format is Format.csv:
        return csv_response(zone_items(engine, kind), "zones", demo=figures_are_demo(engine))

    def build() -> Listing[Zone]:
        items = zone_items(engine, kind)
        return Listing[Zone](demo=settings.feeds.demo_mode, count=len(items), items=items)

    return cached_json(request, ("zones", kind), build)
