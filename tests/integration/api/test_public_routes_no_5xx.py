"""Every public GET route in the OpenAPI document, with every id the API lists, answers without a
5xx: on a store with 30 days of readings and on a store with none (places only). Each route is also
asked for its other formats and languages where it has them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.clock import FixedClock
from tests.browser.conftest import NOW, _seed_store
from tests.integration.api.conftest import make_settings


@pytest.fixture(scope="module", params=["seeded", "empty"])
def client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    data_dir: Path = tmp_path_factory.mktemp(f"public-{request.param}")
    if request.param == "seeded":
        _seed_store(data_dir)
    app = create_app(make_settings(data_dir), FixedClock(NOW))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _public_gets(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (path, ops["get"])
        for path, ops in spec["paths"].items()
        if "get" in ops and not ops["get"].get("security")
    ]


def _ids(client: TestClient) -> dict[str, list[str]]:
    stations = [s["code"] for s in client.get("/api/v1/stations").json()["items"]]
    districts = [d["code"] for d in client.get("/api/v1/districts").json()["items"]]
    zones = [z["code"] for z in client.get("/api/v1/zones").json()["items"]]
    return {"/api/v1/stations/": stations, "/api/v1/districts/": districts, "/api/v1/zones/": zones}


def _urls(path: str, op: dict[str, Any], ids: dict[str, list[str]]) -> list[str]:
    if "{code}" in path:
        prefix = next(p for p in ids if path.startswith(p))
        assert ids[prefix], f"no ids listed for {path}"
        bases = [path.replace("{code}", code) for code in ids[prefix]]
    else:
        bases = [path]
    queries = [""]
    names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
    if "format" in names:
        queries += ["?format=csv", "?format=xlsx&lang=en"]
    if "lang" in names:
        queries.append("?lang=en")
    return [b + q for b in bases for q in queries]


def test_every_public_get_route_with_every_listed_id_answers_without_a_5xx(
    client: TestClient,
) -> None:
    spec = client.get("/openapi.json").json()
    routes = _public_gets(spec)
    assert {"/api/v1/stations/{code}/hours", "/api/v1/districts/{code}/days"} <= {
        p for p, _ in routes
    }
    ids = _ids(client)
    asked, failures = 0, []
    for path, op in routes:
        for url in _urls(path, op, ids):
            r = client.get(url, headers={"Accept-Language": "en"})
            asked += 1
            if r.status_code >= 500:
                failures.append((url, r.status_code, r.text[:200]))
    assert failures == []
    assert asked > 40
