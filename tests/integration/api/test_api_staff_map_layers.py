"""The staff map fetched by URL (issue 21, item 4): a small page of configuration, each layer and
each time-slider window a staff-only JSON route, cached by data version (a write shows at once)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from maps.staff_layers import STAFF_LAYERS
from service.store.compute_tables import station_days
from service.store.tables import raw_payloads, readings
from tests.integration.api.conftest import BOTH_STORES, NOW

LAYERS = [layer.key for layer in STAFF_LAYERS]
#: The required columns of a station day: its standard and when it was computed.
STD = {"standard": "HJ633-2026", "computed_at": NOW}


def _viewer(keys: dict[str, str]) -> dict[str, str]:
    return {"X-API-Key": keys["viewer"]}


@pytest.mark.parametrize("key", LAYERS)
def test_every_layer_is_staff_only_geojson(
    client: TestClient, keys: dict[str, str], key: str
) -> None:
    url = f"/maps/staff/layers/{key}.geojson?basemap=offline"
    refused = client.get(url)
    assert refused.status_code == 401
    assert "features" not in refused.text
    body = client.get(url, headers=_viewer(keys))
    assert body.status_code == 200
    assert body.headers["cache-control"] == "no-store"
    assert body.json()["type"] == "FeatureCollection"


def test_unknown_layer_and_long_window_are_refused(
    client: TestClient, keys: dict[str, str]
) -> None:
    assert client.get("/maps/staff/layers/secret.geojson", headers=_viewer(keys)).status_code == 404
    long = client.get("/maps/staff/days.json?from=2026-01-01&to=2026-03-31", headers=_viewer(keys))
    assert long.status_code == 422
    assert (long.json()["field"], long.json()["rule"]) == ("to", "at_most_62_days")
    assert client.get("/maps/staff/days.json").status_code == 401


def test_the_page_is_a_small_shell_naming_its_layers(
    client: TestClient, keys: dict[str, str]
) -> None:
    page = client.get("/maps/staff?basemap=offline&lang=en", headers=_viewer(keys))
    assert page.status_code == 200
    assert len(page.content) < 60_000
    assert "1258A" not in page.text  # no station figure is inline: the layers carry them
    for key in LAYERS:
        assert f"/maps/staff/layers/{key}.geojson?lang=en\\u0026basemap=offline" in page.text
    public = client.get("/maps/public?basemap=offline").text
    assert "/maps/staff" not in public  # the public embed names no staff data


def _station(client: TestClient, keys: dict[str, str], code: str) -> dict[str, object]:
    body = client.get("/maps/staff/layers/stations.geojson?lang=en", headers=_viewer(keys)).json()
    return next(f["properties"] for f in body["features"] if f["properties"]["code"] == code)


def test_station_popup_shows_the_stored_hour_and_a_write_shows_at_once(
    app: FastAPI, client: TestClient, keys: dict[str, str]
) -> None:
    # conftest.HOUR: PM2.5 31, O3 118 µg/m³ at NOW (12:00 CST)
    popup = _station(client, keys, "1258A")["popup"]
    assert "<td>PM2.5</td><td>31</td>" in popup and "<td>O3</td><td>118</td>" in popup
    assert "2026-05-20 12:00" in popup
    later = NOW + dt.timedelta(hours=1)
    with app.state.engine.begin() as conn:
        payload = conn.execute(raw_payloads.select().limit(1)).first()
        assert payload is not None
        conn.execute(
            readings.insert(),
            [
                {
                    "station": "1258A",
                    "time": later,
                    "pollutant": p,
                    "value": v,
                    "flag": None,
                    "source": "test",
                    "payload_id": payload.id,
                }
                for p, v in {"PM25": 77.0, "PM10": 90.0, "O3": 60.0}.items()
            ],
        )
    popup = _station(client, keys, "1258A")["popup"]
    assert "<td>PM2.5</td><td>77</td>" in popup and "2026-05-20 13:00" in popup


@BOTH_STORES
def test_slider_window_lists_each_day_from_station_days(
    app: FastAPI, client: TestClient, keys: dict[str, str]
) -> None:
    with app.state.engine.begin() as conn:
        conn.execute(
            station_days.insert(),
            [
                {"station": "1258A", "day": dt.date(2026, 5, 19), "aqi": 88, **STD},
                {"station": "1259A", "day": dt.date(2026, 5, 20), "aqi": 41, **STD},
                {"station": "1258A", "day": dt.date(2026, 5, 25), "aqi": 120, **STD},  # outside
            ],
        )
    r = client.get("/maps/staff/days.json?from=2026-05-18&to=2026-05-20", headers=_viewer(keys))
    assert r.status_code == 200
    assert r.json() == {
        "dates": ["2026-05-18", "2026-05-19", "2026-05-20"],
        "values": {"1258A": [None, 88, None], "1259A": [None, None, 41]},
    }


@pytest.mark.parametrize(
    ("accept", "gzipped"),
    [("gzip, deflate", True), ("identity", False), ("gzip;q=0, deflate", False), ("*", True)],
)
def test_a_layer_is_sent_gzipped_to_a_client_that_takes_it(
    client: TestClient, keys: dict[str, str], accept: str, gzipped: bool
) -> None:
    url = "/maps/staff/layers/stations.geojson?basemap=offline"
    plain = client.get(url, headers={**_viewer(keys), "Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    got = client.get(url, headers={**_viewer(keys), "Accept-Encoding": accept})
    assert got.status_code == 200 and got.json() == plain.json()
    assert (got.headers.get("content-encoding") == "gzip") is gzipped
    if gzipped:
        assert "Accept-Encoding" in got.headers["vary"]
        assert int(got.headers["content-length"]) < len(plain.content) / 3
        assert got.headers["cache-control"] == "no-store"
