"""The staff API's raw lists (``/api/v1/staff/...``): stored readings, quarantine, runs and
revisions, newest first, a page at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import Engine, Table, select

from service.store.tables import collector_runs, quarantine, readings, revisions

#: The tables a staff page lists, by name.
PAGED: dict[str, Table] = {
    "quarantine": quarantine,
    "collector_runs": collector_runs,
    "revisions": revisions,
}


def stored_readings(
    engine: Engine,
    start: dt.datetime,
    end: dt.datetime,
    *,
    station: str | None = None,
    pollutant: str | None = None,
    flagged: bool | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Stored hourly readings in ``[start, end)`` (optionally of one station, one pollutant, only
    flagged or unflagged ones), newest first, at most ``limit``."""
    t = readings
    query = select(t).where(t.c.time >= start, t.c.time < end)
    if station:
        query = query.where(t.c.station == station)
    if pollutant:
        query = query.where(t.c.pollutant == pollutant)
    if flagged is not None:
        query = query.where(t.c.flag.is_not(None) if flagged else t.c.flag.is_(None))
    query = query.order_by(t.c.time.desc(), t.c.station, t.c.pollutant).limit(limit)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def newest_rows(
    engine: Engine,
    table: Literal["quarantine", "collector_runs", "revisions"],
    equal: Mapping[str, object | None],
    before_id: int | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Up to ``limit`` rows of ``table`` below ``before_id``, newest (highest id) first, whose
    columns equal the values of ``equal`` (a ``None`` value: no condition on that column)."""
    t = PAGED[table]
    query = select(t).where(*(t.c[name] == value for name, value in equal.items() if value))
    if before_id is not None:
        query = query.where(t.c.id < before_id)
    query = query.order_by(t.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def latest_finished_run(engine: Engine) -> tuple[dt.datetime, str] | None:
    """When the newest finished collector run ended, and its status (by primary key: an index
    lookup, not a scan of the runs)."""
    t = collector_runs
    with engine.connect() as conn:
        row = conn.execute(
            select(t.c.finished_at, t.c.status)
            .where(t.c.finished_at.is_not(None))
            .order_by(t.c.id.desc())
            .limit(1)
        ).first()
    return None if row is None else (row.finished_at, str(row.status))


__all__ = ["PAGED", "latest_finished_run", "newest_rows", "stored_readings"]
