"""A simulated year: the service on the demo feed, a FixedClock advanced hour by hour, each hour
driven through ``Collection.collect`` with the app's own post-ingest hooks (recompute,
alerts) exactly as the APScheduler job would.

Checked: every hour's run is recorded ok and holds its readings; the process RSS stays flat after a
warm-up (growth below a generous bound; numbers reported, never timed); the ratios the API serves
(``/api/v1/districts``) equal (a) the API over a copy of the store rebuilt by ``recompute_all`` and
(b) a pure recomputation from ``readings_between`` through ``daily_values`` → ``district_daily`` →
the ratio, exactly. CI runs a week; ``make soak`` runs the year.
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.api.app import create_app
from service.clock import FixedClock
from service.compute import CST, recompute_all, station_districts, ytd_as_of
from service.scheduler import Collection, config_from_settings
from service.settings import Settings
from service.store.engine import init_store
from service.store.queries import readings_between
from service.store.tables import collector_runs, readings
from stations.model import POLLUTANTS

from .conftest import rss_mb, write_artifact

#: The week (CI) crosses 2026-03-01, when HJ 633-2026 replaced HJ 633-2012; the year starts mid-2025
#: so that the year-to-date figures it serves at the end also span the change.
WEEK_START = dt.datetime(2026, 2, 26, 0, tzinfo=CST).astimezone(dt.UTC)
YEAR_START = dt.datetime(2025, 7, 1, 0, tzinfo=CST).astimezone(dt.UTC)


def _settings(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        environment="test",
        rate_limit_per_minute=0,
        scheduler_enabled=False,
        backfill_overlap_hours=0,
    )


def _scheduler(app: Any, settings: Settings, clock: FixedClock) -> Collection:
    """The scheduler the app's lifespan would start, with the same hooks, not started."""
    from service.alerts.evaluate import evaluate_and_enqueue
    from service.compute import ingest_hook

    engine = app.state.engine

    def recompute(result: Any) -> None:
        ingest_hook(engine, clock, result)

    def alerts(result: Any) -> None:
        evaluate_and_enqueue(engine, clock, result, settings=settings)

    return Collection(engine, config_from_settings(settings), clock, hooks=[recompute, alerts])


def _ratios(body: dict[str, Any]) -> dict[str, Any]:
    """The served air and water figures per district (the whole nested objects)."""
    return {d["code"]: {"air": d["air"], "water": d["water"]} for d in body["items"]}


def _pure_air_ratio(engine: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Year-to-date 优良天数比例 per district and city straight from the stored readings."""
    from service.targets import CITY
    from stations.ratios import excellent_good_ratio
    from stations.standards import daily_values, district_daily

    with engine.connect() as conn:
        mapping = station_districts(conn)
        wide = readings_between(conn, start, end, sorted(mapping), pollutants=POLLUTANTS, wide=True)
    daily = daily_values(wide.reset_index())
    frame = daily.copy()
    out = pd.concat(
        [district_daily(frame, dict(mapping)), district_daily(frame, dict.fromkeys(mapping, CITY))],
        ignore_index=True,
    )
    result = {}
    for district, group in out.groupby("district"):
        counted = [
            int(a)
            for a, ok in zip(group["aqi"], group["ratio_valid"], strict=True)
            if ok and pd.notna(a)
        ]
        r = excellent_good_ratio(counted)
        result[str(district)] = (r.numerator, r.denominator, r.value)
    return result


def simulate(tmp_path: Path, start: dt.datetime, hours: int, name: str) -> dict[str, Any]:
    data = tmp_path / "data"
    settings = _settings(data)
    clock = FixedClock(start)
    app = create_app(settings, clock)
    figures: dict[str, Any] = {"hours": hours, "start": start.isoformat()}
    with TestClient(app) as client:
        engine = app.state.engine
        sched = _scheduler(app, settings, clock)
        rss: list[tuple[int, float]] = []
        warm = max(24, hours // 10)
        failed = 0
        t0 = time.monotonic()
        try:
            for h in range(1, hours + 1):
                clock.advance(dt.timedelta(hours=1))
                results = sched.collect("demo")
                failed += sum(not r.ok for r in results)
                if h % 24 == 0:
                    assert client.get("/api/v1/districts").status_code == 200
                if h == warm or h % (24 * 7) == 0 or h == hours:
                    gc.collect()
                    rss.append((h, round(rss_mb(), 1)))
        finally:
            sched.close()
        elapsed = time.monotonic() - t0
        served = client.get("/api/v1/districts").json()
        with engine.connect() as conn:
            n_readings = conn.execute(select(func.count()).select_from(readings)).scalar_one()
            runs = conn.execute(
                select(collector_runs.c.status, func.count()).group_by(collector_runs.c.status)
            ).all()
        # The served figures are year-to-date (CST): recompute the same window from the readings.
        year_start = dt.datetime(ytd_as_of(clock).year, 1, 1, tzinfo=CST)
        pure = _pure_air_ratio(engine, year_start.astimezone(dt.UTC), clock.now())
        # A copy of the store, rebuilt from scratch by recompute_all, served by a second app.
        copy_dir = tmp_path / "copy"
        copy_dir.mkdir()
        src = sqlite3.connect(data / "envmon.sqlite3")
        dst = sqlite3.connect(copy_dir / "envmon.sqlite3")
        src.backup(dst)
        src.close()
        dst.close()
    copy_settings = _settings(copy_dir)
    copy_engine = init_store(copy_settings.store.sqlite_url)
    recompute_all(copy_engine, clock)
    copy_engine.dispose()
    with TestClient(create_app(copy_settings, clock)) as copy_client:
        rebuilt = copy_client.get("/api/v1/districts").json()
    shutil.rmtree(copy_dir, ignore_errors=True)

    after_warm = [m for h, m in rss if h >= warm]
    figures.update(
        readings=n_readings,
        runs=dict(runs),
        failed_runs=failed,
        seconds=round(elapsed, 1),
        seconds_per_simulated_hour=round(elapsed / hours, 4),
        rss_mb=rss,
        rss_growth_after_warmup_mb=round(after_warm[-1] - after_warm[0], 1),
        city_ratio={d["code"]: d["air"]["excellent_good_ratio"] for d in served["items"]},
        spans_standard_change={
            d["code"]: d["air"]["spans_standard_change"] for d in served["items"]
        },
    )
    write_artifact(name, figures)

    # The first collection backfills in chunks; after that one run per hour, every one ok.
    assert failed == 0 and set(dict(runs)) == {"ok"} and dict(runs)["ok"] >= hours
    assert n_readings > 0
    # Both runs end in a year-to-date window that crosses 2026-03-01 (two rule sets in one ratio).
    assert all(figures["spans_standard_change"].values()), figures["spans_standard_change"]
    assert _ratios(served) == _ratios(rebuilt)
    for item in served["items"]:
        if item["code"] in pure:
            num, den, value = pure[item["code"]]
            ratio = item["air"]["excellent_good_ratio"]
            assert (ratio["numerator"], ratio["denominator"]) == (num, den), item["code"]
            assert ratio["value"] == value, item["code"]
    # Generous: flat means no per-hour accumulation; a leak of even 20 kB/hour breaks it in a year.
    assert figures["rss_growth_after_warmup_mb"] < 150, figures
    return figures


def test_simulated_week(tmp_path: Path) -> None:
    """CI: a week (a month takes ~4 min on 2 shared cores, over this suite's budget)."""
    simulate(tmp_path, WEEK_START, 24 * 7, "reliability_week")


@pytest.mark.slow
def test_simulated_year(tmp_path: Path) -> None:
    simulate(tmp_path, YEAR_START, 24 * 365, "reliability_year")
