"""District figures API on SQLite and PostgreSQL: bodies validate against their models; staff auth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.api.schemas import Listing
from service.api.schemas_figures import (
    DistrictDays,
    DistrictFigures,
    RecomputeOut,
    TargetAuditOut,
    TargetOut,
)
from service.auth import Role, create_key
from service.clock import FixedClock
from tests.integration.api.conftest import STAFF_ONLY, all_keys, make_settings
from tests.integration.test_compute_recompute import hourly, ingest

NOW = dt.datetime(2026, 3, 6, 2, 0, tzinfo=dt.UTC)  # 10:00 CST on 6 March: YTD runs through 5 March


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FastAPI]:
    url = None if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))
    application = create_app(make_settings(tmp_path, database_url=url), FixedClock(NOW))
    with TestClient(application):
        ingest(application.state.engine, hourly(dt.date(2026, 2, 25), 9, seed=3), "api")
        yield application


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


@pytest.fixture
def keys(app: FastAPI) -> dict[str, str]:
    return {r.name: create_key(app.state.engine, r, f"t-{r.name}")[1] for r in Role}


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_recompute_then_districts(client: TestClient, keys: dict[str, str]) -> None:
    assert client.post("/api/v1/staff/recompute").status_code == 401
    assert client.post("/api/v1/staff/recompute", headers=auth(keys["viewer"])).status_code == 403
    r = client.post("/api/v1/staff/recompute", headers=auth(keys["operator"]))
    assert r.status_code == 200
    out = RecomputeOut.model_validate(r.json())
    assert out.station_days > 0 and out.district_days > 0 and not out.full

    r = client.get("/api/v1/districts")
    assert r.status_code == 200
    body = r.json()
    listing = Listing[DistrictFigures].model_validate(body)
    assert not (all_keys(body) & STAFF_ONLY)
    assert [d.code for d in listing.items] == ["330902", "330903", "330921", "330922", "city"]
    city = listing.items[-1]
    assert city.name == "舟山市"
    air = city.air
    assert (air.start, air.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 5))
    assert air.spans_standard_change and air.standards == ["HJ633-2012", "HJ633-2026"]
    assert sum(air.days_by_level.values()) == air.excellent_good_ratio.denominator
    assert air.excellent_good_ratio.denominator + sum(air.days_left_out.values()) == 64
    assert air.target == 0.97 and air.budget is not None
    b = air.budget
    assert (b.days_in_year, b.remaining_days) == (365, 301)
    assert b.valid_days == air.excellent_good_ratio.denominator
    assert b.budget == b.excellent_good_days + b.remaining_days - (
        b.required_excellent_good_days or 0
    )
    assert b.projection is not None and b.projection.method == "wilson"
    # remaining days expected invalid at the pace so far (55 of 64 days had no data)
    assert b.invalid_days == 64 - b.valid_days and b.expected_invalid == round(
        b.invalid_days * 301 / 64
    )
    assert b.budget_if_invalid <= b.budget
    assert city.water.target == 0.95 and city.water.class_iii_ratio.value is None
    empty = listing.items[2]  # 岱山县: no station with data
    assert empty.air.excellent_good_ratio.value is None and empty.air.meets_target is None


def test_days_series(client: TestClient, keys: dict[str, str]) -> None:
    client.post("/api/v1/staff/recompute", headers=auth(keys["operator"]), json={"full": True})
    r = client.get(
        "/api/v1/districts/330902/days", params={"from": "2026-02-26", "to": "2026-03-02"}
    )
    assert r.status_code == 200
    days = DistrictDays.model_validate(r.json())
    assert [d.day for d in days.items] == [
        dt.date(2026, 2, 26) + dt.timedelta(days=i) for i in range(5)
    ]
    assert days.items[-1].standard == "HJ633-2026" and days.items[0].standard == "HJ633-2012"
    assert all(d.stations == ["1258A", "1260A"] for d in days.items)
    default = DistrictDays.model_validate(client.get("/api/v1/districts/city/days").json())
    assert (default.start, default.end) == (dt.date(2026, 2, 4), dt.date(2026, 3, 5))
    assert client.get("/api/v1/districts/999999/days").status_code == 404
    assert client.get("/api/v1/districts/city/days", params={"to": "0001-01-01"}).status_code == 422
    assert client.get("/api/v1/districts/nope/days").status_code == 422
    bad = client.get(
        "/api/v1/districts/city/days", params={"from": "2026-03-02", "to": "2026-03-01"}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "from"


def test_targets_edit_and_audit(client: TestClient, keys: dict[str, str]) -> None:
    path = "/api/v1/staff/targets/330903/air/2026"
    assert client.put(path, json={"value": 0.96}).status_code == 401
    assert client.put(path, json={"value": 0.96}, headers=auth(keys["viewer"])).status_code == 403
    r = client.put(path, json={"value": 0.96, "reason": "plan"}, headers=auth(keys["operator"]))
    assert r.status_code == 200
    t = TargetOut.model_validate(r.json())
    assert t.value == 0.96 and t.stored and t.updated_by == "t-operator"
    assert client.put(path, json={"value": 1.5}, headers=auth(keys["operator"])).status_code == 422
    assert (
        client.put(
            "/api/v1/staff/targets/999999/air/2026",
            json={"value": 0.9},
            headers=auth(keys["operator"]),
        ).status_code
        == 404
    )
    listing = client.get(
        "/api/v1/staff/targets", params={"year": 2026}, headers=auth(keys["viewer"])
    )
    items = [TargetOut.model_validate(x) for x in listing.json()]
    assert len(items) == 15 and {  # 4 districts + city x air, water, sea
        x.value for x in items if x.district == "330903" and x.indicator == "air"
    } == {0.96}
    audit = client.get("/api/v1/staff/targets/audit", headers=auth(keys["viewer"]))
    entries = [TargetAuditOut.model_validate(x) for x in audit.json()]
    assert [(e.old_value, e.new_value, e.who, e.note) for e in entries] == [
        # The app seeds the default targets at start-up, so the first edit replaces a stored 0.97.
        (0.97, 0.96, "t-operator", "plan")
    ]
    figures = Listing[DistrictFigures].model_validate(client.get("/api/v1/districts").json())
    assert next(d for d in figures.items if d.code == "330903").air.target == 0.96
