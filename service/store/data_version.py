"""The store's data version for the public figures' cache (``service.api.cache``).

Two parts: ``fingerprint`` (one aggregate query that changes whenever the public figures' inputs
change, whichever process wrote them) and ``watch_writes`` (hooks on an engine that report each
committed write to one of those tables, once its connection is back in the pool).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event, func, select

from service.store.compute_tables import district_days, section_periods, target_audit, targets
from service.store.partitions import newest_reading_time
from service.store.surface_tables import surface_rasters
from service.store.tables import raw_payloads, readings, revisions, sections, stations
from service.store.zone_tables import zone_versions

#: Tables the public figures are read from; a committed write to one of them is reported.
WATCHED = frozenset(
    t.name
    for t in (
        district_days,
        section_periods,
        targets,
        target_audit,
        readings,
        revisions,
        raw_payloads,
        stations,
        sections,
        zone_versions,
    )
) | {"zone_features", "station_days", "sea_points", "sea_areas", "surface_rasters"}
_WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|COPY)\s+"?(\w+)"?', re.IGNORECASE
)
_FLAG = "envmon_public_write"
_COMMITTED = "envmon_public_committed"


def _fingerprint_query() -> Any:
    """One row of cheap aggregates (indexed, or over small tables) that change whenever the public
    figures' inputs change in the store."""
    count = func.count
    pairs: list[tuple[Any, Any]] = [
        (district_days, count()),
        (district_days, func.max(district_days.c.computed_at)),
        (section_periods, count()),
        (section_periods, func.max(section_periods.c.computed_at)),
        (targets, count()),
        (targets, func.max(targets.c.updated_at)),
        (target_audit, func.max(target_audit.c.id)),
        (revisions, func.max(revisions.c.id)),
        (raw_payloads, func.max(raw_payloads.c.id)),
        (stations, count()),
        (stations, func.max(stations.c.updated_at)),
        (sections, count()),
        (sections, func.max(sections.c.updated_at)),
        (zone_versions, func.max(zone_versions.c.id)),
        # imported rasters: the staff map lists them (service.api.routes.maps, staff facts)
        (surface_rasters, func.max(surface_rasters.c.id)),
    ]
    columns = [
        select(expr).select_from(table).scalar_subquery().label(f"c{i}")
        for i, (table, expr) in enumerate(pairs)
    ]
    # Archived first, ingested in a later transaction: the newest payload's state counts too.
    newest = select(raw_payloads.c.ingested_at).order_by(raw_payloads.c.id.desc()).limit(1)
    columns.append(newest.scalar_subquery().label("ingested"))
    return select(*columns)


_FINGERPRINT = _fingerprint_query()


def fingerprint(engine: Engine) -> tuple[Any, ...]:
    """The store's current fingerprint of the public figures' inputs, with the newest reading's
    time (asked apart: on PostgreSQL readings are partitioned by month, ``newest_reading_time``)."""
    with engine.connect() as conn:
        row = conn.execute(_FINGERPRINT).one()
        newest = newest_reading_time(conn)
    return (*row, newest)


def watch_writes(engine: Engine, committed: Callable[[], None]) -> None:
    """Call ``committed()`` after each commit that wrote to a ``WATCHED`` table via ``engine``.

    The ``commit`` event fires *before* the database commits, so the call waits for the connection's
    return to the pool: a reader told of the write always sees the committed rows.
    """

    def after_cursor_execute(conn: Any, _c: Any, statement: str, *_: Any) -> None:
        m = _WRITE.match(statement)
        if m is not None and m.group(1).lower() in WATCHED:
            conn.info[_FLAG] = True

    def commit(conn: Any) -> None:
        if conn.info.pop(_FLAG, False):
            conn.info[_COMMITTED] = True

    def rollback(conn: Any) -> None:
        conn.info.pop(_FLAG, None)

    def checkin(_dbapi: Any, record: Any) -> None:
        if record is not None and record.info.pop(_COMMITTED, False):
            committed()

    event.listen(engine, "after_cursor_execute", after_cursor_execute)
    event.listen(engine, "commit", commit)
    event.listen(engine, "rollback", rollback)
    event.listen(engine, "checkin", checkin)
