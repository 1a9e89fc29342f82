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


#: Test databases are named ``envmon_test_<pid>_<random>``: a run that dies before dropping its
#: databases leaves them to the next run, which drops those whose process is gone.
DB_PREFIX = "envmon_test_"


def _pg_admin_connect():
    import psycopg

    dsn = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(dsn, autocommit=True, connect_timeout=3)


def _db_url(name: str) -> str:
    return f"{PG_URL.rsplit('/', 1)[0]}/{name}"


def _new_db_name() -> str:
    return f"{DB_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:12]}"


def _drop_db(name: str) -> None:
    with _pg_admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _drop_orphaned_dbs(conn: object) -> list[str]:
    """Drop the test databases of runs on this machine whose process has ended."""
    rows = conn.execute(  # type: ignore[attr-defined]
        "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{DB_PREFIX}%",)
    ).fetchall()
    dropped = []
    for (name,) in rows:
        pid = name[len(DB_PREFIX) :].split("_", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
            dropped.append(name)
    return dropped


def _postgis_skip_reason() -> str | None:
    """None when a PostgreSQL server answers and can create the PostGIS extension; else why not."""
    import psycopg

    try:
        admin = _pg_admin_connect()
    except Exception as exc:  # pragma: no cover - depends on the machine
        if os.environ.get("CI"):
            raise RuntimeError(f"PostgreSQL must be reachable in CI at {PG_URL}: {exc}") from exc
        return f"no PostgreSQL server at {PG_URL}"
    name = _new_db_name()
    with admin:
        _drop_orphaned_dbs(admin)
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        dsn = _db_url(name).replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL at {PG_URL} has no PostGIS (CREATE EXTENSION postgis: {first})"
    finally:
        _drop_db(name)
    return None


@pytest.fixture(scope="session")
def postgis_skip_reason() -> str | None:
    """Why the PostGIS tests cannot run here (no server, or no PostGIS extension), else None."""
    return _postgis_skip_reason()


@pytest.fixture(scope="session")
def pg_available(postgis_skip_reason: str | None) -> bool:
    """Whether a PostgreSQL server with PostGIS answers; in CI the server must answer."""
    return postgis_skip_reason is None


@pytest.fixture
def pg_url(postgis_skip_reason: str | None) -> Iterator[str]:
    """A fresh, uniquely named PostgreSQL database with PostGIS, dropped afterwards (also when
    the test or the extension's creation fails); skipped with the reason when there is none."""
    if postgis_skip_reason is not None:
        pytest.skip(postgis_skip_reason)
    import psycopg

    name = _new_db_name()
    with _pg_admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _db_url(name)
    try:
        with psycopg.connect(
            url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
        ) as c:
            c.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        yield url
    finally:
        _drop_db(name)


@pytest.fixture(scope="session")
def validation_dir() -> Path:
    """``../shared/validation``; tests marked ``realdata`` read from it."""
    if not VALIDATION.is_dir():
        pytest.skip("../shared/validation is not present")
    return VALIDATION
