"""Whether the store holds demo data: a demo station, or a successful run of the demo feed that
stored something (the feed writes simulated values for the real stations and sections too)."""

from __future__ import annotations

from sqlalchemy import Connection, exists, or_, select

from service.store.tables import collector_runs, stations

#: ``collector_runs.collector`` of the deterministic demo feed (``stations.collectors.demo``).
DEMO_COLLECTOR = "demo"


def demo_data_present(conn: Connection) -> bool:
    """True when any demo station is registered or the demo feed has stored rows."""
    demo_station = exists().where(stations.c.demo.is_(True))
    demo_run = exists().where(
        collector_runs.c.collector == DEMO_COLLECTOR,
        collector_runs.c.status == "ok",
        or_(collector_runs.c.inserted > 0, collector_runs.c.revised > 0),
    )
    return bool(conn.execute(select(or_(demo_station, demo_run))).scalar())
