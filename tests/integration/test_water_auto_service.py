"""The national automatic surface-water CSV in the running service (a real local HTTP server).

With only the shipped registry (Zhoushan's 25 sections) the national file names none of them: the run
completes but quarantines every row, so it is recorded ``degraded`` (run row and ``/healthz``), never
``ok``. The year of its ``MM-DD`` times comes from the file name in the URL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.api.app import create_app
from service.clock import FixedClock
from service.figures.collection_health import collector_health, degraded_collectors
from service.scheduler import Collection, config_from_settings
from service.settings import Settings
from service.store.engine import init_store, writing
from service.store.places import seed_places
from service.store.tables import collector_runs, quarantine
from tests.integration.files_server import serve_files

pytestmark = pytest.mark.realdata

NAME = "water_quality_20260225_094940_part1.csv"
CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 2, 25, 10, 0, tzinfo=CST).astimezone(dt.UTC)


def test_unknown_sections_make_a_degraded_run_seen_by_healthz(
    validation_dir: Path, tmp_path: Path
) -> None:
    body = (validation_dir / "cnemc_surface_water" / NAME).read_bytes()
    with serve_files({f"/{NAME}": (body, "text/csv")}) as base:
        settings = Settings(data_dir=tmp_path, water_auto_url=f"{base}/{NAME}", demo=False)
        engine = init_store(settings.store.effective_database_url)
        with writing(engine) as conn:
            seed_places(conn, NOW, include_demo=False)
        sched = Collection(engine, config_from_settings(settings), FixedClock(NOW))
        try:
            results = sched.collect("water_auto", trigger="cli")
        finally:
            sched.close()
    # three 24-h chunks of the 72-h backfill; the same bytes again are not re-quarantined, but the
    # run still says what they held
    assert [r.status for r in results] == ["degraded"] * 3
    assert results[0].counts.quarantined == 197 and results[0].counts.inserted == 0
    with engine.connect() as conn:
        status = {s for (s,) in conn.execute(select(collector_runs.c.status))}
        reasons = [r[0] for r in conn.execute(select(quarantine.c.reason).limit(3))]
    assert status == {"degraded"}
    assert all("unknown section" in r for r in reasons), reasons  # not "needs the year"
    assert [c.collector for c in degraded_collectors(engine)] == ["water_auto"]
    assert collector_health(engine)[0].error is not None
    engine.dispose()
    live = Settings(data_dir=tmp_path, demo=False, scheduler_enabled=False)
    with TestClient(create_app(live)) as client:
        health = client.get("/healthz").json()
    assert health["status"] == "degraded"
    assert health["collectors"][0]["collector"] == "water_auto"
    assert health["collectors"][0]["status"] == "degraded"
    assert "197 of 197 rows quarantined" in health["collectors"][0]["error"]
