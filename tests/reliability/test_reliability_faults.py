"""Faults during collection, through the scheduler's own path (``Collection.collect`` with a
FixedClock advanced hour by hour), against a fake upstream that is a real local HTTP server.

Upstream down (connection refused), slow (beyond the client timeout), garbage, revised history;
PostgreSQL backends terminated in the middle of the ingest transaction (``pg_terminate_backend``
on the test database only), and a PostgreSQL server of the test's own restarted there; the disk full while writing a payload (the store on a tiny tmpfs
mounted for the test; skipped when mounting is not permitted). In every case: no exception escapes,
the fault is recorded (a failed ``collector_runs`` row with its reason, or a log line when the store
itself cannot be written), the health check answers, and after recovery every hour's reading is held.

The webhook receiver being down (and a worker restart mid-retry) is covered on both backends by
``tests/integration/test_webhook_delivery.py::test_down_then_back_and_restart_mid_retry_loses_nothing``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from sqlalchemy import Engine, event, func, select, text

from service.clock import FixedClock
from service.collect import RetryPolicy
from service.scheduler import Collection, CollectorJob, SchedulerConfig
from service.store.engine import init_store
from service.store.tables import collector_runs, raw_payloads, readings, revisions
from tests.integration.store.fakes import FakeCollector

from .conftest import free_port

T0 = dt.datetime(2026, 5, 1, 0, tzinfo=dt.UTC)
STATIONS = ("1258A", "1259A")


class FakeUpstream:
    """Hourly PM2.5 for two stations; ``mode`` is ok | slow | garbage; ``revision`` adds to values."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.revision = 0.0
        self.requests = 0
        self.release = threading.Event()

    def value(self, t: pd.Timestamp, station: str) -> float:
        return float(t.hour + (1 if station == "1259A" else 0)) + 10.0 + self.revision

    @contextmanager
    def serve(self) -> Iterator[str]:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                upstream.requests += 1
                if upstream.mode == "slow":
                    upstream.release.wait(3)  # longer than the client's 0.5 s timeout
                    return
                if upstream.mode == "garbage":
                    body = b"\x00\xff<html>upstream maintenance</html>"
                else:
                    q = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                    times = pd.date_range(q["start"], q["end"], freq="h", inclusive="right")
                    rows = [
                        {
                            "station": s,
                            "time": t.isoformat(),
                            "pollutant": "PM25",
                            "value": upstream.value(t, s),
                        }
                        for t in times
                        for s in STATIONS
                    ]
                    body = json.dumps(rows).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/readings"
        finally:
            self.release.set()
            server.shutdown()
            server.server_close()


def _scheduler(engine: Engine, collector: FakeCollector, clock: FixedClock) -> Collection:
    config = SchedulerConfig(
        jobs=[CollectorJob(collector, dt.timedelta(hours=1))],
        backfill_max=dt.timedelta(hours=72),
        overlap=dt.timedelta(hours=2),
        retry=RetryPolicy(attempts=2, base=0.01, cap=0.02),
        http_timeout=0.5,
    )
    return Collection(engine, config, clock, sleep=lambda _s: None)


def _stored(engine: Engine) -> dict[tuple[str, dt.datetime], float]:
    with engine.connect() as conn:
        rows = conn.execute(select(readings.c.station, readings.c.time, readings.c.value)).all()
    return {(s, t): v for s, t, v in rows}


def _runs(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return conn.execute(select(collector_runs).order_by(collector_runs.c.id)).all()


def _expected(
    upstream: FakeUpstream, stored: dict[Any, float], end: dt.datetime
) -> dict[Any, float]:
    """Every hour from the first stored one (the first run backfills) to ``end``, as served now."""
    start = min(t for _, t in stored) - dt.timedelta(hours=1)
    assert start < T0
    times = pd.date_range(start, end, freq="h", inclusive="right")
    return {(s, t.to_pydatetime()): upstream.value(t, s) for t in times for s in STATIONS}


def test_upstream_down_slow_garbage_then_revised_history(tmp_path: Path) -> None:
    engine = init_store(f"sqlite:///{tmp_path / 'envmon.sqlite3'}")
    clock = FixedClock(T0)
    upstream = FakeUpstream()
    with upstream.serve() as url:
        collector = FakeCollector(url)
        sched = _scheduler(engine, collector, clock)
        script = ["ok"] * 3 + ["down"] * 3 + ["slow"] * 2 + ["garbage"] * 2 + ["ok"] * 3
        for mode in script:
            clock.advance(dt.timedelta(hours=1))
            collector.url = f"http://127.0.0.1:{free_port()}/closed" if mode == "down" else url
            upstream.mode = "ok" if mode == "down" else mode
            results = sched.collect("fake")  # never raises
            assert all(r.ok == (mode == "ok") for r in results), (mode, results)
        runs = _runs(engine)
        failed = [r for r in runs if r.status == "failed"]
        assert len(failed) == 7 and all(r.error for r in failed)
        reasons = " | ".join(r.error for r in failed)
        assert "ConnectError" in reasons and "Timeout" in reasons and "malformed" in reasons
        # After recovery every hour since the start is held, once.
        stored = _stored(engine)
        assert stored == _expected(upstream, stored, clock.now())

        # Revised history: the upstream changes the last two hours; the overlap refetch stores the
        # new values and records each change in ``revisions``.
        upstream.revision = 0.5
        clock.advance(dt.timedelta(hours=1))
        assert all(r.ok for r in sched.collect("fake"))
        stored = _stored(engine)
        assert stored[("1258A", clock.now() - dt.timedelta(hours=1))] == upstream.value(
            pd.Timestamp(clock.now() - dt.timedelta(hours=1)), "1258A"
        )
        with engine.connect() as conn:
            n_rev = conn.execute(select(func.count()).select_from(revisions)).scalar_one()
        assert n_rev >= len(STATIONS)
        sched.close()
    engine.dispose()


@pytest.mark.postgis
def _collect_through_faults(
    engine: Engine, fault: Any, faults: int
) -> tuple[FakeUpstream, FixedClock, dict[str, int]]:
    """Four six-hour collections; ``fault(conn)`` runs inside each of the first ``faults`` ingest
    transactions, just before its read of the existing ``readings`` keys."""
    clock = FixedClock(T0)
    upstream = FakeUpstream()
    count = {"left": faults, "done": 0}

    @event.listens_for(engine, "before_cursor_execute")
    def fault_mid_ingest(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # The bulk path COPYs through the driver (no event), so strike at the statement before it
        # in the same transaction: the read of the existing keys of ``readings``.
        if count["left"] and "FROM readings" in statement:
            count["left"] -= 1
            fault(conn)
            count["done"] += 1

    with upstream.serve() as url:
        sched = _scheduler(engine, FakeCollector(url), clock)
        for _ in range(4):
            clock.advance(dt.timedelta(hours=6))
            sched.collect("fake")  # never raises
        sched.close()
    event.remove(engine, "before_cursor_execute", fault_mid_ingest)
    return upstream, clock, count


def _assert_recovered(engine: Engine, upstream: FakeUpstream, clock: FixedClock) -> None:
    """Failed runs say ``OperationalError``, the last run is ok, every hour is held once, and no
    archived payload is left un-ingested (re-ingested from the archive by the next run)."""
    runs = _runs(engine)
    failed = [r for r in runs if r.status == "failed"]
    assert failed and all("OperationalError" in (r.error or "") for r in failed), runs
    assert runs[-1].status == "ok"
    stored = _stored(engine)
    assert stored == _expected(upstream, stored, clock.now())
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
        pending = conn.execute(
            select(func.count())
            .select_from(raw_payloads)
            .where(raw_payloads.c.ingested_at.is_(None))
        ).scalar_one()
    assert pending == 0


def test_postgres_backends_killed_mid_ingest(pg_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """Each of the first two ingest transactions loses its connection mid-INSERT; nothing is half
    stored, the runs say why, and the next collection fills everything in."""
    import psycopg

    engine = init_store(pg_url)
    admin_dsn = pg_url.replace("postgresql+psycopg://", "postgresql://")

    def kill(conn: Any) -> None:
        pid = conn.connection.dbapi_connection.info.backend_pid
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    with caplog.at_level(logging.INFO):
        upstream, clock, count = _collect_through_faults(engine, kill, 2)
    assert count["done"] == 2
    _assert_recovered(engine, upstream, clock)
    engine.dispose()


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


@pytest.fixture
def private_pg() -> Iterator[tuple[str, Any]]:
    """A PostgreSQL server of this test's own (initdb in a temporary folder, a free port), so that
    it can be restarted without touching the machine's shared server; yields (URL, restart)."""
    import pwd
    import shutil
    import tempfile

    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql")
    as_postgres: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="envmon-pg-"))
    if os.geteuid() == 0:  # the server refuses to run as root: run it as the postgres user
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", free_port()

    def pg(*args: str) -> None:
        subprocess.run([*as_postgres, *args], check=True, capture_output=True, timeout=120)

    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60"]
    pg(*ctl, "-o", options, "start")

    def restart() -> None:
        pg(*ctl, "-o", options, "-m", "fast", "restart")

    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", restart
    finally:
        try:
            pg(*ctl, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def test_postgres_server_restarted_mid_ingest(private_pg: tuple[str, Any]) -> None:
    """The whole PostgreSQL server restarts (fast shutdown: every session ended) in the middle of an
    ingest transaction, twice: the runs fail and say why, the pool reconnects to the restarted
    server, and the next collections hold every hour once."""
    url, restart = private_pg
    engine = init_store(url)
    upstream, clock, count = _collect_through_faults(engine, lambda _conn: restart(), 2)
    assert count["done"] == 2
    _assert_recovered(engine, upstream, clock)
    engine.dispose()


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 6 MiB tmpfs (root only; skipped elsewhere)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_while_writing_a_payload(
    tiny_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from fastapi.testclient import TestClient

    from service.api.app import create_app
    from service.settings import Settings

    settings = Settings(
        data_dir=tiny_disk, environment="test", rate_limit_per_minute=0, scheduler_enabled=False
    )
    clock = FixedClock(T0)
    upstream = FakeUpstream()
    app = create_app(settings, clock)
    filler = tiny_disk / "filler"
    with upstream.serve() as url, TestClient(app) as client, caplog.at_level(logging.INFO):
        engine = app.state.engine
        collector = FakeCollector(url)
        sched = _scheduler(engine, collector, clock)
        clock.advance(dt.timedelta(hours=2))
        assert all(r.ok for r in sched.collect("fake"))
        # Fill the disk: every byte left goes to a filler file.
        # Unbuffered, halving the chunk on each refusal down to one byte, so that the disk ends
        # truly full whatever its free space modulo 64 KiB (and close() has nothing left to flush).
        with open(filler, "wb", buffering=0) as f:
            chunk = 65536
            while chunk:
                try:
                    if f.write(b"\0" * chunk) < chunk:
                        chunk //= 2
                except OSError:
                    chunk //= 2
        for _ in range(3):  # 60 h: within the scheduler's 72 h bounded backfill
            clock.advance(dt.timedelta(hours=20))
            assert not any(r.ok for r in sched.collect("fake"))  # never raises
        health = client.get("/healthz")
        assert health.status_code == 200  # reads still work on a full disk
        logged = caplog.text.lower()
        assert "full" in logged or "disk" in logged, caplog.text[-2000:]
        # Space comes back: the next run backfills everything.
        filler.unlink()
        clock.advance(dt.timedelta(hours=1))
        assert all(r.ok for r in sched.collect("fake"))
        sched.close()
        stored = _stored(engine)
        assert stored == _expected(upstream, stored, clock.now())
        statuses = [r.status for r in _runs(engine)]
        assert statuses[0] == "ok" and statuses[-1] == "ok"
    os.sync()
