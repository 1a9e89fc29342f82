"""Reads behind zone supervision: the zone monitors and AQI stations of the registry, the readings of
a span, and when each monitor last delivered a valid value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Connection, String, func, select, type_coerce

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
    t = readings
    cols = ["station", "time", "pollutant", "value", "flag", "source"]
    rows: list[tuple[object, ...]] = []
    if codes:
        # The time without per-row processing (a month of a harbour's monitors is a few hundred
        # thousand rows): SQLite hands back its naive UTC text, PostgreSQL aware datetimes; both
        # become aware UTC below in one vectorised step.
        raw_time = type_coerce(t.c.time, String()).label("time")
        stmt = select(*(raw_time if c == "time" else t.c[c] for c in cols)).where(
            t.c.time >= start,
            t.c.time < end,
            t.c.station.in_(list(codes)),
            t.c.pollutant.in_(list(parameters)),
        )
        rows = list(map(tuple, conn.execute(stmt).fetchall()))  # plain tuples: fast for pandas
    frame = pd.DataFrame.from_records(rows, columns=cols)
    frame["time"] = pd.to_datetime(frame["time"], utc=True, format="ISO8601")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    frame = frame.sort_values(["source"], kind="stable").drop_duplicates(
        ["station", "time", "pollutant"], keep="first"
    )
    return frame.drop(columns="source").sort_values(["station", "time"]).reset_index(drop=True)


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
