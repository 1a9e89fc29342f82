"""Issue 22 through the staff API: hostile zone uploads are refused with a 422 naming the rule,
echoing neither another file's contents nor a temporary path (finding 1)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import BOTH_STORES

OPERATOR_UPLOAD = "/api/v1/staff/zones/import"


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        body = b"x,y,name,kind\n122.2,30.0,SECRET-FROM-LOOPBACK,anchorage\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[tuple[str, list[str]]]:
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", _Recorder.seen
    finally:
        server.shutdown()
        server.server_close()


def upload(client: TestClient, key: str, name: str, body: bytes) -> dict[str, Any]:
    """POST a zone file as an operator (202 + job), poll the job until it ends; the job."""
    response = client.post(
        OPERATOR_UPLOAD, headers={"X-API-Key": key}, files={"file": (name, body, "x/y")}
    )
    assert response.status_code == 202, response.text
    url = response.headers["location"]
    deadline = time.monotonic() + 60
    job = response.json()
    while job["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
        job = client.get(url, headers={"X-API-Key": key}).json()
    return job


def _vrt(source: str, layer: str) -> bytes:
    return (
        f'<OGRVRTDataSource><OGRVRTLayer name="zones"><SrcDataSource>{source}</SrcDataSource>'
        f'<SrcLayer>{layer}</SrcLayer><GeometryField encoding="PointFromColumns" x="x" y="y"/>'
        "</OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


@pytest.mark.parametrize("target", ["passwd", "loopback", "key_file"])
def test_vrt_named_gpkg_reads_nothing(
    client: TestClient,
    keys: dict[str, str],
    loopback: tuple[str, list[str]],
    tmp_path: Path,
    target: str,
) -> None:
    url, seen = loopback
    source = {
        "passwd": ("CSV:/etc/passwd", "passwd"),
        "loopback": (f"CSV:/vsicurl/{url}/z.csv", "z"),
        "key_file": (f"CSV:{tmp_path}/webhook.key", "webhook"),
    }[target]
    job = upload(client, keys["operator"], "zones.gpkg", _vrt(*source))
    text = str(job)
    assert job["state"] == "refused"
    assert seen == []
    assert "root:x:0:0" not in text and "SECRET-FROM-LOOPBACK" not in text
    assert "/tmp" not in text and "/etc" not in text and str(tmp_path) not in text
    assert [(p["field"], p["rule"]) for p in job["problems"]] == [("file", "not_gpkg")]


def test_a_file_of_point_zones_leaves_the_staff_map_working(
    client: TestClient, keys: dict[str, str]
) -> None:
    """Finding 7: ordinary notices are points; a file of only points made /maps/staff answer 500."""
    import json

    features = [
        {
            "type": "Feature",
            "properties": {"name": f"锚位 {i}", "kind": kind, "code": f"P{i}"},
            "geometry": {"type": "Point", "coordinates": [lon, 30.02]},
        }
        for i, (kind, lon) in enumerate(
            (("anchorage", 122.2), ("bunkering", 122.3), ("route", 122.4)), start=1
        )
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    assert upload(client, keys["operator"], "notices.geojson", body)["state"] == "succeeded"
    headers = {"X-API-Key": keys["viewer"]}
    for query in ("", "?near_km=50", "?lang=en&basemap=offline"):
        page = client.get(f"/maps/staff{query}", headers=headers)
        assert page.status_code == 200, query
        for layer in ("zones", "stations"):  # the stations layer measures distances to zones
            body = client.get(f"/maps/staff/layers/{layer}.geojson{query}", headers=headers)
            assert body.status_code == 200, (layer, query)
        zones = client.get(f"/maps/staff/layers/zones.geojson{query}", headers=headers).json()
        drawn = {f["properties"]["code"]: f["geometry"]["coordinates"] for f in zones["features"]}
        for i, lon in ((1, 122.2), (2, 122.3), (3, 122.4)):
            # drawn: a marker at its position, named in its popup
            assert drawn[f"P{i}"] == [lon, 30.02]
            popup = next(f for f in zones["features"] if f["properties"]["code"] == f"P{i}")
            assert f"锚位 {i}" in popup["properties"]["popup"]


@BOTH_STORES
def test_a_long_name_is_refused_naming_field_and_rule(
    client: TestClient, keys: dict[str, str]
) -> None:
    """Finding 10: a 300-character zone name passed validation and broke the insert (500)."""
    import json

    feature = {
        "type": "Feature",
        "properties": {"name": "锚" * 300, "kind": "anchorage"},
        "geometry": {"type": "Point", "coordinates": [122.2, 30.02]},
    }
    body = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    job = upload(client, keys["operator"], "long.geojson", body)
    assert job["state"] == "refused"
    [problem] = job["problems"]
    assert (
        problem["rule"] == "too_long"
        and "name has 300 characters; at most 200" in problem["message"]
    )
    long_file = client.post(
        OPERATOR_UPLOAD,
        headers={"X-API-Key": keys["operator"]},
        files={"file": ("z" * 300 + ".geojson", body, "application/geo+json")},
    )
    assert long_file.status_code == 422
    assert (long_file.json()["field"], long_file.json()["rule"]) == ("file", "max_length=255")
