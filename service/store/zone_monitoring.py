"""Reads behind zone supervision: the zone monitors and AQI stations of the registry, the readings of
a span, and when each monitor last delivered a valid value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
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
    rows: Sequence[Any] = []
    if codes:
        # The time without per-row processing (a month of a harbour's monitors is a few hundred
        # thousand rows): SQLite hands back its naive UTC text, PostgreSQL aware datetimes; both
        # become aware UTC below. In key order (the primary key's), so that the rows of one key
        # lie next to each other.
        raw_time = type_coerce(t.c.time, String()).label("time")
        stmt = (
            select(*(raw_time if c == "time" else t.c[c] for c in cols))
            .where(
                t.c.time >= start,
                t.c.time < end,
                t.c.station.in_(list(codes)),
                t.c.pollutant.in_(list(parameters)),
            )
            .order_by(t.c.station, t.c.time, t.c.pollutant, t.c.source)
        )
        # The driver's own tuples: wrapping each of them in a Row costs more than the read.
        result = conn.execute(stmt)
        try:
            rows = result.cursor.fetchall()
        finally:
            result.close()
    frame = pd.DataFrame.from_records(rows, columns=cols)
    # A span holds a few hundred distinct hours: each label is parsed once.
    hour, labels = pd.factorize(frame["time"])
    repeated = _repeated_keys(frame, hour)
    frame["time"] = pd.to_datetime(pd.Index(labels), utc=True, format="ISO8601").take(hour)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    if repeated:
        frame = frame.sort_values(["source"], kind="stable").drop_duplicates(
            ["station", "time", "pollutant"], keep="first"
        )
        frame = frame.sort_values(["station", "time"], kind="stable")
    return frame.drop(columns="source").reset_index(drop=True)


def _repeated_keys(frame: pd.DataFrame, hour: np.ndarray) -> bool:
    """Whether two rows of ``frame`` (in key order; ``hour``: codes of its times) share station,
    time and pollutant."""
    same = hour[1:] == hour[:-1]
    for column in ("station", "pollutant"):
        values = frame[column].to_numpy()
        same &= values[1:] == values[:-1]
    return bool(same.any())


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
