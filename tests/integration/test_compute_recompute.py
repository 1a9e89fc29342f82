"""Incremental recomputation equals a full recompute; summaries; water periods. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, select

from service.clock import FixedClock
from service.compute import (
    air_summary,
    cst_day_bounds,
    ingest_hook,
    make_ingest_hook,
    recompute,
    recompute_all,
    water_summary,
)
from service.store.compute_tables import district_days, section_periods, station_days
from service.store.engine import init_store, writing
from service.store.ingest import ingest_readings, ingest_samples
from service.store.payloads import archive_payload
from stations.collectors.base import Payload
from stations.model import READING_COLUMNS, SAMPLE_COLUMNS
from stations.standards import daily_values, district_daily

CST = dt.timezone(dt.timedelta(hours=8))
# Two real stations in 定海区 (1258A, 1260A) and one in 普陀区 (1259A); a foreign one with no district.
STATIONS = ("1258A", "1259A", "1260A", "1001A")
CLOCK = FixedClock(dt.datetime(2026, 3, 20, tzinfo=dt.UTC))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgis)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    url = (
        f"sqlite:///{tmp_path / 'envmon.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    eng = init_store(url)
    try:
        yield eng
    finally:
        eng.dispose()


def hourly(start_day: dt.date, days: int, seed: int) -> pd.DataFrame:
    """Seeded hourly readings for STATIONS, with polluted PM2.5 and O3 episodes and a data gap."""
    rng = np.random.default_rng(seed)
    start, _ = cst_day_bounds(start_day)
    times = pd.date_range(start, periods=24 * days, freq="h", tz="UTC")
    rows = []
    base = {"SO2": 8.0, "NO2": 25.0, "PM10": 60.0, "PM25": 35.0, "CO": 0.6, "O3": 80.0}
    for i, st in enumerate(STATIONS):
        for p, b in base.items():
            episode = np.where((np.arange(len(times)) // 24) % 5 == i % 5, 2.5, 1.0)
            v = np.round(b * episode * rng.uniform(0.6, 1.4, len(times)), 1 if p == "CO" else 0)
            frame = pd.DataFrame(
                {"station": st, "time": times, "pollutant": p, "value": v, "flag": None}
            )
            rows.append(frame)
    out = pd.concat(rows, ignore_index=True)
    gap = (out["station"] == "1259A") & (out["time"] >= times[30]) & (out["time"] < times[40])
    return out[~gap][list(READING_COLUMNS)].reset_index(drop=True)


def ingest(engine: Engine, frame: pd.DataFrame, tag: str, samples: bool = False) -> None:
    with writing(engine) as conn:
        archived = archive_payload(
            conn, Payload("test", f"test://{tag}", tag.encode()), CLOCK.now()
        )
        if samples:
            ingest_samples(conn, frame, "test", archived.id, CLOCK.now())
        else:
            ingest_readings(conn, frame, "test", archived.id, CLOCK.now())


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    with engine.connect() as conn:
        for table, key in (
            (station_days, ("station", "day")),
            (district_days, ("district", "day")),
            (section_periods, ("section", "period")),
        ):
            cols = [c for c in table.columns if c.name != "computed_at"]
            rows = conn.execute(select(*cols).order_by(*[table.c[k] for k in key])).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def test_incremental_equals_full_and_matches_standards(engine: Engine) -> None:
    data = hourly(dt.date(2026, 2, 25), 10, seed=1)  # spans 2026-03-01
    first = data[data["time"] < pd.Timestamp("2026-03-01T16:00Z")]
    ingest(engine, first, "a")
    r1 = recompute(engine, CLOCK)
    assert r1.station_days > 0 and r1.district_days > 0
    ingest(engine, data, "b")  # the rest, plus re-sent (unchanged) hours
    revised = data.iloc[:50].assign(value=data["value"].iloc[:50] + 7)  # an upstream correction
    ingest(engine, revised, "c")
    r2 = ingest_hook(engine, CLOCK)
    assert 0 < r2.station_days < 4 * 11
    incremental = snapshot(engine)
    recompute_all(engine, CLOCK)
    assert snapshot(engine) == incremental

    # The stored district days equal the standards core run on the final data directly.
    final = (
        pd.concat([data.iloc[50:], revised])
        .pivot_table(index=["station", "time"], columns="pollutant", values="value")
        .reset_index()
    )
    daily = daily_values(final)
    mapping = {"1258A": "330902", "1260A": "330902", "1259A": "330903"}
    expected = district_daily(daily, mapping)
    with engine.connect() as conn:
        got = pd.DataFrame(
            conn.execute(
                select(
                    district_days.c.district,
                    district_days.c.day,
                    district_days.c.aqi,
                    district_days.c.standard,
                    district_days.c.n_stations,
                ).where(district_days.c.district != "city")
            ).all()
        )
    exp = expected.assign(day=pd.to_datetime(expected["date"]).dt.date)[
        ["district", "day", "aqi", "standard"]
    ]
    merged = got.merge(exp, on=["district", "day"], suffixes=("", "_exp"))
    assert len(merged) == len(got) == len(exp)
    assert (
        merged["aqi"].astype(float).fillna(-1) == merged["aqi_exp"].astype(float).fillna(-1)
    ).all()
    assert (merged["standard"] == merged["standard_exp"]).all()
    assert set(got.loc[got["day"] >= dt.date(2026, 3, 1), "standard"]) == {"HJ633-2026"}
    # the foreign station has station days but is in no district
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(station_days.c.day).where(station_days.c.station == "1001A")
            ).first()
            is not None
        )
        city = conn.execute(
            select(district_days.c.stations).where(district_days.c.district == "city")
        ).first()
    assert city is not None and "1001A" not in city[0]


def test_air_summary(engine: Engine) -> None:
    ingest(engine, hourly(dt.date(2026, 2, 25), 10, seed=2), "a")
    make_ingest_hook(engine, CLOCK)(object())  # what the scheduler calls after a run
    s = air_summary(engine, "city", dt.date(2026, 2, 20), dt.date(2026, 3, 6))
    assert s.calendar_days == 15
    assert s.valid_days + len(s.left_out) == 15
    assert sum(s.days_by_level.values()) == s.valid_days
    assert s.excellent_good_days == s.days_by_level[1] + s.days_by_level[2]
    assert s.excellent_days == s.days_by_level[1]
    assert {lo.reason for lo in s.left_out} >= {"no_data"}
    assert s.spans_standard_change and s.standards == ["HJ633-2012", "HJ633-2026"]
    assert s.stations == ["1258A", "1259A", "1260A"]
    non_good = s.valid_days - s.excellent_good_days
    assert non_good == 0 or sum(s.primary_non_good.values()) >= non_good
    assert s.ratio == pytest.approx(s.excellent_good_days / s.valid_days)
    d = air_summary(engine, "330903", dt.date(2026, 3, 1), dt.date(2026, 3, 4))
    assert not d.spans_standard_change and d.stations == ["1259A"]


def test_water_periods_and_summary(engine: Engine) -> None:
    t = lambda d: pd.Timestamp(d, tz="Asia/Shanghai").tz_convert("UTC")  # noqa: E731
    rows = [
        # 虹桥水库 (lake, provincial): NH3-N 0.6 and 1.3 average to 0.95 -> Ⅲ (not Ⅳ per sample)
        ("WS-330902-01", t("2026-01-10 09:00"), "NH3N", 0.6, np.nan, False, "manual"),
        ("WS-330902-01", t("2026-01-20 09:00"), "NH3N", 1.3, np.nan, False, "manual"),
        ("WS-330902-01", t("2026-01-10 09:00"), "TP", 0.01, 0.01, True, "manual"),  # ND -> 0.005
        ("WS-330902-01", t("2026-01-10 09:00"), "DO", 8.0, np.nan, False, "manual"),
        (
            "WS-330902-01",
            t("2026-01-10 09:00"),
            "DO",
            2.0,
            np.nan,
            False,
            "automatic",
        ),  # yields to manual
        # 城关河 (river, provincial): TP 0.35 -> Ⅴ in January, 0.15 in February
        ("WS-330902-05", t("2026-01-12 09:00"), "TP", 0.35, np.nan, False, "manual"),
        ("WS-330902-05", t("2026-02-12 09:00"), "TP", 0.15, np.nan, False, "manual"),
    ]
    frame = pd.DataFrame(rows, columns=list(SAMPLE_COLUMNS))
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    ingest(engine, frame, "w", samples=True)
    r = recompute(engine, CLOCK)
    assert r.section_periods == 5  # 城关河: Jan, Feb, 2026; 虹桥水库: Jan, 2026
    jan = water_summary(engine, "330902", "2026-01")
    by = {s.section: s for s in jan.sections}
    assert by["WS-330902-01"].cls == "III" and by["WS-330902-01"].deciding == ["NH3N"]
    assert by["WS-330902-05"].cls == "V" and by["WS-330902-05"].worse_than_iii == ["TP"]
    assert (jan.evaluated, jan.at_or_better_than_iii) == (2, 1)
    assert all(s.district == "330902" for s in jan.sections)
    year = water_summary(engine, "330902", "2026")
    assert {s.section: s.cls for s in year.sections if s.cls} == {
        "WS-330902-01": "III",
        "WS-330902-05": "IV",
    }  # TP mean of monthly 0.35, 0.15 = 0.25
    city = water_summary(engine, "city", "2026")
    assert city.evaluated == 2 and len(city.left_out) == len(city.sections) - 2
    before = snapshot(engine)
    recompute_all(engine, CLOCK)
    assert snapshot(engine) == before
