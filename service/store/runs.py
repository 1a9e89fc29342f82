"""Collector runs: one row per run, with its window, outcome, counts and error."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select

from service.store.ingest import IngestCounts
from service.store.tables import collector_runs

#: Statuses of a run that fetched and stored what it could.
COMPLETED_STATUSES = ("ok", "degraded")


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A finished collector run as the store keeps it."""

    collector: str
    started_at: dt.datetime
    finished_at: dt.datetime
    status: str  # "ok" | "degraded" | "failed"
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


def first_completed_start(conn: Connection, collector: str) -> dt.datetime | None:
    """The window start of ``collector``'s oldest completed run (where its history begins)."""
    return conn.execute(
        select(func.min(collector_runs.c.window_start)).where(
            collector_runs.c.collector == collector,
            collector_runs.c.status.in_(COMPLETED_STATUSES),
        )
    ).scalar_one_or_none()


def last_success(conn: Connection, collector: str) -> dt.datetime | None:
    """End of the window of the collector's latest completed run (where a backfill starts).

    A ``degraded`` run completed too: fetching its window again would bring the same bytes."""
    return conn.execute(
        select(collector_runs.c.window_end)
        .where(
            collector_runs.c.collector == collector,
            collector_runs.c.status.in_(COMPLETED_STATUSES),
        )
        .order_by(collector_runs.c.window_end.desc())
        .limit(1)
    ).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class LatestRun:
    """The newest finished run of one collector."""

    collector: str
    status: str
    finished_at: dt.datetime | None
    accepted: int
    quarantined: int
    error: str | None


def latest_runs(conn: Connection) -> list[LatestRun]:
    """The newest finished run of every collector (by id), ordered by collector name."""
    newest = (
        select(func.max(collector_runs.c.id).label("id"))
        .where(collector_runs.c.finished_at.is_not(None))
        .group_by(collector_runs.c.collector)
        .subquery()
    )
    r = collector_runs.c
    rows = conn.execute(
        select(
            r.collector,
            r.status,
            r.finished_at,
            r.inserted,
            r.revised,
            r.unchanged,
            r.quarantined,
            r.error,
        )
        .join(newest, newest.c.id == r.id)
        .order_by(r.collector)
    ).all()
    return [
        LatestRun(
            x.collector,
            x.status,
            x.finished_at,
            int(x.inserted + x.revised + x.unchanged),
            int(x.quarantined),
            x.error,
        )
        for x in rows
    ]
