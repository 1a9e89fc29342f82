"""Period figures read from the computed tables only: 优良天数比例 per district or the city from
``district_days``, Ⅰ–Ⅲ类断面比例 from ``section_periods``, and the daily series behind them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from service.compute.cst import HJ633_2026_EFFECTIVE
from service.compute.water_periods import section_registry
from service.store.computed import district_day_frame, district_day_rows, section_period_rows
from service.targets import CITY
from stations.ratios import class_iii_ratio, excellent_good_ratio, excellent_ratio

#: Primary-pollutant groups of the non-excellent/good days (PM2.5-O3 co-control, issue 5).
PRIMARY_GROUPS: Final[dict[str, str]] = {
    "PM25_24h": "PM25",
    "O3_8h": "O3",
    "O3_1h": "O3",
}


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A day (or section) left out of a ratio, and why."""

    key: str
    reason: str


# ------------------------------------------------------------------------------------------ air ---


@dataclass(frozen=True, slots=True)
class AirSummary:
    """优良天数比例 and its companions for one district (or ``"city"``) over ``[start, end]``."""

    district: str
    start: dt.date
    end: dt.date
    calendar_days: int
    valid_days: int
    excellent_good_days: int
    excellent_days: int
    ratio: float | None
    excellent_ratio: float | None
    days_by_level: dict[int, int]
    primary_non_good: dict[str, int]
    left_out: list[LeftOut]
    stations: list[str]
    standards: list[str]
    spans_standard_change: bool
    daily: pd.DataFrame = field(repr=False)


def air_summary(engine: Engine, district: str, start: dt.date, end: dt.date) -> AirSummary:
    """Period figures from ``district_days`` (HJ 663 / docs/standards.md §2.4).

    ``ratio`` = valid days with AQI <= 100 / valid days (None without valid days). The primary
    pollutants of non-excellent/good days are grouped PM25 / O3 / other; a day with tied primary
    pollutants counts once in each group it names. Days without a district value, or whose value
    does not count (a pollutant missing and AQI <= 100, U8), are listed in ``left_out``.
    """
    with engine.connect() as conn:
        frame = district_day_frame(conn, district, start, end)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    by_day = {r["day"]: r for r in frame.to_dict("records")}
    counted: list[int | None] = []
    left: list[LeftOut] = []
    levels: Counter[int] = Counter()
    groups: Counter[str] = Counter()
    stations_: set[str] = set()
    standards: set[str] = set()
    for d in days:
        rec = by_day.get(d)
        if rec is None:
            left.append(LeftOut(d.isoformat(), "no_data"))
            continue
        standards.add(str(rec["standard"]))
        stations_.update(rec["stations"] or [])
        if not rec["ratio_valid"] or rec["aqi"] is None:
            left.append(
                LeftOut(d.isoformat(), "incomplete" if rec["aqi"] is not None else "no_valid_aqi")
            )
            continue
        aqi = int(rec["aqi"])
        counted.append(aqi)
        levels[int(rec["level"])] += 1
        if aqi > 100:
            names = rec["primary_pollutants"] or []
            hit = {PRIMARY_GROUPS.get(p, "other") for p in names} or {"other"}
            for g in hit:
                groups[g] += 1
    eg = excellent_good_ratio(counted)
    ex = excellent_ratio(counted)
    return AirSummary(
        district=district,
        start=start,
        end=end,
        calendar_days=len(days),
        valid_days=eg.denominator,
        excellent_good_days=eg.numerator,
        excellent_days=ex.numerator,
        ratio=eg.value,
        excellent_ratio=ex.value,
        days_by_level={lv: levels.get(lv, 0) for lv in range(1, 7)},
        primary_non_good={g: groups.get(g, 0) for g in ("PM25", "O3", "other")},
        left_out=left,
        stations=sorted(stations_),
        standards=sorted(standards),
        spans_standard_change=start < HJ633_2026_EFFECTIVE <= end,
        daily=frame,
    )


def district_daily_series(
    engine: Engine, district: str, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """The computed daily rows of a district (or the city) between two CST days, inclusive."""
    with engine.connect() as conn:
        return district_day_frame(conn, district, start, end)


def district_daily_records(
    engine: Engine, district: str, start: dt.date, end: dt.date
) -> list[dict[str, object]]:
    """The same rows as ``district_daily_series`` as plain dicts, missing values as ``None``.

    A data frame turns a day without an AQI into ``NaN`` in a float column; callers that hand
    single values on (the API's day items) take these records instead.
    """
    with engine.connect() as conn:
        return [dict(r) for r in district_day_rows(conn, district, start, end)]


def year_daily_aqi(engine: Engine, district: str, start: dt.date, end: dt.date) -> pd.Series:
    """Daily AQI series for budgets: NaN where the day does not count in the ratio."""
    frame = district_daily_series(engine, district, start, end)
    if frame.empty:
        return pd.Series(dtype="float64")
    aqi = pd.to_numeric(frame["aqi"], errors="coerce").astype("float64")
    aqi[~frame["ratio_valid"].astype(bool).to_numpy()] = np.nan
    return pd.Series(aqi.to_numpy(), index=list(frame["day"]))


# ---------------------------------------------------------------------------------------- water ---


@dataclass(frozen=True, slots=True)
class SectionResult:
    """One section's class in a period (``cls`` None: left out)."""

    section: str
    name: str
    name_en: str
    district: str
    cls: str | None
    deciding: list[str]
    worse_than_iii: list[str]
    n_samples: int


@dataclass(frozen=True, slots=True)
class WaterSummary:
    """Ⅰ–Ⅲ类断面比例 over the provincial (省控及以上) sections of a district or the city."""

    district: str
    period: str
    evaluated: int
    at_or_better_than_iii: int
    ratio: float | None
    sections: list[SectionResult]
    left_out: list[LeftOut]


def water_summary(engine: Engine, district: str, period: str) -> WaterSummary:
    """Class III ratio for ``period`` (``YYYY`` or ``YYYY-MM``) from ``section_periods``.

    Only provincial sections count (issue 5); a section without a valid result for the period is
    left out of the denominator (docs/standards.md §3.3) and listed with the reason ``not_sampled``.
    """
    with engine.connect() as conn:
        reg = section_registry(conn)
        rows = {r.section: r for r in section_period_rows(conn, period)}
    reg = reg[reg["provincial"].fillna(False).astype(bool)]
    if district != CITY:
        reg = reg[reg["district_code"] == district]
    results: list[SectionResult] = []
    left: list[LeftOut] = []
    for code, info in reg.sort_index().iterrows():
        r = rows.get(str(code))
        if r is None:
            left.append(LeftOut(str(code), "not_sampled"))
        results.append(
            SectionResult(
                str(code),
                str(info["name"]),
                str(info["name_en"]),
                str(info["district_code"]),
                None if r is None else r.cls,
                [] if r is None else list(r.deciding or []),
                [] if r is None else list(r.worse_than_iii or []),
                0 if r is None else int(r.n_samples),
            )
        )
    ratio = class_iii_ratio([s.cls for s in results])
    return WaterSummary(
        district, period, ratio.denominator, ratio.numerator, ratio.value, results, left
    )
