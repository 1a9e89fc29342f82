"""Public figures cache (``service.api.cache``) on SQLite and PostgreSQL: cached bodies are the bytes the
uncached routes send; a recompute, a revision, a target change (also by another process) or a zone
import is served at the next request, even with a fixed clock; ETag/304 still work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api import cache
from service.api.app import create_app
from service.clock import FixedClock
from service.compute import recompute
from service.store.engine import make_engine
from service.targets import set_target
from tests.integration.api.conftest import make_settings
from tests.integration.test_compute_recompute import STATIONS, hourly, ingest

NOW = dt.datetime(2026, 3, 6, 2, 0, tzinfo=dt.UTC)
CLOCK = FixedClock(NOW)  # fixed: recomputes write the same computed_at every time

PATHS = (
    "/api/v1/districts",
    "/api/v1/stations",
    "/api/v1/stations?lang=en",
    "/api/v1/stations?district=330902",
    "/api/v1/sections",
    "/api/v1/sections?district=330902",
    "/api/v1/zones",
    "/api/v1/zones?kind=anchorage",
    "/api/v1/geo/districts.geojson",
    "/api/v1/geo/stations.geojson",
    "/api/v1/geo/stations.geojson?lang=en",
    "/api/v1/geo/sections.geojson",
    "/api/v1/geo/zones.geojson",
    # finding 9 of issue 22: downloads and day series are cached like the figures
    "/api/v1/districts/city/days?from=2026-02-25&to=2026-03-04",
    "/api/v1/districts/city/days?from=2026-02-25&to=2026-03-04&format=csv",
    "/api/v1/districts/330902/days?from=2026-02-26&to=2026-03-04&format=csv&lang=en",
    f"/api/v1/stations/{STATIONS[0]}/hours?from=2026-02-26&to=2026-02-27&format=csv",
    f"/api/v1/stations/{STATIONS[0]}/days?from=2026-02-25&to=2026-03-04&format=csv",
)


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FastAPI]:
    url = None if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))
    application = create_app(make_settings(tmp_path, database_url=url), CLOCK)
    with TestClient(application):
        ingest(application.state.engine, hourly(dt.date(2026, 2, 25), 9, seed=3), "first")
        recompute(application.state.engine, CLOCK)
        yield application


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def uncached(client: TestClient, path: str, monkeypatch: pytest.MonkeyPatch) -> bytes:
    with monkeypatch.context() as m:
        m.setattr(cache, "ENABLED", False)
        r = client.get(path)
    assert r.status_code == 200, path
    return r.content


def test_cached_bodies_are_the_uncached_bytes(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    for path in PATHS:
        with monkeypatch.context() as m:
            m.setattr(cache, "ENABLED", False)
            plain = client.get(path)
        first, again = client.get(path), client.get(path)  # built, then served from the cache
        for r in (first, again):
            assert r.status_code == plain.status_code == 200, path
            assert r.content == plain.content, path
            assert r.headers["content-type"] == plain.headers["content-type"], path
            assert r.headers["etag"] == plain.headers["etag"], path
    assert client.get("/api/v1/stations?lang=en").content != client.get("/api/v1/stations").content
    assert client.get("/api/v1/stations?format=csv").headers["content-type"].startswith("text/csv")


def test_recompute_is_served_at_once_with_a_fixed_clock(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = app.state.engine
    before = client.get("/api/v1/districts").content
    # Revise every reading of two days (new values): the revision alone changes no figure ...
    revised = hourly(dt.date(2026, 2, 27), 2, seed=99)
    revised["value"] = revised["value"] * 3
    ingest(engine, revised, "revision")
    assert client.get("/api/v1/districts").content == before
    stations_now = client.get("/api/v1/stations").content
    # ... the recompute does: same clock, same row counts, so only the write generation tells.
    recompute(engine, CLOCK)
    after = client.get("/api/v1/districts").content
    assert after != before
    assert after == uncached(client, "/api/v1/districts", monkeypatch)
    assert client.get("/api/v1/stations").content == stations_now


def test_writes_by_another_process_are_seen(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = client.get("/api/v1/districts").json()
    other = make_engine(str(app.state.engine.url.render_as_string(hide_password=False)))
    try:  # an engine the app does not watch, as in ``envmon`` run beside ``envmon serve``
        set_target(
            other, CLOCK, district="city", indicator="air", year=2026, value="0.91", who="cli"
        )
    finally:
        other.dispose()
    after = client.get("/api/v1/districts")
    assert after.json()["items"][-1]["air"]["target"] == 0.91
    assert before["items"][-1]["air"]["target"] != 0.91
    assert after.content == uncached(client, "/api/v1/districts", monkeypatch)


def test_a_spreadsheet_is_built_once_per_data_version(app: FastAPI, client: TestClient) -> None:
    path = f"/api/v1/stations/{STATIONS[0]}/hours?from=2026-02-26&to=2026-02-27&format=xlsx"
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("application/vnd.openxmlformats")
    key = ("station-hours", STATIONS[0])
    assert any(k[:2] == key and k[-1] == "xlsx" for k in app.state.public_cache.entries)
    # openpyxl stamps each workbook with the time it was written: equal bytes mean one build
    assert client.get(path).content == first.content
    revised = hourly(dt.date(2026, 2, 26), 2, seed=7)
    ingest(app.state.engine, revised, "revision")
    recompute(app.state.engine, CLOCK)
    again = client.get(path)
    assert again.status_code == 200
    assert again.headers["content-disposition"] == first.headers["content-disposition"]
    assert again.content != first.content  # new readings: built again


def test_etag_and_304_on_cached_bodies(client: TestClient) -> None:
    for path in ("/api/v1/districts", "/api/v1/geo/districts.geojson"):
        tag = client.get(path).headers["etag"]
        r = client.get(path, headers={"If-None-Match": tag})
        assert r.status_code == 304 and r.headers["etag"] == tag and r.content == b""


def test_cache_is_bounded(app: FastAPI, client: TestClient) -> None:
    for i in range(cache.MAX_ENTRIES + 10):
        assert client.get(f"/api/v1/stations?district={330000 + i}").status_code == 200
    assert len(app.state.public_cache.entries) <= cache.MAX_ENTRIES
