"""Staff registry API: operators import stations/sections (all or nothing, every bad row named,
versioned), viewers list and read the history; a section with coordinates is drawn on the maps."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.integration.api.conftest import BOTH_STORES

SECTIONS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [122.1050, 30.0520]},
            "properties": {
                "code": "WS-330902-01",
                "name": "虹桥水库",
                "aliases": "虹桥水库坝前;虹桥",
                "provincial": "是",
                "waterbody": "湖库",
            },
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [122.2010, 30.2620]},
            "properties": {"code": "DS-W01", "name": "岱山新断面", "waterbody": "river"},
        },
    ],
}


def _post(client: TestClient, key: str, body: bytes, name: str, kind: str = "sections"):
    return client.post(
        f"/api/v1/staff/registry/{kind}/import",
        headers={"Authorization": f"Bearer {key}"},
        files={"file": (name, body, "application/octet-stream")},
    )


@BOTH_STORES
def test_operator_imports_sections_and_they_are_drawn(
    client: TestClient, keys: dict[str, str]
) -> None:
    body = json.dumps(SECTIONS, ensure_ascii=False).encode()
    assert _post(client, keys["viewer"], body, "sections.geojson").status_code == 403
    answer = _post(client, keys["operator"], body, "sections.geojson")
    assert answer.status_code == 201, answer.text
    out = answer.json()
    assert out["added"] == ["DS-W01"] and out["changed"] == ["WS-330902-01"]
    assert out["assigned_districts"] == {"DS-W01": "330921", "WS-330902-01": "330902"}
    listed = client.get(
        "/api/v1/staff/registry/sections", headers={"Authorization": f"Bearer {keys['viewer']}"}
    ).json()
    hq = next(r for r in listed if r["code"] == "WS-330902-01")
    assert hq["aliases"] == ["虹桥", "虹桥水库坝前"] and hq["lon"] == 122.105
    history = client.get(
        "/api/v1/staff/registry/sections/history",
        headers={"Authorization": f"Bearer {keys['viewer']}"},
    ).json()
    assert [(v["who"].startswith("key:"), v["added"], v["changed"]) for v in history] == [
        (True, 1, 1)
    ]
    drawn = client.get("/api/v1/geo/sections.geojson").json()
    where = {
        f["properties"]["code"]: f["geometry"]["coordinates"]
        for f in drawn["features"]
        if f.get("geometry")
    }
    assert where["WS-330902-01"] == [122.105, 30.052]
    assert where["DS-W01"] == [122.201, 30.262]


def test_a_bad_file_is_refused_whole_naming_every_bad_row(
    client: TestClient, keys: dict[str, str]
) -> None:
    csv = (
        "code,name,lon,lat,district,provincial\n"
        "OK-1,好站,122.2,30.25,,否\n"
        "bad code!,坏站,122.2,30.25,,否\n"
        "OK-2,,122.2,,,maybe\n"
        "OK-1,重复,,,舟山外,否\n"
    ).encode()
    answer = _post(client, keys["operator"], csv, "stations.csv", kind="stations")
    assert answer.status_code == 422
    problem = answer.json()
    fields = [e["field"] for e in problem["errors"]]
    assert "line 3: code" in fields  # bad code
    assert "line 4: name" in fields and "line 4: lon/lat" in fields
    assert "line 4: provincial" in fields
    assert "line 5: code" in fields and "line 5: district" in fields  # repeated code, district
    history = client.get(
        "/api/v1/staff/registry/stations/history",
        headers={"Authorization": f"Bearer {keys['viewer']}"},
    ).json()
    assert history == []  # nothing stored
    codes = {
        r["code"]
        for r in client.get(
            "/api/v1/staff/registry/stations",
            headers={"Authorization": f"Bearer {keys['viewer']}"},
        ).json()
    }
    assert "OK-1" not in codes
