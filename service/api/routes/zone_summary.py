"""``GET /api/v1/zones/{code}/summary`` (public) and ``GET /api/v1/staff/zones/{code}/summary``
(staff): a harbour zone's supervision figures over the last ``days`` CST days.

What is public and what is not (README, docs/supervision.md): the public page gives the zone-level
statistics — means, 95th percentiles, exceedance hours per limit, difference to the city background
of its monitors as a group and of the AQI stations near it — and the monitors' codes. A yard's or
port's monitor belongs to the yard or to the bureau's enforcement work: its own statistics, its last
data time and every exceedance hour with its raw value are staff-only (viewer role and above).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from service.api.bounds import checked_day
from service.api.cache import cached_json
from service.api.deps import ClockDep, EngineDep, SettingsDep, ViewerDep
from service.api.errors import NotFound
from service.compute.cst import ytd_as_of
from service.figures.zone_supervision import (
    SupervisionOptions,
    UnknownZone,
    ZoneSummary,
    zone_summary,
)

router = APIRouter(tags=["public"])

ZoneCode = Annotated[str, Path(min_length=1, max_length=120, pattern=r"^[\w.\-]+$")]
Days = Annotated[int, Query(ge=1, le=366, description="CST days up to and including end")]
End = Annotated[
    dt.date | None, Query(description="last CST day (default: yesterday, the last complete day)")
]


def _summary(
    engine: EngineDep,
    settings: SettingsDep,
    clock: ClockDep,
    code: str,
    end: dt.date | None,
    days: int,
    *,
    staff: bool,
) -> ZoneSummary:
    last = checked_day(end, "end") or ytd_as_of(clock)
    try:
        return zone_summary(
            engine,
            code,
            last,
            days,
            staff=staff,
            options=SupervisionOptions.from_settings(settings),
        )
    except UnknownZone:
        raise NotFound("thing.zone", ident=code) from None


@router.get("/api/v1/zones/{code}/summary", response_model=ZoneSummary, operation_id="zoneSummary")
def public_zone_summary(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    clock: ClockDep,
    code: ZoneCode,
    end: End = None,
    days: Days = 30,
) -> ZoneSummary | Response:
    """A zone's statistics (public): its monitors as a group and the AQI stations near it against
    the city background — means and 95th percentiles in each parameter's stored unit (NMHC mg/m³
    as carbon, the rest µg/m³), exceedance hours per limit (with standard and clause), the
    difference to background, and the daily line of its lead parameter. No monitor's own figures
    or raw values: those are at ``/api/v1/staff/zones/{code}/summary``. ``demo`` is true for the
    demo yard and port."""

    def build() -> ZoneSummary:
        return _summary(engine, settings, clock, code, end, days, staff=False)

    return cached_json(request, ("zone-summary", code, end, days), build)


@router.get(
    "/api/v1/staff/zones/{code}/summary",
    response_model=ZoneSummary,
    operation_id="staffZoneSummary",
    tags=["staff"],
)
def staff_zone_summary(
    _: ViewerDep,
    engine: EngineDep,
    settings: SettingsDep,
    clock: ClockDep,
    code: ZoneCode,
    end: End = None,
    days: Days = 30,
) -> ZoneSummary:
    """The public summary plus each monitor's statistics, last data time and exceedance hours, and
    every exceedance hour with its value (staff: viewer and above)."""
    return _summary(engine, settings, clock, code, end, days, staff=True)
