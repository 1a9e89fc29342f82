"""The suite's PostgreSQL databases: a database left by a run whose process died is dropped by the
next run; a live run's databases are kept (several runs share one server)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import DB_PREFIX, _drop_orphaned_dbs, _pg_admin_connect


def _names(conn: object) -> set[str]:
    rows = conn.execute(  # type: ignore[attr-defined]
        "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{DB_PREFIX}%",)
    ).fetchall()
    return {r[0] for r in rows}


@pytest.mark.postgis
def test_databases_of_a_dead_run_are_dropped_and_a_live_runs_kept(pg_available: bool) -> None:
    if not pg_available:
        pytest.skip("no PostgreSQL server with PostGIS")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead_name = f"{DB_PREFIX}{int(dead.stdout)}_leftover"
    live_name = f"{DB_PREFIX}{os.getpid()}_in_use"
    with _pg_admin_connect() as conn:
        for name in (dead_name, live_name):
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            dropped = _drop_orphaned_dbs(conn)
            left = _names(conn)
        finally:
            for name in (dead_name, live_name):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert dead_name in dropped
    assert dead_name not in left
    assert live_name in left
