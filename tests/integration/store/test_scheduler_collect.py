"""The scheduler on both backends: jobs persisted in the store, faults leave it running, backfill."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, inspect, select

from service.clock import FixedClock
from service.collect import RetryPolicy, RunResult
from service.scheduler import (
    Collection,
    CollectorJob,
    JobScheduler,
    LabInbox,
    SchedulerConfig,
    due_windows,
)
from service.store.engine import make_engine
from service.store.ingest import count_rows
from service.store.tables import collector_runs, readings, samples
from stations.collectors.base import Window
from stations.model import Parsed, Rejected

from .conftest import T0
from .fakes import FakeCollector, Upstream, serve

HOUR = dt.timedelta(hours=1)


def _config(url: str = "", **kw) -> SchedulerConfig:
    return SchedulerConfig(
        jobs=[CollectorJob(FakeCollector(url), dt.timedelta(hours=1))] if url else [],
        backfill_max=dt.timedelta(hours=6),
        overlap=dt.timedelta(hours=2),
        retry=RetryPolicy(attempts=1),
        http_timeout=2.0,
        **kw,
    )


def _wait_for(condition: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    # Waiting for a background thread to get somewhere, not measuring how long it takes.
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _statuses(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(select(collector_runs.c.status).order_by(collector_runs.c.id)).scalars()
        )


def test_due_windows_first_run_backfills_bounded() -> None:
    now = T0 + dt.timedelta(minutes=20)
    windows = due_windows(None, now, _config())
    assert windows == [Window(T0 - 5 * HOUR, T0 + HOUR)]


def test_due_windows_resume_after_last_success_with_overlap_and_chunks() -> None:
    config = _config()
    config.chunk = dt.timedelta(hours=2)
    windows = due_windows(T0 - 3 * HOUR, T0 + dt.timedelta(minutes=5), config)
    assert windows == [
        Window(T0 - 5 * HOUR, T0 - 3 * HOUR),
        Window(T0 - 3 * HOUR, T0 - HOUR),
        Window(T0 - HOUR, T0 + HOUR),
    ]


def test_due_windows_never_reach_further_than_backfill_max() -> None:
    windows = due_windows(T0 - 100 * HOUR, T0, _config())
    assert windows[0].start == T0 - 5 * HOUR


#: What the job below reports to the test (it runs in the scheduler's thread).
SEEN: list[RunResult] = []


def fake_collect_job(store_url: str, upstream_url: str, now: str) -> None:
    """A scheduled job as service.jobs writes them: importable, plain arguments, its engine and
    collector rebuilt where it runs."""
    engine = make_engine(store_url)
    try:
        collection = Collection(
            engine,
            _config(upstream_url),
            FixedClock(dt.datetime.fromisoformat(now)),
            hooks=[SEEN.append],
        )
        collection.collect("fake")
        collection.close()
    finally:
        engine.dispose()


def test_failures_keep_scheduler_alive_and_next_run_backfills(
    engine: Engine, store_url: str
) -> None:
    SEEN.clear()
    now = (T0 + dt.timedelta(minutes=10)).isoformat()
    with serve(Upstream(["500"])) as up:
        sched = JobScheduler(engine)
        sched.add_interval_job(
            fake_collect_job,
            HOUR,
            job_id="collect:fake",
            args=[store_url, up.url, now],
            first_run=dt.datetime.now(dt.UTC),
        )
        sched.start()
        try:
            _wait_for(lambda: _statuses(engine) == ["failed"], "the failed run")
            assert sched.running and sched.scheduler.get_job("collect:fake") is not None

            up.script = ["ok"]
            sched.scheduler.modify_job("collect:fake", next_run_time=dt.datetime.now(dt.UTC))
            _wait_for(lambda: _statuses(engine) == ["failed", "ok"], "the recovering run")
        finally:
            sched.shutdown()
    # The recovering run fetched the whole bounded gap: 6 hour labels x 2 stations.
    with engine.connect() as conn:
        assert count_rows(conn, readings) == 12
        run = conn.execute(select(collector_runs).where(collector_runs.c.status == "ok")).one()
    assert (run.window_start, run.window_end) == (T0 - 5 * HOUR, T0 + HOUR)
    assert [r.counts.inserted for r in SEEN] == [12]


def test_job_store_lives_in_the_same_database(engine: Engine, store_url: str) -> None:
    for _ in range(2):  # a restart re-registers the same job, it does not duplicate it
        sched = JobScheduler(engine)
        sched.add_interval_job(
            fake_collect_job, HOUR, job_id="collect:fake", args=[store_url, "", T0.isoformat()]
        )
        sched.start()
        sched.shutdown()
    assert "apscheduler_jobs" in inspect(engine).get_table_names()
    with engine.connect() as conn:
        ids = conn.exec_driver_sql("SELECT id FROM apscheduler_jobs").scalars().all()
    assert ids == ["collect:fake"]


def test_restart_resumes_from_last_success(engine: Engine) -> None:
    clock = FixedClock(T0 + dt.timedelta(minutes=10))
    with serve(Upstream(["ok"])) as up:
        sched = Collection(engine, _config(up.url), clock)
        first = sched.collect("fake")
        clock.advance(3 * HOUR)
        again = sched.collect("fake")
        sched.close()
    assert first[0].window == Window(T0 - 5 * HOUR, T0 + HOUR)
    assert again[0].window == Window(T0 - HOUR, T0 + 4 * HOUR)  # 2 h overlap
    assert again[0].counts.unchanged == 4 and again[0].counts.inserted == 6


def _lab_parse(raw: bytes) -> Parsed:
    """section,date,item,value lines; anything else is a rejected payload."""
    text = raw.decode("utf-8", errors="replace").strip().splitlines()
    if not text or text[0] != "section,date,item,value":
        return Parsed(
            rejected=[Rejected(text[0] if text else "", "payload: not a lab file", "payload")]
        )
    rows = [line.split(",") for line in text[1:]]
    frame = pd.DataFrame(rows, columns=["section", "time", "item", "value"])
    frame["time"] = (
        pd.to_datetime(frame["time"]).dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC")
    )
    frame["value"] = frame["value"].astype(float)
    frame["detection_limit"] = float("nan")
    frame["below_limit"] = False
    frame["method"] = "manual"
    return Parsed(samples=frame)


def test_lab_watcher_imports_and_moves_files(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "lab" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "may.csv").write_text(
        "section,date,item,value\nS1,2026-05-01,NH3N,0.4\nS2,2026-05-01,TP,0.1\n"
    )
    (inbox / "junk.csv").write_text("hello\n")
    (inbox / "notes.docx").write_text("ignored")
    lab = LabInbox(inbox, _lab_parse, settle=dt.timedelta(0))
    seen: list[RunResult] = []
    sched = Collection(engine, _config(lab=lab), FixedClock(T0 + 48 * HOUR), hooks=[seen.append])
    results = sched.watch_lab()
    # The same file dropped again is recognised by its bytes and only moved.
    (inbox / "may-copy.csv").write_bytes((lab.processed / "may.csv").read_bytes())
    again = sched.watch_lab()
    sched.close()
    assert sorted(p.name for p in lab.processed.iterdir()) == ["may-copy.csv", "may.csv"]
    assert [p.name for p in lab.quarantined.iterdir()] == ["junk.csv"]
    assert [p.name for p in inbox.iterdir()] == ["notes.docx"]
    assert sum(r.counts.inserted for r in results) == 2 and again[0].skipped
    with engine.connect() as conn:
        assert count_rows(conn, samples) == 2
    assert len(seen) == 1


def test_settings_without_upstream_run_the_demo_feed(tmp_path: Path) -> None:
    from service.scheduler import config_from_settings
    from service.settings import Settings

    config = config_from_settings(Settings(data_dir=tmp_path))
    assert [job.collector.name for job in config.jobs] == ["demo"]
    assert config.lab is not None and config.lab.inbox == tmp_path / "lab" / "inbox"
    with_feed = config_from_settings(
        Settings(data_dir=tmp_path, water_auto_url="http://127.0.0.1:9/w")
    )
    assert [(j.collector.name, j.interval) for j in with_feed.jobs] == [
        ("water_auto", dt.timedelta(hours=4))
    ]
