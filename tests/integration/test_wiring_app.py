"""The app's wiring: the delivery worker runs with the scheduler, default targets are seeded, map
settings are validated and used, and the staff map and ``districts.csv`` carry the API's figures."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from service.alerts.signing import new_secret
from service.api.app import create_app, uvicorn_config
from service.auth import Role, create_key
from service.cli import app as cli
from service.clock import FixedClock
from service.compute import recompute
from service.figures.exports import FIGURE_COLUMNS
from service.figures.map_data import district_map_figures
from service.jobs import running_here
from service.settings import Settings, SettingsError, load_settings
from service.store import alert_repo as repo
from service.store.alert_tables import webhook_outbox
from service.store.compute_tables import targets
from service.store.engine import writing
from tests.integration.api.conftest import make_settings
from tests.integration.test_compute_recompute import hourly, ingest
from tests.integration.test_webhook_receiver import Receiver

NOW = dt.datetime(2026, 3, 6, 2, 0, tzinfo=dt.UTC)  # 10:00 CST on 6 March: YTD through 5 March


def _wait_for(condition: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    # Waiting for the scheduler's thread to get somewhere, not measuring how long it takes.
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


# ------------------------------------------------------------------------- delivery worker ---


def test_scheduler_delivers_a_queued_message_without_a_manual_call(tmp_path: Path) -> None:
    receiver = Receiver(secret=new_secret()).start()
    settings = make_settings(  # development: plain http to a loopback receiver is allowed
        tmp_path,
        environment="development",
        scheduler_enabled=True,
        demo=False,
        webhook_allow_private=True,
    )
    app = create_app(settings)  # the system clock: the receiver checks the signature's timestamp
    try:
        with TestClient(app):
            engine = app.state.engine
            assert app.state.scheduler.scheduler.get_job("webhook-delivery") is not None
            now = dt.datetime.now(dt.UTC)
            with writing(engine) as conn:
                sub_id = repo.add_subscription(
                    conn,
                    box=app.state.webhook_box,
                    name="wiring",
                    url=receiver.url(),
                    fmt="envmon",
                    secret=receiver.secret,
                    now=now,
                )
                repo.add_message(
                    conn,
                    msg_id="msg_wiring_1",
                    sub_id=sub_id,
                    group="wiring",
                    body=b'{"type":"test","data":{}}',
                    now=now,
                    retry_for=dt.timedelta(hours=1),
                )
            _wait_for(lambda: receiver.processed["msg_wiring_1"] == 1, "the delivery job")

            def delivered() -> bool:
                with engine.connect() as conn:
                    status = conn.execute(
                        select(webhook_outbox.c.status).where(webhook_outbox.c.id == "msg_wiring_1")
                    ).scalar_one()
                return bool(status == repo.DELIVERED)

            _wait_for(delivered, "the outbox row to be marked delivered")
        assert not running_here(settings)  # its runtime (worker, engine) released on shutdown
        assert not app.state.scheduler.running
    finally:
        receiver.stop()


# ------------------------------------------------------------------------------- targets ---


def test_default_targets_are_seeded_once(tmp_path: Path) -> None:
    def count() -> tuple[int, set[int]]:
        app = create_app(make_settings(tmp_path), FixedClock(NOW))
        with TestClient(app):
            with app.state.engine.connect() as conn:
                n = conn.execute(select(func.count()).select_from(targets)).scalar_one()
                years = set(conn.execute(select(targets.c.year).distinct()).scalars())
                by = set(conn.execute(select(targets.c.updated_by).distinct()).scalars())
        assert by == {"default"}
        return int(n), years

    first = count()
    assert first[0] > 0 and 2026 in first[1]
    assert count() == first  # a restart writes nothing new


# ------------------------------------------------------------------------------ settings ---


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"map_basemap": "tianditu"}, ["ENVMON_MAP_BASEMAP=tianditu", "ENVMON_TIANDITU_KEY"]),
        ({"map_basemap": "bing"}, ["ENVMON_MAP_BASEMAP", "osm, tianditu, autonavi, offline"]),
        ({"map_tiles": "https://tiles.example/{z}/{x}.png"}, ["ENVMON_MAP_TILES", "{y}"]),
        ({"map_tiles": "ftp://tiles.example/{z}/{x}/{y}"}, ["ENVMON_MAP_TILES", "http(s)"]),
        ({"forwarded_allow_ips": "proxy.local"}, ["ENVMON_FORWARDED_ALLOW_IPS", "proxy.local"]),
    ],
)
def test_map_and_proxy_settings_are_validated(env: dict[str, str], names: list[str]) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(**env)
    assert all(n in str(err.value) for n in names), str(err.value)


def test_map_settings_accept_good_values() -> None:
    s = load_settings(
        map_basemap="Tianditu",
        tianditu_key="0123456789abcdef0123456789abcdef",
        map_tiles="https://tiles.example.gov.cn/{z}/{x}/{y}.png",
        forwarded_allow_ips="10.0.0.1, 192.168.0.0/16",
    )
    assert s.maps.map_basemap == "tianditu"
    assert s.http.forwarded_allow_ips == "10.0.0.1,192.168.0.0/16"
    assert (
        Settings().maps.map_basemap == "osm" and Settings().http.forwarded_allow_ips == "127.0.0.1"
    )


def test_serve_refuses_tianditu_without_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVMON_MAP_BASEMAP", "tianditu")
    monkeypatch.delenv("ENVMON_TIANDITU_KEY", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 2
    assert "ENVMON_TIANDITU_KEY" in result.output


def test_serve_passes_forwarded_allow_ips_to_uvicorn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []

    class Server:  # stands in for uvicorn.Server: records the config instead of serving
        def __init__(self, config: Any) -> None:
            seen.append(config)

        def run(self) -> None:
            pass

    monkeypatch.setattr(uvicorn, "Server", Server)
    monkeypatch.setenv("ENVMON_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ENVMON_FORWARDED_ALLOW_IPS", "10.1.2.3")
    assert CliRunner().invoke(cli, ["serve", "--no-scheduler"]).exit_code == 0
    opt = CliRunner().invoke(cli, ["serve", "--forwarded-allow-ips", "10.9.9.9,10.0.0.0/8"])
    assert opt.exit_code == 0
    assert [c.forwarded_allow_ips for c in seen] == ["10.1.2.3", "10.9.9.9,10.0.0.0/8"]
    assert all(c.proxy_headers and not c.server_header for c in seen)
    bad = CliRunner().invoke(cli, ["serve", "--forwarded-allow-ips", "a proxy"])
    assert bad.exit_code == 2 and "ENVMON_FORWARDED_ALLOW_IPS" in bad.output
    assert uvicorn_config(FastAPI(), "127.0.0.1", 0).forwarded_allow_ips == "127.0.0.1"


def test_maps_use_the_configured_basemap_and_tiles(tmp_path: Path) -> None:
    tiles = "https://tiles.example.gov.cn/osm/{z}/{x}/{y}.png"
    app = create_app(make_settings(tmp_path, map_tiles=tiles), FixedClock(NOW))
    with TestClient(app) as client:
        page = client.get("/maps/public")
        assert page.status_code == 200 and "tiles.example.gov.cn/osm" in page.text
        other = client.get("/maps/public", params={"basemap": "autonavi"})
        assert "tiles.example.gov.cn" not in other.text  # the tiles belong to the osm basemap
        assert client.get("/maps/public", params={"basemap": "tianditu"}).status_code == 422
    app = create_app(
        make_settings(tmp_path, map_basemap="tianditu", tianditu_key="k" * 32), FixedClock(NOW)
    )
    with TestClient(app) as client:
        page = client.get("/maps/public")
        assert page.status_code == 200 and "tianditu.gov.cn" in page.text and "k" * 32 in page.text


def test_public_map_is_one_page_across_server_processes(tmp_path: Path) -> None:
    """Two apps on one store (two workers, or before and after a restart) serve the same bytes and
    ETag for the public embed, so a browser's or proxy's cached copy stays valid."""
    pages = []
    for _ in range(2):
        with TestClient(create_app(make_settings(tmp_path), FixedClock(NOW))) as client:
            page = client.get("/maps/public", params={"lang": "en"})
            assert page.status_code == 200
            # the CSP nonce is fresh per response (service.api.csp); the rest is the same bytes
            pages.append((page.headers["etag"], re.sub(r'nonce="[^"]+"', "", page.text)))
    assert pages[0] == pages[1]


# ----------------------------------------------------------------- figures: map and CSV ---


@pytest.fixture
def figures_app(tmp_path: Path) -> Iterator[FastAPI]:
    app = create_app(make_settings(tmp_path), FixedClock(NOW))
    with TestClient(app):
        ingest(
            app.state.engine, hourly(dt.date(2026, 2, 25), 10, seed=3), "wiring"
        )  # incl. 6 March
        recompute(app.state.engine, app.state.clock)
        yield app


def _api_ratios(client: TestClient) -> dict[str, tuple[float | None, float | None]]:
    items = client.get("/api/v1/districts").json()["items"]
    return {
        d["code"]: (
            d["air"]["excellent_good_ratio"]["value"],
            d["water"]["class_iii_ratio"]["value"],
        )
        for d in items
    }


def test_staff_map_districts_carry_the_api_figures(figures_app: FastAPI) -> None:
    client = TestClient(figures_app)
    api = _api_ratios(client)
    assert api["330902"][0] is not None  # 定海区 has stations with data
    frame = district_map_figures(
        figures_app.state.engine, figures_app.state.districts, 2026, figures_app.state.clock
    )

    def none(v: Any) -> Any:  # a frame holds a missing ratio as NaN, the API as null
        return None if v is None or v != v else float(v)

    mapped = {
        str(c): (none(eg), none(c3))
        for c, eg, c3 in zip(
            frame["code"], frame["excellent_good_ratio"], frame["class_iii_ratio"], strict=True
        )
    }
    assert mapped == {code: api[code] for code in mapped}
    assert set(frame["excellent_good_target"]) == {0.97}
    key = create_key(figures_app.state.engine, Role.viewer, "wiring")[1]
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/maps/staff", headers=headers).status_code == 200
    layer = client.get("/maps/staff/layers/eg_ratio.geojson", headers=headers).json()
    popup = next(f for f in layer["features"] if f["properties"]["code"] == "330902")
    # the district's popup shows the API's ratio
    assert f"{api['330902'][0] * 100:.1f}%" in popup["properties"]["popup"]


def test_districts_csv_is_the_figures_export(figures_app: FastAPI) -> None:
    client = TestClient(figures_app)
    r = client.get("/api/v1/export/districts.csv")
    assert r.status_code == 200 and r.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    header = list(rows[0])
    if header[-2:] == ["data_demo", "data_note"]:  # built from demo data: said on every row
        assert {row["data_demo"] for row in rows} == {"True"}
        header = header[:-2]
    assert header[: len(header) - len(FIGURE_COLUMNS)][:3] == ["code", "name", "name_en"]
    assert header[-len(FIGURE_COLUMNS) :] == list(FIGURE_COLUMNS)
    api = {d["code"]: d for d in client.get("/api/v1/districts").json()["items"]}
    assert [row["code"] for row in rows] == list(api)
    for row in rows:
        air, water = api[row["code"]]["air"], api[row["code"]]["water"]
        ratio = air["excellent_good_ratio"]
        assert row["excellent_good_ratio"] == (
            "" if ratio["value"] is None else str(ratio["value"])
        )
        assert row["excellent_good_days"] == str(ratio["numerator"])
        assert row["valid_days"] == str(ratio["denominator"])
        assert row["excellent_good_target"] == str(air["target"])
        assert row["air_budget_days"] == str(air["budget"]["budget"])
        assert row["class_iii_target"] == str(water["target"])
        assert row["sections_evaluated"] == str(water["class_iii_ratio"]["denominator"])
        assert (row["period_start"], row["period_end"]) == ("2026-01-01", "2026-03-05")
    dinghai = next(row for row in rows if row["code"] == "330902")
    assert dinghai["name"] == "定海区" and int(dinghai["valid_days"]) > 0
