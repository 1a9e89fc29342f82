"""Seawater figures through the API on both stores, against values worked by hand.

Fixture (SYNTHETIC): bay BAY-A (target 二类) holds points ZS01 and ZS02 (普陀), zone ZONE-B (target
四类) holds ZS03 (定海). May 2026 (CST):

ZS01, two samples (one at 2026-05-01 01:00 CST, i.e. 2026-04-30 17:00 UTC): means pH 8.05 (一类),
DO (7.2 + 6.4)/2 = 6.8 > 6 (一类), COD 1.5 <= 2 (一类), DIN (0.18 + 0.24)/2 = 0.21 in (0.20, 0.30]
(二类), PO4_P (0.012 + 0.020)/2 = 0.016 in (0.015, 0.030] (二类), petroleum 0.03 <= 0.05 (一类)
-> 二类, deciding DIN, PO4_P (table order), good, meets 二类.
ZS02, one sample: DO 5.5 (二类), COD 2.5 (二类), DIN = NO3 0.25 + NO2 0.02 + NH3 0.08 = 0.35
(三类), PO4_P below its 0.002 limit -> 0.001 (一类), petroleum 0.06 (三类) -> 三类, deciding DIN,
petroleum; not good, does not meet 二类.
ZS03, one May sample: DO 4.2 (三类), COD 4.5 (四类), DIN 0.62 > 0.50 (劣四类), PO4_P 0.05 > 0.045
(劣四类) -> 劣四类 (IV+), deciding DIN, PO4_P; its April sample (2026-04-30 23:00 CST) is not May.

Ratios by points: BAY-A 1/2 = 50.0 %, ZONE-B 0/1, 普陀 1/2 (target 0.50 default: met, budget
1 - ceil(0.5 x 2) = 0), 定海 0/1 (budget 0 - 1 = -1), city 1/3 = 33.3 % (target set to 0.40: not met,
budget 1 - ceil(0.4 x 3) = 1 - 2 = -1). By area: each point stands for an equal share of its
polygon, so BAY-A is (A/2)/A = 0.5 and the city (A/2)/(A + B) for the polygons' km² A and B.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.clock import FixedClock
from service.sea_registry import import_sea
from service.store.tables import raw_payloads, samples
from service.targets import set_target
from tests.integration.api.conftest import BOTH_STORES, make_settings

NOW = dt.datetime(2026, 6, 3, 4, 0, tzinfo=dt.UTC)


def _square(x: float, y: float, dx: float, dy: float) -> list[list[list[float]]]:
    return [[[x, y], [x + dx, y], [x + dx, y + dy], [x, y + dy], [x, y]]]


SEA = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": _square(122.30, 30.00, 0.10, 0.05)},
            "properties": {"code": "BAY-A", "name": "测试湾A", "kind": "bay", "target": "II"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": _square(122.00, 29.90, 0.05, 0.05)},
            "properties": {
                "code": "ZONE-B",
                "name": "测试功能区B",
                "kind": "zone",
                "target": "四类",
            },
        },
        *[
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": xy},
                "properties": {"code": code, "name": name, "area": area, "district": district},
            }
            for code, name, xy, area, district in (
                ("ZS01", "测试点一", [122.32, 30.02], "BAY-A", "普陀"),
                ("ZS02", "测试点二", [122.38, 30.03], "BAY-A", "普陀"),
                ("ZS03", "测试点三", [122.03, 29.93], "ZONE-B", "定海"),
            )
        ],
    ],
}

MAY_6 = dt.datetime(2026, 5, 6, 2, 0, tzinfo=dt.UTC)
MAY_1_CST = dt.datetime(2026, 4, 30, 17, 0, tzinfo=dt.UTC)  # 2026-05-01 01:00 CST
APR_30_CST = dt.datetime(2026, 4, 30, 15, 0, tzinfo=dt.UTC)  # 2026-04-30 23:00 CST
#: (point, time, item, value, below detection limit)
SAMPLES = [
    *[("ZS01", MAY_6, i, v, False) for i, v in
      (("pH", 8.1), ("DO", 7.2), ("COD", 1.1), ("DIN", 0.18), ("PO4_P", 0.012), ("petroleum", 0.02))],
    *[("ZS01", MAY_1_CST, i, v, False) for i, v in
      (("pH", 8.0), ("DO", 6.4), ("COD", 1.9), ("DIN", 0.24), ("PO4_P", 0.020), ("petroleum", 0.04))],
    *[("ZS02", MAY_6, i, v, i == "PO4_P") for i, v in
      (("pH", 8.0), ("DO", 5.5), ("COD", 2.5), ("NO3_N", 0.25), ("NO2_N", 0.02), ("NH3N", 0.08),
       ("PO4_P", 0.002), ("petroleum", 0.06))],
    *[("ZS03", MAY_6, i, v, False) for i, v in
      (("pH", 7.9), ("DO", 4.2), ("COD", 4.5), ("DIN", 0.62), ("PO4_P", 0.05), ("petroleum", 0.2))],
    *[("ZS03", APR_30_CST, i, v, False) for i, v in
      (("pH", 8.1), ("DO", 7.5), ("COD", 1.0), ("DIN", 0.10), ("PO4_P", 0.01), ("petroleum", 0.01))],
]  # fmt: skip


@pytest.fixture
def app(tmp_path: Path, store_url: str | None) -> Iterator[FastAPI]:
    settings = make_settings(tmp_path, database_url=store_url, demo=False)
    application = create_app(settings, FixedClock(NOW))
    with TestClient(application):
        engine = application.state.engine
        raw = json.dumps(SEA, ensure_ascii=False).encode()
        import_sea(engine, raw, "sea.geojson", who="test", clock=FixedClock(NOW))
        set_target(
            engine, FixedClock(NOW), district="city", indicator="sea", year=2026,
            value="0.40", who="test",
        )  # fmt: skip
        body = b"synthetic seawater lab file"
        with engine.begin() as conn:
            pid = conn.execute(
                raw_payloads.insert().values(
                    source="lab", url="file://sea.csv", content_type="text/csv", fetched_at=NOW,
                    sha256=hashlib.sha256(body).hexdigest(), size=len(body), compression="zlib",
                    body=zlib.compress(body),
                )
            ).inserted_primary_key[0]  # fmt: skip
            conn.execute(
                samples.insert(),
                [
                    {"section": c, "time": t, "item": i, "value": v, "source": "lab",
                     "detection_limit": v if below else None, "below_limit": below,
                     "method": "manual", "payload_id": pid}
                    for c, t, i, v, below in SAMPLES
                ],
            )  # fmt: skip
        yield application


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


@BOTH_STORES
def test_sea_figures_match_the_hand_worked_oracle(client: TestClient) -> None:
    out = client.get("/api/v1/sea/figures", params={"period": "2026-05"}).json()
    assert out["period"] == "2026-05" and out["demo"] is False
    pts = {p["code"]: p for p in out["points"]}
    assert {c: (p["sea_class"], p["deciding_items"], p["good"], p["meets_target"]) for c, p in pts.items()} == {
        "ZS01": ("II", ["DIN", "PO4_P"], True, True),
        "ZS02": ("III", ["DIN", "petroleum"], False, False),
        "ZS03": ("IV+", ["DIN", "PO4_P"], False, False),
    }  # fmt: skip
    assert pts["ZS01"]["n_samples"] == 2 and pts["ZS03"]["n_samples"] == 1
    assert pts["ZS01"]["means"]["DO"] == pytest.approx(6.8)
    assert pts["ZS01"]["means"]["DIN"] == pytest.approx(0.21)
    assert pts["ZS02"]["means"]["DIN"] == pytest.approx(0.35)  # derived from its parts
    assert pts["ZS02"]["means"]["PO4_P"] == pytest.approx(0.001)  # ½ of the detection limit
    assert pts["ZS02"]["worse_than_ii"] == ["DIN", "petroleum"]
    assert (pts["ZS01"]["target_class"], pts["ZS03"]["target_class"]) == ("II", "IV")

    areas = {a["code"]: a for a in out["areas"]}
    assert areas["BAY-A"]["by_points"] == {
        "numerator": 1, "denominator": 2, "value": 0.5, "percent": "50.0"
    }  # fmt: skip
    assert areas["BAY-A"]["by_area"] == pytest.approx(0.5)
    assert areas["BAY-A"]["points_meeting_target"] == 1
    assert areas["ZONE-B"]["by_points"]["percent"] == "0.0" and areas["ZONE-B"]["by_area"] == 0.0
    a_km2, b_km2 = areas["BAY-A"]["area_km2"], areas["ZONE-B"]["area_km2"]
    assert a_km2 == pytest.approx(53.4, abs=0.3) and b_km2 == pytest.approx(26.7, abs=0.3)

    d = {x["code"]: x for x in out["districts"]}
    assert (d["330903"]["by_points"]["percent"], d["330903"]["target"]) == ("50.0", 0.5)
    assert (d["330903"]["meets"], d["330903"]["budget_points"]) == (True, 0)
    assert (d["330902"]["by_points"]["percent"], d["330902"]["meets"]) == ("0.0", False)
    assert d["330902"]["budget_points"] == -1
    assert d["330921"]["by_points"]["value"] is None and d["330921"]["meets"] is None

    city = out["city"]
    assert city["by_points"] == {
        "numerator": 1,
        "denominator": 3,
        "value": 1 / 3,
        "percent": "33.3",
    }
    assert (city["target"], city["meets"], city["budget_points"]) == (0.4, False, -1)
    assert city["by_area"] == pytest.approx((a_km2 / 2) / (a_km2 + b_km2), abs=1e-3)


def test_points_csv_and_map_layers(client: TestClient) -> None:
    got = client.get("/api/v1/sea/points", params={"period": "2026-05", "format": "csv"})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(got.text.lstrip("\ufeff")))}
    assert rows["ZS03"]["sea_class"] == "IV+" and rows["ZS01"]["sea_class"] == "II"

    layer = client.get("/api/v1/sea/points.geojson", params={"period": "2026-05"})
    assert layer.headers["content-type"].startswith("application/geo+json")
    feats = {f["id"]: f for f in layer.json()["features"]}
    assert feats["ZS01"]["geometry"]["coordinates"] == [122.32, 30.02]
    assert feats["ZS02"]["properties"]["sea_class"] == "III"

    bays = client.get("/api/v1/sea/areas.geojson", params={"period": "2026-05"}).json()
    bay = next(f for f in bays["features"] if f["id"] == "BAY-A")
    assert (
        bay["geometry"]["type"] == "Polygon" and bay["properties"]["by_points"]["percent"] == "50.0"
    )

    # the year holds ZS03's good April sample too: its year means are (May + April)/2
    year = client.get("/api/v1/sea/points", params={"period": "2026"}).json()
    zs03 = next(p for p in year["items"] if p["code"] == "ZS03")
    assert zs03["n_samples"] == 2 and zs03["means"]["DIN"] == pytest.approx(0.36)


def test_a_bad_period_is_a_4xx_naming_the_field(client: TestClient) -> None:
    got = client.get("/api/v1/sea/figures", params={"period": "2026-13"})
    assert got.status_code == 422
    assert "period" in got.text
    for year in ("0000", "9999"):
        got = client.get("/api/v1/sea/points", params={"period": year})
        assert got.status_code == 422, year
        assert (got.json()["field"], got.json()["rule"]) == ("period", "year_in_1900..2200")


def test_staff_map_sea_layer_popups(app: FastAPI, client: TestClient) -> None:
    """The staff layer draws the year (2026): ZS01 is 二类 and meets its bay's 二类 target; the
    bay's popup shows 1/2 points good (ZS02 is 三类 over the year too)."""
    from service.auth import Role, create_key

    _, key = create_key(app.state.engine, Role.viewer, "sea test")
    body = client.get(
        "/maps/staff/layers/sea.geojson?basemap=offline", headers={"X-API-Key": key}
    ).json()
    by_code = {f["properties"]["code"]: f["properties"] for f in body["features"]}
    zs01 = by_code["ZS01"]
    assert "<b class='envmon-sea-class'>二类</b>" in zs01["popup"]
    assert "功能区目标: 二类 (达标)" in zs01["popup"] and zs01["tooltip"] == "测试点一: 二类"
    assert "二类" not in by_code["ZS02"]["tooltip"] and by_code["ZS02"]["tooltip"].endswith("三类")
    assert "优良（一、二类）比例（按点位）: 50.0% (1/2)" in by_code["BAY-A"]["popup"]
    assert "示例" not in by_code["BAY-A"]["popup"]  # the bureau's own places are not demo


def test_the_monthly_report_has_the_sea_section(app: FastAPI) -> None:
    """City report for May 2026: the ratio line (1/3 = 33.3 %, target 40.0 %, missed by one good
    point), the points' classes and the bays' ratios, in both languages, HTML and PDF."""
    from service.reports import build_report, render_html, render_pdf

    data = build_report(app.state.engine, FixedClock(NOW), "city", "2026-05")
    html = render_html(data, "zh")
    assert "近岸海域水质（GB 3097-1997）" in html
    assert "按点位 33.3%（1/3 个点位）" in html and "目标 40.0%，未达到目标" in html
    assert "目标已落空：优良点位少 1 个。" in html
    assert "<td>测试点三</td><td>劣四类</td><td>四类</td><td>否</td><td>DIN, PO4_P</td>" in html
    assert "<td>测试湾A</td><td>二类</td><td>50.0%</td><td>50.0%</td>" in html
    assert "示例" not in html.split("近岸海域水质")[1]  # the bureau's own points: no demo line
    en = render_html(data, "en")
    assert "Nearshore seawater quality (GB 3097-1997)" in en and "Worse than IV" in en
    district = render_html(
        build_report(app.state.engine, FixedClock(NOW), "330902", "2026-05"), "zh"
    )
    assert "测试点三" in district and "测试点一" not in district.split("近岸海域水质")[1]
    assert render_pdf(data, "zh")[:4] == b"%PDF"


def test_the_alert_rules_see_the_sea_ratio(app: FastAPI) -> None:
    """The year so far (2026): ZS01 二类, ZS02 三类, ZS03 三类 (its April and May means) -> the
    city's 1/3 is below its 0.40 sea target and fires; 普陀 (1/2 against 0.50) does not."""
    from service.alerts.evaluate import load_figures
    from service.alerts.rules import SEA_GOOD_RATIO, AlertConfig, signals

    figures = load_figures(app.state.engine, NOW)
    assert figures.sea is not None
    sea = {r.district: r for r in figures.sea}
    assert (sea["city"].numerator, sea["city"].denominator, sea["city"].target) == (1, 3, 0.4)
    firing = {
        s.labels["district"]
        for s in signals(figures, AlertConfig(), NOW)
        if s.rule == SEA_GOOD_RATIO and s.fire
    }
    assert firing == {"city", "330902"}  # 定海: ZS03 0/1 against the 0.50 default


def test_the_default_period_is_the_year_of_the_newest_sample(
    app: FastAPI, client: TestClient
) -> None:
    """Without ``period`` the routes show 2026 (the newest sample is May 2026); on 5 January 2027,
    before any 2027 sample, the default is still 2026 rather than an empty 2027."""
    import datetime as dt

    from service.figures.sea import latest_sea_period

    assert client.get("/api/v1/sea/figures").json()["period"] == "2026"
    assert latest_sea_period(app.state.engine, dt.date(2027, 1, 5)) == "2026"
    assert latest_sea_period(app.state.engine, dt.date(2025, 12, 31)) == "2025"
