"""Assessment figures (HJ 663 statistics, composite index, what ozone costs, 同比/环比).

Public: ``GET /api/v1/districts/{code}/assessment?period=...``, ``GET /api/v1/city/assessment`` and
the CSV of every district and the city, ``GET /api/v1/export/assessment.csv?period=...``.
Public because these are the figures the bureau publishes (annual means, percentiles, composite
index, ratios), computed from the daily values ``/districts/{code}/days`` already serves; nothing
here names a person, a key or an unpublished station.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from service.api.cache import cached_json
from service.api.deps import ClockDep, EngineDep
from service.api.errors import NotFound, ValidationFailed
from service.api.routes.exports import CSV_MEDIA, CSV_RESPONSE, to_csv
from service.figures.assessment import area_assessment, assessment_export_rows, resolve_period
from service.targets import CITY
from stations.standards.assessment_periods import PERIOD_FORMS

router = APIRouter(prefix="/api/v1", tags=["public"])

DistrictCode = Annotated[
    str, Path(max_length=12, pattern=r"^(\d{6}|city)$", description="district code or 'city'")
]
PeriodQuery = Annotated[
    str | None,
    Query(
        max_length=32,
        description=f"{PERIOD_FORMS}; default: this year to date. A running period ends yesterday.",
    ),
]


class AssessmentOut(BaseModel):
    """One district's (or the city's) assessment; see docs/assessment.md for every member."""

    code: str
    name_zh: str
    name_en: str
    period: dict[str, Any] = Field(description="label, kind, start, end (CST days), complete")
    stations: list[str] = Field(description="stations that contributed a day in the period")
    current: dict[str, Any] = Field(
        description="statistics (PM25, PM10, SO2, NO2 µg/m³; CO_24h_p95 mg/m³; O3_8h_p90 µg/m³; "
        "composite_index; sufficiency), published, limits, composite, exceedance_days, days, "
        "monthly, ozone_season"
    )
    year_ago: dict[str, Any] | None = Field(description="the same days one year earlier")
    previous: dict[str, Any] | None = Field(description="the month/quarter before (环比)")
    compared_with_last_year: dict[str, Any] | None = Field(description="同比 changes")
    compared_with_previous: dict[str, Any] | None = Field(description="环比 changes")


def _assessment(
    request: Request, engine: EngineDep, clock: ClockDep, code: str, period: str | None
) -> AssessmentOut | Response:
    try:
        p = resolve_period(period, clock)
    except ValueError as exc:
        raise ValidationFailed("period", "period_form", str(exc)) from None

    def build() -> AssessmentOut:
        try:
            a = area_assessment(engine, clock, code, p.label)
        except KeyError:
            raise NotFound("thing.district", ident=code) from None
        return AssessmentOut(**a.as_json())

    return cached_json(request, ("assessment", code, p.label, p.end), build)


@router.get(
    "/districts/{code}/assessment",
    response_model=AssessmentOut,
    operation_id="districtAssessment",
)
def district_assessment_route(
    code: DistrictCode,
    request: Request,
    engine: EngineDep,
    clock: ClockDep,
    period: PeriodQuery = None,
) -> AssessmentOut | Response:
    """HJ 663 statistics of a district (or ``city``) for a period, with 同比 and 环比."""
    return _assessment(request, engine, clock, code, period)


@router.get("/city/assessment", response_model=AssessmentOut, operation_id="cityAssessment")
def city_assessment_route(
    request: Request,
    engine: EngineDep,
    clock: ClockDep,
    period: PeriodQuery = None,
) -> AssessmentOut | Response:
    """HJ 663 statistics of the city (mean of every station with a district) for a period."""
    return _assessment(request, engine, clock, CITY, period)


@router.get(
    "/export/assessment.csv",
    response_class=Response,
    responses=CSV_RESPONSE,
    operation_id="exportAssessment",
    tags=["export"],
)
def export_assessment(engine: EngineDep, clock: ClockDep, period: PeriodQuery = None) -> Response:
    """Every district and the city: HJ 663 statistics with sufficiency and limits, composite index
    and shares, exceedance days, ratios with and without ozone, days lost, ozone season, 同比/环比
    changes (per cent; ratios in percentage points), as CSV (UTF-8 with BOM)."""
    try:
        p = resolve_period(period, clock)
    except ValueError as exc:
        raise ValidationFailed("period", "period_form", str(exc)) from None
    body = to_csv(assessment_export_rows(engine, clock, p.label))
    return Response(
        body,
        media_type=CSV_MEDIA,
        headers={"Content-Disposition": f'attachment; filename="assessment-{p.label}.csv"'},
    )
