"""Public routes on SQLite and PostGIS: bodies validate against their models, carry no staff field."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from service.api.schemas import (
    FeatureCollection,
    Health,
    Listing,
    SectionLatest,
    StationLatest,
    Zone,
)
from stations.standards import hour_aqi

from .conftest import BOTH_STORES, HOUR, NOW, STAFF_ONLY, all_keys

PUBLIC_JSON = {
    "/healthz": Health,
    "/api/v1/stations": Listing[StationLatest],
    "/api/v1/sections": Listing[SectionLatest],
    "/api/v1/zones": Listing[Zone],
    "/api/v1/geo/districts.geojson": FeatureCollection,
    "/api/v1/geo/stations.geojson": FeatureCollection,
    "/api/v1/geo/sections.geojson": FeatureCollection,
    "/api/v1/geo/zones.geojson": FeatureCollection,
}


@pytest.mark.parametrize("path", sorted(PUBLIC_JSON))
def test_public_body_matches_its_model_and_has_no_staff_field(client: TestClient, path: str):
    response = client.get(path)
    assert response.status_code == 200
    body = response.json()
    PUBLIC_JSON[path].model_validate(body)
    assert not all_keys(body) & STAFF_ONLY
    assert response.headers["x-envmon-demo"] == "true"


@BOTH_STORES
def test_every_public_body_validates_on_each_store(client: TestClient):
    for path, model in PUBLIC_JSON.items():
        response = client.get(path)
        assert response.status_code == 200, path
        model.model_validate(response.json())
        assert not all_keys(response.json()) & STAFF_ONLY, path


@BOTH_STORES
def test_healthz_reports_store_and_demo(client: TestClient, app):
    body = Health.model_validate(client.get("/healthz", params={"lang": "en"}).json())
    assert body.store == (
        "postgresql" if app.state.engine.dialect.name == "postgresql" else "sqlite"
    )
    assert body.demo is True
    assert body.notice.startswith("Demo mode")
    assert body.time == NOW


@BOTH_STORES
def test_station_carries_the_hourly_aqi_of_its_latest_readings(client: TestClient):
    listing = Listing[StationLatest].model_validate(client.get("/api/v1/stations").json())
    assert listing.demo is True
    station = next(s for s in listing.items if s.code == "1258A")
    expected = hour_aqi({f"{k}_1h": v for k, v in HOUR.items()}, NOW)
    assert station.time == NOW
    assert station.aqi == expected.aqi
    assert station.level == expected.level
    assert station.primary_pollutant == expected.primary
    assert station.concentrations.PM25 == HOUR["PM25"]
    assert station.category == expected.category_zh


def test_station_category_follows_the_language(client: TestClient):
    body = client.get("/api/v1/stations", headers={"Accept-Language": "en-GB,en;q=0.9"}).json()
    station = next(s for s in body["items"] if s["code"] == "1258A")
    assert station["category"].isascii()


def test_district_filter_and_its_rule(client: TestClient):
    body = Listing[StationLatest].model_validate(
        client.get("/api/v1/stations", params={"district": "330903"}).json()
    )
    assert body.items and {s.district_code for s in body.items} == {"330903"}
    bad = client.get("/api/v1/stations", params={"district": "DROP TABLE"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "district"


def test_geojson_is_served_as_geojson(client: TestClient):
    response = client.get("/api/v1/geo/stations.geojson")
    assert response.headers["content-type"].startswith("application/geo+json")
    fc = FeatureCollection.model_validate(response.json())
    point = next(f for f in fc.features if f.id == "1258A")
    assert point.geometry is not None and point.geometry["type"] == "Point"
    assert point.properties["aqi"] is not None


def test_sections_without_published_coordinates_have_no_geometry(client: TestClient):
    fc = FeatureCollection.model_validate(client.get("/api/v1/geo/sections.geojson").json())
    unpublished = [f for f in fc.features if f.properties["coord_status"] == "not_published"]
    assert unpublished and all(f.geometry is None for f in unpublished)


@pytest.mark.parametrize(
    ("path", "first_column"),
    [
        ("/api/v1/export/stations.csv", "code"),
        ("/api/v1/stations?format=csv", "code"),
        ("/api/v1/export/sections.csv", "code"),
        ("/api/v1/sections?format=csv", "code"),
        ("/api/v1/export/zones.csv", "code"),
        ("/api/v1/zones?format=csv", "code"),
        ("/api/v1/export/districts.csv", "code"),
    ],
)
def test_csv_is_utf8_with_bom_and_keeps_chinese(client: TestClient, path: str, first_column: str):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows and next(iter(rows[0])) == first_column
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in row["name"]) for row in rows)
    assert not set(rows[0]) & STAFF_ONLY


@BOTH_STORES
def test_station_csv_matches_the_json(client: TestClient):
    listing = client.get("/api/v1/stations").json()
    text = client.get("/api/v1/export/stations.csv").content.decode("utf-8-sig")
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(text))}
    station = next(s for s in listing["items"] if s["code"] == "1258A")
    assert int(rows["1258A"]["aqi"]) == station["aqi"]
    assert float(rows["1258A"]["concentrations.O3"]) == HOUR["O3"]


def test_favicon_is_an_svg_icon(client: TestClient) -> None:
    """Browsers ask for /favicon.ico on every first page; it answers with the icon, not a 404."""
    r = client.get("/favicon.ico")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.content.startswith(b"<svg") and b"</svg>" in r.content
