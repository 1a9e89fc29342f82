"""Assessment API on SQLite and PostgreSQL: public, the same numbers as the daily series it is built
from, 同比 from the stored year before, and errors that name the field and the rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.clock import FixedClock
from service.compute import recompute_all
from tests.integration.api.conftest import make_settings
from tests.integration.test_compute_recompute import hourly, ingest

NOW = dt.datetime(2026, 3, 6, 2, 0, tzinfo=dt.UTC)  # 10:00 CST on 6 March: periods end 5 March


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FastAPI]:
    url = None if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))
    application = create_app(make_settings(tmp_path, database_url=url), FixedClock(NOW))
    with TestClient(application):
        engine = application.state.engine
        ingest(engine, hourly(dt.date(2026, 2, 25), 9, seed=3), "now")
        ingest(engine, hourly(dt.date(2025, 2, 25), 9, seed=4), "before")
        recompute_all(engine, FixedClock(NOW))
        yield application


def test_city_month_matches_its_days_and_compares_with_last_year(app: FastAPI) -> None:
    client = TestClient(app)  # no key: public
    r = client.get("/api/v1/city/assessment", params={"period": "2026-03"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["period"] == {
        "label": "2026-03",
        "kind": "month",
        "start": "2026-03-01",
        "end": "2026-03-05",
        "complete": False,
    }
    days = client.get(
        "/api/v1/districts/city/days", params={"from": "2026-03-01", "to": "2026-03-05"}
    )
    pm25 = [d["concentrations"]["PM25_24h"] for d in days.json()["items"]]
    assert len(pm25) == 5
    stats = body["current"]["statistics"]
    assert stats["PM25"] == pytest.approx(float(np.mean(pm25)))
    # 5 days of March: a whole March may miss 4 days, so 5 - 4 = 1 valid day suffices (A6).
    assert stats["sufficiency"]["PM25"] == {
        "days": 5,
        "required": 1,
        "sufficient": True,
        "months_short": [],
    }
    assert body["current"]["standards"] == ["HJ633-2026"]
    assert body["current"]["limits"]["PM25"]["limit"] == 30  # GB 3095-2026 transition, annual
    # 同比: 1..5 March 2025 from the stored 2025 days; 环比: the whole of February 2026 (4 days stored).
    assert body["year_ago"]["start"] == "2025-03-01" and body["year_ago"]["end"] == "2025-03-05"
    cmp = body["compared_with_last_year"]["statistics"]["PM25"]
    assert cmp["earlier"] == pytest.approx(body["year_ago"]["statistics"]["PM25"])
    assert cmp["change"] == pytest.approx(stats["PM25"] - cmp["earlier"])
    assert body["previous"]["start"] == "2026-02-01"
    assert body["compared_with_previous"]["sufficient"] is False  # 4 of 25 February days
    counts = body["current"]["days"]
    lost = counts["lost_PM25"] + counts["lost_O3"] + counts["lost_PM25_O3"] + counts["lost_other"]
    assert lost == counts["non_good"] and counts["excellent_good"] + lost == counts["valid"]


def test_district_period_spanning_the_2026_change(app: FastAPI) -> None:
    client = TestClient(app)
    r = client.get(
        "/api/v1/districts/330902/assessment", params={"period": "2026-02-25..2026-03-05"}
    )
    assert r.status_code == 200, r.text
    cur = r.json()["current"]
    assert r.json()["name_zh"] == "定海区"
    assert cur["standards"] == ["HJ633-2012", "HJ633-2026"]
    assert cur["editions"] == ["GB3095-2012", "GB3095-2026-transition"]
    assert [m["month"] for m in cur["monthly"]] == ["2026-02", "2026-03"]


def test_errors_name_the_field(app: FastAPI) -> None:
    client = TestClient(app)
    bad = client.get("/api/v1/city/assessment", params={"period": "last-week"})
    assert bad.status_code == 422
    problem = bad.json()
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert problem["field"] == "period" and problem["rule"] == "period_form"
    future = client.get("/api/v1/city/assessment", params={"period": "2027"})
    assert future.status_code == 422 and future.json()["field"] == "period"
    assert client.get("/api/v1/districts/999999/assessment").status_code == 404


def test_assessment_csv_export(app: FastAPI) -> None:
    import csv
    import io

    client = TestClient(app)
    api = client.get("/api/v1/city/assessment", params={"period": "2026-03"}).json()
    r = client.get("/api/v1/export/assessment.csv", params={"period": "2026-03"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="assessment-2026-03.csv"' in r.headers["content-disposition"]
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["code"] for row in rows] == ["330902", "330903", "330921", "330922", "city"]
    city = rows[-1]
    assert city["name"] == "舟山市" and city["period_end"] == "2026-03-05"
    assert float(city["PM25"]) == pytest.approx(api["current"]["statistics"]["PM25"])
    assert city["PM25.limit"] == "30" and city["PM25.sufficient"] == "True"
    assert int(city["days.lost_O3"]) == api["current"]["days"]["lost_O3"]
    change = api["compared_with_last_year"]["statistics"]["PM25"]["change_percent"]
    assert float(city["year_on_year.PM25.change_percent"]) == pytest.approx(change)
