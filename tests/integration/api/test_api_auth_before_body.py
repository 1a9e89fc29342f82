"""Staff writes are authenticated before their body is read or parsed, and JSON bodies have their
own small limit (issue 22 finding 9): an anonymous client's megabytes of JSON are refused with 401
(before: parsed, and answered 422 by the JSON decoder), a wrong key likewise, and an oversized JSON
body from a valid key is 413 without reading it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.api.schemas import Problem
from service.auth import Role, create_key
from service.clock import FixedClock

from .conftest import NOW, make_settings

#: Half a MiB that is not JSON (under the JSON limit): parsing it would fail with 422, not 401.
BROKEN_JSON = b'{"role": "viewer", "name": "' + b"x" * (512 * 1024)


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/staff/keys", "POST"),
        ("/api/v1/staff/webhooks/subscriptions", "POST"),
        ("/api/v1/staff/zones/import", "POST"),
    ],
)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer envmon_0123456789ab_wrong"},
        {"X-API-Key": "not-a-key"},
        {"Cookie": "__Host-envmon_staff=" + "A" * 43},  # no such session
    ],
)
def test_anonymous_bodies_are_refused_before_parsing(
    client: TestClient, path: str, method: str, headers: dict[str, str]
) -> None:
    response = client.request(
        method, path, content=BROKEN_JSON, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 401, response.text[:200]
    assert Problem.model_validate(response.json()).rule == "api_key"


def test_a_valid_key_still_writes_and_json_has_its_own_limit(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, max_json_bytes=64 * 1024), FixedClock(NOW))
    with TestClient(app) as client:
        admin = {"Authorization": f"Bearer {create_key(app.state.engine, Role.admin)[1]}"}
        made = client.post("/api/v1/staff/keys", json={"role": "viewer"}, headers=admin)
        assert made.status_code == 201
        big = client.post(
            "/api/v1/staff/keys",
            content=b'{"role": "viewer", "name": "' + b"x" * 100_000 + b'"}',
            headers={**admin, "Content-Type": "application/json"},
        )
        assert big.status_code == 413
        assert Problem.model_validate(big.json()).rule == f"max_bytes={64 * 1024}"
        # A broken body from a valid key reaches the parser, which names the problem.
        broken = client.post(
            "/api/v1/staff/keys",
            content=b"{not json",
            headers={**admin, "Content-Type": "application/json"},
        )
        assert broken.status_code == 422
