"""Is collection healthy? The newest run of every collector, and which ones are degraded or failing.

A run is ``degraded`` when it completed but quarantined most of the rows it read
(``service.collect.RUN_DEGRADED_SHARE``): the upstream changed its format, names sections the
registry does not know, or sends times without a year. ``/healthz`` and the alert rules read this.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from service.store.runs import latest_runs


@dataclass(frozen=True, slots=True)
class CollectorHealth:
    """The newest finished run of one collector: ``status`` is ``ok``, ``degraded`` or ``failed``;
    ``accepted`` / ``quarantined`` count rows; ``error`` says why it was not ``ok``."""

    collector: str
    status: str
    finished_at: dt.datetime | None
    accepted: int
    quarantined: int
    error: str | None

    @property
    def healthy(self) -> bool:
        return self.status == "ok"


def collector_health(engine: Engine) -> list[CollectorHealth]:
    """The newest finished run of every collector that ever ran, by collector name."""
    with engine.connect() as conn:
        runs = latest_runs(conn)
    return [
        CollectorHealth(r.collector, r.status, r.finished_at, r.accepted, r.quarantined, r.error)
        for r in runs
    ]


def degraded_collectors(engine: Engine) -> list[CollectorHealth]:
    """Collectors whose newest run is ``degraded`` (completed, most rows quarantined)."""
    return [c for c in collector_health(engine) if c.status == "degraded"]


__all__ = ["CollectorHealth", "collector_health", "degraded_collectors"]
