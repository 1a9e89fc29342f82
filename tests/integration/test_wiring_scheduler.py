"""The demo feed's year-to-date backfill: recent windows first, then the history newest first back to
1 January (CST), hooks once for the history, resumable; real upstreams keep the bounded backfill."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from service.clock import FixedClock
from service.collect import RetryPolicy, RunResult
from service.scheduler import (
    Collection,
    CollectorJob,
    SchedulerConfig,
    config_from_settings,
    configured_jobs,
    due_windows,
    history_windows,
    year_start,
)
from service.settings import Settings
from service.store.engine import init_store, writing
from service.store.places import seed_places
from service.store.tables import readings
from stations.collectors.demo import DemoCollector

HOUR = dt.timedelta(hours=1)
NOW = dt.datetime(2026, 1, 12, 4, 30, tzinfo=dt.UTC)  # 12:30 CST on 12 January
JAN1 = dt.datetime(2025, 12, 31, 17, tzinfo=dt.UTC)  # first end-of-hour label of 1 January CST


def test_year_start_is_the_first_label_of_1_january_cst() -> None:
    assert year_start(NOW) == JAN1
    # 00:30 CST on 1 January 2027 is already in 2027 (it is still 2026 in UTC)
    assert year_start(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)) == dt.datetime(
        2026, 12, 31, 17, tzinfo=dt.UTC
    )


def test_history_windows_go_back_to_year_start_newest_first_and_bounded() -> None:
    config = SchedulerConfig(history_chunk=dt.timedelta(days=2))
    first = dt.datetime(2026, 1, 9, 5, tzinfo=dt.UTC)
    windows = history_windows(first, NOW, config)
    assert windows[0].end == first and windows[-1].start == JAN1
    assert all(a.start == b.end for a, b in zip(windows, windows[1:], strict=False))
    assert all(w.end - w.start <= config.history_chunk for w in windows)
    assert history_windows(None, NOW, config) == []
    assert history_windows(JAN1, NOW, config) == []
    short = SchedulerConfig(history_max=dt.timedelta(days=4))
    assert history_windows(first, NOW, short)[-1].start == dt.datetime(2026, 1, 8, 5, tzinfo=dt.UTC)


def test_due_windows_since_fills_a_gap_after_downtime() -> None:
    config = SchedulerConfig(backfill_max=dt.timedelta(hours=72), overlap=dt.timedelta(hours=3))
    last = NOW - dt.timedelta(days=6)
    bounded = due_windows(last, NOW, config)
    filled = due_windows(last, NOW, config, since=JAN1)
    assert bounded[0].start == dt.datetime(2026, 1, 9, 5, tzinfo=dt.UTC)  # 72 h only
    assert filled[0].start == dt.datetime(2026, 1, 6, 1, tzinfo=dt.UTC)  # last success less 3 h
    assert due_windows(None, NOW, config, since=JAN1)[0].start == bounded[0].start


def test_only_the_demo_feed_reaches_back_to_year_start(tmp_path: Path) -> None:
    demo = configured_jobs(Settings(data_dir=tmp_path))
    assert [j.collector.name for j in demo] == ["demo"] and demo[0].history_from_year_start
    real = config_from_settings(
        Settings(data_dir=tmp_path, realtime_feed_url="https://feed.example/rt", demo=False)
    )
    assert [j.history_from_year_start for j in real.jobs] == [False]
    assert real.backfill_max == dt.timedelta(hours=72)


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    url = (
        f"sqlite:///{tmp_path / 'envmon.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    eng = init_store(url)
    with writing(eng) as conn:
        seed_places(conn, NOW, include_demo=True)
    yield eng
    eng.dispose()


def _scheduler(engine: Engine, hooks: list[RunResult], **config: object) -> Collection:
    job = CollectorJob(DemoCollector(["1258A", "1259A"]), HOUR, history_from_year_start=True)
    return Collection(
        engine,
        SchedulerConfig(jobs=[job], retry=RetryPolicy(attempts=1), **config),  # type: ignore[arg-type]
        FixedClock(NOW),
        hooks=[hooks.append],
    )


def _reading_span(engine: Engine) -> tuple[dt.datetime, dt.datetime]:
    with engine.connect() as conn:
        lo, hi = conn.execute(select(func.min(readings.c.time), func.max(readings.c.time))).one()
    return lo, hi


def test_demo_backfills_year_to_date_and_resumes(engine: Engine) -> None:
    seen: list[RunResult] = []
    # First start, stopped short of 1 January (as an interrupted backfill would be).
    sched = _scheduler(engine, seen, history_max=dt.timedelta(days=6))
    first = sched.collect("demo")
    assert all(r.ok for r in first)
    recent = [r for r in first if r.window.start >= NOW - dt.timedelta(hours=72)]
    history = first[len(recent) :]
    assert len(recent) == 3 and history  # recent windows first, then the history
    assert all(a.window.start == b.window.end for a, b in zip(history, history[1:], strict=False))
    assert history[0].window.end == recent[0].window.start  # newest first, contiguous
    assert len(seen) == len(recent) + 1  # hooks after each recent chunk, once for the history
    oldest = history[-1].window.start
    assert oldest > JAN1 and _reading_span(engine)[0] == oldest
    sched.close()

    # Next start: nothing recent is refetched twice, the history resumes below the oldest run.
    seen.clear()
    again = _scheduler(engine, seen).collect("demo")
    assert len(again) >= 2 and again[0].window.end == dt.datetime(2026, 1, 12, 5, tzinfo=dt.UTC)
    resumed = again[1:]
    assert resumed[0].window.end == oldest and resumed[-1].window.start == JAN1
    assert _reading_span(engine)[0] == JAN1  # 01:00 CST on 1 January, nothing of 2025
    assert len(seen) == 1  # the history's single hook call (the recent window was unchanged)

    # Once 1 January is reached, a tick only fetches its recent window.
    tick = _scheduler(engine, []).collect("demo")
    assert len(tick) == 1


def test_a_stopped_scheduler_does_no_more_work(engine: Engine) -> None:
    sched = _scheduler(engine, [])
    sched.close()
    assert sched.collect("demo") == []
    assert _reading_span(engine) == (None, None)
