"""HTTP protection: ETag/304, rate limit 429, CORS, frame-ancestors, upload limit, and the headers of
a real uvicorn server (no server details)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app, uvicorn_config
from service.api.schemas import Health, Problem
from service.auth import Role, create_key
from service.clock import FixedClock

from .conftest import NOW, PUBLIC_SITE, make_settings


def test_etag_and_if_none_match(client: TestClient):
    first = client.get("/api/v1/stations")
    tag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public, max-age=")
    again = client.get("/api/v1/stations", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    other = client.get("/api/v1/stations", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.headers["etag"] == tag


def test_etag_changes_with_the_content(client: TestClient):
    en = client.get("/api/v1/stations", params={"lang": "en"}).headers["etag"]
    zh = client.get("/api/v1/stations").headers["etag"]
    assert en != zh


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path):
    settings = make_settings(tmp_path, rate_limit_per_minute=1, rate_limit_burst=2)
    with TestClient(create_app(settings, FixedClock(NOW))) as client:
        statuses = [client.get("/api/v1/zones").status_code for _ in range(3)]
        limited = client.get("/api/v1/zones", params={"lang": "en"})
        health = client.get("/healthz")
    assert statuses[:2] == [200, 200] and statuses[2] == 429
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    problem = Problem.model_validate(limited.json())
    assert problem.rule == "rate_limit" and problem.title == "Too many requests"
    assert health.status_code == 200  # container health checks are not limited


def test_cors_allows_only_configured_sites(client: TestClient):
    allowed = client.get("/api/v1/zones", headers={"Origin": PUBLIC_SITE})
    assert allowed.headers["access-control-allow-origin"] == PUBLIC_SITE
    assert "etag" in allowed.headers["access-control-expose-headers"].lower()
    other = client.get("/api/v1/zones", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = client.options(
        "/api/v1/staff/me",
        headers={
            "Origin": PUBLIC_SITE,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert preflight.status_code == 400  # staff keys are never sent cross-origin


def test_frame_ancestors_on_html_and_none_on_data(client: TestClient):
    html = client.get("/maps/public")
    assert html.headers["content-type"].startswith("text/html")
    policy = html.headers["content-security-policy"]
    assert policy.endswith(f"; frame-ancestors 'self' {PUBLIC_SITE}")
    assert policy.startswith("script-src 'self'")  # every HTML page (service.api.csp)
    docs = client.get("/docs")  # envmon's own files only; not framed by public sites
    assert "script-src 'self'" in docs.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in docs.headers["content-security-policy"]
    data = client.get("/api/v1/zones")
    assert "frame-ancestors 'none'" in data.headers["content-security-policy"]
    assert data.headers["x-content-type-options"] == "nosniff"


def test_upload_over_the_limit_is_refused_before_reading(tmp_path: Path):
    settings = make_settings(tmp_path, max_upload_bytes=1024)
    with TestClient(create_app(settings, FixedClock(NOW))) as client:
        response = client.post(
            "/api/v1/staff/zones/import",
            files={"file": ("zones.geojson", b"x" * 4096, "application/geo+json")},
        )
    assert response.status_code == 413  # before authentication: the body is never read
    problem = Problem.model_validate(response.json())
    assert (problem.field, problem.rule) == ("Content-Length", "max_bytes=1024")


def test_chunked_upload_over_the_limit_is_refused(tmp_path: Path):
    settings = make_settings(tmp_path, max_upload_bytes=1024)

    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b"y" * 512

    app = create_app(settings, FixedClock(NOW))
    with TestClient(app) as client:
        # Authenticated first (an anonymous body is refused with 401 before it is read)...
        admin = f"Bearer {create_key(app.state.engine, Role.admin)[1]}"
        response = client.post(
            "/api/v1/staff/keys",
            content=chunks(),
            headers={"Content-Type": "application/json", "Authorization": admin},
        )
        assert response.status_code == 413  # ...then counted as it streams
        anonymous = client.post(
            "/api/v1/staff/keys", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert anonymous.status_code == 401


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The app behind a real uvicorn server, configured as ``envmon serve`` configures it."""
    import uvicorn

    port = _free_port()
    app = create_app(make_settings(tmp_path), FixedClock(NOW))
    server = uvicorn.Server(uvicorn_config(app, "127.0.0.1", port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_real_server_sends_no_server_header(served: str):
    response = httpx.get(f"{served}/healthz")
    assert response.status_code == 200
    Health.model_validate(response.json())
    assert "server" not in response.headers
    assert response.headers["x-envmon-demo"] == "true"
    missing = httpx.get(f"{served}/api/v1/none")
    assert missing.status_code == 404 and "server" not in missing.headers
