"""SQL of imported rasters (``surface_tables.surface_rasters``): add a version, list, read one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, insert, select

from service.store.compute_tables import DAY_INDICATORS, station_days
from service.store.engine import writing
from service.store.surface_tables import surface_rasters as rasters


def add_surface(engine: Engine, row: dict[str, Any]) -> dict[str, Any]:
    """Store ``row`` as the next version of its ``name``; returns the stored row (id, version,
    supersedes_id filled in). One transaction: two imports of one name get distinct versions."""
    with writing(engine) as conn:
        previous = conn.execute(
            select(rasters.c.id, rasters.c.version)
            .where(rasters.c.name == row["name"])
            .order_by(rasters.c.id.desc())
            .limit(1)
        ).first()
        values = dict(row)
        values["version"] = 1 if previous is None else int(previous.version) + 1
        values["supersedes_id"] = None if previous is None else int(previous.id)
        new_id = conn.execute(insert(rasters).values(**values)).inserted_primary_key[0]  # type: ignore[index]
        stored = conn.execute(select(rasters).where(rasters.c.id == new_id)).mappings().one()
    return dict(stored)


def current_surfaces(engine: Engine) -> list[dict[str, Any]]:
    """The current version of every named surface, by name."""
    latest = select(func.max(rasters.c.id).label("id")).group_by(rasters.c.name).subquery("latest")
    with engine.connect() as conn:
        rows = conn.execute(
            select(rasters).join(latest, latest.c.id == rasters.c.id).order_by(rasters.c.name)
        ).mappings()
        return [dict(r) for r in rows]


def surface_versions(engine: Engine, name: str) -> list[dict[str, Any]]:
    """Every version of the surface ``name``, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(rasters).where(rasters.c.name == name).order_by(rasters.c.id.desc())
        ).mappings()
        return [dict(r) for r in rows]


def get_surface(engine: Engine, surface_id: int) -> dict[str, Any] | None:
    """One stored raster version by id, or None."""
    with engine.connect() as conn:
        row = conn.execute(select(rasters).where(rasters.c.id == surface_id)).mappings().first()
    return None if row is None else dict(row)


def latest_station_day(engine: Engine) -> dt.date | None:
    """The latest CST day any station has daily values for, or None."""
    with engine.connect() as conn:
        day: dt.date | None = conn.execute(select(func.max(station_days.c.day))).scalar()
    return day


def latest_valid_day(engine: Engine, indicator: str, look_back_days: int = 31) -> dt.date | None:
    """The latest CST day on which some station has a valid ``indicator`` value, looking back at
    most ``look_back_days`` from the latest stored day; None when there is none."""
    last = latest_station_day(engine)
    if last is None:
        return None
    column = station_days.c[indicator.lower()]
    query = (
        select(station_days.c.day, column, station_days.c.valid)
        .where(station_days.c.day >= last - dt.timedelta(days=look_back_days))
        .order_by(station_days.c.day.desc())
    )
    with engine.connect() as conn:
        for day, value, valid in conn.execute(query):
            if value is not None and (valid or {}).get(indicator, True):
                return day  # type: ignore[no-any-return]
    return None


def station_day_values(engine: Engine, day: dt.date, indicator: str) -> pd.DataFrame:
    """Valid daily values of ``indicator`` (a ``DAY_INDICATORS`` key) on ``day``: columns
    station, value. A value whose validity flag is false is left out."""
    if indicator not in DAY_INDICATORS:
        raise ValueError(f"unknown daily indicator {indicator!r}")
    column = station_days.c[indicator.lower()]
    query = select(station_days.c.station, column, station_days.c.valid).where(
        station_days.c.day == day
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    kept = [
        (station, float(value))
        for station, value, valid in rows
        if value is not None and (valid or {}).get(indicator, True)
    ]
    return pd.DataFrame(kept, columns=["station", "value"])


__all__ = [
    "add_surface",
    "current_surfaces",
    "get_surface",
    "latest_station_day",
    "latest_valid_day",
    "station_day_values",
    "surface_versions",
]
