"""``GET /api/v1/districts/{code}/days`` over any range with gaps: never a 5xx, days without an AQI
come back as ``null`` (the series once answered 500 when such a day was in range)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.api.app import create_app
from service.clock import FixedClock
from service.compute import recompute_all
from tests.integration.api.conftest import make_settings
from tests.integration.test_compute_recompute import hourly, ingest

FIRST = dt.date(2026, 2, 20)
DAYS = 14
NOW = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)
#: Day offsets with only 8 hours of data at every station: a stored day without a valid AQI.
SHORT_DAYS = (3, 9)
#: Day offsets without readings (an hour-ending 00:00 may still fall into the next day).
EMPTY_DAYS = (6, 7)
CODES = ("330902", "330903", "330921", "330922", "city")


def _with_gaps() -> pd.DataFrame:
    data = hourly(FIRST, DAYS, seed=11)
    cst = (data["time"] + pd.Timedelta(hours=8)).dt
    offset = (cst.normalize().dt.tz_localize(None) - pd.Timestamp(FIRST)).dt.days
    short = offset.isin(SHORT_DAYS) & (cst.hour >= 8)
    return data[~short & ~offset.isin(EMPTY_DAYS)].reset_index(drop=True)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp: Path = tmp_path_factory.mktemp("days-gaps")
    clock = FixedClock(NOW)
    app = create_app(make_settings(tmp), clock)
    with TestClient(app) as c:
        ingest(app.state.engine, _with_gaps(), "gaps")
        recompute_all(app.state.engine, clock)
        yield c


def test_the_store_holds_days_without_an_aqi(client: TestClient) -> None:
    """The fixture really has the case that used to fail: stored days whose AQI is NULL."""
    body = client.get(
        "/api/v1/districts/330902/days",
        params={"from": FIRST.isoformat(), "to": (FIRST + dt.timedelta(DAYS - 1)).isoformat()},
    )
    assert body.status_code == 200, body.text
    items = body.json()["items"]
    no_aqi = [d["day"] for d in items if d["aqi"] is None]
    assert no_aqi == [(FIRST + dt.timedelta(o)).isoformat() for o in SHORT_DAYS]
    assert all(d["level"] is None and d["category_zh"] is None for d in items if d["aqi"] is None)
    assert all(not d["counts_in_ratio"] for d in items if d["aqi"] is None)
    # a day without readings has no 24-hour values
    empty = {(FIRST + dt.timedelta(o)).isoformat() for o in EMPTY_DAYS}
    assert all(d["concentrations"]["PM25_24h"] is None for d in items if d["day"] in empty)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    code=st.sampled_from(CODES),
    start=st.integers(min_value=-5, max_value=DAYS + 5),
    length=st.integers(min_value=1, max_value=DAYS + 10),
)
def test_any_range_answers_without_a_5xx(
    client: TestClient, code: str, start: int, length: int
) -> None:
    first = FIRST + dt.timedelta(days=start)
    last = first + dt.timedelta(days=length - 1)
    r = client.get(
        f"/api/v1/districts/{code}/days",
        params={"from": first.isoformat(), "to": last.isoformat()},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    days = [dt.date.fromisoformat(d["day"]) for d in body["items"]]
    assert days == sorted(days) and all(first <= d <= last for d in days)
    assert body["count"] == len(days)
    for d in body["items"]:
        # a level exactly when there is an AQI; a day counts in the ratio only with one
        assert (d["aqi"] is None) == (d["level"] is None)
        assert d["aqi"] is not None or not d["counts_in_ratio"]
