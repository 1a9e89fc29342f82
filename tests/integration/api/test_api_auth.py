"""Staff authentication: hashed keys, roles viewer < operator < admin, 401/403 as problem+json."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from service.api.schemas import (
    Problem,
    StaffCollectorRun,
    StaffKey,
    StaffKeyCreated,
    StaffPage,
    StaffQuarantine,
    StaffReading,
    StaffRevision,
    StaffWhoAmI,
)
from service.store.api_tables import api_keys

from .conftest import BOTH_STORES, NOW

VIEWER_ROUTES = [
    ("GET", "/api/v1/staff/me"),
    ("GET", "/api/v1/staff/readings"),
    ("GET", "/api/v1/staff/quarantine"),
    ("GET", "/api/v1/staff/runs"),
    ("GET", "/api/v1/staff/revisions"),
]
ADMIN_ROUTES = [("GET", "/api/v1/staff/keys"), ("POST", "/api/v1/staff/keys")]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize(("method", "path"), VIEWER_ROUTES + ADMIN_ROUTES)
def test_no_key_is_401(client: TestClient, method: str, path: str):
    response = client.request(method, path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    problem = Problem.model_validate(response.json())
    assert (problem.field, problem.rule) == ("Authorization", "api_key")


@pytest.mark.parametrize(
    "key", ["envmon_000000000000_wrong", "not-a-key", "envmon__", "Bearer", "x" * 500]
)
def test_wrong_key_is_401(client: TestClient, key: str):
    assert client.get("/api/v1/staff/me", headers={"X-API-Key": key}).status_code == 401
    assert client.get("/api/v1/staff/me", headers=bearer(key)).status_code == 401


def test_both_headers_authenticate(client: TestClient, keys):
    for headers in (bearer(keys["viewer"]), {"X-API-Key": keys["viewer"]}):
        me = StaffWhoAmI.model_validate(client.get("/api/v1/staff/me", headers=headers).json())
        assert me.role == "viewer"


@pytest.mark.parametrize("role", ["viewer", "operator"])
@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_role_below_admin_is_403(client: TestClient, keys, role: str, method: str, path: str):
    response = client.request(method, path, headers=bearer(keys[role]), json={"role": "viewer"})
    assert response.status_code == 403
    problem = Problem.model_validate(response.json())
    assert problem.rule == "role>=admin"


def test_viewer_cannot_import_zones(client: TestClient, keys):
    response = client.post(
        "/api/v1/staff/zones/import",
        headers=bearer(keys["viewer"]),
        files={"file": ("z.geojson", b"{}", "application/geo+json")},
    )
    assert response.status_code == 403


@BOTH_STORES
def test_keys_are_stored_hashed_and_listed_without_secret(app, client: TestClient, keys):
    with app.state.engine.connect() as conn:
        stored = conn.execute(select(api_keys)).mappings().all()
    text = repr([dict(r) for r in stored])
    assert all(plain not in text and plain.split("_", 2)[2] not in text for plain in keys.values())
    listed = client.get("/api/v1/staff/keys", headers=bearer(keys["admin"]))
    assert listed.status_code == 200
    for item in listed.json():
        StaffKey.model_validate(item)
        assert "key" not in item and "secret_hash" not in item


@BOTH_STORES
def test_admin_creates_key_once_and_revokes_it(client: TestClient, keys):
    created = client.post(
        "/api/v1/staff/keys", headers=bearer(keys["admin"]), json={"role": "operator", "name": "x"}
    )
    assert created.status_code == 201
    new = StaffKeyCreated.model_validate(created.json())
    assert client.get("/api/v1/staff/me", headers=bearer(new.key)).json()["role"] == "operator"
    revoked = client.delete(f"/api/v1/staff/keys/{new.key_id}", headers=bearer(keys["admin"]))
    assert revoked.status_code == 204
    assert client.get("/api/v1/staff/me", headers=bearer(new.key)).status_code == 401
    again = client.delete(f"/api/v1/staff/keys/{new.key_id}", headers=bearer(keys["admin"]))
    assert again.status_code == 404


@BOTH_STORES
def test_readings_carry_flags_and_filter(client: TestClient, keys):
    headers = bearer(keys["viewer"])
    page = StaffPage[StaffReading].model_validate(
        client.get("/api/v1/staff/readings", headers=headers, params={"station": "1258A"}).json()
    )
    assert page.count == 6 and {r.time for r in page.items} == {NOW}
    flagged = StaffPage[StaffReading].model_validate(
        client.get("/api/v1/staff/readings", headers=headers, params={"flagged": True}).json()
    )
    assert [(r.pollutant, r.flag) for r in flagged.items] == [("PM25", "pm25_gt_pm10")]
    earlier = (NOW - dt.timedelta(days=5)).isoformat()
    empty = client.get(
        "/api/v1/staff/readings", headers=headers, params={"end": earlier, "station": "1258A"}
    )
    assert empty.json()["count"] == 0
    bad = client.get(
        "/api/v1/staff/readings",
        headers=headers,
        params={"start": NOW.isoformat(), "end": earlier},
    )
    assert bad.status_code == 422 and bad.json()["field"] == "start"


@BOTH_STORES
def test_staff_lists_validate(client: TestClient, keys):
    headers = bearer(keys["viewer"])
    for path, model in [
        ("/api/v1/staff/quarantine", StaffPage[StaffQuarantine]),
        ("/api/v1/staff/runs", StaffPage[StaffCollectorRun]),
        ("/api/v1/staff/revisions", StaffPage[StaffRevision]),
    ]:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        model.model_validate(response.json())
    quarantined = client.get("/api/v1/staff/quarantine", headers=headers).json()
    assert quarantined["items"][0]["reason"] == "negative"


def test_staff_responses_are_not_cached(client: TestClient, keys):
    response = client.get("/api/v1/staff/me", headers=bearer(keys["viewer"]))
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


@BOTH_STORES
def test_cli_key_create_prints_a_working_key(app, client: TestClient, monkeypatch):
    from service.cli import app as cli

    settings = app.state.settings
    monkeypatch.setenv("ENVMON_DATA_DIR", str(settings.store.data_dir))
    if settings.store.database_url:
        monkeypatch.setenv("ENVMON_DATABASE_URL", settings.store.database_url)
    result = CliRunner().invoke(cli, ["keys", "create", "--role", "operator", "--name", "cli"])
    assert result.exit_code == 0, result.output
    key = next(line for line in result.stdout.splitlines() if line.startswith("envmon_"))
    assert client.get("/api/v1/staff/me", headers=bearer(key)).json()["role"] == "operator"
    listed = CliRunner().invoke(cli, ["keys", "list"])
    assert key.split("_")[1] in listed.stdout and key.split("_", 2)[2] not in listed.stdout
    bad = CliRunner().invoke(cli, ["keys", "create", "--role", "root"])
    assert bad.exit_code != 0


@BOTH_STORES
def test_operator_imports_zones_and_the_public_list_follows(client: TestClient, keys):
    square = [[122.20, 29.95], [122.22, 29.95], [122.22, 29.97], [122.20, 29.97], [122.20, 29.95]]
    feature = {
        "type": "Feature",
        "properties": {
            "code": "test-anchorage",
            "name": "测试锚地",
            "kind": "anchorage",
            "datum": "WGS84",
            "source": "test",
        },
        "geometry": {"type": "Polygon", "coordinates": [square]},
    }
    body = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    response = client.post(
        "/api/v1/staff/zones/import",
        headers={**bearer(keys["operator"]), "Prefer": "wait=30"},
        files={"file": ("zones.geojson", body, "application/geo+json")},
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["state"] == "succeeded"
    zones = client.get("/api/v1/zones").json()
    assert result["imported"] == zones["count"] == 1
    assert zones["items"][0]["name"] == "测试锚地"


def test_a_refused_zone_file_names_its_problems(client: TestClient, keys):
    response = client.post(
        "/api/v1/staff/zones/import",
        headers={**bearer(keys["operator"]), "Prefer": "wait=30"},
        files={"file": ("zones.geojson", b'{"type": "FeatureCollection"}', "application/json")},
    )
    assert response.status_code == 422
    problem = Problem.model_validate(response.json())
    assert problem.field == "file" and problem.errors
    wrong_type = client.post(
        "/api/v1/staff/zones/import",
        headers=bearer(keys["operator"]),
        files={"file": ("zones.exe", b"MZ", "application/octet-stream")},
    )
    assert wrong_type.status_code == 415
