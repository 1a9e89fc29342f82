"""Is collection working: each collector's latest runs, last success and failures, and the run log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine

from service.clock import Clock
from service.figures.collection_health import collector_health
from service.store import staff_views

#: Failures counted over this window for a collector's health.
HEALTH_WINDOW = dt.timedelta(hours=24)

Health = Literal["ok", "degraded", "failing", "stale"]


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """One collector's state: ``failing`` (its newest run failed), ``degraded`` (its newest run
    completed but quarantined most rows, ``service.figures.collection_health``), ``stale`` (no
    success within ``HEALTH_WINDOW``), else ``ok``."""

    collector: str
    health: Health
    last_started: dt.datetime | None
    last_ok: dt.datetime | None
    last_failed: dt.datetime | None
    failed_in_window: int
    runs_in_window: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class CollectorRun:
    """One run of a collector with its counts."""

    id: int
    collector: str
    trigger: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    window_start: dt.datetime | None
    window_end: dt.datetime | None
    fetched: int
    inserted: int
    revised: int
    unchanged: int
    quarantined: int
    attempts: int
    error: str | None


def source_health(engine: Engine, clock: Clock) -> list[SourceHealth]:
    """Every collector that has run, with its health at ``clock.now()``."""
    since = clock.now() - HEALTH_WINDOW
    newest = {c.collector: c for c in collector_health(engine)}
    out = []
    for r in staff_views.run_summary(engine, since):
        last_ok, last_failed = r["last_ok"], r["last_failed"]
        latest = newest.get(str(r["collector"]))
        status = latest.status if latest is not None else None
        failing = status == "failed" or (
            status is None
            and last_failed is not None
            and (last_ok is None or last_failed >= last_ok)
        )
        stale = last_ok is None or last_ok < since
        health: Health = (
            "failing"
            if failing
            else "degraded"
            if status == "degraded"
            else "stale"
            if stale
            else "ok"
        )
        out.append(
            SourceHealth(
                collector=str(r["collector"]),
                health=health,
                last_started=r["last_started"],
                last_ok=last_ok,
                last_failed=last_failed,
                failed_in_window=int(r["failed_since"]),
                runs_in_window=int(r["runs_since"]),
                last_error=(
                    latest.error
                    if latest is not None and latest.error
                    else staff_views.last_error(engine, r["collector"])
                    if failing
                    else None
                ),
            )
        )
    return out


def recent_runs(
    engine: Engine, collector: str | None = None, limit: int = 100
) -> list[CollectorRun]:
    """The latest ``limit`` runs (of ``collector`` when given), newest first."""
    fields = CollectorRun.__dataclass_fields__
    return [
        CollectorRun(**{k: r[k] for k in fields})
        for r in staff_views.runs(engine, collector=collector, limit=limit)
    ]


__all__ = ["HEALTH_WINDOW", "CollectorRun", "SourceHealth", "recent_runs", "source_health"]
