"""Issue 22, finding 10: inputs that once answered 500 now answer a 4xx naming the field and
rule -- a NUL in a static file path, dates at the ends of Python's calendar on the staff map and
the staff readings, and every date or time parameter of every GET route at those ends."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

EDGES = ("0001-01-01", "9999-12-31")
TIME_EDGES = (
    "0001-01-01T00:00:00+08:00",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:00:00-12:00",
    "9999-12-31T23:59:59+00:00",
)


@pytest.mark.parametrize(
    "path",
    ["/static/vendor/leaflet/%00", "/static/vendor/leaflet/leaflet.js%00x", "/static/vendor/%00/a"],
)
def test_nul_in_a_static_path_is_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "query", ["to=0001-01-01", "from=0001-01-01&to=0001-01-02", "to=9999-12-31"]
)
def test_staff_map_dates_out_of_range_are_422(
    client: TestClient, keys: dict[str, str], query: str
) -> None:
    r = client.get(f"/maps/staff?{query}", headers={"X-API-Key": keys["viewer"]})
    assert r.status_code == 422
    assert r.json()["rule"] == "between_1900-01-01_and_2199-12-31"
    assert r.json()["field"] in ("from", "to")


@pytest.mark.parametrize("name", ["start", "end"])
@pytest.mark.parametrize("value", TIME_EDGES)
def test_staff_readings_times_out_of_range_are_422(
    client: TestClient, keys: dict[str, str], name: str, value: str
) -> None:
    r = client.get(
        "/api/v1/staff/readings", params={name: value}, headers={"X-API-Key": keys["viewer"]}
    )
    assert r.status_code == 422
    assert (r.json()["field"], r.json()["rule"]) == (name, "between_1900-01-01_and_2199-12-31")


def _date_params(spec: dict[str, Any]) -> list[tuple[str, str, str]]:
    out = []
    for path, ops in spec["paths"].items():
        op = ops.get("get")
        if not op:
            continue
        for p in op.get("parameters", []):
            schema = p.get("schema", {})
            formats = {schema.get("format")} | {s.get("format") for s in schema.get("anyOf", [])}
            if p["in"] == "query" and formats & {"date", "date-time"}:
                kind = "date-time" if "date-time" in formats else "date"
                out.append((path, p["name"], kind))
    return out


def test_every_date_parameter_at_the_calendar_ends_is_not_a_500(
    app: Any, keys: dict[str, str]
) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    spec = client.get("/openapi.json").json()
    probes = _date_params(spec)
    assert any(name == "start" for _, name, _ in probes)  # the walk finds the known ones
    failures = []
    for path, name, kind in probes:
        url = re.sub(r"\{(\w+)\}", lambda m: {"code": "1258A"}.get(m.group(1), "330902"), path)
        for value in TIME_EDGES if kind == "date-time" else EDGES:
            r = client.get(url, params={name: value}, headers={"X-API-Key": keys["admin"]})
            if r.status_code >= 500:
                failures.append((url, name, value, r.status_code))
    assert failures == []
