"""Reads behind zone supervision: the zone monitors and AQI stations of the registry, the readings of
a span, and when each monitor last delivered a valid value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Connection, func, select

from service.store.queries import readings_between
from service.store.tables import readings, stations

PLACE_COLUMNS = ["code", "name", "name_en", "kind", "district_code", "zone", "demo", "lon", "lat"]


def registry_places(conn: Connection) -> pd.DataFrame:
    """Every station of the registry with ``PLACE_COLUMNS`` (``zone`` NULL for AQI stations)."""
    rows = conn.execute(select(*(stations.c[c] for c in PLACE_COLUMNS)).order_by(stations.c.code))
    return pd.DataFrame(rows.all(), columns=PLACE_COLUMNS)


def span_readings(
    conn: Connection,
    start: dt.datetime,
    end: dt.datetime,
    codes: Sequence[str],
    parameters: Sequence[str],
) -> pd.DataFrame:
    """Readings of ``codes`` and ``parameters`` with ``start <= time < end``, one per key (where
    several sources hold the same hour, the alphabetically first): station, time, pollutant,
    value, flag."""
    if not codes:
        return readings_between(conn, start, start, [])
    frame = readings_between(conn, start, end, list(codes), pollutants=list(parameters))
    frame = frame.sort_values(["source"], kind="stable").drop_duplicates(
        ["station", "time", "pollutant"], keep="first"
    )
    return frame.drop(columns="source").reset_index(drop=True)


def last_reading_times(conn: Connection, codes: Sequence[str]) -> dict[str, dt.datetime]:
    """The end of the latest hour each station in ``codes`` delivered any reading."""
    if not codes:
        return {}
    rows = conn.execute(
        select(readings.c.station, func.max(readings.c.time))
        .where(readings.c.station.in_(list(codes)))
        .group_by(readings.c.station)
    )
    return {str(code): t for code, t in rows if t is not None}


__all__ = ["PLACE_COLUMNS", "last_reading_times", "registry_places", "span_readings"]
