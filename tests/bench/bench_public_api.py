"""Public API under load, with and without the public figures cache (``service.api.cache``), side by side.

One store (``envmon init-db`` + three days of the demo feed), two server processes on it, built like
``envmon serve --no-scheduler`` (rate limit off): one as shipped, one with ``cache.ENABLED = False``.
The reliability suite's load generator (``tests/reliability/loadgen.py``, loopback only, bounded)
drives 64 keep-alive connections over ``/api/v1/districts``, ``/api/v1/stations``, every
``/api/v1/geo/*.geojson`` and ``/maps/public``; the two servers are loaded in alternating halves so
that drift on a shared machine falls on both. Prints req/s, p50 and p99 of each and the ratios.

``BENCH_PUBLIC_SECONDS`` (default 20 per server), ``BENCH_PUBLIC_CONNECTIONS`` (default 64).
Run: ``.venv/bin/python -m tests.bench.bench_public_api``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from tests.reliability.conftest import envmon_env, free_port, run_envmon
from tests.reliability.loadgen import OK, run_load

PATHS = (
    "/api/v1/districts",
    "/api/v1/stations",
    "/api/v1/geo/districts.geojson",
    "/api/v1/geo/sections.geojson",
    "/api/v1/geo/stations.geojson",
    "/api/v1/geo/zones.geojson",
    "/maps/public",
)


def serve(port: int, cache_on: bool) -> None:
    """The server process: ``envmon serve --no-scheduler`` with the cache switched on or off."""
    import uvicorn

    from service.api import cache
    from service.api.app import create_app, uvicorn_config
    from service.settings import load_settings

    cache.ENABLED = cache_on
    settings = load_settings(scheduler_enabled=False)
    config = uvicorn_config(create_app(settings), "127.0.0.1", port, log_level="warning")
    uvicorn.Server(config).run()


def _start(env: dict[str, str], cache_on: bool, log: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    code = f"from tests.bench.bench_public_api import serve; serve({port}, {cache_on})"
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env={**env, "PYTHONPATH": str(root)},
        cwd=root,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    return wait_healthy(proc, f"http://127.0.0.1:{port}", log), proc


def wait_healthy(proc: subprocess.Popen[bytes], base: str, log: Path) -> str:
    """``base`` once its ``/healthz`` answers (90 s at most); the log is named when it fails."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return base
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError(f"server did not start; see {log}")


def demo_store(work: Path) -> dict[str, str]:
    """An ``envmon`` environment on a fresh store in ``work`` holding three days of the demo feed."""
    env = envmon_env(work / "data")
    run_envmon(env, "init-db")
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    run_envmon(env, "collect", "demo", "--since", (now - dt.timedelta(days=3)).isoformat())
    return env


def _figures(latencies: list[float], requests: int, seconds: float) -> dict[str, float]:
    lat = np.asarray(latencies or [0.0])
    return {
        "req_s": requests / max(seconds, 1e-9),
        "p50_ms": float(np.percentile(lat, 50)),
        "p99_ms": float(np.percentile(lat, 99)),
    }


def alternate_load(
    bases: dict[str, str],
    plan: list[Any],
    connections: int,
    seconds: float,
    *,
    reverse_first: bool = False,
) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    """Load each server for ``seconds`` in two halves, in the order A, B, B, A (or B, A, A, B) so
    that drift on a shared machine falls on both; their figures and error counts by name."""
    acc: dict[str, dict[str, Any]] = {n: {"lat": [], "req": 0, "s": 0.0, "err": 0} for n in bases}
    for half in range(2):
        order = list(bases) if (half == 0) != reverse_first else list(reversed(bases))
        for name in order:
            r = run_load(bases[name], plan, concurrency=connections, duration=seconds / 2)
            a = acc[name]
            a["lat"] += r.latencies_ms
            a["req"] += r.requests
            a["s"] += r.duration_s
            a["err"] += r.errors
    figs = {n: _figures(a["lat"], a["req"], a["s"]) for n, a in acc.items()}
    return figs, {n: a["err"] for n, a in acc.items()}


def stop_all(procs: list[subprocess.Popen[bytes]], timeout: float = 60) -> None:
    """Terminate every server process, then wait for each (killing one that does not stop)."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    seconds = float(os.environ.get("BENCH_PUBLIC_SECONDS", "20"))
    connections = int(os.environ.get("BENCH_PUBLIC_CONNECTIONS", "64"))
    work = Path(tempfile.mkdtemp(prefix="bench-public-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        env = demo_store(work)
        bases: dict[str, str] = {}
        for name, on in (("cache on", True), ("cache off", False)):
            base, proc = _start(env, on, work / f"serve-{'on' if on else 'off'}.log")
            procs.append(proc)
            bases[name] = base
        plan = [("GET", p, {}, OK) for p in PATHS]
        bodies: dict[str, list[bytes]] = {}
        for name, base in bases.items():  # warm every route; the two servers answer alike
            bodies[name] = []
            for p in PATHS:
                with urllib.request.urlopen(f"{base}{p}", timeout=120) as r:
                    bodies[name].append(r.read())
        differ = [p for p, a, b in zip(PATHS, *bodies.values(), strict=True) if a != b]
        figs, errors = alternate_load(bases, plan, connections, seconds, reverse_first=True)
        print(
            f"public API, {connections} connections, {seconds:.0f} s per server, "
            f"{len(PATHS)} paths round-robin, {os.cpu_count()} CPUs; bodies differ: {differ or 'none'}"
        )
        print(f"{'':10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for n, f in figs.items():
            print(f"{n:10} {f['req_s']:8.1f} {f['p50_ms']:8.1f} {f['p99_ms']:8.1f} {errors[n]:7d}")
        on, off = figs["cache on"], figs["cache off"]
        print(
            f"ratio on/off: throughput x{on['req_s'] / max(off['req_s'], 1e-9):.1f}, "
            f"p50 x{off['p50_ms'] / max(on['p50_ms'], 1e-9):.1f} lower, "
            f"p99 x{off['p99_ms'] / max(on['p99_ms'], 1e-9):.1f} lower"
        )
    finally:
        stop_all(procs)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
