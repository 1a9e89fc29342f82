"""``GET /api/v1/sections``: 断面 with their latest water class (public)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.api.cache import cached_json
from service.api.deps import EngineDep, SettingsDep
from service.api.routes.exports import CSV_RESPONSE, Format, FormatQuery, csv_response
from service.api.routes.stations import DistrictQuery
from service.api.schemas import Listing, SectionLatest
from service.figures.demo_data import figures_are_demo
from service.figures.latest import section_items

router = APIRouter(prefix="/api/v1", tags=["public"])


@router.get(
    "/sections",
    response_model=Listing[SectionLatest],
    responses=CSV_RESPONSE,
    operation_id="listSections",
)
def list_sections(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    district: DistrictQuery = None,
    format: FormatQuery = Format.json,
) -> Listing[SectionLatest] | Response:
    """Every surface-water section with its latest monthly class (GB 3838; ``V+`` is 劣Ⅴ)."""
    if format is Format.csv:
        return csv_response(
            section_items(engine, district), "sections", demo=figures_are_demo(engine)
        )

    def build() -> Listing[SectionLatest]:
        items = section_items(engine, district)
        return Listing[SectionLatest](demo=settings.feeds.demo_mode, count=len(items), items=items)

    return cached_json(request, ("sections", district), build)
