"""Schemathesis against ``/openapi.json``: generated requests (anonymous and with an admin key) never
produce a server error. Kept small for the suite; ``ENVMON_FUZZ_EXAMPLES`` raises it for soak runs."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from service.api.app import create_app
from service.auth import Role, create_key
from service.clock import FixedClock

from .conftest import NOW, make_settings, seed_readings

MAX_EXAMPLES = int(os.environ.get("ENVMON_FUZZ_EXAMPLES", "3"))

# The schema is read at collection time; the store opens only when the fixture enters the lifespan.
_DATA = Path(tempfile.mkdtemp(prefix="envmon-fuzz-"))
APP = create_app(make_settings(_DATA), FixedClock(NOW))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def admin_headers() -> Iterator[dict[str, str]]:
    """Enter the app's lifespan (store, seeding) and give an admin key's header."""
    with TestClient(APP):
        seed_readings(APP)
        key = create_key(APP.state.engine, Role.admin, "fuzz")[1]
        yield {"Authorization": f"Bearer {key}"}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case, admin_headers: dict[str, str]) -> None:
    """Anonymous and admin requests alike: never a 5xx."""
    case.call_and_validate(checks=[not_a_server_error])
    case.call_and_validate(headers=admin_headers, checks=[not_a_server_error])
