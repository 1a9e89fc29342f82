"""Queries the alert rules' inputs need from the store: when each source last delivered, each
section's latest monthly class, and the district days of the last days.

Demo places (``demo = true``) and places without a district are left out: the rules watch the
bureau's own network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, and_, func, select

from service.store.compute_tables import district_days, section_periods
from service.store.tables import readings, samples, sections, stations

#: ``samples.method`` of automatic water stations (the rest are manual lab samples).
AUTOMATIC = "automatic"


@dataclass(frozen=True, slots=True)
class PlaceLastSeen:
    """A station's or section's last data time (UTC; ``None``: never), per method for sections."""

    code: str
    name: str
    district: str
    last: dt.datetime | None
    method: str | None = None  # sections: "manual" | "automatic"


def station_last_seen(conn: Connection) -> list[PlaceLastSeen]:
    """Every real air station with a district and the time of its latest reading."""
    latest = (
        select(readings.c.station.label("code"), func.max(readings.c.time).label("last"))
        .group_by(readings.c.station)
        .subquery()
    )
    rows = conn.execute(
        select(stations.c.code, stations.c.name, stations.c.district_code, latest.c.last)
        .select_from(stations.outerjoin(latest, stations.c.code == latest.c.code))
        .where(
            stations.c.demo.is_(False),
            stations.c.district_code.is_not(None),
            stations.c.zone.is_(None),  # zone monitors have their own silence rule
        )
        .order_by(stations.c.code)
    )
    return [PlaceLastSeen(r.code, r.name, r.district_code, r.last) for r in rows]


def section_last_seen(conn: Connection) -> list[PlaceLastSeen]:
    """Every real section with a district that has samples: its latest sample time per method
    (manual lab samples and automatic-station values are separate rows)."""
    is_auto = samples.c.method == AUTOMATIC
    latest = (
        select(
            samples.c.section.label("code"),
            is_auto.label("auto"),
            func.max(samples.c.time).label("last"),
        )
        .group_by(samples.c.section, is_auto)
        .subquery()
    )
    rows = conn.execute(
        select(
            sections.c.code, sections.c.name, sections.c.district_code, latest.c.auto, latest.c.last
        )
        .select_from(sections.join(latest, sections.c.code == latest.c.code))
        .where(sections.c.demo.is_(False), sections.c.district_code.is_not(None))
        .order_by(sections.c.code, latest.c.auto)
    )
    return [
        PlaceLastSeen(r.code, r.name, r.district_code, r.last, AUTOMATIC if r.auto else "manual")
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class LatestSectionClass:
    """A section's class (GB 3838) in its latest evaluated month."""

    code: str
    name: str
    district: str
    period: str  # YYYY-MM (CST)
    cls: str
    deciding: tuple[str, ...]


def latest_section_classes(conn: Connection, up_to: str) -> list[LatestSectionClass]:
    """For every real section with a district, its class in the latest month up to ``up_to``
    (``YYYY-MM``) that has one, whatever month that is."""
    monthly = and_(
        section_periods.c.period_kind == "month",
        section_periods.c.cls.is_not(None),
        section_periods.c.period <= up_to,
    )
    latest = (
        select(section_periods.c.section, func.max(section_periods.c.period).label("period"))
        .where(monthly)
        .group_by(section_periods.c.section)
        .subquery()
    )
    rows = conn.execute(
        select(
            sections.c.code,
            sections.c.name,
            sections.c.district_code,
            section_periods.c.period,
            section_periods.c.cls,
            section_periods.c.deciding,
        )
        .select_from(
            sections.join(latest, latest.c.section == sections.c.code).join(
                section_periods,
                and_(
                    section_periods.c.section == latest.c.section,
                    section_periods.c.period == latest.c.period,
                ),
            )
        )
        .where(sections.c.demo.is_(False), sections.c.district_code.is_not(None))
        .order_by(sections.c.code)
    )
    return [
        LatestSectionClass(
            r.code, r.name, r.district_code, r.period, r.cls, tuple(r.deciding or ())
        )
        for r in rows
    ]


def district_day_aqi(conn: Connection, first: dt.date, last: dt.date) -> Sequence[RowMapping]:
    """Every district's (and the city's) ``district, day, aqi, primary_pollutants`` on the CST days
    ``first`` to ``last``, inclusive."""
    t = district_days
    return (
        conn.execute(
            select(t.c.district, t.c.day, t.c.aqi, t.c.primary_pollutants).where(
                t.c.day >= first, t.c.day <= last
            )
        )
        .mappings()
        .all()
    )
