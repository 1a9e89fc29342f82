"""Recompute the figures: station days, district/city days and section periods (sole writer of them).

Flow (DESIGN.md): store readings -> ``stations.standards.daily_values`` -> ``station_days`` ->
``stations.standards.district_daily`` -> ``district_days``; store samples -> period means (½ DL for
non-detects) -> ``stations.standards.water_class`` -> ``section_periods``.

Incremental and full recomputation share one code path: :func:`recompute` pops the store's dirty
station-days / section-days and recomputes exactly those station-days, the district-days (and city
days) they belong to, and the month and year periods of the touched sections; :func:`recompute_all`
marks everything and runs the same path, so both give identical rows (tested).

The summaries (:func:`air_summary`, :func:`water_summary`) read only the computed tables.

Station -> district: the store's ``stations`` rows (``district_code``) over the shipped registry
(``geodata.load_stations(include_demo=True)``). Stations with no district (e.g. national-archive
stations elsewhere in China) get station days but enter no district or city. The city (``"city"``)
is the mean over every station that has a district (STANDARDS.md §2.3: mean of concentrations, then
IAQI).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, tuple_

from service.clock import Clock
from service.store.compute_tables import (
    DAY_INDICATORS,
    district_days,
    section_periods,
    station_days,
)
from service.store.engine import writing
from service.store.queries import pop_dirty_days, readings_between, samples_between
from service.store.tables import dirty_days, readings, samples, sections, stations
from service.targets import CITY
from stations.model import POLLUTANTS

#: China Standard Time: the standards' natural days.
CST: Final = dt.timezone(dt.timedelta(hours=8), "CST")

#: The day HJ 633-2026 took effect (STANDARDS.md §0); a period spanning it mixes two rule sets.
HJ633_2026_EFFECTIVE: Final = dt.date(2026, 3, 1)

#: Station-days recomputed per transaction.
BATCH_DAYS: Final = 20_000

#: Primary-pollutant groups of the non-excellent/good days (PM2.5-O3 co-control, issue 5).
PRIMARY_GROUPS: Final[dict[str, str]] = {
    "PM25_24h": "PM25",
    "O3_8h": "O3",
    "O3_1h": "O3",
}


@dataclass(frozen=True, slots=True)
class RecomputeResult:
    """What one recomputation touched."""

    station_days: int = 0
    district_days: int = 0
    section_periods: int = 0

    def __add__(self, other: RecomputeResult) -> RecomputeResult:
        return RecomputeResult(
            self.station_days + other.station_days,
            self.district_days + other.district_days,
            self.section_periods + other.section_periods,
        )


# ------------------------------------------------------------------------------------ helpers ---


def cst_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """UTC ``[start, end)`` of end-of-hour labels that belong to CST ``day`` (01:00 .. 24:00)."""
    start = dt.datetime.combine(day, dt.time(1), CST).astimezone(dt.UTC)
    return start, start + dt.timedelta(hours=24)


def station_districts(conn: Connection) -> dict[str, str]:
    """Station code -> district code: shipped registry, overridden by the store's rows."""
    import geodata

    reg = geodata.load_stations(include_demo=True)
    mapping = {
        str(c): str(d)
        for c, d in zip(reg["code"], reg["district_code"], strict=True)
        if pd.notna(d)
    }
    for code, district in conn.execute(select(stations.c.code, stations.c.district_code)):
        if district:
            mapping[code] = district
    return mapping


def _section_registry(conn: Connection) -> pd.DataFrame:
    """Sections with ``district_code``, ``waterbody`` (river|lake) and ``provincial``."""
    import geodata

    reg = pd.DataFrame(geodata.load_sections().drop(columns="geometry"))
    reg = reg[["code", "name", "name_en", "district_code", "waterbody", "provincial"]].set_index(
        "code"
    )
    rows = conn.execute(
        select(
            sections.c.code,
            sections.c.name,
            sections.c.name_en,
            sections.c.district_code,
            sections.c.waterbody,
            sections.c.provincial,
        )
    ).all()
    # Column-wise, not row by row: the alerts hook calls this several times per collection.
    cols = ["name", "name_en", "district_code", "waterbody", "provincial"]
    store = pd.DataFrame([tuple(r) for r in rows], columns=["code", *cols], dtype=object)
    store = store.drop_duplicates("code", keep="last").set_index("code")
    store["waterbody"] = store["waterbody"].where(store["waterbody"].isin(["river", "lake"]))
    new, dtypes = store.index.difference(reg.index), reg.dtypes.to_dict()
    reg = pd.concat(
        [reg.astype(object), pd.DataFrame({"waterbody": "river", "provincial": False}, index=new)]
    ).astype(object)
    known = store.notna()
    for col in cols:  # a stored value overrides the shipped one unless it is missing
        hit = store.index[known[col]]
        reg.loc[hit, col] = store.loc[hit, col]
    return reg.astype(dtypes)


def _names(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [v for v in str(value).split(",") if v]


def _num(value: Any) -> float | None:
    if value is None:
        return None
    f = float(value)
    return None if math.isnan(f) else f


def _int(value: Any) -> int | None:
    f = _num(value)
    return None if f is None else int(f)


def _day(value: Any) -> dt.date:
    return pd.Timestamp(value).date()


def _day_row(rec: Mapping[Any, Any], now: dt.datetime) -> dict[str, Any]:
    """Columns shared by station and district days from one ``daily_values``-shaped record."""
    level = _int(rec.get("level"))
    out: dict[str, Any] = {k.lower(): _num(rec.get(k)) for k in DAY_INDICATORS}
    out.update(
        aqi=_int(rec.get("aqi")),
        level=level if level else None,
        primary_pollutants=_names(rec.get("primary")),
        iaqi={k: int(v) for k in DAY_INDICATORS if (v := _num(rec.get(f"iaqi_{k}"))) is not None},
        standard=str(rec["standard"]),
        ratio_valid=int(bool(rec.get("ratio_valid"))),
        computed_at=now,
    )
    return out


# ---------------------------------------------------------------------------------------- air ---


def _daily_for(conn: Connection, keys: pd.DataFrame) -> pd.DataFrame:
    """``daily_values`` for the (station, day) pairs in ``keys`` from the stored hourly readings."""
    from stations.standards import daily_values

    frames = []
    for station, group in keys.groupby("code"):
        days = sorted(set(group["day"]))
        start, _ = cst_day_bounds(days[0])
        _, end = cst_day_bounds(days[-1])
        wide = readings_between(conn, start, end, [str(station)], pollutants=POLLUTANTS, wide=True)
        if wide.empty:
            continue
        frames.append(wide.reset_index())
    if not frames:
        return pd.DataFrame()
    hourly = pd.concat(frames, ignore_index=True)
    daily = daily_values(hourly)
    daily["day"] = [d.date() for d in pd.to_datetime(daily["date"])]
    wanted = set(zip(keys["code"], keys["day"], strict=True))
    sel = [(s, d) in wanted for s, d in zip(daily["station"], daily["day"], strict=True)]
    return daily[sel]


def _write_station_days(
    conn: Connection, keys: pd.DataFrame, daily: pd.DataFrame, now: dt.datetime
) -> int:
    pairs = list(zip(keys["code"], keys["day"], strict=True))
    for i in range(0, len(pairs), 500):
        conn.execute(
            delete(station_days).where(
                tuple_(station_days.c.station, station_days.c.day).in_(pairs[i : i + 500])
            )
        )
    if daily.empty:
        return 0
    rows = []
    for rec in daily.to_dict("records"):
        row = _day_row(rec, now)
        row.update(
            station=str(rec["station"]),
            day=rec["day"],
            valid={k: bool(rec.get(f"valid_{k}")) for k in DAY_INDICATORS},
            n_hours={p: _int(rec.get(f"n_{p}")) or 0 for p in POLLUTANTS},
        )
        rows.append(row)
    conn.execute(insert(station_days), rows)
    return len(rows)


def _station_daily_frame(
    conn: Connection, stations_: Sequence[str], days: Sequence[dt.date]
) -> pd.DataFrame:
    cols = [
        station_days.c.station,
        station_days.c.day,
        *[station_days.c[k.lower()] for k in DAY_INDICATORS],
    ]
    rows = conn.execute(
        select(*cols)
        .where(station_days.c.station.in_(list(stations_)), station_days.c.day.in_(list(days)))
        .order_by(station_days.c.station, station_days.c.day)
    ).all()
    frame = pd.DataFrame(rows, columns=["station", "day", *DAY_INDICATORS])
    for k in DAY_INDICATORS:
        frame[k] = pd.to_numeric(frame[k], errors="coerce").astype("float64")
    frame["date"] = pd.to_datetime(frame["day"])
    return frame


def _recompute_districts(
    conn: Connection, days: Iterable[dt.date], mapping: Mapping[str, str], now: dt.datetime
) -> int:
    """Recompute every district and the city on ``days`` from the stored station days."""
    from stations.standards import district_daily

    days = sorted(set(days))
    if not days:
        return 0
    for i in range(0, len(days), 500):
        conn.execute(delete(district_days).where(district_days.c.day.in_(days[i : i + 500])))
    frame = _station_daily_frame(conn, sorted(mapping), days)
    if frame.empty:
        return 0
    valid_any = frame[list(DAY_INDICATORS)].notna().any(axis=1)
    contributing = (
        frame[valid_any]
        .assign(district=frame["station"].map(mapping))
        .groupby(["district", "day"])["station"]
        .agg(lambda s: sorted(s))
    )
    city_contrib = frame[valid_any].groupby("day")["station"].agg(lambda s: sorted(s))
    parts = [
        district_daily(frame, dict(mapping)),
        district_daily(frame, dict.fromkeys(mapping, CITY)),
    ]
    out = pd.concat(parts, ignore_index=True)
    rows = []
    for rec in out.to_dict("records"):
        day = _day(rec["date"])
        district = str(rec["district"])
        members = (
            city_contrib.get(day, []) if district == CITY else contributing.get((district, day), [])
        )
        row = _day_row(rec, now)
        row.update(district=district, day=day, n_stations=len(members), stations=list(members))
        rows.append(row)
    if rows:
        conn.execute(insert(district_days), rows)
    return len(rows)


def _recompute_air_keys(conn: Connection, keys: pd.DataFrame, now: dt.datetime) -> RecomputeResult:
    if keys.empty:
        return RecomputeResult()
    keys = keys.assign(day=[_day(d) for d in keys["day"]]).drop_duplicates(["code", "day"])
    daily = _daily_for(conn, keys)
    n_station = _write_station_days(conn, keys, daily, now)
    mapping = station_districts(conn)
    touched = sorted(set(keys.loc[keys["code"].isin(list(mapping)), "day"]))
    n_district = _recompute_districts(conn, touched, mapping, now)
    return RecomputeResult(station_days=n_station, district_days=n_district)


# -------------------------------------------------------------------------------------- water ---


def _period_bounds(period: str) -> tuple[dt.datetime, dt.datetime]:
    """UTC ``[start, end)`` of a CST month ``YYYY-MM`` or year ``YYYY``."""
    if len(period) == 4:
        y = int(period)
        a, b = dt.date(y, 1, 1), dt.date(y + 1, 1, 1)
    else:
        y, m = (int(x) for x in period.split("-"))
        a = dt.date(y, m, 1)
        b = dt.date(y + (m == 12), m % 12 + 1, 1)
    return (
        dt.datetime.combine(a, dt.time(0), CST).astimezone(dt.UTC),
        dt.datetime.combine(b, dt.time(0), CST).astimezone(dt.UTC),
    )


def period_means(frame: pd.DataFrame, kind: str) -> tuple[dict[str, float], int]:
    """Item means of one section over a period from its samples, and the number of sampling times.

    Non-detects per ``stations.standards.water.period_means`` (½ DL, U12). Where the same item has
    manual samples in the period, automatic ones are left out (the monthly/annual section class
    comes from manual monitoring). A year is the mean of its monthly means (评价办法, 年度评价).
    Items outside GB 3838 表1 (water temperature, conductivity, ...) are ignored.
    """
    from stations.standards import tables as T
    from stations.standards.water import period_means as item_means

    if frame.empty:
        return {}, 0
    f = frame[frame["item"].isin(list(T.WATER_LIMITS))]
    manual_items = set(f.loc[f["method"] == "manual", "item"])
    f = f[~((f["method"] == "automatic") & f["item"].isin(manual_items))]
    if f.empty:
        return {}, 0
    n_times = int(f["time"].nunique())
    if kind == "year":
        month = f["time"].dt.tz_convert(CST).dt.strftime("%Y-%m")
        monthly = [item_means(part)[0] for _, part in f.groupby(month)]
        means = pd.concat(monthly).mean(axis=0)
    else:
        means = item_means(f)[0].iloc[0]
    return {str(k): float(v) for k, v in means.items() if pd.notna(v)}, n_times


def _recompute_sections(conn: Connection, touched: pd.DataFrame, now: dt.datetime) -> int:
    """Recompute the month and year periods of every (section, day) in ``touched``."""
    from stations.standards import water_class

    if touched.empty:
        return 0
    reg = _section_registry(conn)
    periods: set[tuple[str, str, str]] = set()
    for code, day in zip(touched["code"], touched["day"], strict=True):
        d = _day(day)
        periods.add((str(code), f"{d.year:04d}-{d.month:02d}", "month"))
        periods.add((str(code), f"{d.year:04d}", "year"))
    keys = sorted((c, p) for c, p, _ in periods)
    for i in range(0, len(keys), 500):
        conn.execute(
            delete(section_periods).where(
                tuple_(section_periods.c.section, section_periods.c.period).in_(keys[i : i + 500])
            )
        )
    rows = []
    for code, period, kind in sorted(periods):
        start, end = _period_bounds(period)
        frame = samples_between(conn, start, end, [code])
        means, n = period_means(frame, kind)
        if not means:
            continue
        waterbody = str(reg["waterbody"].get(code, "river")) if code in reg.index else "river"
        wc = water_class(means, waterbody="lake" if waterbody == "lake" else "river")
        rows.append(
            {
                "section": code,
                "period": period,
                "period_kind": kind,
                "cls": wc.cls,
                "deciding": list(wc.deciding),
                "worse_than_iii": list(wc.worse_than_iii),
                "n_samples": n,
                "means": means,
                "computed_at": now,
            }
        )
    if rows:
        conn.execute(insert(section_periods), rows)
    return len(rows)


# ------------------------------------------------------------------------------ entry points ---


def recompute(engine: Engine, clock: Clock, *, limit: int | None = BATCH_DAYS) -> RecomputeResult:
    """Recompute what the ingests marked dirty, batch by batch, until the queue is empty.

    Each batch pops its marks and writes its figures in one transaction: if it fails, the marks stay.
    """
    total = RecomputeResult()
    for kind in ("air", "water"):
        while True:
            with writing(engine) as conn:
                keys = pop_dirty_days(conn, kind, limit)
                if keys.empty:
                    break
                now = clock.now()
                if kind == "air":
                    total += _recompute_air_keys(conn, keys, now)
                else:
                    total += RecomputeResult(section_periods=_recompute_sections(conn, keys, now))
            if limit is None:
                break
    return total


def mark_all(engine: Engine, clock: Clock) -> int:
    """Mark every stored station-day and section-day dirty; returns the number of marks."""
    from service.store.dialect import upsert

    now = clock.now()
    n = 0
    with writing(engine) as conn:
        for table, code, kind, hourly in (
            (readings, readings.c.station, "air", True),
            (samples, samples.c.section, "water", False),
        ):
            for (station,) in conn.execute(select(code).distinct()).all():
                times = pd.Series(
                    pd.to_datetime(
                        [
                            t
                            for (t,) in conn.execute(
                                select(table.c.time).distinct().where(code == station)
                            )
                        ],
                        utc=True,
                    )
                )
                local = times.dt.tz_convert(CST)
                if hourly:  # an end-of-hour label belongs to the day its hour started in
                    local = local - pd.Timedelta(hours=1)
                days = sorted(set(local.dt.date))
                if not days:
                    continue
                conn.execute(
                    upsert(conn, dirty_days, ["kind", "code", "day"], ["marked_at"]),
                    [{"kind": kind, "code": station, "day": d, "marked_at": now} for d in days],
                )
                n += len(days)
    return n


def recompute_all(engine: Engine, clock: Clock) -> RecomputeResult:
    """Throw the computed figures away and rebuild them from the stored readings and samples.

    The same path as :func:`recompute`, so the rows are identical to an incremental run's.
    """
    with writing(engine) as conn:
        for table in (district_days, station_days, section_periods):
            conn.execute(delete(table))
    mark_all(engine, clock)
    return recompute(engine, clock)


def ingest_hook(engine: Engine, clock: Clock, *_: Any, **__: Any) -> RecomputeResult:
    """Recompute what an ingest marked (any extra arguments, e.g. the run's result, are ignored)."""
    return recompute(engine, clock)


def make_ingest_hook(engine: Engine, clock: Clock) -> Callable[[Any], None]:
    """The scheduler's post-ingest hook (``service.scheduler.Hook``: ``hook(run_result) -> None``).

    The dirty-day queue, not the run result, says what to recompute, so a hook that failed or was
    skipped is caught up by the next one.
    """

    def recompute_after_ingest(_result: Any) -> None:
        recompute(engine, clock)

    return recompute_after_ingest


# ---------------------------------------------------------------------------------- summaries ---


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A day (or section) left out of a ratio, and why."""

    key: str
    reason: str


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


def _district_day_frame(
    conn: Connection, district: str, start: dt.date, end: dt.date
) -> pd.DataFrame:
    t = district_days
    rows = (
        conn.execute(
            select(t)
            .where(t.c.district == district, t.c.day >= start, t.c.day <= end)
            .order_by(t.c.day)
        )
        .mappings()
        .all()
    )
    cols = [c.name for c in t.columns]
    return pd.DataFrame([dict(r) for r in rows], columns=cols)


def air_summary(engine: Engine, district: str, start: dt.date, end: dt.date) -> AirSummary:
    """Period figures from ``district_days`` (HJ 663 / STANDARDS.md §2.4).

    ``ratio`` = valid days with AQI <= 100 / valid days (None without valid days). The primary
    pollutants of non-excellent/good days are grouped PM25 / O3 / other; a day with tied primary
    pollutants counts once in each group it names. Days without a district value, or whose value
    does not count (a pollutant missing and AQI <= 100, U8), are listed in ``left_out``.
    """
    from stations.ratios import excellent_good_ratio, excellent_ratio

    with engine.connect() as conn:
        frame = _district_day_frame(conn, district, start, end)
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
    left out of the denominator (STANDARDS.md §3.3) and listed with the reason ``not_sampled``.
    """
    from stations.ratios import class_iii_ratio

    with engine.connect() as conn:
        reg = _section_registry(conn)
        rows = {
            r.section: r
            for r in conn.execute(select(section_periods).where(section_periods.c.period == period))
        }
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


def district_daily_series(
    engine: Engine, district: str, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """The computed daily rows of a district (or the city) between two CST days, inclusive."""
    with engine.connect() as conn:
        return _district_day_frame(conn, district, start, end)


def year_daily_aqi(engine: Engine, district: str, start: dt.date, end: dt.date) -> pd.Series:
    """Daily AQI series for budgets: NaN where the day does not count in the ratio."""
    frame = district_daily_series(engine, district, start, end)
    if frame.empty:
        return pd.Series(dtype="float64")
    aqi = pd.to_numeric(frame["aqi"], errors="coerce").astype("float64")
    aqi[~frame["ratio_valid"].astype(bool).to_numpy()] = np.nan
    return pd.Series(aqi.to_numpy(), index=list(frame["day"]))


#: Earlier years read for the budget's year-end projection.
HISTORY_YEARS: Final = 5


def cst_today(clock: Clock) -> dt.date:
    """Today's date in China Standard Time."""
    return clock.now().astimezone(CST).date()


def ytd_as_of(clock: Clock) -> dt.date:
    """The last complete CST day (yesterday): year-to-date figures run through it."""
    return cst_today(clock) - dt.timedelta(days=1)


def air_budget_for(
    engine: Engine,
    district: str,
    *,
    year: int,
    as_of: dt.date,
    target: Any,
    mode: Any = None,
    expected_invalid: int | None = None,
) -> Any:
    """``stations.targets.air_budget`` of a district from the computed days, with the same calendar
    days of up to ``HISTORY_YEARS`` earlier years for the projection.

    ``expected_invalid`` None: the remaining days are expected to be invalid at the year's pace so
    far (invalid days / elapsed days, rounded half up), which ``budget_if_invalid`` then reflects.
    """
    from stations.standards import DEFAULT_ASSUMPTIONS
    from stations.targets import air_budget

    series = year_daily_aqi(engine, district, dt.date(year - HISTORY_YEARS, 1, 1), as_of)

    def run(k: int) -> Any:
        return air_budget(
            series,
            year=year,
            as_of=as_of,
            target=target,
            mode=mode or DEFAULT_ASSUMPTIONS.target_mode,
            expected_invalid=k,
            history=series,
        )

    first = run(expected_invalid or 0)
    if expected_invalid is not None or first.elapsed_days == 0:
        return first
    pace = (2 * first.invalid_days * first.remaining_days + first.elapsed_days) // (
        2 * first.elapsed_days
    )
    return first if pace == 0 else run(pace)


__all__ = [
    "AirSummary",
    "LeftOut",
    "RecomputeResult",
    "SectionResult",
    "WaterSummary",
    "air_budget_for",
    "air_summary",
    "cst_today",
    "cst_day_bounds",
    "district_daily_series",
    "ingest_hook",
    "make_ingest_hook",
    "mark_all",
    "period_means",
    "recompute",
    "recompute_all",
    "station_districts",
    "water_summary",
    "year_daily_aqi",
    "ytd_as_of",
]
