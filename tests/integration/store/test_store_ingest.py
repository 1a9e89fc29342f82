"""Archive and ingest on both backends: idempotent, revisions, dirty days, quarantine."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine, and_, func, select

from service.clock import FixedClock
from service.store.engine import writing
from service.store.ingest import count_rows, ingest_readings, ingest_samples
from service.store.payloads import archive_payload, load_payload
from service.store.queries import latest_readings, pop_dirty_days, readings_between
from service.store.tables import dirty_days, quarantine, raw_payloads, readings, revisions, samples
from stations.collectors.base import Payload

from .conftest import T0
from .helpers import readings_frame

TABLES = (raw_payloads, readings, samples, quarantine, revisions, dirty_days)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: count_rows(conn, t) for t in TABLES}


def _ingest(engine: Engine, raw: bytes, frame: pd.DataFrame, clock: FixedClock):
    with writing(engine) as conn:
        archived = archive_payload(conn, Payload("test", "http://x/", raw), clock.now())
        return archived.id, ingest_readings(conn, frame, "test", archived.id, clock.now())


def test_same_payload_archived_twice_keeps_one_row(engine: Engine, clock: FixedClock) -> None:
    payload = Payload("test", "http://x/a", b"abc" * 1000, "text/csv", {"page": "1"})
    with writing(engine) as conn:
        first = archive_payload(conn, payload, clock.now())
        second = archive_payload(conn, payload, clock.now())
        assert first.id == second.id
        assert load_payload(conn, first.id) == payload.raw
        assert count_rows(conn, raw_payloads) == 1


def test_reingesting_same_payloads_twice_leaves_identical_counts(
    engine: Engine, clock: FixedClock
) -> None:
    frame = readings_frame(["1258A", "1259A", "1260A"], T0, 24)
    _, counts = _ingest(engine, b"payload-1", frame, clock)
    assert (counts.inserted, counts.revised, counts.unchanged) == (len(frame), 0, 0)
    before = _counts(engine)
    _, again = _ingest(engine, b"payload-1", frame, clock)
    assert (again.inserted, again.revised, again.unchanged) == (0, 0, len(frame))
    assert _counts(engine) == before
    assert before["readings"] == len(frame)


def test_revised_value_updates_reading_with_one_revision_and_dirty_day(
    engine: Engine, clock: FixedClock
) -> None:
    frame = readings_frame(["1258A", "1259A"], T0, 24)
    first_id, _ = _ingest(engine, b"v1", frame, clock)
    with writing(engine) as conn:
        pop_dirty_days(conn, "air")

    changed = frame.copy()
    # 2026-05-01 05:00 UTC is 13:00 CST on 1 May.
    hit = (changed["station"] == "1259A") & (
        changed["time"] == pd.Timestamp(T0 + dt.timedelta(hours=5))
    )
    hit &= changed["pollutant"] == "PM25"
    changed.loc[hit, "value"] = 555.0
    clock.advance(dt.timedelta(hours=1))
    second_id, counts = _ingest(engine, b"v2", changed, clock)
    assert (counts.inserted, counts.revised, counts.unchanged) == (0, 1, len(frame) - 1)

    with engine.connect() as conn:
        rev = conn.execute(select(revisions)).one()
        stored = conn.execute(
            select(readings.c.value, readings.c.payload_id).where(
                readings.c.station == "1259A",
                readings.c.pollutant == "PM25",
                readings.c.time == T0 + dt.timedelta(hours=5),
            )
        ).one()
    assert (rev.old_value, rev.new_value) == (float(frame.loc[hit, "value"].iloc[0]), 555.0)
    assert (rev.old_payload_id, rev.payload_id) == (first_id, second_id)
    assert rev.revised_at == clock.now()
    assert rev.time == T0 + dt.timedelta(hours=5)
    assert tuple(stored) == (555.0, second_id)
    with writing(engine) as conn:
        marks = pop_dirty_days(conn, "air")
        assert conn.execute(select(dirty_days)).all() == []
    assert marks.to_dict("records") == [{"code": "1259A", "day": dt.date(2026, 5, 1)}]

    # The same correction pulled again is no new revision.
    _, again = _ingest(engine, b"v2", changed, clock)
    assert again.revised == 0
    assert _counts(engine)["revisions"] == 1


def test_new_readings_mark_cst_days_including_the_hour_closed_at_midnight(
    engine: Engine, clock: FixedClock
) -> None:
    # 16:00 UTC on 30 April is 00:00 CST on 1 May: it closes the hour 23-24 of 30 April.
    frame = readings_frame(["1258A"], dt.datetime(2026, 4, 30, 16, tzinfo=dt.UTC), 1)
    _ingest(engine, b"midnight", frame, clock)
    with writing(engine) as conn:
        days = sorted(pop_dirty_days(conn, "air")["day"])
    assert days == [dt.date(2026, 4, 30), dt.date(2026, 5, 1)]


def test_store_rules_quarantine_future_duplicate_and_keyless_rows(
    engine: Engine, clock: FixedClock
) -> None:
    frame = readings_frame(["1258A"], T0, 2, ("PM25",))
    dup = frame.iloc[[0]].assign(value=99.0)
    future = frame.iloc[[0]].assign(time=pd.Timestamp(clock.now() + dt.timedelta(hours=3)))
    keyless = frame.iloc[[0]].assign(station=None)
    bad = pd.concat([frame, dup, future, keyless], ignore_index=True)
    payload_id, counts = _ingest(engine, b"bad", bad, clock)
    assert (counts.inserted, counts.quarantined) == (2, 3)
    with engine.connect() as conn:
        rows = conn.execute(select(quarantine).order_by(quarantine.c.id)).all()
    assert sorted(r.reason for r in rows) == [
        "duplicate key in the same payload",
        "incomplete key",
        "time in the future",
    ]
    assert all(r.payload_id == payload_id and r.source == "test" for r in rows)
    assert any("value=99.0" in r.row for r in rows)


def test_samples_ingest_is_idempotent_and_revises(engine: Engine, clock: FixedClock) -> None:
    frame = pd.DataFrame(
        {
            "section": ["S1", "S1", "S2"],
            "time": pd.to_datetime([T0, T0, T0], utc=True),
            "item": ["NH3N", "TP", "NH3N"],
            "value": [0.5, 0.01, 0.2],
            "detection_limit": [0.025, 0.01, None],
            "below_limit": [False, True, False],
            "method": ["manual"] * 3,
        }
    )
    with writing(engine) as conn:
        p1 = archive_payload(conn, Payload("lab", "file:///a.csv", b"s1"), clock.now())
        assert ingest_samples(conn, frame, "lab", p1.id, clock.now()).inserted == 3
        assert ingest_samples(conn, frame, "lab", p1.id, clock.now()).unchanged == 3
        p2 = archive_payload(conn, Payload("lab", "file:///b.csv", b"s2"), clock.now())
        revised = frame.assign(value=[0.5, 0.01, 0.3])
        assert ingest_samples(conn, revised, "lab", p2.id, clock.now()).revised == 1
        assert count_rows(conn, samples) == 3
        rev = conn.execute(select(revisions)).one()
    assert (rev.kind, rev.code, rev.old_value, rev.new_value) == ("water", "S2", 0.2, 0.3)


def test_queries_long_wide_and_latest(engine: Engine, clock: FixedClock) -> None:
    frame = readings_frame(["1258A", "1259A"], T0, 3)
    _ingest(engine, b"q", frame, clock)
    with engine.connect() as conn:
        long = readings_between(conn, T0, T0 + dt.timedelta(hours=2), ["1258A"])
        wide = readings_between(conn, T0, T0 + dt.timedelta(hours=3), wide=True)
        latest = latest_readings(conn)
    assert len(long) == 4 and set(long["station"]) == {"1258A"}
    assert str(long["time"].dt.tz) == "UTC"
    assert list(wide.columns) == ["O3", "PM25"] and len(wide) == 6
    assert set(latest["time"]) == {pd.Timestamp(T0 + dt.timedelta(hours=2))}
    assert len(latest) == 4


def test_latest_readings_by_index_seeks_equal_a_group_by_over_every_reading(
    engine: Engine, clock: FixedClock
) -> None:
    """Stations whose latest hours differ, two sources, a station asked for that has no reading:
    the seek-per-station query returns what the GROUP BY over the whole table returned."""
    a = readings_frame(["1258A", "1259A"], T0, 5)
    b = readings_frame(["1260A"], T0, 2)
    _ingest(engine, b"a", a, clock)
    _ingest(engine, b"b", b, clock)
    with writing(engine) as conn:
        archived = archive_payload(conn, Payload("other", "http://y/", b"c"), clock.now())
        ingest_readings(conn, readings_frame(["1259A"], T0, 7), "other", archived.id, clock.now())
    t = readings
    sub = select(t.c.station, func.max(t.c.time).label("time")).group_by(t.c.station).subquery()
    reference = (
        select(t.c.station, t.c.time, t.c.pollutant, t.c.value, t.c.source)
        .join(sub, and_(t.c.station == sub.c.station, t.c.time == sub.c.time))
        .order_by(t.c.station, t.c.pollutant, t.c.source)
    )
    with engine.connect() as conn:
        expected = [tuple(r) for r in conn.execute(reference).all()]
        every = latest_readings(conn)
        some = latest_readings(conn, ["1260A", "NOPE", "1259A"])
    got = [
        (r.station, r.time.to_pydatetime(), r.pollutant, r.value, r.source)
        for r in every.itertuples()
    ]
    assert got == expected
    latest = every.groupby("station")["time"].max()
    assert latest.to_dict() == {
        "1258A": pd.Timestamp(T0 + dt.timedelta(hours=4)),
        "1259A": pd.Timestamp(T0 + dt.timedelta(hours=6)),
        "1260A": pd.Timestamp(T0 + dt.timedelta(hours=1)),
    }
    assert set(some["station"]) == {"1259A", "1260A"} and set(some["source"]) == {"other", "test"}


def test_latest_readings_finds_a_long_silent_station_across_batches(
    engine: Engine, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A station silent for longer than ``RECENT`` is found by the unbounded seek; stations are
    asked in batches (one statement each on PostgreSQL), every batch answered."""
    from service.store import queries

    monkeypatch.setattr(queries, "_LATEST_BATCH", 2)
    old = T0 - dt.timedelta(days=100)
    _ingest(engine, b"old", readings_frame(["1250A"], old, 2), clock)
    _ingest(engine, b"new", readings_frame(["1258A", "1259A", "1260A"], T0, 3), clock)
    with engine.connect() as conn:
        every = latest_readings(conn)
    latest = every.groupby("station")["time"].max().to_dict()
    assert latest == {
        "1250A": pd.Timestamp(old + dt.timedelta(hours=1)),
        **{s: pd.Timestamp(T0 + dt.timedelta(hours=2)) for s in ("1258A", "1259A", "1260A")},
    }
