"""A zone-import job keeps its heartbeat while its parse has not begun polling: the forkserver's
first start imports the parsers (tens of seconds on a loaded machine), and a job whose beat was
taken only between polls was reported ``failed`` (``worker_lost``) while it ran, then refused."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

import service.zone_jobs as zone_jobs
from service.clock import SystemClock
from service.settings import Settings
from service.store import zone_jobs as store
from service.store.engine import init_store
from tests.integration.test_zone_upload_jobs import point_zones


def test_a_job_whose_child_is_slow_to_start_is_not_reported_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zone_jobs, "LOST_AFTER_SECONDS", 1.5)
    monkeypatch.setattr(zone_jobs, "HEARTBEAT_SECONDS", 0.2)
    release = threading.Event()

    def slow_start(*args: Any, **kwargs: Any) -> list[Any]:
        release.wait(10)  # a child process that takes long to start: no poll, no stop() call
        return []

    monkeypatch.setattr(zone_jobs, "parse_isolated", slow_start)
    engine = init_store(f"sqlite:///{tmp_path / 'envmon.sqlite3'}")
    jobs = zone_jobs.ZoneImportJobs(engine, Settings(data_dir=tmp_path), SystemClock())
    try:
        job_id = jobs.submit(point_zones(2), "notices.geojson", "test")
        seen = []
        deadline = time.monotonic() + 4.0  # longer than LOST_AFTER_SECONDS
        while time.monotonic() < deadline:
            row = store.get_job(engine, job_id)
            assert row is not None
            seen.append(zone_jobs.job_view(row, SystemClock().now())["state"])
            time.sleep(0.1)
        assert "running" in seen and "failed" not in seen, seen
    finally:
        release.set()
        jobs.shutdown()
        engine.dispose()
