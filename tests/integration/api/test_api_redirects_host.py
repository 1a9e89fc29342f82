"""Trailing-slash redirects do not reflect the Host header (issue 22 finding 17): a forged Host
cannot turn envmon's redirect into a link to another site."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("path", ["/api/v1/stations/", "/maps/public/", "/healthz/"])
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8443", "testserver"])
def test_trailing_slash_redirects_are_relative(client: TestClient, path: str, host: str) -> None:
    response = client.get(path, headers={"Host": host}, follow_redirects=False)
    assert response.status_code == 307
    location = response.headers["location"]
    assert location == path.rstrip("/")
    assert "evil" not in location and "//" not in location


def test_the_redirect_keeps_the_query_and_still_works(client: TestClient) -> None:
    response = client.get("/api/v1/stations/?lang=en", follow_redirects=False)
    assert response.headers["location"] == "/api/v1/stations?lang=en"
    assert client.get("/api/v1/stations/?lang=en").status_code == 200


def test_a_double_slash_path_never_becomes_scheme_relative(client: TestClient) -> None:
    response = client.get("//evil.example/", headers={"Host": "testserver"}, follow_redirects=False)
    assert not response.headers.get("location", "/").startswith("//")
