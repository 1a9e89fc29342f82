"""The public station hourly series under load beside ``/api/v1/districts``, and the public map's
gzip weight with everything it loads (the chart library included).

One server process (``envmon serve --no-scheduler`` as shipped, on a store with three days of the
demo feed); the load generator (``tests/reliability/loadgen.py``) drives ``BENCH_SERIES_CONNECTIONS``
(64) keep-alive connections at one side at a time, in the order A, B, B, A, so drift on a shared
machine falls on both: side A asks ``/api/v1/stations/{code}/hours`` (last 24 hours, every station
in turn), side B ``/api/v1/districts``. Prints req/s, p50 and p99 of each.

The page weight: ``/maps/public`` and every script and style it names, each gzip-compressed (level
6, as a reverse proxy would), summed; the goal is at most 150 KB.

``BENCH_SERIES_SECONDS`` (default 20 per side). Run: ``.venv/bin/python -m tests.bench.bench_station_series``.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from tests.bench.bench_public_api import _figures, _start, demo_store, stop_all
from tests.reliability.loadgen import OK, run_load

#: The public page's weight goal (issue 14), bytes.
PAGE_GOAL = 150 * 1024


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as r:
        return bytes(r.read())


def page_weight(base: str) -> tuple[int, list[tuple[str, int, int]]]:
    """Gzip bytes of ``/maps/public`` and everything it loads: total and (url, raw, gzip) rows."""
    html = _get(f"{base}/maps/public")
    urls = re.findall(rb"<(?:script|link)[^>]+(?:src|href)=\"([^\"]+)\"", html)
    rows = [("/maps/public", len(html), len(gzip.compress(html, 6)))]
    for u in dict.fromkeys(x.decode() for x in urls):
        body = _get(base + u)
        rows.append((u, len(body), len(gzip.compress(body, 6))))
    return sum(r[2] for r in rows), rows


def main() -> None:
    seconds = float(os.environ.get("BENCH_SERIES_SECONDS", "20"))
    connections = int(os.environ.get("BENCH_SERIES_CONNECTIONS", "64"))
    work = Path(tempfile.mkdtemp(prefix="bench-series-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        env = demo_store(work)
        base, proc = _start(env, True, work / "serve.log")
        procs.append(proc)
        codes = [s["code"] for s in json.loads(_get(f"{base}/api/v1/stations"))["items"]]
        plans: dict[str, list[Any]] = {
            "station hours": [("GET", f"/api/v1/stations/{c}/hours", {}, OK) for c in codes],
            "districts": [("GET", "/api/v1/districts", {}, OK)],
        }
        for plan in plans.values():  # warm each route once
            for _, path, _, _ in plan:
                _get(base + path)
        acc: dict[str, dict[str, Any]] = {
            n: {"lat": [], "req": 0, "s": 0.0, "err": 0} for n in plans
        }
        for name in ("station hours", "districts", "districts", "station hours"):
            r = run_load(base, plans[name], concurrency=connections, duration=seconds / 2)
            a = acc[name]
            a["lat"] += r.latencies_ms
            a["req"] += r.requests
            a["s"] += r.duration_s
            a["err"] += r.errors
        print(
            f"public series, {connections} connections, {seconds:.0f} s per side (A,B,B,A), "
            f"{len(codes)} stations, {os.cpu_count()} CPUs"
        )
        print(f"{'':14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name, a in acc.items():
            f = _figures(a["lat"], a["req"], a["s"])
            print(
                f"{name:14} {f['req_s']:8.1f} {f['p50_ms']:8.1f} {f['p99_ms']:8.1f} {a['err']:7d}"
            )
        total, rows = page_weight(base)
        print(
            f"\n/maps/public with everything it loads (gzip -6): {total / 1024:.1f} KB "
            f"(goal <= {PAGE_GOAL // 1024} KB: {'met' if total <= PAGE_GOAL else 'NOT met'})"
        )
        for url, raw, gz in rows:
            print(f"  {url:48} {raw / 1024:8.1f} KB raw {gz / 1024:7.1f} KB gzip")
    finally:
        stop_all(procs)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
