"""run_collector against a real local HTTP upstream: faults become failed runs, never exceptions."""

from __future__ import annotations

import datetime as dt
import random

import httpx
import pytest
from sqlalchemy import Engine, select

from service.clock import FixedClock
from service.collect import RetryPolicy, run_collector
from service.store.ingest import count_rows
from service.store.tables import collector_runs, quarantine, raw_payloads, readings
from stations.collectors.base import Window

from .conftest import T0
from .fakes import FakeCollector, Upstream, serve

WINDOW = Window(T0, T0 + dt.timedelta(hours=6))
FAST = RetryPolicy(attempts=3, base=0.5, cap=2.0, max_retry_after=60.0)


def _run(engine: Engine, upstream: Upstream, clock: FixedClock, sleeps: list[float], **kw):
    with httpx.Client(timeout=httpx.Timeout(0.3)) as client:
        return run_collector(
            engine,
            FakeCollector(upstream.url),
            kw.pop("window", WINDOW),
            clock,
            client,
            retry=kw.pop("retry", FAST),
            sleep=sleeps.append,
            rng=random.Random(1),
        )


def _rows(engine: Engine, table) -> int:
    with engine.connect() as conn:
        return count_rows(conn, table)


def test_ok_run_stores_rows_and_records_counts(engine: Engine, clock: FixedClock) -> None:
    sleeps: list[float] = []
    with serve(Upstream(["ok"])) as up:
        result = _run(engine, up, clock, sleeps)
        again = _run(engine, up, clock, sleeps)
    assert result.ok and result.counts.inserted == 12 and result.attempts == 1
    assert again.ok and again.counts.inserted == 0 and again.counts.unchanged == 12
    assert _rows(engine, readings) == 12 and _rows(engine, raw_payloads) == 1
    assert sleeps == []


@pytest.mark.parametrize("fault", ["500", "timeout", "truncated"])
def test_transient_fault_is_retried_then_succeeds(
    engine: Engine, clock: FixedClock, fault: str
) -> None:
    sleeps: list[float] = []
    with serve(Upstream([fault, "ok"])) as up:
        result = _run(engine, up, clock, sleeps)
    assert result.ok and result.attempts == 2 and result.counts.inserted == 12
    assert len(sleeps) == 1 and 0.25 <= sleeps[0] <= 0.5  # first backoff, equal jitter


def test_persistent_5xx_becomes_a_failed_run_with_reason(engine: Engine, clock: FixedClock) -> None:
    sleeps: list[float] = []
    with serve(Upstream(["500"])) as up:
        result = _run(engine, up, clock, sleeps)
    assert not result.ok and result.attempts == 3 and "500" in (result.error or "")
    assert len(sleeps) == 2 and sleeps[1] >= sleeps[0] / 2  # exponential, jittered
    with engine.connect() as conn:
        run = conn.execute(select(collector_runs)).one()
    assert (run.status, run.attempts, run.window_end) == ("failed", 3, WINDOW.end)
    assert "500" in run.error


def test_429_retry_after_is_honoured(engine: Engine, clock: FixedClock) -> None:
    sleeps: list[float] = []
    with serve(Upstream(["429:7", "ok"])) as up:
        result = _run(engine, up, clock, sleeps)
    assert result.ok and sleeps == [7.0]


def test_429_retry_after_beyond_bound_gives_up(engine: Engine, clock: FixedClock) -> None:
    sleeps: list[float] = []
    with serve(Upstream(["429:3600"])) as up:
        result = _run(engine, up, clock, sleeps)
    assert not result.ok and result.attempts == 1 and sleeps == []
    assert "429" in (result.error or "")


def test_client_error_is_not_retried(engine: Engine, clock: FixedClock) -> None:
    sleeps: list[float] = []
    with serve(Upstream(["404"])) as up:
        result = _run(engine, up, clock, sleeps)
    assert not result.ok and result.attempts == 1 and "404" in (result.error or "")


def test_garbage_is_archived_quarantined_once_and_retried(
    engine: Engine, clock: FixedClock
) -> None:
    sleeps: list[float] = []
    with serve(Upstream(["garbage"])) as up:
        result = _run(engine, up, clock, sleeps)
    assert not result.ok and result.attempts == 3
    assert "malformed payload" in (result.error or "")
    # Archived first; the same garbage three times is one payload and one quarantine row.
    assert _rows(engine, raw_payloads) == 1
    with engine.connect() as conn:
        q = conn.execute(select(quarantine)).one()
    assert q.field == "payload" and q.source == "fake"


def test_failed_run_then_next_run_fills_the_window(engine: Engine, clock: FixedClock) -> None:
    sleeps: list[float] = []
    with serve(Upstream(["500", "500", "500", "ok"])) as up:
        failed = _run(engine, up, clock, sleeps)
        after = _run(engine, up, clock, sleeps)
    assert not failed.ok and after.ok and after.counts.inserted == 12
    with engine.connect() as conn:
        statuses = (
            conn.execute(select(collector_runs.c.status).order_by(collector_runs.c.id))
            .scalars()
            .all()
        )
    assert statuses == ["failed", "ok"]


def test_future_rows_against_the_clock_are_quarantined(engine: Engine) -> None:
    sleeps: list[float] = []
    clock = FixedClock(T0 + dt.timedelta(hours=3))
    with serve(Upstream(["ok"])) as up:
        result = _run(engine, up, clock, sleeps)
    # Hours labelled 04:00 and 05:00 (and 03:00 is now, accepted) are in the future.
    assert result.ok and result.counts.inserted == 8 and result.counts.quarantined == 4
