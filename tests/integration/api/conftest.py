"""API fixtures: an app on a real store (SQLite, or PostgreSQL/PostGIS when ``store`` is ``postgis``),
entered through its lifespan, with a fixed clock, staff keys per role and a few stored readings."""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.auth import Role, create_key
from service.clock import FixedClock
from service.settings import Settings
from service.store.tables import quarantine, raw_payloads, readings

NOW = dt.datetime(2026, 5, 20, 4, 0, tzinfo=dt.UTC)
PUBLIC_SITE = "https://sthjj.zhoushan.gov.cn"
#: Field names that only staff responses may carry.
STAFF_ONLY = frozenset(
    {"flag", "payload_id", "secret_hash", "key", "key_id", "row", "reason", "error"}
)

#: One hour of 1-h concentrations for station 1258A ending at NOW (µg/m³; CO mg/m³).
HOUR = {"SO2": 6.0, "NO2": 38.0, "PM10": 52.0, "PM25": 31.0, "CO": 0.6, "O3": 118.0}


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Test settings: embedded store under ``tmp_path``, no scheduler, rate limit off by default."""
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "environment": "test",
        "public_sites": [PUBLIC_SITE],
        "rate_limit_per_minute": 0,
        "scheduler_enabled": False,
    }
    values.update(overrides)
    return Settings(**values)


def seed_readings(app: FastAPI) -> None:
    """One payload with one hour of readings (one flagged) and one quarantined row."""
    body = b"station,time,pollutant,value\n"
    with app.state.engine.begin() as conn:
        payload_id = conn.execute(
            raw_payloads.insert().values(
                source="test",
                url="file://test",
                content_type="text/csv",
                fetched_at=NOW,
                sha256=hashlib.sha256(body).hexdigest(),
                size=len(body),
                compression="zlib",
                body=zlib.compress(body),
            )
        ).inserted_primary_key[0]
        conn.execute(
            readings.insert(),
            [
                {
                    "station": "1258A",
                    "time": NOW,
                    "pollutant": code,
                    "value": value,
                    "flag": "pm25_gt_pm10" if code == "PM25" else None,
                    "source": "test",
                    "payload_id": payload_id,
                }
                for code, value in HOUR.items()
            ],
        )
        conn.execute(
            quarantine.insert().values(
                source="test",
                payload_id=payload_id,
                row="1258A,2026-05-20T04:00,CO,-3",
                reason="negative",
                field="value",
                line=2,
                created_at=NOW,
            )
        )


#: Run a test on both stores: ``@BOTH_STORES`` (others run on SQLite only, to stay fast).
BOTH_STORES = pytest.mark.parametrize(
    "store_url", ["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)], indirect=True
)


@pytest.fixture
def store_url(request: pytest.FixtureRequest) -> str | None:
    """``None`` for the embedded SQLite store, else a fresh PostGIS database URL."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return None
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def app(tmp_path: Path, store_url: str | None) -> Iterator[FastAPI]:
    """The app on a real store, inside its lifespan, with readings seeded."""
    application = create_app(make_settings(tmp_path, database_url=store_url), FixedClock(NOW))
    with TestClient(application):
        seed_readings(application)
        yield application


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    """A client of ``app`` (lifespan already entered)."""
    return TestClient(app)


@pytest.fixture
def keys(app: FastAPI) -> dict[str, str]:
    """A plain API key per role."""
    return {role.name: create_key(app.state.engine, role, f"test-{role.name}")[1] for role in Role}


def all_keys(value: Any) -> set[str]:
    """Every dict key anywhere inside a JSON value."""
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            found.add(k)
            found |= all_keys(v)
    elif isinstance(value, list):
        for v in value:
            found |= all_keys(v)
    return found
