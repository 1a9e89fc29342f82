"""Issue 22 through the staff API: hostile zone uploads are refused with a 422 naming the rule,
echoing neither another file's contents nor a temporary path (finding 1)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

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


def upload(client: TestClient, key: str, name: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """POST a zone file as an operator; the final status and problem (or result) body."""
    response = client.post(
        OPERATOR_UPLOAD, headers={"X-API-Key": key}, files={"file": (name, body, "x/y")}
    )
    return response.status_code, response.json()


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
    status, problem = upload(client, keys["operator"], "zones.gpkg", _vrt(*source))
    text = str(problem)
    assert status == 422
    assert seen == []
    assert "root:x:0:0" not in text and "SECRET-FROM-LOOPBACK" not in text
    assert "/tmp" not in text and "/etc" not in text and str(tmp_path) not in text
    assert (problem["field"], problem["rule"]) == ("file", "not_gpkg")


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
    status, _ = upload(client, keys["operator"], "notices.geojson", body)
    assert status in (200, 201, 202)
    for query in ("", "?near_km=50", "?lang=en&basemap=offline"):
        page = client.get(f"/maps/staff{query}", headers={"X-API-Key": keys["viewer"]})
        assert page.status_code == 200, query
        for i, lon in ((1, 122.2), (2, 122.3), (3, 122.4)):
            assert f"锚位 {i}" in page.text
            assert f"[30.02, {lon}]" in page.text  # drawn: a marker at its position
