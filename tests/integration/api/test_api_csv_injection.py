"""Issue 22, finding 6: the public CSV exports neutralise formula cells (OWASP "CSV Injection")
without touching numbers, and are cached by data version like the JSON routes."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.figures.spreadsheet_cells import safe_cell
from service.zones import import_zone_file

#: Zone names as a hostile notice file might carry them -> the cell a spreadsheet gets.
NAMES = {
    '=HYPERLINK("http://evil.example","点此")': '\'=HYPERLINK("http://evil.example","点此")',
    "+SUM(1,2)": "'+SUM(1,2)",
    "-2+3": "'-2+3",
    "@cmd": "'@cmd",
    "-3.5": "-3.5",  # a signed number as text: read as the number, runs nothing
    "定海锚地": "定海锚地",
}


def _import(app: FastAPI, names: list[str]) -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"name": name, "kind": "anchorage", "code": f"Z{i}"},
            "geometry": {"type": "Point", "coordinates": [122.2 + i / 100, 30.02]},
        }
        for i, name in enumerate(names)
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    import_zone_file(app.state.engine, body, "notices.geojson", who="test")


def _names(response_text: str) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(response_text.lstrip("\ufeff"))))
    return [r["name"] for r in rows]


@pytest.mark.parametrize("path", ["/api/v1/export/zones.csv", "/api/v1/zones?format=csv"])
def test_zone_names_are_neutralised_in_csv(app: FastAPI, client: TestClient, path: str) -> None:
    _import(app, list(NAMES))
    response = client.get(path)
    assert response.status_code == 200
    assert sorted(_names(response.text)) == sorted(NAMES.values())


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "+1"),
        ("-12", "-12"),
        ("-1e-3", "-1e-3"),
        ("-A1", "'-A1"),
        ("\t=1", "'\t=1"),
        ("\r@x", "'\r@x"),
        ("@", "'@"),
        (-3, -3),
        (-3.5, -3.5),
        (None, None),
        ("舟山", "舟山"),
    ],
)
def test_safe_cell(value: object, cell: object) -> None:
    assert safe_cell(value) == cell


def test_exports_are_cached_by_data_version(app: FastAPI, client: TestClient) -> None:
    _import(app, ["定海锚地"])
    first = client.get("/api/v1/export/zones.csv")
    stations = client.get("/api/v1/export/stations.csv")
    cached = app.state.public_cache.entries
    assert ("export", "zones") in cached and any(k[:2] == ("export", "stations") for k in cached)
    assert client.get("/api/v1/export/zones.csv").text == first.text
    assert client.get("/api/v1/export/stations.csv").text == stations.text
    assert first.headers["content-disposition"] == 'attachment; filename="zones.csv"'
    _import(app, ["普陀锚地"])  # a new version: the next answer is rebuilt
    assert _names(client.get("/api/v1/export/zones.csv").text) == ["普陀锚地"]
