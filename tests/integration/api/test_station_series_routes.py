"""Public station history on a real SQLite store (30 days of hourly readings, recomputed): the
station, its hours and days as JSON, CSV and XLSX; the district days downloads; ETags."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.clock import FixedClock
from service.figures.series_downloads import safe_cell
from tests.browser.conftest import NOW, _seed_store
from tests.integration.api.conftest import make_settings

CODE = "1258A"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir: Path = tmp_path_factory.mktemp("station-series")
    _seed_store(data_dir)
    app = create_app(make_settings(data_dir), FixedClock(NOW))
    with TestClient(app) as c:
        yield c


def _published(key: str, value: float | None) -> bool:
    if value is None:
        return True
    if key.startswith("CO"):
        return isinstance(value, float) and round(value, 1) == value
    return isinstance(value, int)  # whole µg/m³, shown without decimals


def test_station_latest_hour_agrees_with_the_map_marker(client: TestClient) -> None:
    marker = next(s for s in client.get("/api/v1/stations").json()["items"] if s["code"] == CODE)
    r = client.get(f"/api/v1/stations/{CODE}")
    assert r.status_code == 200
    body = r.json()
    latest = body["latest"]
    assert latest["aqi"] == marker["aqi"] and latest["level"] == marker["level"]
    assert latest["time"] == "2026-11-20T10:00:00+08:00"  # NOW is 02:00 UTC
    assert body["units"]["PM25_1h"] == "µg/m³" and body["units"]["CO_1h"] == "mg/m³"
    assert all(_published(k, v) for k, v in latest["concentrations"].items())
    # today (CST) so far: the hours ending 01:00 .. 10:00
    assert [h["time"][11:16] for h in body["today"]] == [f"{h:02d}:00" for h in range(1, 11)]
    # HJ 633 表2 advice of the latest level (levels 1..2 in this data)
    advice = {
        1: ("空气质量令人满意，基本无空气污染", "各类人群可正常活动"),
        2: (
            "空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响",
            "极少数异常敏感人群应减少户外活动",
        ),
    }
    assert (body["health"]["effects"], body["health"]["measures"]) == advice[latest["level"]]
    en = client.get(f"/api/v1/stations/{CODE}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert en.json()["health"]["measures"].startswith(("Everyone", "The very few"))
    assert client.get("/api/v1/stations/NOPE").status_code == 404
    assert client.get("/api/v1/stations/bad%20code").status_code == 422


def test_hours_default_to_the_last_24_and_refuse_long_spans(client: TestClient) -> None:
    body = client.get(f"/api/v1/stations/{CODE}/hours").json()
    assert body["count"] == 24 and body["end"] == "2026-11-20T10:00:00+08:00"
    assert all(h["time"].endswith("+08:00") for h in body["items"])
    for h in body["items"]:
        assert all(_published(k, v) for k, v in h["concentrations"].items())
        assert (h["aqi"] is None) == (h["level"] is None)
    day = client.get(f"/api/v1/stations/{CODE}/hours", params={"from": "2026-11-01"}).json()
    # 1 .. 20 November, hours ending 01:00 on the 1st .. 24:00 on the 20th (future hours are null)
    assert day["count"] == 20 * 24 and day["items"][0]["time"] == "2026-11-01T01:00:00+08:00"
    assert day["items"][-1]["aqi"] is None
    long = client.get(
        f"/api/v1/stations/{CODE}/hours", params={"from": "2026-10-01", "to": "2026-11-01"}
    )
    assert long.status_code == 422 and long.json()["field"] == "to"
    back = client.get(
        f"/api/v1/stations/{CODE}/hours", params={"from": "2026-11-02", "to": "2026-11-01"}
    )
    assert back.status_code == 422 and back.json()["field"] == "from"


def test_days_carry_validity_aqi_and_published_values(client: TestClient) -> None:
    body = client.get(f"/api/v1/stations/{CODE}/days").json()
    assert body["count"] == 30 and body["end"] == "2026-11-19"
    d = body["items"][-1]
    assert set(d["valid"]) >= {"PM25_24h", "O3_8h"} and d["counts_in_ratio"] is True
    assert all(_published(k, v) for k, v in d["concentrations"].items())
    assert d["category"] in {"优", "良", "轻度污染", "中度污染"}


def test_csv_and_xlsx_downloads(client: TestClient) -> None:
    r = client.get(f"/api/v1/stations/{CODE}/days", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == f'attachment; filename="{CODE}-days.csv"'
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff站点代码,站点名称,日期,SO₂ (µg/m³)")
    assert "PM2.5 (µg/m³)" in text and "PM10_1h" not in text
    assert len(text.strip().splitlines()) == 31
    en = client.get(f"/api/v1/stations/{CODE}/hours", params={"format": "csv", "lang": "en"})
    assert en.content.decode("utf-8").startswith(
        '\ufeffStation code,Station name,"Time (CST, end of hour)"'
    )
    x = client.get(f"/api/v1/stations/{CODE}/hours", params={"format": "xlsx", "lang": "en"})
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(x.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("Station code", "Station name", "Time (CST, end of hour)")
    assert len(rows) == 25 and rows[-1][2] == "2026-11-20 10:00"
    dist = client.get("/api/v1/districts/330902/days", params={"format": "csv"})
    assert dist.status_code == 200
    lines = dist.content.decode("utf-8").strip().splitlines()
    assert lines[0].startswith("\ufeff区县代码,日期") and len(lines) == 31
    dx = client.get("/api/v1/districts/city/days", params={"format": "xlsx", "lang": "en"})
    assert load_workbook(io.BytesIO(dx.content)).active["A1"].value == "District code"


def test_formula_cells_are_neutralised() -> None:
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("定海") == "定海" and safe_cell(-3) == -3


def test_series_have_etags(client: TestClient) -> None:
    first = client.get(f"/api/v1/stations/{CODE}/days")
    tag = first.headers["etag"]
    again = client.get(f"/api/v1/stations/{CODE}/days", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert dt.date.fromisoformat(first.json()["start"]) == dt.date(2026, 10, 21)
