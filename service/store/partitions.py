"""Monthly partitions of ``readings`` on PostgreSQL (declarative range partitioning on ``time``).

A decade of hourly readings is hundreds of millions of rows; partitioned by UTC month, a query
bounded in time (a station's hours, a window of days, an ingest's collision check) reads only the
months it names, and each month's primary-key index (station, time, pollutant, source) stays small.
The migration ``e21b7c40a9d3`` turns the table into a partitioned one; here the ingest makes the
month partitions it needs before it writes. SQLite keeps one plain table (no partitioning).

Rows of a month without a partition land in ``readings_default`` (writes never fail for want of a
partition); making that month's partition moves them out of it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Final

import pandas as pd
from sqlalchemy import Connection, func, select, text

from service.store.tables import readings

#: The partitioned table and its catch-all partition.
PARENT: Final = "readings"
DEFAULT: Final = "readings_default"
#: A month partition's name: ``readings_y2026m05`` holds [2026-05-01, 2026-06-01) UTC.
MONTH_NAME: Final = re.compile(r"^readings_y(\d{4})m(\d{2})$")
#: Every partition's name (the schema check leaves them out: the metadata describes the parent).
PARTITION_NAME: Final = re.compile(r"^readings_(y\d{4}m\d{2}|default)$")


def month_name(month: dt.date) -> str:
    """The partition holding UTC month ``month`` (any day of it)."""
    return f"{PARENT}_y{month.year:04d}m{month.month:02d}"


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """First instant of ``month`` and of the next one (UTC)."""
    first = dt.datetime(month.year, month.month, 1, tzinfo=dt.UTC)
    nxt = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=dt.UTC)
    return first, nxt


def months_of(times: pd.Series) -> list[dt.date]:
    """The distinct UTC months (first days) of aware ``times``, sorted."""
    if times.empty:
        return []
    utc = pd.to_datetime(times, utc=True).dropna()
    months = pd.Series(utc.dt.year * 12 + utc.dt.month - 1).unique()
    return [dt.date(int(m) // 12, int(m) % 12 + 1, 1) for m in sorted(months)]


def is_partitioned(conn: Connection) -> bool:
    """Whether ``readings`` is a partitioned table (PostgreSQL after the migration)."""
    if conn.dialect.name != "postgresql":
        return False
    kind = conn.execute(
        text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:t)"), {"t": PARENT}
    ).scalar()
    return bool(kind == "p")


def partitions(conn: Connection) -> list[str]:
    """Names of ``readings``' partitions, sorted (empty when it is not partitioned)."""
    if conn.dialect.name != "postgresql":
        return []
    rows = conn.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(:t) ORDER BY c.relname"
        ),
        {"t": PARENT},
    ).scalars()
    return list(rows)


def create_month(conn: Connection, month: dt.date) -> None:
    """Make the partition of ``month``, moving its rows out of the default partition.

    Built as a plain table, filled from the default partition, then attached: attaching creates
    its indexes from the parent's and checks that no row of the month is left in the default.
    """
    name = month_name(month)
    first, nxt = month_bounds(month)
    bounds = {"a": first, "b": nxt}
    conn.execute(
        text(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    )
    conn.execute(
        text(
            f"WITH moved AS (DELETE FROM {DEFAULT} WHERE time >= :a AND time < :b RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved"
        ),
        bounds,
    )
    # Literal bounds: ATTACH takes no parameters. Both are datetimes made here, never input.
    conn.execute(
        text(
            f"ALTER TABLE {PARENT} ATTACH PARTITION {name} "
            f"FOR VALUES FROM ('{first.isoformat()}') TO ('{nxt.isoformat()}')"
        )
    )


def ensure_months(conn: Connection, months: Iterable[dt.date]) -> list[str]:
    """Make the missing partitions of ``months`` (PostgreSQL, partitioned store); their names.

    Serialised by a transaction-scoped advisory lock, so two ingests of different sources never
    race to make one month.
    """
    wanted = sorted(set(months))
    if not wanted or not is_partitioned(conn):
        return []
    have = set(partitions(conn))
    missing = [m for m in wanted if month_name(m) not in have]
    if not missing:
        return []
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('readings/partitions'))"))
    have = set(partitions(conn))
    made = []
    for month in missing:
        if month_name(month) not in have:
            create_month(conn, month)
            made.append(month_name(month))
    return made


def newest_reading_time(conn: Connection) -> dt.datetime | None:
    """The newest reading's time (UTC), cheaply whatever the history.

    On the partitioned store, ``max(time)`` over ``readings`` is planned over every month (50 ms
    over ten years, most of it planning): here the default partition and then the month partitions,
    newest first, are asked one by one until one holds a row; months do not overlap, so the newest
    month with rows holds the newest of them. Elsewhere, one ``max(time)`` (an index seek).
    """
    names = partitions(conn)
    if not names:
        value = conn.execute(select(func.max(readings.c.time))).scalar()
        return _aware(value)
    best = _partition_max(conn, DEFAULT) if DEFAULT in names else None
    for name in sorted((n for n in names if MONTH_NAME.match(n)), reverse=True):
        newest = _partition_max(conn, name)
        if newest is not None:
            return newest if best is None else max(best, newest)
    return best


def _partition_max(conn: Connection, name: str) -> dt.datetime | None:
    if not PARTITION_NAME.match(name):  # names come from the catalogue; never anything else
        raise ValueError(name)
    return _aware(conn.execute(text(f"SELECT max(time) FROM {name}")).scalar())


def _aware(value: object) -> dt.datetime | None:
    if value is None:
        return None
    ts = pd.Timestamp(value)  # type: ignore[arg-type]
    return (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")).to_pydatetime()
