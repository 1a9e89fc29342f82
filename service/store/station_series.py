"""Reads behind the public station series: one station's place, its hourly readings, its days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, RowMapping, func, select

from service.store.compute_tables import station_days
from service.store.partitions import newest_reading_time
from service.store.queries import RECENT, readings_between
from service.store.tables import readings, stations


def station_place(conn: Connection, code: str) -> RowMapping | None:
    """The registry row of air station ``code`` (None when unknown). A zone monitor (yard boundary,
    in-plant, port: ``stations.zone`` set) is no air station here: its data are the zone's
    (``service.figures.zone_supervision``), staff-only when raw."""
    query = select(stations).where(stations.c.code == code, stations.c.zone.is_(None))
    return conn.execute(query).mappings().first()


def station_codes(conn: Connection) -> list[str]:
    """Every air station's code, sorted."""
    query = select(stations.c.code).where(stations.c.zone.is_(None)).order_by(stations.c.code)
    return list(conn.execute(query).scalars())


def latest_hour(conn: Connection, code: str) -> dt.datetime | None:
    """End (UTC) of the latest hour with a reading of ``code``."""
    # Within the store's last two months first: on PostgreSQL an unbounded max(time) is planned
    # over every month's partition (service.store.partitions).
    newest = newest_reading_time(conn)
    query = select(func.max(readings.c.time)).where(readings.c.station == code)
    value: Any = None
    if newest is not None:
        value = conn.execute(
            query.where(readings.c.time >= newest - RECENT.to_pytimedelta())
        ).scalar()
        if value is None:
            value = conn.execute(query).scalar()
    if value is None:
        return None
    ts = pd.Timestamp(value)
    return (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")).to_pydatetime()


def station_hours(
    conn: Connection, code: str, start: dt.datetime, end: dt.datetime
) -> pd.DataFrame:
    """Hourly readings of ``code`` with ``start <= time < end``, one column per pollutant code,
    indexed by end-of-hour time (UTC); the alphabetically first source wins (as the latest view)."""
    wide = readings_between(conn, start, end, [code], wide=True)
    if wide.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC", name="time"))
    frame = wide.droplevel("station")
    frame.index = pd.DatetimeIndex(pd.to_datetime(frame.index, utc=True), name="time")
    return frame


def station_day_rows(
    conn: Connection, code: str, start: dt.date, end: dt.date
) -> Sequence[RowMapping]:
    """The computed days (``station_days``) of ``code`` between two CST days, inclusive."""
    t = station_days
    return (
        conn.execute(
            select(t).where(t.c.station == code, t.c.day >= start, t.c.day <= end).order_by(t.c.day)
        )
        .mappings()
        .all()
    )


__all__ = ["latest_hour", "station_codes", "station_day_rows", "station_hours", "station_place"]
