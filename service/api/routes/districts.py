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
from sqlalchemy import Engine

from service.alerts.evaluate import evaluate_now
from service.api.cache import cached_json
from service.api.deps import ClockDep, EngineDep, LangDep, OperatorDep, SettingsDep, ViewerDep
from service.api.errors import NotFound, ValidationFailed
from service.api.routes.station_series import (
    DOWNLOAD_RESPONSES,
    Download,
    DownloadQuery,
    download,
)
from service.api.schemas import Listing
from service.api.schemas_figures import (
    AirBudgetOut,
    AirFigures,
    DayOut,
    DistrictDays,
    DistrictFigures,
    ProjectionOut,
    RatioOut,
    RecomputeIn,
    RecomputeOut,
    SectionClassOut,
    TargetAuditOut,
    TargetIn,
    TargetOut,
    WaterBudgetOut,
    WaterFigures,
)
from service.clock import Clock
from service.compute import (
    air_budget_for,
    air_summary,
    district_daily_records,
    recompute,
    recompute_all,
    water_summary,
    ytd_as_of,
)
from service.figures.series_downloads import district_days_table
from service.runtime import LIVE_NAME
from service.store.compute_tables import DAY_INDICATORS
from service.targets import (
    CITY,
    TargetError,
    audit_trail,
    district_codes,
    get_target,
    list_targets,
    set_target,
)
from stations.ratios import Ratio
from stations.standards import DEFAULT_ASSUMPTIONS, level_info
from stations.targets import water_budget

router = APIRouter(prefix="/api/v1", tags=["public"])

#: Longest ``from``..``to`` span of a daily series.
MAX_DAYS = 3 * 366

DistrictCode = Annotated[
    str, Path(max_length=12, pattern=r"^(\d{6}|city)$", description="district code or 'city'")
]
DayQuery = Annotated[dt.date | None, Query(description="CST day, YYYY-MM-DD")]
Indicator = Literal["air", "water"]
CITY_NAMES = ("舟山市", "Zhoushan City")


def _ratio(r: Ratio) -> RatioOut:
    return RatioOut(
        numerator=r.numerator,
        denominator=r.denominator,
        value=r.value,
        percent=None if r.percent is None else str(r.percent),
    )


def _names(engine: Engine) -> dict[str, tuple[str, str]]:
    import geodata

    d = geodata.load_districts()
    names = {
        str(c): (str(n), str(e)) for c, n, e in zip(d["code"], d["name"], d["name_en"], strict=True)
    }
    names[CITY] = CITY_NAMES
    return names


def _check_code(code: str) -> None:
    if code not in district_codes():
        raise NotFound("thing.district", ident=code)


def air_figures(
    engine: Engine, code: str, start: dt.date, end: dt.date, *, budget: bool
) -> AirFigures:
    """Air figures of ``code`` over ``[start, end]``; with ``budget``, the target budget of ``end``'s year."""
    mode = DEFAULT_ASSUMPTIONS.target_mode
    s = air_summary(engine, code, start, end)
    target = get_target(engine, code, "air", end.year).value
    eg = Ratio(s.excellent_good_days, s.valid_days)
    left: dict[str, int] = {}
    for lo in s.left_out:
        left[lo.reason] = left.get(lo.reason, 0) + 1
    b_out = None
    if budget:
        b = air_budget_for(engine, code, year=end.year, as_of=end, target=target, mode=mode)
        p = b.projection
        b_out = AirBudgetOut(
            year=b.year,
            as_of=b.as_of,
            target=float(b.target),
            comparison=b.mode,
            days_in_year=b.days_in_year,
            valid_days=b.valid_days,
            excellent_good_days=b.good_days,
            invalid_days=b.invalid_days,
            remaining_days=b.remaining_days,
            required_excellent_good_days=b.required_good_days,
            budget=b.budget,
            budget_if_invalid=b.budget_if_invalid,
            expected_invalid=b.expected_invalid,
            status=b.status,
            exhausted_on=b.exhausted_on,
            projection=None
            if p is None
            else ProjectionOut(
                value=p.value,
                low=p.low,
                high=p.high,
                coverage=p.coverage,
                method=p.method,
                years=list(p.years),
            ),
        )
    return AirFigures(
        start=start,
        end=end,
        excellent_good_ratio=_ratio(eg),
        excellent_ratio=_ratio(Ratio(s.excellent_days, s.valid_days)),
        days_by_level={str(k): v for k, v in s.days_by_level.items()},
        primary_pollutants_non_good=s.primary_non_good,
        days_left_out=left,
        stations=s.stations,
        standards=s.standards,
        spans_standard_change=s.spans_standard_change,
        target=float(target),
        meets_target=eg.meets(target, mode),
        budget=b_out,
    )


def water_figures(engine: Engine, code: str, period: str) -> WaterFigures:
    """Class III ratio of the provincial sections of ``code`` in ``period`` with its budget."""
    mode = DEFAULT_ASSUMPTIONS.target_mode
    w = water_summary(engine, code, period)
    target = get_target(engine, code, "water", int(period[:4])).value
    ratio = Ratio(w.at_or_better_than_iii, w.evaluated)
    wb = water_budget([s.cls for s in w.sections], target=target, mode=mode)
    return WaterFigures(
        period=period,
        class_iii_ratio=_ratio(ratio),
        sections=[
            SectionClassOut(
                code=s.section,
                name=s.name,
                name_en=s.name_en,
                water_class=s.cls,
                deciding_items=s.deciding,
                items_worse_than_iii=s.worse_than_iii,
            )
            for s in w.sections
        ],
        sections_left_out=len(w.left_out),
        target=float(target),
        meets_target=ratio.meets(target, mode),
        budget=WaterBudgetOut(
            target=float(wb.target),
            comparison=wb.mode,
            evaluated=wb.evaluated,
            at_or_better_than_iii=wb.at_or_better_than_iii,
            required=wb.required,
            budget=wb.budget,
        ),
    )


def district_figures(engine: Engine, clock: Clock, code: str) -> DistrictFigures:
    """Year-to-date figures of one district or the city (through yesterday, CST)."""
    as_of = ytd_as_of(clock)
    names = _names(engine)
    name, name_en = names.get(code, (code, code))
    return DistrictFigures(
        code=code,
        name=name,
        name_en=name_en,
        air=air_figures(engine, code, dt.date(as_of.year, 1, 1), as_of, budget=True),
        water=water_figures(engine, code, f"{as_of.year:04d}"),
    )


@router.get("/districts", response_model=Listing[DistrictFigures], operation_id="listDistricts")
def list_districts(
    request: Request, engine: EngineDep, clock: ClockDep, settings: SettingsDep
) -> Listing[DistrictFigures] | Response:
    """Each district and the city with year-to-date 优良天数比例 and Ⅰ–Ⅲ类断面比例, targets and budgets."""
    as_of = ytd_as_of(clock)

    def build() -> Listing[DistrictFigures]:
        items = [district_figures(engine, clock, code) for code in district_codes()]
        return Listing[DistrictFigures](demo=settings.demo_mode, count=len(items), items=items)

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
    items = [_day_out(rec) for rec in district_daily_records(engine, code, start, end)]
    if format is not Download.json:
        table = district_days_table(code, [i.model_dump() for i in items], lang)
        from service.figures.demo_data import figures_are_demo

        return download(table, format, f"{code}-days", demo=figures_are_demo(engine), lang=lang)
    return DistrictDays(code=code, start=start, end=end, count=len(items), items=items)


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
    background.add_task(evaluate_now, engine, clock, settings, worker_name=LIVE_NAME)
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
    background.add_task(evaluate_now, engine, clock, settings, worker_name=LIVE_NAME)
    return _target_out(t)
