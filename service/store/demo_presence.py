"""Whether the store holds demo data: a demo station, or a successful run of the demo feed that
stored something (the feed writes simulated values for the real stations and sections too); how
much of it; and the purge that removes it (``envmon demo purge``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, exists, func, inspect, or_, select, text

from service.store.sea_tables import sea_areas, sea_points
from service.store.tables import (
    collector_runs,
    dirty_days,
    quarantine,
    raw_payloads,
    readings,
    revisions,
    samples,
    sections,
    stations,
)

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


@dataclass(frozen=True, slots=True)
class DemoCounts:
    """What of the demo feed a store holds (or what a purge removed)."""

    readings: int = 0
    samples: int = 0
    stations: int = 0
    payloads: int = 0

    @property
    def any(self) -> bool:
        return bool(self.readings or self.samples or self.stations)

    def __str__(self) -> str:
        return (
            f"{self.readings} readings, {self.samples} samples, {self.stations} demo stations, "
            f"{self.payloads} payloads"
        )


def demo_counts(conn: Connection) -> DemoCounts:
    """Rows the demo feed wrote (``source`` = ``DEMO_COLLECTOR``) and the demo stations."""
    n = func.count()
    return DemoCounts(
        readings=int(
            conn.execute(select(n).where(readings.c.source == DEMO_COLLECTOR)).scalar_one()
        ),
        samples=int(conn.execute(select(n).where(samples.c.source == DEMO_COLLECTOR)).scalar_one()),
        stations=int(
            conn.execute(
                select(n).select_from(stations).where(stations.c.demo.is_(True))
            ).scalar_one()
        ),
        payloads=int(
            conn.execute(select(n).where(raw_payloads.c.source == DEMO_COLLECTOR)).scalar_one()
        ),
    )


def purge_demo(conn: Connection) -> DemoCounts:
    """Delete everything the demo feed wrote: its readings, samples, revisions, quarantined rows,
    archived payloads and runs, the demo stations, sections and sea places, and the demo job of the scheduler's
    job store. Computed figures are the caller's to rebuild (``service.compute.recompute_all``)."""
    counts = demo_counts(conn)
    demo_payloads = select(raw_payloads.c.id).where(raw_payloads.c.source == DEMO_COLLECTOR)
    conn.execute(delete(readings).where(readings.c.source == DEMO_COLLECTOR))
    conn.execute(delete(samples).where(samples.c.source == DEMO_COLLECTOR))
    conn.execute(
        delete(revisions).where(
            or_(
                revisions.c.source == DEMO_COLLECTOR,
                revisions.c.payload_id.in_(demo_payloads),
                revisions.c.old_payload_id.in_(demo_payloads),
            )
        )
    )
    conn.execute(delete(quarantine).where(quarantine.c.payload_id.in_(demo_payloads)))
    conn.execute(delete(raw_payloads).where(raw_payloads.c.source == DEMO_COLLECTOR))
    conn.execute(delete(collector_runs).where(collector_runs.c.collector == DEMO_COLLECTOR))
    demo_codes = select(stations.c.code).where(stations.c.demo.is_(True))
    conn.execute(delete(dirty_days).where(dirty_days.c.code.in_(demo_codes)))
    conn.execute(delete(stations).where(stations.c.demo.is_(True)))
    conn.execute(delete(sections).where(sections.c.demo.is_(True)))

    conn.execute(delete(sea_points).where(sea_points.c.demo.is_(True)))
    conn.execute(delete(sea_areas).where(sea_areas.c.demo.is_(True)))
    if inspect(conn).has_table("apscheduler_jobs"):
        conn.execute(text("DELETE FROM apscheduler_jobs WHERE id = :id"), {"id": "collect:demo"})
    return counts
