"""Orphaned payloads, on both backends: archived, then the ingest transaction died before its commit.

The death is simulated by raising inside the ingest transaction, at its read of the stored keys of
``readings`` (after the payload was claimed, before any row went in), so the whole transaction rolls
back as when the process or the connection dies there. The next run re-ingests the orphan from the
archive, exactly once, before its own fetch.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import Engine, event, func, select

from service.clock import FixedClock
from service.collect import RetryPolicy, RunResult, ingest_orphans, ingest_payload, run_collector
from service.store.engine import writing
from service.store.ingest import IngestCounts, count_rows
from service.store.payloads import archive_payload
from service.store.tables import quarantine, raw_payloads, readings, revisions
from stations.collectors.base import Payload, Window

from .conftest import T0
from .fakes import FakeCollector, Upstream, body_for, serve

W1 = Window(T0, T0 + dt.timedelta(hours=6))
W2 = Window(W1.end, W1.end + dt.timedelta(hours=6))
PER_WINDOW = 12  # 6 hours x 2 stations x PM25 (fakes.body_for)
ONCE = RetryPolicy(attempts=1)


class Killed(RuntimeError):
    """Stands for the process or the connection dying mid-ingest."""


@contextmanager
def ingest_dies(engine: Engine, times: int = 1) -> Iterator[dict[str, int]]:
    """The next ``times`` ingest transactions raise at their read of the keys stored in readings."""
    state = {"left": times, "done": 0}

    def kill(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if state["left"] and "FROM readings" in statement:
            state["left"] -= 1
            state["done"] += 1
            raise Killed("killed mid-ingest")

    event.listen(engine, "before_cursor_execute", kill)
    try:
        yield state
    finally:
        event.remove(engine, "before_cursor_execute", kill)


def _run(engine: Engine, up: Upstream, window: Window, clock: FixedClock) -> RunResult:
    with httpx.Client(timeout=httpx.Timeout(2.0)) as client:
        return run_collector(
            engine,
            FakeCollector(up.url),
            window,
            clock,
            client,
            retry=ONCE,
            sleep=lambda _s: None,
            rng=random.Random(1),
        )


def _payloads(engine: Engine) -> list[tuple[int, bool, int | None]]:
    """(id, ingested, accepted) of every archived payload."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                raw_payloads.c.id, raw_payloads.c.ingested_at, raw_payloads.c.n_accepted
            ).order_by(raw_payloads.c.id)
        ).all()
    return [(int(r.id), r.ingested_at is not None, r.n_accepted) for r in rows]


def _per_payload(engine: Engine) -> dict[int, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(readings.c.payload_id, func.count()).group_by(readings.c.payload_id)
        ).all()
    return {int(pid): int(n) for pid, n in rows}


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return count_rows(conn, table)


def test_killed_ingest_is_redone_by_the_next_run_exactly_once(
    engine: Engine, clock: FixedClock
) -> None:
    with serve(Upstream(["ok"])) as up:
        with ingest_dies(engine) as kills:
            first = _run(engine, up, W1, clock)
        assert kills["done"] == 1
        assert not first.ok and "Killed" in (first.error or "")
        # The archive committed, nothing of the ingest did.
        [(orphan, ingested, _)] = _payloads(engine)
        assert not ingested
        assert _count(engine, readings) == 0 and _count(engine, quarantine) == 0

        # The next run (a new window, new bytes) re-ingests the orphan first, then its own payload.
        second = _run(engine, up, W2, clock)
        assert second.ok, second.error
        assert second.payload_ids[0] == orphan and len(second.payload_ids) == 2
        assert second.fetched == 1
        assert second.counts == IngestCounts(inserted=2 * PER_WINDOW)
        new = second.payload_ids[1]
        assert _payloads(engine) == [(orphan, True, PER_WINDOW), (new, True, PER_WINDOW)]
        assert _per_payload(engine) == {orphan: PER_WINDOW, new: PER_WINDOW}

        # Idempotent: the same windows again re-ingest nothing and count nothing twice.
        again = [_run(engine, up, w, clock) for w in (W1, W2)]
    assert [r.counts for r in again] == [IngestCounts(unchanged=PER_WINDOW)] * 2
    assert [r.payload_ids for r in again] == [(orphan,), (new,)]
    assert _count(engine, readings) == 2 * PER_WINDOW
    assert _count(engine, raw_payloads) == 2
    assert _count(engine, revisions) == 0 and _count(engine, quarantine) == 0


def test_orphan_met_again_by_its_bytes_is_ingested_once(engine: Engine, clock: FixedClock) -> None:
    with serve(Upstream(["ok"])) as up:
        with ingest_dies(engine, times=2) as kills:
            runs = [_run(engine, up, W1, clock) for _ in range(2)]
        assert kills["done"] == 2 and not any(r.ok for r in runs)
        assert [p[1] for p in _payloads(engine)] == [False]  # one archived row, not ingested
        third = _run(engine, up, W1, clock)
    assert third.ok, third.error
    [(pid, ingested, accepted)] = _payloads(engine)
    assert ingested and accepted == PER_WINDOW
    # The orphan went in at the start of the run; the refetched identical bytes were then known.
    assert third.payload_ids == (pid, pid)
    assert third.counts == IngestCounts(inserted=PER_WINDOW, unchanged=PER_WINDOW)
    assert _per_payload(engine) == {pid: PER_WINDOW}


def _rows(window: Window, value: float) -> list[dict[str, object]]:
    """The fake upstream's rows for ``window``."""
    query = urlencode({"start": window.start.isoformat(), "end": window.end.isoformat()})
    rows: list[dict[str, object]] = json.loads(body_for(f"/?{query}", value))
    return rows


def _payload(rows: list[dict[str, object]]) -> Payload:
    return Payload(source=FakeCollector.name, url="test://orphan", raw=json.dumps(rows).encode())


def test_orphan_with_rejections_quarantines_them_once_even_if_claimed_twice(
    engine: Engine, clock: FixedClock
) -> None:
    good = _rows(W1, 7.0)
    future = {"station": "1258A", "time": "2099-01-01T00:00:00+00:00", "pollutant": "PM25"}
    payload = _payload([*good, {**future, "value": 1.0}])
    with writing(engine) as conn:
        stale = archive_payload(conn, payload, clock.now())
    parse = FakeCollector("").parse

    counts, ids = ingest_orphans(engine, FakeCollector.name, parse, clock)
    assert ids == [stale.id]
    assert counts == IngestCounts(inserted=PER_WINDOW, quarantined=1)
    assert ingest_orphans(engine, FakeCollector.name, parse, clock) == (IngestCounts(), [])
    # A second ingest holding the stale "not ingested" answer finds the payload claimed.
    again, malformed = ingest_payload(engine, parse, payload, stale, clock)
    assert again == IngestCounts(unchanged=PER_WINDOW + 1) and malformed is None
    assert _count(engine, quarantine) == 1 and _count(engine, readings) == PER_WINDOW


def test_late_orphan_does_not_revert_rows_of_a_later_payload(
    engine: Engine, clock: FixedClock
) -> None:
    older, newer = (
        _payload(_rows(W1, 10.0)),
        _payload(_rows(W1, 20.0)),
    )
    parse = FakeCollector("").parse
    with writing(engine) as conn:
        orphan = archive_payload(conn, older, clock.now())
    with writing(engine) as conn:
        later = archive_payload(conn, newer, clock.now())
    ingest_payload(engine, parse, newer, later, clock)  # e.g. a concurrent run got in first

    counts, ids = ingest_orphans(engine, FakeCollector.name, parse, clock)
    assert ids == [orphan.id] and counts == IngestCounts(unchanged=PER_WINDOW)
    assert _count(engine, revisions) == 0
    with engine.connect() as conn:
        values = set(conn.execute(select(readings.c.value)).scalars())
    assert values == {20.0}
    assert _per_payload(engine) == {later.id: PER_WINDOW}
    assert [p[1] for p in _payloads(engine)] == [True, True]


def test_orphans_are_taken_oldest_first_and_bounded(engine: Engine, clock: FixedClock) -> None:
    ids = []
    for k in range(3):
        window = Window(T0 + k * (W1.end - W1.start), T0 + (k + 1) * (W1.end - W1.start))
        with writing(engine) as conn:
            ids.append(archive_payload(conn, _payload(_rows(window, 5.0)), clock.now()).id)
    parse = FakeCollector("").parse
    first = ingest_orphans(engine, FakeCollector.name, parse, clock, limit=2)
    assert first == (IngestCounts(inserted=2 * PER_WINDOW), ids[:2])
    assert ingest_orphans(engine, "another_source", parse, clock) == (IngestCounts(), [])
    rest = ingest_orphans(engine, FakeCollector.name, parse, clock, limit=2)
    assert rest == (IngestCounts(inserted=PER_WINDOW), ids[2:])
    assert _per_payload(engine) == dict.fromkeys(ids, PER_WINDOW)
