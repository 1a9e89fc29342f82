"""Readings partitioned by month on PostgreSQL (issue 21, item 5): the partitions exist, the ingest
makes the months it writes, the migration moves existing rows, and every read answers the same rows
as before; a station's hours read one month's partition only. SQLite keeps one plain table."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Connection, Engine, func, select, text

from service.store import migrate
from service.store.engine import make_engine, writing
from service.store.ingest import ingest_readings
from service.store.partitions import ensure_months, is_partitioned, month_bounds, partitions
from service.store.payloads import archive_payload
from service.store.queries import latest_readings, readings_between
from service.store.station_series import latest_hour, station_hours
from service.store.tables import readings
from stations.collectors.base import Payload

from .helpers import readings_frame

PREVIOUS = "3c1f5e8a9d27"  # the head before the partitioning migration
#: 20 hours either side of the April/May boundary, then a June hour: three months of rows.
START = dt.datetime(2026, 4, 30, 4, tzinfo=dt.UTC)
JUNE = dt.datetime(2026, 6, 3, 7, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 6, 10, tzinfo=dt.UTC)


def _frame() -> pd.DataFrame:
    spring = readings_frame(["1258A", "1259A"], START, 40)
    june = readings_frame(["1258A"], JUNE, 1)
    return pd.concat([spring, june], ignore_index=True)


def _ingest(engine: Engine, frame: pd.DataFrame) -> None:
    with writing(engine) as conn:
        payload = archive_payload(conn, Payload("test", "test://p", b"p"), NOW)
        ingest_readings(conn, frame, "test", payload.id, NOW)


def _rows(conn: Connection) -> list[tuple[object, ...]]:
    t = readings
    query = select(t.c.station, t.c.time, t.c.pollutant, t.c.source, t.c.value, t.c.flag)
    return [tuple(r) for r in conn.execute(query.order_by(*t.primary_key.columns)).all()]


def _where(conn: Connection) -> dict[str, int]:
    """Rows per partition (the table each row is stored in)."""
    rows = conn.execute(
        text("SELECT tableoid::regclass::text, count(*) FROM readings GROUP BY 1")
    ).all()
    return {str(name): int(n) for name, n in rows}


def _reads(conn: Connection) -> tuple[object, ...]:
    """What the station routes read: hours of a day, latest hours, a station's latest hour."""
    day = readings_between(conn, START, START + dt.timedelta(hours=40), ["1258A"], wide=True)
    hours = station_hours(conn, "1259A", START, START + dt.timedelta(hours=30))
    latest = latest_readings(conn)
    return (
        day.reset_index().to_dict("list"),
        hours.reset_index().to_dict("list"),
        latest.to_dict("list"),
        latest_hour(conn, "1258A"),
        latest_hour(conn, "1259A"),
    )


@pytest.mark.postgis
def test_ingest_makes_the_months_it_writes(pg_url: str) -> None:
    from service.store.engine import init_store

    engine = init_store(pg_url)
    try:
        _ingest(engine, _frame())
        with engine.connect() as conn:
            assert is_partitioned(conn)
            assert partitions(conn) == [
                "readings_default",
                "readings_y2026m04",
                "readings_y2026m05",
                "readings_y2026m06",
            ]
            # 2 stations x 2 pollutants: 20 April hours (04:00..23:00) and 20 May hours; one June
            assert _where(conn) == {
                "readings_y2026m04": 80,
                "readings_y2026m05": 80,
                "readings_y2026m06": 2,
            }
    finally:
        engine.dispose()


@pytest.mark.postgis
def test_a_row_written_before_its_month_exists_moves_into_it(pg_url: str) -> None:
    from service.store.engine import init_store

    engine = init_store(pg_url)
    try:
        hour = dt.datetime(2027, 1, 15, 3, tzinfo=dt.UTC)
        with writing(engine) as conn:
            payload = archive_payload(conn, Payload("test", "test://q", b"q"), NOW)
            conn.execute(
                readings.insert().values(
                    station="1258A", time=hour, pollutant="PM25", value=12.0, source="x",
                    payload_id=payload.id,
                )
            )  # fmt: skip
        with engine.connect() as conn:
            assert _where(conn) == {"readings_default": 1}
        with writing(engine) as conn:
            assert ensure_months(conn, [dt.date(2027, 1, 1)]) == ["readings_y2027m01"]
            assert ensure_months(conn, [dt.date(2027, 1, 1)]) == []  # made once
        with engine.connect() as conn:
            assert _where(conn) == {"readings_y2027m01": 1}
            assert month_bounds(dt.date(2027, 12, 1))[1] == dt.datetime(2028, 1, 1, tzinfo=dt.UTC)
    finally:
        engine.dispose()


@pytest.mark.postgis
def test_migration_moves_existing_rows_and_reads_answer_the_same(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        migrate.upgrade(engine, PREVIOUS)
        _ingest(engine, _frame())
        with engine.connect() as conn:
            assert not is_partitioned(conn)
            before_rows, before_reads = _rows(conn), _reads(conn)
        migrate.upgrade(engine)
        with engine.connect() as conn:
            assert is_partitioned(conn)
            assert set(_where(conn)) == {
                "readings_y2026m04",
                "readings_y2026m05",
                "readings_y2026m06",
            }
            assert _rows(conn) == before_rows and len(before_rows) == 162
            assert _reads(conn) == before_reads
            # a station's hours of one day read that month's partition only, by its key index
            plan = "\n".join(
                conn.execute(
                    text(
                        "EXPLAIN SELECT * FROM readings WHERE station = '1259A' "
                        "AND time >= '2026-05-01T00:00Z' AND time < '2026-05-02T00:00Z'"
                    )
                ).scalars()
            )
            assert "readings_y2026m05" in plan and "readings_y2026m04" not in plan
            assert "readings_default" not in plan
        assert migrate.drift(engine) == []
        migrate.upgrade(engine)  # a second upgrade is a no-op
        # and back: one plain table with the same rows
        from alembic import command

        command.downgrade(migrate.alembic_config(engine), PREVIOUS)
        with engine.connect() as conn:
            assert not is_partitioned(conn) and partitions(conn) == []
            assert _rows(conn) == before_rows
            count = conn.execute(select(func.count()).select_from(readings)).scalar()
            assert count == 162
    finally:
        engine.dispose()


def test_sqlite_keeps_one_plain_table(engine: Engine) -> None:
    _ingest(engine, _frame())
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert not is_partitioned(conn) and partitions(conn) == []
            assert ensure_months(conn, [dt.date(2026, 4, 1)]) == []
        assert len(_rows(conn)) == 162


@pytest.mark.postgis
def test_data_version_sees_new_readings_recent_or_old(pg_url: str) -> None:
    """The cache's check (``service.store.data_version.fingerprint``) asks the last two months first: a
    reading written by another process is seen whether it is recent or months old."""
    from service.store.data_version import fingerprint
    from service.store.engine import init_store

    engine = init_store(pg_url)
    try:
        _ingest(engine, _frame())  # April to June 2026: older than two months
        before = fingerprint(engine)
        assert JUNE in before  # the newest reading, found by the whole-table fallback
        recent = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
        for when in (JUNE + dt.timedelta(hours=1), recent - dt.timedelta(hours=1)):
            with writing(engine) as conn:
                conn.execute(
                    readings.insert().values(
                        station="1260A", time=when, pollutant="O3", value=50.0, source="cli",
                        payload_id=1,
                    )
                )  # fmt: skip
            after = fingerprint(engine)
            assert after != before and when in after
            before = after
    finally:
        engine.dispose()
