"""``envmon serve`` with one worker process against two (``--workers 2``), side by side.

One store (``envmon init-db`` + three days of the demo feed) and two real ``envmon serve
--no-scheduler`` subprocesses on it, one with ``--workers 1`` and one with ``--workers 2`` (rate
limit off). The reliability suite's load generator drives the public paths of
``bench_public_api`` at each connection level, the two servers loaded in alternating halves
(1, 2, 2, 1) so that drift on a shared machine falls on both. On a 2-core machine the load
generator shares the cores with the servers: the ratio is a lower bound of what a second core
buys a real server.

``BENCH_WORKERS_SECONDS`` (default 20 per server and level), ``BENCH_WORKERS_LEVELS`` (default
``64,256``). Run: ``.venv/bin/python -m tests.bench.bench_workers``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import urllib.request
from pathlib import Path

from tests.bench.bench_public_api import (
    PATHS,
    alternate_load,
    demo_store,
    stop_all,
    wait_healthy,
)
from tests.reliability.conftest import ENVMON, free_port
from tests.reliability.loadgen import OK


def _start(env: dict[str, str], workers: int, log: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    cmd = [str(ENVMON), "serve", "--no-scheduler", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    return wait_healthy(proc, f"http://127.0.0.1:{port}", log), proc


def main() -> None:
    seconds = float(os.environ.get("BENCH_WORKERS_SECONDS", "20"))
    levels = [int(x) for x in os.environ.get("BENCH_WORKERS_LEVELS", "64,256").split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        env = demo_store(work)
        bases: dict[str, str] = {}
        for workers in (1, 2):
            base, proc = _start(env, workers, work / f"serve-{workers}.log")
            procs.append(proc)
            bases[f"{workers} worker{'s' if workers > 1 else ''}"] = base
        plan = [("GET", p, {}, OK) for p in PATHS]
        for base in bases.values():  # warm every route in every worker
            for _ in range(4):
                for p in PATHS:
                    with urllib.request.urlopen(f"{base}{p}", timeout=120) as r:
                        r.read()
        print(
            f"envmon serve --workers 1 vs 2, {seconds:.0f} s per server and level, "
            f"{len(PATHS)} public paths round-robin, {os.cpu_count()} CPUs"
        )
        print(f"{'':22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for level in levels:
            figs, errors = alternate_load(bases, plan, level, seconds)
            for n, f in figs.items():
                print(
                    f"{level:3d} conn, {n:12} {f['req_s']:8.1f} {f['p50_ms']:8.1f} "
                    f"{f['p99_ms']:8.1f} {errors[n]:7d}"
                )
            one, two = figs["1 worker"], figs["2 workers"]
            print(
                f"{level:3d} conn, ratio 2/1: throughput x{two['req_s'] / max(one['req_s'], 1e-9):.2f}, "
                f"p99 x{one['p99_ms'] / max(two['p99_ms'], 1e-9):.2f} lower"
            )
    finally:
        stop_all(procs)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
