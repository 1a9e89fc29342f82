"""One store suite, two backends: every test taking ``store_url`` / ``engine`` runs on SQLite and PostGIS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from service.clock import FixedClock
from service.store.engine import init_store

T0 = dt.datetime(2026, 5, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL on each backend (the data directory does not exist yet)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'envmon.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """A store at the head migration; checks that every connection went back to the pool."""
    eng = init_store(store_url)
    yield eng
    assert eng.pool.checkedout() == 0
    eng.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0 + dt.timedelta(days=2))
