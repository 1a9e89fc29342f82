"""Smoke test of ``make run``: ``envmon serve`` as a real subprocess on a fresh data directory comes up
on the demo feed, serves the public map, collects station readings on its own and stops on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ENVMON = Path(sys.executable).parent / "envmon"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _poll(
    condition: Callable[[], bool], what: str, proc: subprocess.Popen[bytes], limit: float
) -> None:
    # Waiting for the service to get somewhere, not measuring how long it takes.
    deadline = time.monotonic() + limit
    while True:
        try:
            if condition():
                return
        except httpx.HTTPError:
            pass  # not listening yet
        if proc.poll() is not None:
            raise AssertionError(f"envmon serve exited with {proc.returncode} before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _sample(text: str, name: str, labels: dict[str, str]) -> float:
    """The value of the Prometheus sample ``name{labels}`` (labels in any order), 0 if absent."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if match and match.group(1) == name:
            if dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or "")) == labels:
                return float(match.group(3))
    return 0.0


def test_serve_comes_up_on_the_demo_feed_and_stops_cleanly(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVMON_")}
    env.update(
        ENVMON_DATA_DIR=str(tmp_path / "data"),
        ENVMON_ENVIRONMENT="test",
        ENVMON_RATE_LIMIT_PER_MINUTE="0",
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [str(ENVMON), "serve", "--port", str(port), "--forwarded-allow-ips", "127.0.0.1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx.Client(base_url=base, timeout=10.0) as client:
            _poll(lambda: client.get("/healthz").status_code == 200, "/healthz", proc, 60)
            health = client.get("/healthz").json()
            assert health["demo"] is True

            page = client.get("/maps/public")
            assert page.status_code == 200
            assert page.headers["content-type"].startswith("text/html")
            assert "<html" in page.text.lower()

            def has_aqi() -> bool:
                items = client.get("/api/v1/stations").json()["items"]
                return any(item.get("aqi") is not None for item in items)

            _poll(has_aqi, "the demo feed's first station readings", proc, 120)
            stations = client.get("/api/v1/stations").json()
            assert stations["demo"] is True
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
        finally:
            log.close()
    output = (tmp_path / "serve.log").read_text(errors="replace")
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal (exit status -15): that,
    # or 0, after a complete application shutdown is a clean stop.
    assert code in (0, -signal.SIGTERM), output[-4000:]
    assert "Application shutdown complete" in output, output[-4000:]
    assert "Traceback" not in output, output[-4000:]


def _children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc; no psutil here)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _state(pid: int) -> str | None:
    """A process's state letter (``Z`` for a zombie awaiting its reaper), or None once gone."""
    deadline = time.monotonic() + 10  # the resource tracker exits just after its parent
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return None
        if state == "Z":
            return state
        time.sleep(0.1)
    return state


def test_serve_with_workers_runs_one_scheduler_and_stops_every_process(tmp_path: Path) -> None:
    """``envmon serve --workers 2``: both workers answer, the scheduler runs once (not once per
    worker: two would each backfill the same windows), and SIGTERM ends every child process."""
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVMON_")}
    env.update(
        ENVMON_DATA_DIR=str(data), ENVMON_ENVIRONMENT="test", ENVMON_RATE_LIMIT_PER_MINUTE="0"
    )
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    cmd = [str(ENVMON), "serve", "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    children: set[int] = set()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10.0) as client:
            _poll(lambda: client.get("/healthz").status_code == 200, "/healthz", proc, 90)

            def has_aqi() -> bool:
                items = client.get("/api/v1/stations").json()["items"]
                return any(item.get("aqi") is not None for item in items)

            _poll(has_aqi, "the scheduler's first demo readings", proc, 180)
        # A fresh connection per request spreads them over both workers' accept loops.
        for _ in range(20):
            assert httpx.get(f"http://127.0.0.1:{port}/api/v1/districts").status_code == 200
        # Any worker's /metrics adds up every process: the 20 requests whichever worker took
        # them, and the demo runs of the scheduler process.
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics")
        assert metrics.status_code == 200, metrics.text
        route = {"method": "GET", "route": "/api/v1/districts", "status": "200"}
        count = "envmon_http_request_duration_seconds_count"
        assert _sample(metrics.text, count, route) >= 20, metrics.text[:2000]
        demo_ok = {"source": "demo", "outcome": "ok"}
        assert _sample(metrics.text, "envmon_collector_runs_total", demo_ok) >= 1
        children = _children(proc.pid)
        # two web workers, the scheduler process and multiprocessing's resource tracker
        assert len(children) >= 3, children
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=90)
        finally:
            if proc.poll() is None:
                proc.kill()
            log.close()
    output = (tmp_path / "serve.log").read_text(errors="replace")
    assert "Traceback" not in output, output[-4000:]
    assert output.count("Application startup complete") == 2, output[-4000:]
    assert output.count("envmon scheduler up") == 1 and "envmon scheduler stopped" in output
    left = {pid: _state(pid) for pid in children}
    assert all(state in (None, "Z") for state in left.values()), (left, output[-2000:])

    import sqlite3

    db = sqlite3.connect(data / "envmon.sqlite3")
    try:
        windows = db.execute(
            "SELECT window_start, window_end, COUNT(*) FROM collector_runs"
            " WHERE collector = 'demo' GROUP BY 1, 2 HAVING COUNT(*) > 1"
        ).fetchall()
        runs = db.execute("SELECT COUNT(*) FROM collector_runs WHERE status = 'ok'").fetchone()[0]
    finally:
        db.close()
    assert runs > 0 and windows == [], windows
