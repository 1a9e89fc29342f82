"""Collector runs: one row per run, with its window, outcome, counts and error."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from service.store.ingest import IngestCounts
from service.store.tables import collector_runs


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A finished collector run as the store keeps it."""

    collector: str
    started_at: dt.datetime
    finished_at: dt.datetime
    status: str  # "ok" | "failed"
    window_start: dt.datetime | None = None
    window_end: dt.datetime | None = None
    trigger: str = "schedule"  # "schedule" | "backfill" | "cli" | "import"
    fetched: int = 0
    counts: IngestCounts = IngestCounts()
    attempts: int = 0
    error: str | None = None


def record_run(conn: Connection, run: RunRecord) -> int:
    """Store a finished run; returns its id."""
    result = conn.execute(
        insert(collector_runs)
        .values(
            collector=run.collector,
            trigger=run.trigger,
            window_start=run.window_start,
            window_end=run.window_end,
            started_at=run.started_at,
            finished_at=run.finished_at,
            status=run.status,
            fetched=run.fetched,
            inserted=run.counts.inserted,
            revised=run.counts.revised,
            unchanged=run.counts.unchanged,
            quarantined=run.counts.quarantined,
            attempts=run.attempts,
            error=run.error,
        )
        .returning(collector_runs.c.id)
    )
    return int(result.scalar_one())


def last_success(conn: Connection, collector: str) -> dt.datetime | None:
    """End of the window of the collector's latest successful run (where a backfill starts)."""
    return conn.execute(
        select(collector_runs.c.window_end)
        .where(collector_runs.c.collector == collector, collector_runs.c.status == "ok")
        .order_by(collector_runs.c.window_end.desc())
        .limit(1)
    ).scalar_one_or_none()
