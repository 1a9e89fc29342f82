"""Zone supervision end to end on a real store: the bureau's yard zone and monitors imported,
readings ingested, zone statistics with hand-worked values, and the zone alert raised ONCE with the
zone in it and resolved, delivered signed to a real local HTTP receiver.

The yard (a square around 122.30 E, 29.94 N) has one boundary monitor YB1; national station 1259A
(普陀东港) lies 1.6 km from it (nearby, within 3 km); 1258A and 1260A lie farther than 3 km
(the background, since no station is of kind background).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from service.alerts.delivery import DeliveryPolicy, DeliveryWorker
from service.alerts.evaluate import evaluate_and_enqueue
from service.alerts.sealing import SecretBox
from service.alerts.signing import new_secret
from service.alerts.urls import OutboundPolicy
from service.clock import FixedClock
from service.figures.zone_supervision import SupervisionOptions, zone_checks, zone_summary
from service.registry import import_registry
from service.settings import Settings
from service.store import alert_repo as repo
from service.store.alert_tables import alert_state
from service.store.engine import init_store, writing
from service.store.ingest import ingest_readings
from service.store.payloads import archive_payload
from service.store.places import seed_places
from service.store.zone_monitoring import span_readings
from service.zones import import_zone_file
from stations.collectors.base import Payload
from stations.model import READING_COLUMNS
from tests.integration.test_webhook_receiver import Receiver

BOX = SecretBox(bytes(range(32)))
POLICY = DeliveryPolicy(
    timeout_s=5.0,
    backoff_base_s=2.0,
    backoff_max_s=20.0,
    lease=dt.timedelta(seconds=30),
    outbound=OutboundPolicy(require_https=False, allow_private=True),
)
YARD = "yard_test"
ZONES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"code": YARD, "name": "测试船厂", "name_en": "Test yard",
                           "kind": "ship_repair_yard", "datum": "WGS84", "source": "test"},
            "geometry": {"type": "Polygon", "coordinates": [[
                [122.295, 29.935], [122.305, 29.935], [122.305, 29.945], [122.295, 29.945],
                [122.295, 29.935]]]},
        }
    ],
}  # fmt: skip
MONITORS = (
    "code,name,kind,zone,lon,lat,district\nYB1,测试船厂厂界东,厂界,yard_test,122.305,29.94,330903\n"
)


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path, environment="development", demo=False, webhook_allow_private=True
    )


def _bureau_store(url: str) -> Engine:
    eng = init_store(url)
    clock = FixedClock(dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    with writing(eng) as conn:
        seed_places(conn, clock.now(), include_demo=False)
    import_zone_file(eng, json.dumps(ZONES).encode(), "yard.geojson", who="test", clock=clock)
    import_registry(eng, "stations", MONITORS.encode(), "monitors.csv", who="test", clock=clock)
    return eng


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgis)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The bureau's yard on SQLite and on PostgreSQL (the readings' reads run on both)."""
    if request.param == "sqlite":
        url = _settings(tmp_path).store.effective_database_url
    else:
        url = request.getfixturevalue("pg_url")
    eng = _bureau_store(url)
    yield eng
    eng.dispose()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = init_store(_settings(tmp_path).store.effective_database_url)
    clock = FixedClock(dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    with writing(eng) as conn:
        seed_places(conn, clock.now(), include_demo=False)
    import_zone_file(eng, json.dumps(ZONES).encode(), "yard.geojson", who="test", clock=clock)
    import_registry(eng, "stations", MONITORS.encode(), "monitors.csv", who="test", clock=clock)
    yield eng
    eng.dispose()


#: End-of-hour labels of four hours on 2026-11-03 CST: 10:00 .. 13:00 (02:00 .. 05:00 UTC).
T = [dt.datetime(2026, 11, 3, h, tzinfo=dt.UTC) for h in (2, 3, 4, 5)]


def _ingest(
    engine: Engine,
    rows: list[tuple[str, dt.datetime, str, float]],
    tag: str,
    source: str = "test",
) -> None:
    frame = pd.DataFrame(rows, columns=["station", "time", "pollutant", "value"])
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    frame["flag"] = ""
    now = max(r[1] for r in rows)
    with writing(engine) as conn:
        archived = archive_payload(conn, Payload(source, f"test://{tag}", tag.encode()), now)
        ingest_readings(conn, frame[list(READING_COLUMNS)], source, archived.id, now)


def _first_hours(engine: Engine) -> None:
    rows = [("YB1", t, "NMHC", v) for t, v in zip(T, (1.0, 2.0, 3.0, 4.5), strict=True)]
    rows += [("YB1", T[0], "NO2", 40.0), ("YB1", T[1], "NO2", 60.0)]
    rows += [("1259A", T[0], "NO2", 30.0), ("1259A", T[1], "NO2", 50.0)]
    rows += [("1258A", T[0], "NO2", 20.0), ("1258A", T[1], "NO2", 22.0)]
    rows += [("1260A", T[0], "NO2", 24.0), ("1260A", T[1], "NO2", 26.0)]
    _ingest(engine, rows, "first")


def test_zone_statistics_by_hand(store: Engine) -> None:
    engine = store
    _first_hours(engine)
    s = zone_summary(engine, YARD, dt.date(2026, 11, 3), days=1, staff=True)
    assert (s.monitor_codes, s.nearby_stations) == (["YB1"], ["1259A"])
    assert s.background_stations == ["1258A", "1260A"]
    stat = {(p.role, p.parameter): p for p in s.statistics}
    nmhc = stat[("monitor", "NMHC")]
    assert (nmhc.unit, nmhc.basis, nmhc.n_hours) == ("mg/m³", "as C", 4)
    assert nmhc.mean == pytest.approx((1 + 2 + 3 + 4.5) / 4)  # 2.625
    # p95 of [1, 2, 3, 4.5], type 7: rank 0.95 x 3 = 2.85 -> 3 + 0.85 x (4.5 - 3) = 4.275
    assert nmhc.p95 == pytest.approx(4.275)
    assert nmhc.diff_to_background is None  # no background NMHC
    no2 = stat[("monitor", "NO2")]
    assert no2.mean == 50.0 and no2.p95 == pytest.approx(59.0)  # 40 + 0.95 x 20
    assert stat[("background", "NO2")].mean == pytest.approx(23.0)  # (20 + 22 + 24 + 26) / 4
    assert no2.diff_to_background == pytest.approx(27.0)
    assert stat[("nearby", "NO2")].diff_to_background == pytest.approx(17.0)  # 40 - 23
    # 4.5 mg/m³ is above GB 16297 4.0 and DB33/2146 4.0 (default): one hour, two limits.
    assert s.exceedance_hours == 1
    hours = {lim.key: lim.exceedance_hours for lim in s.limits}
    assert hours == {"gb16297_nmhc": 1, "gb16297_benzene": 0, "gb16297_toluene": 0,
                     "gb16297_xylenes": 0, "db33_2146_nmhc_boundary": 1}  # fmt: skip
    assert [(e.station, e.limit, e.value) for e in s.exceedances or []] == [
        ("YB1", "db33_2146_nmhc_boundary", 4.5),
        ("YB1", "gb16297_nmhc", 4.5),
    ]
    assert s.daily[0].exceedance_hours == 1 and s.daily[0].parameter == "NMHC"
    public = zone_summary(engine, YARD, dt.date(2026, 11, 3), days=1)
    assert public.monitors is None and public.exceedances is None


def test_span_readings_one_row_per_hour_from_the_first_source(store: Engine) -> None:
    """Where two sources hold one hour, the span keeps the alphabetically first (both stores)."""
    _ingest(store, [("YB1", T[0], "NMHC", 1.0), ("YB1", T[1], "NMHC", 2.0)], "z", source="zeta")
    _ingest(store, [("YB1", T[1], "NMHC", 9.0), ("1259A", T[0], "NO2", 30.0)], "a", "alpha")
    with store.connect() as conn:
        got = span_readings(conn, T[0], T[3], ["YB1", "1259A"], ["NMHC", "NO2"])
    assert [(r.station, r.time, r.pollutant, r.value) for r in got.itertuples()] == [
        ("1259A", pd.Timestamp(T[0]), "NO2", 30.0),
        ("YB1", pd.Timestamp(T[0]), "NMHC", 1.0),
        ("YB1", pd.Timestamp(T[1]), "NMHC", 9.0),
    ]
    assert str(got["time"].dt.tz) == "UTC" and list(got.columns) == [
        "station", "time", "pollutant", "value", "flag"
    ]  # fmt: skip


def test_zone_checks_window(engine: Engine) -> None:
    _first_hours(engine)
    options = SupervisionOptions(window_h=3.0, rise_limits={"NO2": 40.0})
    (check,) = zone_checks(engine, T[3], options)
    assert check.zone == YARD and check.kind == "ship_repair_yard"
    assert check.worst is not None and check.worst["value"] == 4.5
    assert check.worst["monitor"] == "YB1" and check.worst["hours"] == 1
    # NO2 in the window (labels after 02:00 UTC): monitor 60, background (22 + 26) / 2 = 24.
    assert check.rises["NO2"] == pytest.approx((60.0, 24.0, 36.0))
    (later,) = zone_checks(engine, T[3] + dt.timedelta(hours=3), SupervisionOptions(window_h=3.0))
    assert later.worst is None


def _zone_firing(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(alert_state).where(alert_state.c.status == "firing")).mappings()
        return [dict(r) for r in rows if str(r["rule"]).startswith("zone_")]


def test_yard_monitor_above_its_limit_raises_one_alert_and_resolves(
    engine: Engine, tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    # The alerts are decided on a clock six hours back and then three hours back; the messages
    # are signed when sent, by a worker on the wall clock (the receiver allows 5 min of skew).
    wall = FixedClock(dt.datetime.now(dt.UTC).replace(microsecond=0))
    now = wall.now().replace(minute=0, second=0) - dt.timedelta(hours=6)
    clock = FixedClock(now)
    secret = new_secret()
    receiver = Receiver(secret=secret).start()
    worker = DeliveryWorker(engine, wall, POLICY, box=BOX, rng=random.Random(1))
    try:
        with writing(engine) as conn:
            repo.add_subscription(conn, box=BOX, name="bureau", url=receiver.url("/hook"),
                                  fmt="envmon", secret=secret, now=now)  # fmt: skip
        hours = [now - dt.timedelta(hours=k) for k in (3, 2, 1, 0)]
        _ingest(engine, [("YB1", t, "NMHC", v) for t, v in zip(hours, (1.0, 2.0, 3.0, 4.5),
                                                              strict=True)], "a")  # fmt: skip
        evaluate_and_enqueue(engine, clock, settings=settings)
        firing = _zone_firing(engine)
        assert [(a["rule"], a["labels"]["zone"]) for a in firing] == [("zone_limit_exceeded", YARD)]
        worker.run_once()
        sent = [r.json() for r in receiver.requests if r.json()["rule"] == "zone_limit_exceeded"]
        assert len(sent) == 1 and sent[0]["status"] == "firing"
        (alert,) = sent[0]["alerts"]
        assert alert["labels"]["zone"] == YARD
        assert alert["value"] == 4.5 and alert["threshold"] == 4.0
        assert alert["params"]["limit"] == "gb16297_nmhc"  # the national standard before DB33
        assert alert["summary"]["zh"].startswith("测试船厂：测试船厂厂界东")
        assert "above the GB 16297-1996 limit of 4 mg/m³" in alert["summary"]["en"]

        # Three more hours, all below every limit: the window no longer holds an exceedance.
        later = [now + dt.timedelta(hours=k) for k in (1, 2, 3)]
        _ingest(engine, [("YB1", t, "NMHC", 1.0) for t in later], "b")
        clock.advance(dt.timedelta(hours=3))
        evaluate_and_enqueue(engine, clock, settings=settings)
        assert _zone_firing(engine) == []
        worker.run_once()
        sent = [r.json() for r in receiver.requests if r.json()["rule"] == "zone_limit_exceeded"]
        assert [m["status"] for m in sent] == ["firing", "resolved"]
        (resolved,) = sent[1]["alerts"]
        assert resolved["labels"]["zone"] == YARD and resolved["status"] == "resolved"
        assert (
            "no monitor above a fugitive-emission limit in the last 3 h"
            in (resolved["summary"]["en"])
        )
        assert receiver.verified_all
    finally:
        worker.close()
        receiver.stop()


def test_zone_summary_api_public_and_staff(engine: Engine, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from service.api.app import create_app
    from service.auth import Role, create_key

    _first_hours(engine)
    settings = _settings(tmp_path)
    clock = FixedClock(dt.datetime(2026, 11, 4, 12, tzinfo=dt.UTC))  # yesterday: 2026-11-03 CST
    with TestClient(create_app(settings, clock)) as client:
        public = client.get(f"/api/v1/zones/{YARD}/summary?days=1")
        assert public.status_code == 200, public.text
        body = public.json()
        assert (body["start"], body["end"], body["staff"], body["demo"]) == (
            "2026-11-03",
            "2026-11-03",
            False,
            False,
        )
        stat = {(s["role"], s["parameter"]): s for s in body["statistics"]}
        assert stat[("monitor", "NMHC")]["mean"] == 2.625  # (1 + 2 + 3 + 4.5) / 4
        assert stat[("monitor", "NMHC")]["p95"] == 4.275
        assert stat[("monitor", "NMHC")]["unit"] == "mg/m³"
        assert stat[("nearby", "NO2")]["diff_to_background"] == 17.0  # 40 - 23
        assert body["exceedance_hours"] == 1
        limits = {lim["key"]: lim for lim in body["limits"]}
        assert limits["gb16297_nmhc"]["clause"].startswith("表2")
        assert limits["gb16297_nmhc"]["exceedance_hours"] == 1
        # The public page carries no monitor's own figures and no raw value.
        assert body["monitors"] is None and body["exceedances"] is None
        assert "4.5" not in public.text
        assert client.get(f"/api/v1/staff/zones/{YARD}/summary?days=1").status_code == 401
        assert client.get("/api/v1/zones/no_such_zone/summary").status_code == 404
        assert client.get(f"/api/v1/zones/{YARD}/summary?days=0").status_code == 422

        key = create_key(engine, Role.viewer)[1]
        staff = client.get(
            f"/api/v1/staff/zones/{YARD}/summary?days=1",
            headers={"Authorization": f"Bearer {key}"},
        ).json()
        assert staff["staff"] is True
        (monitor,) = staff["monitors"]
        assert monitor["code"] == "YB1" and monitor["siting"] == "boundary"
        assert monitor["exceedance_hours"] == {"db33_2146_nmhc_boundary": 1, "gb16297_nmhc": 1}
        assert monitor["hours_above_any"] == 1  # one hour above two limits counts once
        assert monitor["last_time"] == "2026-11-03T05:00:00Z"
        assert [(e["limit"], e["value"], e["threshold"]) for e in staff["exceedances"]] == [
            ("db33_2146_nmhc_boundary", 4.5, 4.0),
            ("gb16297_nmhc", 4.5, 4.0),
        ]


def test_monthly_report_has_the_supervision_section(engine: Engine) -> None:
    from service.compute import recompute_all
    from service.reports import build_report, render_html
    from tests.integration.test_compute_recompute import hourly

    _first_hours(engine)
    # Three ordinary days of the AQI stations, so that the month has valid days (else the report
    # says "no data" and has no sections); their NO2 is 23.0, the background's mean already, so
    # the background mean stays (92 + 23 x 144) / 148 = 23.0.
    aqi = hourly(dt.date(2026, 11, 10), 3, seed=3)
    aqi.loc[aqi["pollutant"] == "NO2", "value"] = 23.0
    _ingest(engine, list(aqi.drop(columns="flag").itertuples(index=False, name=None)), "aqi")
    clock = FixedClock(dt.datetime(2026, 12, 2, tzinfo=dt.UTC))
    recompute_all(engine, clock)
    data = build_report(engine, clock, "city", "2026-11")
    html = render_html(data, "zh")
    assert "港区与船舶修造厂监管" in html
    # 测试船厂: NMHC mean 2.625 -> 2.62 (two decimals, half-even), p95 4.275 -> 4.28 (the float
    # is 4.27500000000000035...), NO2 mean 50.0, minus background 27.0, one exceedance hour.
    row = html[html.index("测试船厂") :]
    cells = [c.split("<")[0] for c in row.split("<td>")[1:6]]
    assert cells == ["2.62", "4.28", "50.0", "27.0", "1"], cells
    en = render_html(data, "en")
    assert "Ports and ship-repair yards" in en and "Test yard" in en
    # A district report does not show a zone without a district (an imported zone file has none).
    district = build_report(engine, clock, "330902", "2026-11")
    assert "港区与船舶修造厂监管" not in render_html(district, "zh")


def test_import_monitors_cli_quarantines_what_it_cannot_read(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from service.cli import app as cli

    path = tmp_path / "yb1.csv"
    path.write_text(
        "点位编码,时间,监测项目,浓度,单位\n"
        "测试船厂厂界东,2026-11-03T10:00+08:00,非甲烷总烃,1.2,mg/m³\n"  # by name
        "YB1,2026-11-03T11:00+08:00,苯,0.5,mg/m³\n"  # 500 µg/m³
        "NOPE,2026-11-03T11:00+08:00,NMHC,1.0,mg/m³\n",  # no such monitor
        encoding="utf-8",
    )
    monkeypatch.setenv("ENVMON_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ENVMON_DEMO", "false")
    out = CliRunner().invoke(cli, ["import-monitors", str(path)])
    assert out.exit_code == 0, out.output
    assert "inserted=2" in out.output and "quarantined=1" in out.output
    assert "NOPE" in out.output and "is no registry station" in out.output
    s = zone_summary(engine, YARD, dt.date(2026, 11, 3), days=1, staff=True)
    assert [(e.parameter, e.value, e.threshold) for e in s.exceedances or []] == [
        ("BENZENE", 500.0, 400.0)  # GB 16297 表2 苯 0.40 mg/m³
    ]
