"""Public station history: ``GET /api/v1/stations/{code}`` (place, latest hour with health advice,
today so far), ``/hours`` (hourly concentrations, IAQI, AQI; at most ``MAX_HOUR_DAYS`` days) and
``/days`` (HJ 663 daily values with validity, AQI, level, primary pollutant), each as JSON, CSV or
XLSX. The figures come from ``service.figures.station_series``; this module only speaks HTTP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from service.api.bounds import checked_day
from service.api.cache import cached_json, cached_response
from service.api.deps import ClockDep, EngineDep, LangDep
from service.api.errors import NotFound, ValidationFailed
from service.figures.demo_data import figures_are_demo
from service.figures.series_downloads import (
    XLSX_MEDIA,
    hours_table,
    series_file,
    station_days_table,
)
from service.figures.station_series import (
    MAX_DAYS,
    MAX_HOUR_DAYS,
    SeriesError,
    StationDays,
    StationDetail,
    StationHours,
    day_window,
    hour_window,
    station_day_series,
    station_detail,
    station_hour_series,
)
from stations.cst import CST

router = APIRouter(prefix="/api/v1", tags=["public"])
SeriesT = TypeVar("SeriesT", bound=BaseModel)

StationCode = Annotated[
    str, Path(max_length=32, pattern=r"^[A-Za-z0-9_-]+$", description="station code, e.g. 1258A")
]
FromQuery = Annotated[dt.date | None, Query(alias="from", description="first CST day, YYYY-MM-DD")]
ToQuery = Annotated[dt.date | None, Query(description="last CST day, YYYY-MM-DD")]


class Download(StrEnum):
    """Representation of a series."""

    json = "json"
    csv = "csv"
    xlsx = "xlsx"


DownloadQuery = Annotated[
    Download,
    Query(description="json (default), csv (UTF-8 with BOM) or xlsx; headers follow lang"),
]
DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX_MEDIA: {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "JSON, or a CSV (UTF-8 BOM) / XLSX download with format=",
    }
}


HOURS_DESCRIPTION = (
    "Hourly concentrations (as published: whole µg/m³, CO 0.1 mg/m³), IAQI and real-time AQI "
    f"(实时报) of every hour ending in the CST days from..to (at most {MAX_HOUR_DAYS} days); "
    "default: the last 24 hours. Hours without readings are listed with nulls."
)
DAYS_DESCRIPTION = (
    "Daily values (HJ 663, as published) with each indicator's validity (GB 3095 表4), the daily "
    f"AQI (日报), level and primary pollutant, for the CST days from..to (at most {MAX_DAYS} days); "
    "default: the last 30 complete days."
)


def download(
    table: tuple[list[str], list[list[Any]]],
    fmt: Download,
    name: str,
    *,
    demo: bool = False,
    lang: str = "zh",
) -> Response:
    """A CSV or XLSX attachment of ``table`` named ``name`` (``series_file``)."""
    file = series_file(table, "csv" if fmt is Download.csv else "xlsx", name, demo=demo, lang=lang)
    return Response(
        file.body,
        media_type=file.media_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )


def series_answer(
    request: Request,
    key: tuple[object, ...],
    build: Callable[[], SeriesT],
    table: Callable[[SeriesT, str], tuple[list[str], list[list[Any]]]],
    fmt: Download,
    name: str,
    *,
    demo: Callable[[], bool],
    lang: str,
) -> SeriesT | Response:
    """A series as JSON or, with ``format=csv|xlsx``, a download; both cached by data version
    under ``key`` (finding 9: a download is cached like the JSON)."""
    if fmt is Download.json:
        return cached_json(request, key, build)
    return cached_response(
        request,
        (*key, fmt),
        lambda: download(table(build(), lang), fmt, name, demo=demo(), lang=lang),
    )


def _refused(exc: SeriesError) -> ValidationFailed:
    return ValidationFailed(exc.field, exc.rule)


@router.get("/stations/{code}", response_model=StationDetail, operation_id="stationDetail")
def station_route(
    request: Request, code: StationCode, engine: EngineDep, clock: ClockDep, lang: LangDep
) -> StationDetail | Response:
    """A station: its place, the latest hour (实时报 AQI) with HJ 633 表2 health advice, and the
    hours of today (CST) so far."""
    hour = clock.now().astimezone(CST).replace(minute=0, second=0, microsecond=0)

    def build() -> StationDetail:
        detail = station_detail(engine, clock, code, lang)
        if detail is None:
            raise NotFound("thing.station", ident=code)
        return detail

    return cached_json(request, ("station", code, lang, hour), build)


@router.get(
    "/stations/{code}/hours",
    response_model=StationHours,
    responses=DOWNLOAD_RESPONSES,
    operation_id="stationHours",
    description=HOURS_DESCRIPTION,
)
def station_hours_route(
    request: Request,
    code: StationCode,
    engine: EngineDep,
    clock: ClockDep,
    lang: LangDep,
    from_: FromQuery = None,
    to: ToQuery = None,
    format: DownloadQuery = Download.json,
) -> StationHours | Response:
    """A station's hourly series (``HOURS_DESCRIPTION``)."""
    from_, to = checked_day(from_, "from"), checked_day(to, "to")  # finding 10: no overflow
    try:
        first, last = hour_window(clock, from_, to)
    except SeriesError as exc:
        raise _refused(exc) from None

    def build() -> StationHours:
        series = station_hour_series(engine, code, first, last, lang)
        if series is None:
            raise NotFound("thing.station", ident=code)
        return series

    return series_answer(
        request,
        ("station-hours", code, lang, first, last),
        build,
        hours_table,
        format,
        f"{code}-hours",
        demo=lambda: figures_are_demo(engine),
        lang=lang,
    )


@router.get(
    "/stations/{code}/days",
    response_model=StationDays,
    responses=DOWNLOAD_RESPONSES,
    operation_id="stationDays",
    description=DAYS_DESCRIPTION,
)
def station_days_route(
    request: Request,
    code: StationCode,
    engine: EngineDep,
    clock: ClockDep,
    lang: LangDep,
    from_: FromQuery = None,
    to: ToQuery = None,
    format: DownloadQuery = Download.json,
) -> StationDays | Response:
    """A station's daily series (``DAYS_DESCRIPTION``)."""
    from_, to = checked_day(from_, "from"), checked_day(to, "to")  # finding 10: no overflow
    try:
        start, end = day_window(clock, from_, to)
    except SeriesError as exc:
        raise _refused(exc) from None

    def build() -> StationDays:
        series = station_day_series(engine, code, start, end, lang)
        if series is None:
            raise NotFound("thing.station", ident=code)
        return series

    return series_answer(
        request,
        ("station-days", code, lang, start, end),
        build,
        station_days_table,
        format,
        f"{code}-days",
        demo=lambda: figures_are_demo(engine),
        lang=lang,
    )


__all__ = ["DOWNLOAD_RESPONSES", "Download", "DownloadQuery", "download", "router", "series_answer"]
