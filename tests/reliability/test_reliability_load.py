"""Load on a real ``envmon serve`` subprocess over loopback (rate limiting off by setting).

Public: ``/api/v1/districts``, ``/api/v1/stations``, every ``/api/v1/geo/*.geojson`` route (taken from
the OpenAPI schema) and the ``/maps/public`` embed, under 64 and 256 concurrent connections: zero
errors, p50/p99 reported and written to ``tests/artifacts/reliability_load_*.json``. CI runs 10 s per
level; ``make soak`` runs 60 s per level.

Staff: viewers read (readings, runs, quarantine, targets) while operators import zones and trigger
recomputes and the in-process scheduler ingests the demo feed and lab files dropped into its
inbox: never a 5xx, every request answered as expected, every collector run recorded ok.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import ROOT, envmon_env, envmon_server, rss_mb, run_envmon, write_artifact
from .loadgen import OK, run_load

PUBLIC_SITE = "https://sthjj.zhoushan.gov.cn"


@pytest.fixture(scope="module")
def public_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """``envmon serve --no-scheduler`` on a store holding three days of the demo feed."""
    data = tmp_path_factory.mktemp("load") / "data"
    env = envmon_env(data)
    run_envmon(env, "init-db")
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    since = (now - dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%MZ")
    run_envmon(env, "collect", "demo", "--since", since.replace("Z", "+00:00"))
    with envmon_server(env) as served:
        yield served


def public_requests(base: str) -> list[tuple[str, str, dict[str, Any], frozenset[int]]]:
    schema = httpx.get(f"{base}/openapi.json", timeout=30).json()
    geo = sorted(
        p for p in schema["paths"] if p.startswith("/api/v1/geo/") and p.endswith(".geojson")
    )
    assert geo, "no /api/v1/geo/*.geojson route in the schema"
    paths = ["/api/v1/districts", "/api/v1/stations", *geo, "/maps/public"]
    return [("GET", p, {}, OK) for p in paths]


def _public(base: str, pid: int, concurrency: int, duration: float, name: str) -> dict[str, Any]:
    plan = public_requests(base)
    for _, path, _, _ in plan:  # warm every route once (first build of cached bodies)
        assert httpx.get(f"{base}{path}", timeout=60).status_code == 200, path
    rss_before = rss_mb(pid)
    result = run_load(base, plan, concurrency=concurrency, duration=duration)
    summary = result.summary()
    summary.update(
        paths=[p for _, p, _, _ in plan],
        server_rss_mb_before=round(rss_before, 1),
        server_rss_mb_after=round(rss_mb(pid), 1),
    )
    write_artifact(name, summary)
    assert result.errors == 0, summary["error_samples"]
    assert result.requests > 0
    assert httpx.get(f"{base}/healthz", timeout=30).status_code == 200
    return summary


@pytest.mark.parametrize("concurrency", [64, 256])
def test_public_load_short(public_server: tuple[str, int], concurrency: int) -> None:
    base, pid = public_server
    _public(base, pid, concurrency, 10.0, f"reliability_load_public_{concurrency}_10s")


@pytest.mark.slow
@pytest.mark.parametrize("concurrency", [64, 256])
def test_public_load_60s(public_server: tuple[str, int], concurrency: int) -> None:
    base, pid = public_server
    _public(base, pid, concurrency, 60.0, f"reliability_load_public_{concurrency}_60s")


# ------------------------------------------------------------------------------------- staff ---


def _zone_body(i: int) -> bytes:
    x, y = 122.20 + (i % 10) * 0.001, 29.95
    square = [[x, y], [x + 0.02, y], [x + 0.02, y + 0.02], [x, y + 0.02], [x, y]]
    feature = {
        "type": "Feature",
        "properties": {
            "code": f"load-anchorage-{i % 3}",
            "name": "测试锚地（负载测试）",
            "kind": "anchorage",
            "datum": "WGS84",
            "source": "reliability load test",
        },
        "geometry": {"type": "Polygon", "coordinates": [square]},
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


def _staff(tmp_path: Path, duration: float, name: str) -> None:
    data = tmp_path / "data"
    inbox = data / "lab" / "inbox"
    env = envmon_env(data, ENVMON_LAB_WATCH_S="1")
    run_envmon(env, "init-db")
    keys = {
        role: run_envmon(env, "keys", "create", "--role", role, "--name", f"load-{role}").strip()
        for role in ("viewer", "operator")
    }
    viewer = {"headers": {"Authorization": f"Bearer {keys['viewer']}"}}
    counter = iter(range(10**9))

    def zone_upload() -> dict[str, Any]:
        i = next(counter)
        return {
            # a job parsed in a worker process: 201 when it ends within the wait, else 202
            "headers": {"Authorization": f"Bearer {keys['operator']}", "Prefer": "wait=30"},
            "files": {"file": ("zones.geojson", _zone_body(i), "application/geo+json")},
        }

    operator = {"headers": {"Authorization": f"Bearer {keys['operator']}"}}
    reads = [
        ("GET", "/api/v1/staff/readings?limit=500", viewer, OK),
        ("GET", "/api/v1/staff/runs", viewer, OK),
        ("GET", "/api/v1/staff/quarantine", viewer, OK),
        ("GET", "/api/v1/staff/targets", viewer, OK),
        ("GET", "/api/v1/districts", {}, OK),
    ]
    writes = [
        ("POST", "/api/v1/staff/zones/import", zone_upload, frozenset({201, 202})),
        ("POST", "/api/v1/staff/recompute", {**operator, "json": {"full": False}}, OK),
        ("GET", "/api/v1/staff/me", operator, OK),
    ]
    lab_src = ROOT / "tests" / "data" / "lab_files" / "synthetic_monthly_cn.csv"
    stop = threading.Event()

    def drop_lab_files() -> None:  # new bytes each time, so each file is a new import
        i = 0
        while not stop.is_set() and i < 200:
            target = inbox / f"lab-{i}.csv"
            inbox.mkdir(parents=True, exist_ok=True)
            target.write_bytes(lab_src.read_bytes() + f"\n# drop {i}\n".encode())
            i += 1
            stop.wait(1.0)

    with envmon_server(env, scheduler=True) as (base, pid):
        dropper = threading.Thread(target=drop_lab_files, daemon=True)
        dropper.start()
        try:
            # 16 viewers, 4 operators.
            plans = [reads] * 16 + [writes] * 4
            result = run_load(base, plans, concurrency=20, duration=duration)
        finally:
            stop.set()
            dropper.join(timeout=10)
        time.sleep(2)  # let the lab watcher take the last file
        admin_runs = httpx.get(f"{base}/api/v1/staff/runs?limit=5000", **viewer, timeout=60)
        health = httpx.get(f"{base}/healthz", timeout=30)
        server_rss = rss_mb(pid)
    runs = admin_runs.json()["items"]
    processed = list((data / "lab" / "processed").glob("*"))
    summary = result.summary()
    summary.update(
        collector_runs={
            s: sum(r["status"] == s for r in runs) for s in {r["status"] for r in runs}
        },
        lab_files_processed=len(processed),
        lab_files_quarantined=len(list((data / "lab" / "quarantine").glob("*"))),
        server_rss_mb=round(server_rss, 1),
    )
    write_artifact(name, summary)
    shutil.rmtree(data, ignore_errors=True)
    assert result.server_errors == 0, summary["error_samples"]
    assert result.errors == 0, summary["error_samples"]
    assert health.status_code == 200
    assert runs and all(r["status"] == "ok" for r in runs), runs[:5]
    assert processed


def test_staff_mixed_load_while_ingesting(tmp_path: Path) -> None:
    _staff(tmp_path, 10.0, "reliability_load_staff_10s")


@pytest.mark.slow
def test_staff_mixed_load_60s(tmp_path: Path) -> None:
    _staff(tmp_path, 60.0, "reliability_load_staff_60s")
