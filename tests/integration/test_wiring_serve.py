"""Smoke test of ``make run``: ``envmon serve`` as a real subprocess on a fresh data directory comes up
on the demo feed, serves the public map, collects station readings on its own and stops on SIGTERM."""

from __future__ import annotations

import os
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
