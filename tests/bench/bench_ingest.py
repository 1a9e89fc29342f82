"""Ingest throughput (readings/s) on SQLite and PostgreSQL against a bare bulk load of the same rows.

Ours: per payload (one day of a 200-station network, 6 pollutants), one transaction that archives the
payload, runs the store's checks (complete key, not in the future, no duplicate key), reads back the
stored keys, merges, appends the new rows, marks dirty days. Bare: the same rows into a copy of the
readings table (same columns, primary key and index), by driver ``executemany`` (SQLite) or ``COPY`` (PostgreSQL), one
transaction per payload, with the frame-to-rows conversion included on both sides.

Both sides run ``BENCH_ROUNDS`` times (default 3), interleaved (ours, bare, ours, bare...), each on a
fresh store; figures are min / median / max and the ratio pair by pair, since the machine's speed
drifts. Run: ``.venv/bin/python -m tests.bench.bench_ingest`` (or ``make bench``).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sqlalchemy import Engine, MetaData, Table

from service.store.dialect import bulk_insert
from service.store.engine import init_store, make_engine, writing
from service.store.ingest import ingest_readings
from service.store.payloads import archive_payload
from service.store.tables import readings
from stations.collectors.base import Payload

STATIONS, DAYS = 200, 10
POLLUTANTS = ("SO2", "NO2", "PM10", "PM25", "CO", "O3")
PG_URL = os.environ.get("ENVMON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


#: Interleaved rounds per backend (BENCH_ROUNDS).
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def day_frames() -> list[pd.DataFrame]:
    """One readings frame per day: STATIONS x 24 hours x 6 pollutants."""
    rng = np.random.default_rng(1)
    codes = [f"{1001 + i}A" for i in range(STATIONS)]
    frames = []
    for d in range(DAYS):
        times = pd.date_range(
            dt.datetime(2025, 6, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=d), periods=24, freq="h"
        )
        idx = pd.MultiIndex.from_product([codes, times, POLLUTANTS])
        frame = idx.to_frame(index=False, name=["station", "time", "pollutant"])
        frame["time"] = frame["time"].astype("datetime64[ns, UTC]")
        frame["value"] = rng.uniform(1, 150, len(frame)).round(1)
        frame["flag"] = None
        frames.append(frame)
    return frames


def bare_table() -> Table:
    """A copy of the readings table (same columns, primary key and index), in its own database."""
    return readings.to_metadata(MetaData(), name="readings_bare")


def run_ours(engine: Engine, frames: list[pd.DataFrame]) -> float:
    start = time.perf_counter()
    for i, frame in enumerate(frames):
        with writing(engine) as conn:
            archived = archive_payload(
                conn, Payload("bench", f"bench://{i}", f"day {i}".encode()), NOW
            )
            ingest_readings(conn, frame, "bench", archived.id, NOW)
    return time.perf_counter() - start


def run_bare(engine: Engine, frames: list[pd.DataFrame]) -> float:
    table = bare_table()
    table.metadata.create_all(engine)
    start = time.perf_counter()
    for frame in frames:
        with engine.begin() as conn:
            bulk_insert(conn, table, frame.assign(source="bench", payload_id=1))
    return time.perf_counter() - start


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{tmp}/bench.sqlite3"


@contextmanager
def pg_url() -> Iterator[str]:
    import psycopg

    admin = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    name = f"envmon_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _ours_once(
    urls: Callable[[], contextmanager], frames: list[pd.DataFrame]
) -> tuple[float, float]:
    with urls() as url:
        engine = init_store(url)
        ours = run_ours(engine, frames)
        again = run_ours(engine, frames)  # every reading already stored: all unchanged
        engine.dispose()
    return ours, again


def _bare_once(urls: Callable[[], contextmanager], frames: list[pd.DataFrame]) -> float:
    with urls() as url:
        engine = make_engine(url)
        bare = run_bare(engine, frames)
        engine.dispose()
    return bare


def _spread(values: list[float], fmt: str) -> str:
    return " / ".join(format(v, fmt) for v in (min(values), statistics.median(values), max(values)))


def bench(label: str, urls: Callable[[], contextmanager], frames: list[pd.DataFrame]) -> None:
    """``ROUNDS`` rounds, each a fresh store for both sides, interleaved: ours, bare, ours, bare..."""
    n = sum(len(f) for f in frames)
    ours, again, bare = [], [], []
    for _ in range(ROUNDS):
        o, a = _ours_once(urls, frames)
        ours.append(n / o)
        again.append(n / a)
        bare.append(n / _bare_once(urls, frames))
    ratio = [o / b for o, b in zip(ours, bare, strict=True)]
    print(
        f"{label:10s} {n:>8d} readings, {ROUNDS} interleaved rounds (min / median / max):\n"
        f"  envmon ingest {_spread(ours, ',.0f')} /s\n"
        f"  bare          {_spread(bare, ',.0f')} /s\n"
        f"  ours / bare, pair by pair {_spread(ratio, '.0%')}\n"
        f"  re-ingest (unchanged) {_spread(again, ',.0f')} /s"
    )


def main() -> None:
    frames = day_frames()
    print(
        f"{len(frames)} payloads x {len(frames[0])} readings (validation + dedup on; target ratio >= 50 %)"
    )
    bench("sqlite", sqlite_url, frames)
    try:
        bench("postgresql", pg_url, frames)
    except Exception as exc:  # no server on this machine: say so, keep the SQLite figures
        print(f"postgresql skipped: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main()
