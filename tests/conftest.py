"""Shared fixtures: real PostgreSQL/PostGIS databases, paths to shipped and validation data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# CI runs the property and fuzz tests on a fixed, derandomised sequence so that a submission's
# result never depends on the draw; local runs and `make soak` keep exploring at random.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
VALIDATION = SHARED / "validation"
TEST_DATA = Path(__file__).resolve().parent / "data"

PG_URL = os.environ.get("ENVMON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_admin_connect():
    import psycopg

    dsn = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(dsn, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def pg_available() -> bool:
    """Whether a PostgreSQL server answers; in CI it must."""
    try:
        _pg_admin_connect().close()
    except Exception as exc:  # pragma: no cover - depends on the machine
        if os.environ.get("CI"):
            raise RuntimeError(f"PostgreSQL must be reachable in CI at {PG_URL}: {exc}") from exc
        return False
    return True


@pytest.fixture
def pg_url(pg_available: bool) -> Iterator[str]:
    """A fresh, uniquely named PostgreSQL database with PostGIS, dropped afterwards."""
    if not pg_available:
        pytest.skip(f"no PostgreSQL server at {PG_URL}")
    name = f"envmon_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    import psycopg

    with psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as c:
        c.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    try:
        yield url
    finally:
        with _pg_admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def validation_dir() -> Path:
    """``../shared/validation``; tests marked ``realdata`` read from it."""
    if not VALIDATION.is_dir():
        pytest.skip("../shared/validation is not present")
    return VALIDATION
