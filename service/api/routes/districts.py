"""Figures per district and for the city: ratios against targets with budgets, daily AQI series;
staff: manual recompute and targets with their audit trail.

Public: ``GET /api/v1/districts``, ``GET /api/v1/districts/{code}/days``.
Staff: ``POST /api/v1/staff/recompute`` (operator), ``GET /api/v1/staff/targets`` (viewer),
``PUT /api/v1/staff/targets/{district}/{indicator}/{year}`` (operator), ``GET
/api/v1/staff/targets/audit`` (viewer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request
from fastapi.responses import Response

from service.api.cache import cached_json
from service.api.deps import ClockDep, EngineDep, LangDep, OperatorDep, SettingsDep, ViewerDep
from service.api.errors import NotFound, ValidationFailed
from service.api.routes.station_series import (
    DOWNLOAD_RESPONSES,
    Download,
    DownloadQuery,
    series_answer,
)
from service.api.schemas import Listing
from service.api.schemas_figures import (
    DayOut,
    DistrictDays,
    DistrictFigures,
    RecomputeIn,
    RecomputeOut,
    TargetAuditOut,
    TargetIn,
    TargetOut,
)
from service.compute import district_daily_records, recompute, recompute_all, ytd_as_of
from service.figures.demo_data import figures_are_demo
from service.figures.district_figures import all_district_figures
from service.figures.series_downloads import district_days_table
from service.jobs import evaluate_and_nudge
from service.store.compute_tables import DAY_INDICATORS
from service.targets import (
    TargetError,
    audit_trail,
    district_codes,
    list_targets,
    set_target,
)
from stations.standards import level_info

router = APIRouter(prefix="/api/v1", tags=["public"])

#: Longest ``from``..``to`` span of a daily series.
MAX_DAYS = 3 * 366

DistrictCode = Annotated[
    str, Path(max_length=12, pattern=r"^(\d{6}|city)$", description="district code or 'city'")
]
DayQuery = Annotated[dt.date | None, Query(description="CST day, YYYY-MM-DD")]
Indicator = Literal["air", "water", "sea"]


def _check_code(code: str) -> None:
    if code not in district_codes():
        raise NotFound("thing.district", ident=code)


@router.get("/districts", response_model=Listing[DistrictFigures], operation_id="listDistricts")
def list_districts(
    request: Request, engine: EngineDep, clock: ClockDep, settings: SettingsDep
) -> Listing[DistrictFigures] | Response:
    """Each district and the city with year-to-date 优良天数比例 and Ⅰ–Ⅲ类断面比例, targets and budgets."""
    as_of = ytd_as_of(clock)

    def build() -> Listing[DistrictFigures]:
        items = all_district_figures(engine, clock)
        return Listing[DistrictFigures](
            demo=settings.feeds.demo_mode, count=len(items), items=items
        )

    # Rebuilt when the figures' inputs change (service.api.cache) or the year-to-date day moves.
    return cached_json(request, ("districts", as_of), build)


def _day_out(rec: Mapping[Any, Any]) -> DayOut:
    level = rec.get("level")
    info = None if level is None else level_info(int(level))
    return DayOut(
        day=rec["day"],
        aqi=rec.get("aqi"),
        level=level,
        category_zh=None if info is None else info.category_zh,
        category_en=None if info is None else info.category_en,
        primary_pollutant=list(rec.get("primary_pollutants") or []),
        iaqi={str(k): int(v) for k, v in (rec.get("iaqi") or {}).items()},
        concentrations={k: rec.get(k.lower()) for k in DAY_INDICATORS},
        standard=str(rec["standard"]),
        counts_in_ratio=bool(rec.get("ratio_valid")),
        n_stations=int(rec.get("n_stations") or 0),
        stations=list(rec.get("stations") or []),
    )


@router.get(
    "/districts/{code}/days",
    response_model=DistrictDays,
    responses=DOWNLOAD_RESPONSES,
    operation_id="districtDays",
)
def district_days_route(
    request: Request,
    code: DistrictCode,
    engine: EngineDep,
    clock: ClockDep,
    lang: LangDep,
    from_: Annotated[dt.date | None, Query(alias="from", description="first CST day")] = None,
    to: Annotated[dt.date | None, Query(description="last CST day")] = None,
    format: DownloadQuery = Download.json,
) -> DistrictDays | Response:
    """Daily AQI series of a district (or ``city``); default: the last 30 complete days; CSV or
    XLSX with ``format`` (headers in ``lang``)."""
    _check_code(code)
    end = to or ytd_as_of(clock)
    if from_ is None and end < dt.date(1, 1, 30):
        raise ValidationFailed("to", "to>=0001-01-30")
    start = from_ or end - dt.timedelta(days=29)
    if start > end:
        raise ValidationFailed("from", "from<=to")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed("to", f"span<={MAX_DAYS}d")

    def build() -> DistrictDays:
        items = [_day_out(rec) for rec in district_daily_records(engine, code, start, end)]
        return DistrictDays(code=code, start=start, end=end, count=len(items), items=items)

    def table(series: DistrictDays, lang: str) -> tuple[list[str], list[list[Any]]]:
        return district_days_table(code, [i.model_dump() for i in series.items], lang)

    return series_answer(
        request,
        ("district-days", code, lang, start, end),
        build,
        table,
        format,
        f"{code}-days",
        demo=lambda: figures_are_demo(engine),
        lang=lang,
    )


# ---------------------------------------------------------------------------------------- staff ---


@router.post(
    "/staff/recompute", response_model=RecomputeOut, operation_id="staffRecompute", tags=["staff"]
)
def staff_recompute(
    _: OperatorDep,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    background: BackgroundTasks,
    body: RecomputeIn | None = None,
) -> RecomputeOut:
    """Recompute the figures now: the dirty days (default) or everything (``full``); the alerts are
    evaluated on the new figures right after the answer."""
    full = bool(body and body.full)
    r = recompute_all(engine, clock) if full else recompute(engine, clock)
    background.add_task(evaluate_and_nudge, engine, clock, settings)
    return RecomputeOut(
        full=full,
        station_days=r.station_days,
        district_days=r.district_days,
        section_periods=r.section_periods,
    )


def _target_out(t: Any) -> TargetOut:
    return TargetOut(
        district=t.district,
        indicator=t.indicator,
        year=t.year,
        value=float(t.value),
        stored=t.stored,
        updated_at=t.updated_at,
        updated_by=t.updated_by,
    )


@router.get(
    "/staff/targets", response_model=list[TargetOut], operation_id="staffTargets", tags=["staff"]
)
def staff_targets(
    _: ViewerDep,
    engine: EngineDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> list[TargetOut]:
    """Targets per district, indicator and year (defaults filled in for ``year``)."""
    return [_target_out(t) for t in list_targets(engine, year)]


@router.get(
    "/staff/targets/audit",
    response_model=list[TargetAuditOut],
    operation_id="staffTargetAudit",
    tags=["staff"],
)
def staff_target_audit(
    _: ViewerDep,
    engine: EngineDep,
    district: Annotated[str | None, Query(max_length=12, pattern=r"^(\d{6}|city)$")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> list[TargetAuditOut]:
    """Every change of a target, oldest first."""
    return [
        TargetAuditOut(
            district=a.district,
            indicator=a.indicator,
            year=a.year,
            old_value=None if a.old_value is None else float(a.old_value),
            new_value=float(a.new_value),
            who=a.who,
            at=a.at,
            note=a.reason,
        )
        for a in audit_trail(engine, district, year)
    ]


@router.put(
    "/staff/targets/{district}/{indicator}/{year}",
    response_model=TargetOut,
    operation_id="staffSetTarget",
    tags=["staff"],
)
def staff_set_target(
    staff: OperatorDep,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    background: BackgroundTasks,
    district: DistrictCode,
    indicator: Indicator,
    year: Annotated[int, Path(ge=2000, le=2100)],
    body: TargetIn,
) -> TargetOut:
    """Set a target (0..1); the change is recorded with the key's name in the audit trail."""
    try:
        t = set_target(
            engine,
            clock,
            district=district,
            indicator=indicator,
            year=year,
            value=Decimal(str(body.value)),
            who=staff.name,
            reason=body.reason,
        )
    except TargetError as exc:
        if exc.field == "district":
            raise NotFound("thing.district", ident=district) from None
        raise ValidationFailed(exc.field, exc.rule) from None
    # The target rules judge against the new value at once (after the answer), not at the next data.
    background.add_task(evaluate_and_nudge, engine, clock, settings)
    return _target_out(t)
