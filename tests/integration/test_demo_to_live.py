"""Demo and live never mix: a store that ran the demo feed refuses to start live (naming
``envmon demo purge``); after the purge the live service serves no simulated figure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.api.app import create_app
from service.cli import app as cli
from service.clock import FixedClock
from service.compute import make_ingest_hook
from service.demo_guard import DemoDataInLiveStore
from service.figures.demo_data import figures_are_demo
from service.scheduler import Collection, config_from_settings
from service.settings import Settings
from stations.collectors.base import Window

NOW = dt.datetime(2026, 11, 20, 4, tzinfo=dt.UTC)


def _settings(tmp_path: Path, demo: bool, url: str | None = None) -> Settings:
    return Settings(
        data_dir=tmp_path, demo=demo, environment="test", scheduler_enabled=False,
        rate_limit_per_minute=0, database_url=url,
    )  # fmt: skip


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def store_url(request: pytest.FixtureRequest) -> str | None:
    """None (the embedded SQLite store) or a fresh PostGIS database."""
    return None if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))


def test_a_demo_store_restarted_live_serves_no_simulated_figure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str | None
) -> None:
    clock = FixedClock(NOW)

    def _settings_for(demo: bool) -> Settings:
        return _settings(tmp_path, demo, store_url)

    demo = create_app(_settings_for(True), clock)
    with TestClient(demo) as client:
        engine = demo.state.engine
        sched = Collection(
            engine,
            config_from_settings(_settings_for(True)),
            clock,
            hooks=[make_ingest_hook(engine, clock)],
        )
        try:
            runs = sched.collect_window("demo", Window(NOW - dt.timedelta(days=3), NOW))
        finally:
            sched.close()
        assert runs and all(r.ok for r in runs)
        real = {s["code"]: s for s in client.get("/api/v1/stations").json()["items"]}
        assert real["1258A"]["aqi"] is not None  # the demo feed simulates the real stations too
        assert client.get("/api/v1/districts/330902/days").json()["items"]
        assert figures_are_demo(engine)
        _assert_marked_demo(client, True)

    live = create_app(_settings_for(False), clock)
    with pytest.raises(DemoDataInLiveStore, match="envmon demo purge"), TestClient(live):
        pass

    monkeypatch.setenv("ENVMON_DATA_DIR", str(tmp_path))
    if store_url is not None:
        monkeypatch.setenv("ENVMON_DATABASE_URL", store_url)
    out = CliRunner().invoke(cli, ["demo", "purge", "--yes"])
    assert out.exit_code == 0, out.output
    # Two demo AQI stations (the districts without a real one) and the demo yard's and port's
    # three monitors (geodata.demo_yards).
    assert "purged demo data:" in out.output and "5 demo stations" in out.output

    live = create_app(_settings_for(False), clock)
    with TestClient(live) as client:
        assert client.get("/healthz").json()["demo"] is False
        assert not figures_are_demo(live.state.engine)
        stations = client.get("/api/v1/stations").json()
        assert stations["demo"] is False
        assert [s["code"] for s in stations["items"]] == ["1258A", "1259A", "1260A"]
        assert all(s["aqi"] is None and s["time"] is None for s in stations["items"])
        districts = client.get("/api/v1/districts").json()["items"]
        assert all(d["air"]["excellent_good_ratio"]["denominator"] == 0 for d in districts)
        assert all(d["water"]["class_iii_ratio"]["denominator"] == 0 for d in districts)
        days = client.get("/api/v1/districts/330902/days").json()["items"]
        assert days == []
        sections = client.get("/api/v1/sections").json()["items"]
        assert sections and all(s["water_class"] is None for s in sections)
        _assert_marked_demo(client, False)


def _assert_marked_demo(client: TestClient, demo: bool) -> None:
    """Exports carry the demo column and note on every row, the map its demo notice, when demo."""
    import csv
    import io

    for path in ("/api/v1/export/stations.csv", "/api/v1/export/districts.csv"):
        text = client.get(path).content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows
        if demo:
            assert all(r["data_demo"] == "True" for r in rows)
            assert all("演示数据" in r["data_note"] and "demo data" in r["data_note"] for r in rows)
        else:
            assert "data_demo" not in rows[0]
    days = client.get("/api/v1/districts/330902/days", params={"format": "csv"})
    assert ("演示数据" in days.content.decode("utf-8-sig")) is demo
    import json

    from service.auth import Role, create_key

    key = create_key(client.app.state.engine, Role.viewer, "test-viewer")[1]  # type: ignore[attr-defined]
    notice = "演示数据，非正式发布"  # maps/i18n.py notice.demo_feed; the pages hold it as JSON
    for page in (
        client.get("/maps/public").text,
        client.get("/maps/staff", headers={"Authorization": f"Bearer {key}"}).text,
    ):
        assert (notice in page or json.dumps(notice)[1:-1] in page) is demo
