"""Reads and writes of the computed tables for ``service.compute``: station days, district days and
section periods (the compute modules shape the rows; every statement is here).

Keys are deleted 500 per ``IN`` list. Every function takes the caller's connection, so a recompute
batch stays one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Row, RowMapping, delete, insert, select, tuple_

from service.store.compute_tables import (
    DAY_INDICATORS,
    district_days,
    section_periods,
    station_days,
)

#: Keys per ``IN`` list.
CHUNK = 500


def replace_station_days(
    conn: Connection, keys: Sequence[tuple[str, dt.date]], rows: Sequence[dict[str, Any]]
) -> None:
    """Delete the (station, day) rows in ``keys``, then insert ``rows`` (if any)."""
    for i in range(0, len(keys), CHUNK):
        conn.execute(
            delete(station_days).where(
                tuple_(station_days.c.station, station_days.c.day).in_(keys[i : i + CHUNK])
            )
        )
    if rows:
        conn.execute(insert(station_days), rows)


def station_day_indicators(
    conn: Connection, stations: Sequence[str], days: Sequence[dt.date]
) -> pd.DataFrame:
    """The stored daily indicators of ``stations`` on ``days``: columns ``station, day`` and one per
    ``DAY_INDICATORS`` (as stored), ordered by station and day."""
    cols = [
        station_days.c.station,
        station_days.c.day,
        *[station_days.c[k.lower()] for k in DAY_INDICATORS],
    ]
    rows = conn.execute(
        select(*cols)
        .where(station_days.c.station.in_(list(stations)), station_days.c.day.in_(list(days)))
        .order_by(station_days.c.station, station_days.c.day)
    ).all()
    return pd.DataFrame(rows, columns=["station", "day", *DAY_INDICATORS])


def delete_district_days(conn: Connection, days: Sequence[dt.date]) -> None:
    """Delete every district's (and the city's) rows on ``days``."""
    for i in range(0, len(days), CHUNK):
        conn.execute(delete(district_days).where(district_days.c.day.in_(days[i : i + CHUNK])))


def insert_district_days(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert district-day rows (none: nothing)."""
    if rows:
        conn.execute(insert(district_days), rows)


def district_day_rows(
    conn: Connection, district: str, start: dt.date, end: dt.date
) -> Sequence[RowMapping]:
    """A district's (or the city's) rows between two CST days, inclusive, by day."""
    t = district_days
    return (
        conn.execute(
            select(t)
            .where(t.c.district == district, t.c.day >= start, t.c.day <= end)
            .order_by(t.c.day)
        )
        .mappings()
        .all()
    )


def district_day_frame(
    conn: Connection, district: str, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """``district_day_rows`` as a frame with every column of ``district_days``."""
    rows = district_day_rows(conn, district, start, end)
    cols = [c.name for c in district_days.columns]
    return pd.DataFrame([dict(r) for r in rows], columns=cols)


def delete_section_periods(conn: Connection, keys: Sequence[tuple[str, str]]) -> None:
    """Delete the (section, period) rows in ``keys``."""
    for i in range(0, len(keys), CHUNK):
        conn.execute(
            delete(section_periods).where(
                tuple_(section_periods.c.section, section_periods.c.period).in_(keys[i : i + CHUNK])
            )
        )


def insert_section_periods(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert section-period rows (none: nothing)."""
    if rows:
        conn.execute(insert(section_periods), rows)


def section_period_rows(conn: Connection, period: str) -> Sequence[Row[Any]]:
    """Every section's row for ``period`` (``YYYY`` or ``YYYY-MM``)."""
    return conn.execute(select(section_periods).where(section_periods.c.period == period)).all()


def clear_computed(conn: Connection) -> None:
    """Delete every district day, station day and section period (a full recompute follows)."""
    for table in (district_days, station_days, section_periods):
        conn.execute(delete(table))
