"""A station's public history: its place, latest hour and today so far, hourly series (实时报 AQI per
hour) and daily series (HJ 663 daily values with validity, HJ 633 日报 AQI), for the API, the map's
popup charts and the downloads.

Times are shown in China Standard Time with their offset (``+08:00``); concentrations are published
as the national release does (GB/T 8170 half-even: whole µg/m³, CO to 0.1 mg/m³). Hourly AQI is
:func:`stations.standards.hourly.hour_aqi_series` over the same inputs as the latest-hour view
(``/api/v1/stations``), so a station's last hour agrees with its marker on the map.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from service.clock import Clock
from service.compute.cst import cst_day_bounds, cst_today, ytd_as_of
from service.store.station_series import (
    latest_hour,
    station_day_rows,
    station_hours,
    station_place,
)
from stations.cst import CST
from stations.model import POLLUTANTS
from stations.standards import level_info
from stations.standards.aqi import HOURLY_INDICATORS
from stations.standards.health import health_advice
from stations.standards.hourly import hour_aqi_series, published
from stations.standards.tables import DAILY_INDICATORS

#: Longest span of ``/hours`` (CST days): a month of hours, 744 rows.
MAX_HOUR_DAYS: Final = 31
#: Longest span of ``/days`` (days).
MAX_DAYS: Final = 3 * 366
#: Default spans: the last 24 hours; the last 30 complete days.
DEFAULT_HOURS: Final = 24
DEFAULT_DAYS: Final = 30
#: Hourly indicators shown (1-h means, and the moving means when the feed reports them).
HOUR_KEYS: Final = HOURLY_INDICATORS
#: Units of every indicator key (HJ 633 表1: µg/m³, CO mg/m³).
UNITS: Final = {
    k: ("mg/m³" if k.startswith("CO") else "µg/m³") for k in HOUR_KEYS + DAILY_INDICATORS
}


class Figure(BaseModel):
    """Base of this module's values: unknown fields are refused (nothing leaks by accident)."""

    model_config = ConfigDict(extra="forbid")


class HealthOut(Figure):
    """HJ 633 表2 advice of the level: 对健康影响情况 and 建议采取的措施."""

    effects: str
    measures: str
    standard: str
    clause: str


class HourValue(Figure):
    """One hour (labelled by its end, CST) with 1-h concentrations, IAQI and real-time AQI."""

    time: dt.datetime = Field(description="end of the hour, ISO 8601 with +08:00")
    concentrations: dict[str, int | float | None] = Field(
        description="as published: whole µg/m³; CO in mg/m³ to 0.1"
    )
    iaqi: dict[str, int]
    aqi: int | None
    level: int | None
    category: str | None
    primary_pollutant: list[str]
    standard: str


class DayValue(Figure):
    """One CST day: HJ 663 daily values with their validity, HJ 633 日报 AQI."""

    day: dt.date
    concentrations: dict[str, int | float | None] = Field(
        description="as published: whole µg/m³; CO in mg/m³ to 0.1"
    )
    valid: dict[str, bool] = Field(description="indicator -> enough valid hours (GB 3095 表4)")
    hours: dict[str, int] = Field(description="pollutant -> valid hours")
    iaqi: dict[str, int]
    aqi: int | None
    level: int | None
    category: str | None
    primary_pollutant: list[str]
    counts_in_ratio: bool
    standard: str


class StationInfo(Figure):
    """A station's registry entry."""

    code: str
    name: str
    name_en: str | None = None
    district_code: str | None = None
    kind: str | None = None
    demo: bool
    lon: float | None = None
    lat: float | None = None


class StationHours(Figure):
    """A station's hourly series over ``start``..``end`` (ends of hours, CST)."""

    station: StationInfo
    start: dt.datetime
    end: dt.datetime
    units: dict[str, str]
    count: int
    items: list[HourValue]


class StationDays(Figure):
    """A station's daily series over ``start``..``end`` (CST days, inclusive)."""

    station: StationInfo
    start: dt.date
    end: dt.date
    units: dict[str, str]
    count: int
    items: list[DayValue]


class StationDetail(Figure):
    """A station with its latest hour, health advice for it, and today's hours so far."""

    station: StationInfo
    units: dict[str, str]
    latest: HourValue | None
    health: HealthOut | None
    today: list[HourValue] = Field(description="hours of today (CST) so far")


class SeriesError(ValueError):
    """A range a caller asked for that the series refuses (``field``, ``rule``)."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


def _info(place: Mapping[Any, Any]) -> StationInfo:
    return StationInfo(
        code=place["code"],
        name=place["name"],
        name_en=place["name_en"],
        district_code=place["district_code"],
        kind=place["kind"],
        demo=bool(place["demo"]),
        lon=place["lon"],
        lat=place["lat"],
    )


def station_info(engine: Engine, code: str) -> StationInfo | None:
    """The registry entry of ``code``; None when no such station."""
    with engine.connect() as conn:
        place = station_place(conn, code)
    return None if place is None else _info(place)


def _inputs(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Indicator-keyed input columns from a wide frame of pollutant codes (``SO2`` -> ``SO2_1h``)."""
    out: dict[str, np.ndarray] = {}
    for col in frame.columns:
        key = f"{col}_1h" if col in POLLUTANTS else str(col)
        if key in HOUR_KEYS and key not in out:
            out[key] = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=np.float64)
    return out


def _shown(key: str, v: float) -> int | float | None:
    """A published value: whole µg/m³ as an int, CO (0.1 mg/m³) as a float; None when missing."""
    if math.isnan(v):
        return None
    return float(v) if key.startswith("CO") else int(v)


def _category(level: int | None, lang: str) -> str | None:
    if level is None:
        return None
    info = level_info(level)
    return info.category_en if lang == "en" else info.category_zh


def _hour_values(frame: pd.DataFrame, lang: str) -> list[HourValue]:
    """Hour values of a wide frame (index: ends of hours, UTC), AQI computed for all hours at once."""
    if frame.empty:
        return []
    conc = _inputs(frame)
    index = pd.DatetimeIndex(frame.index)
    hours = index.tz_convert("UTC").tz_localize(None).to_numpy(dtype="datetime64[m]")
    series = hour_aqi_series(hours, conc)
    shown = {k: published(k, v) for k, v in conc.items()}
    items = []
    for i, t in enumerate(index):
        aqi = None if math.isnan(series.aqi[i]) else int(series.aqi[i])
        level = int(series.level[i]) or None
        items.append(
            HourValue(
                time=t.to_pydatetime().astimezone(CST),
                concentrations={k: _shown(k, v[i]) for k, v in shown.items()},
                iaqi=series.iaqi_of(i),
                aqi=aqi,
                level=level,
                category=_category(level, lang),
                primary_pollutant=series.primary(i) if aqi is not None else [],
                standard=str(series.standard[i]),
            )
        )
    return items


def _health(level: int | None, standard: str, lang: str) -> HealthOut | None:
    advice = health_advice(level, standard)
    if advice is None:
        return None
    return HealthOut(
        effects=advice.effects(lang),
        measures=advice.measures(lang),
        standard=advice.standard,
        clause=advice.clause,
    )


def hour_window(
    clock: Clock, start: dt.date | None, end: dt.date | None
) -> tuple[dt.datetime, dt.datetime]:
    """UTC ``[first, last]`` ends of hours: the CST days ``start``..``end`` (01:00 .. 24:00), or the
    last ``DEFAULT_HOURS`` hours up to now. Refuses reversed or longer than ``MAX_HOUR_DAYS`` spans."""
    if start is None and end is None:
        last = clock.now().astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
        return last - dt.timedelta(hours=DEFAULT_HOURS - 1), last
    end = end or cst_today(clock)
    start = start or end
    if start > end:
        raise SeriesError("from", "from<=to")
    if (end - start).days + 1 > MAX_HOUR_DAYS:
        raise SeriesError("to", f"span<={MAX_HOUR_DAYS}d")
    first, _ = cst_day_bounds(start)
    _, after = cst_day_bounds(end)
    return first, after - dt.timedelta(hours=1)


def station_hour_series(
    engine: Engine,
    code: str,
    first: dt.datetime,
    last: dt.datetime,
    lang: str = "zh",
) -> StationHours | None:
    """Every hour ending in ``[first, last]`` (UTC), missing hours included as nulls; None when
    ``code`` is not a station."""
    with engine.connect() as conn:
        place = station_place(conn, code)
        if place is None:
            return None
        frame = station_hours(conn, code, first, last + dt.timedelta(hours=1))
    grid = pd.date_range(first, last, freq="h", tz="UTC", name="time")
    frame = frame.reindex(grid)
    items = _hour_values(frame, lang)
    return StationHours(
        station=_info(place),
        start=first.astimezone(CST),
        end=last.astimezone(CST),
        units={k: UNITS[k] for k in HOUR_KEYS},
        count=len(items),
        items=items,
    )


def day_window(clock: Clock, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """CST days ``start``..``end``; default the last ``DEFAULT_DAYS`` complete days."""
    end = end or ytd_as_of(clock)
    start = start or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise SeriesError("from", "from<=to")
    if (end - start).days + 1 > MAX_DAYS:
        raise SeriesError("to", f"span<={MAX_DAYS}d")
    return start, end


def _day_value(rec: Mapping[Any, Any], lang: str) -> DayValue:
    level = rec.get("level")
    level = None if level is None else int(level)
    conc: dict[str, int | float | None] = {}
    for key in DAILY_INDICATORS:
        v = rec.get(key.lower())
        conc[key] = (
            None if v is None else _shown(key, float(published(key, np.array([float(v)]))[0]))
        )
    return DayValue(
        day=rec["day"],
        concentrations=conc,
        valid={str(k): bool(v) for k, v in (rec.get("valid") or {}).items()},
        hours={str(k): int(v) for k, v in (rec.get("n_hours") or {}).items()},
        iaqi={str(k): int(v) for k, v in (rec.get("iaqi") or {}).items()},
        aqi=None if rec.get("aqi") is None else int(rec["aqi"]),
        level=level,
        category=_category(level, lang),
        primary_pollutant=list(rec.get("primary_pollutants") or []),
        counts_in_ratio=bool(rec.get("ratio_valid")),
        standard=str(rec["standard"]),
    )


def station_day_series(
    engine: Engine, code: str, start: dt.date, end: dt.date, lang: str = "zh"
) -> StationDays | None:
    """The computed days of ``code`` over ``start``..``end`` (days without a stored row left out);
    None when ``code`` is not a station."""
    with engine.connect() as conn:
        place = station_place(conn, code)
        if place is None:
            return None
        rows = station_day_rows(conn, code, start, end)
    items = [_day_value(r, lang) for r in rows]
    return StationDays(
        station=_info(place),
        start=start,
        end=end,
        units={k: UNITS[k] for k in DAILY_INDICATORS},
        count=len(items),
        items=items,
    )


def station_detail(
    engine: Engine, clock: Clock, code: str, lang: str = "zh"
) -> StationDetail | None:
    """Registry entry, the latest hour with its health advice, and today's hours (CST) so far."""
    with engine.connect() as conn:
        place = station_place(conn, code)
        if place is None:
            return None
        last = latest_hour(conn, code)
        today_first, _ = cst_day_bounds(cst_today(clock))
        now = clock.now().astimezone(dt.UTC)
        today = station_hours(conn, code, today_first, now + dt.timedelta(seconds=1))
        latest = (
            None if last is None else station_hours(conn, code, last, last + dt.timedelta(hours=1))
        )
    latest_items = [] if latest is None else _hour_values(latest, lang)
    hour = latest_items[0] if latest_items else None
    return StationDetail(
        station=_info(place),
        units={k: UNITS[k] for k in HOUR_KEYS},
        latest=hour,
        health=None if hour is None else _health(hour.level, hour.standard, lang),
        today=_hour_values(today, lang),
    )


__all__ = [
    "DEFAULT_DAYS",
    "DEFAULT_HOURS",
    "MAX_DAYS",
    "MAX_HOUR_DAYS",
    "UNITS",
    "DayValue",
    "HealthOut",
    "HourValue",
    "SeriesError",
    "StationDays",
    "StationDetail",
    "StationHours",
    "StationInfo",
    "day_window",
    "hour_window",
    "station_day_series",
    "station_detail",
    "station_hour_series",
    "station_info",
]
