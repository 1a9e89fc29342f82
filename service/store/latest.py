"""Reads behind the latest-value views: places with their latest hour, sections with their latest
monthly class, station days over a span (``service.figures.latest`` and ``service.figures.map_data``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from service.store.compute_tables import section_periods, station_days
from service.store.queries import latest_readings
from service.store.tables import sections, stations


def stations_with_latest(
    engine: Engine, district: str | None = None
) -> tuple[Sequence[Any], pd.DataFrame | None]:
    """Station rows (ordered by code) and the long-form readings of each one's latest hour; zone
    monitors (``stations.zone`` set) are not AQI stations and are left out."""
    query = select(stations).where(stations.c.zone.is_(None)).order_by(stations.c.code)
    if district:
        query = query.where(stations.c.district_code == district)
    with engine.connect() as conn:
        places = conn.execute(query).mappings().all()
        latest = latest_readings(conn, [p["code"] for p in places]) if places else None
    return places, latest


def sections_with_latest_class(engine: Engine, district: str | None = None) -> Sequence[Any]:
    """Section rows (ordered by code) with the period, class and deciding items of their latest
    classified month (NULLs when never classified)."""
    sp = section_periods
    latest = (
        select(sp.c.section, func.max(sp.c.period).label("period"))
        .where(sp.c.period_kind == "month", sp.c.cls.is_not(None))
        .group_by(sp.c.section)
        .subquery()
    )
    query = (
        select(sections, sp.c.period, sp.c.cls, sp.c.deciding)
        .select_from(
            sections.outerjoin(latest, latest.c.section == sections.c.code).outerjoin(
                sp, and_(sp.c.section == latest.c.section, sp.c.period == latest.c.period)
            )
        )
        .order_by(sections.c.code)
    )
    if district:
        query = query.where(sections.c.district_code == district)
    with engine.connect() as conn:
        return conn.execute(query).mappings().all()


def station_day_aqi(engine: Engine, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Daily AQI of every station over CST days ``[start, end]``: columns station, date, aqi."""
    sd = station_days
    query = select(sd.c.station, sd.c.day, sd.c.aqi).where(sd.c.day >= start, sd.c.day <= end)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=["station", "date", "aqi"])
