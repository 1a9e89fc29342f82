"""Response models of the figures: district ratios, targets, budgets, daily AQI, staff targets.

The contract of ``routes/districts.py``. The district figures themselves are the values of
``service.figures`` (re-exported here under their API names); the rest are the routes' own.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from service.api.schemas import Model
from service.figures.values import (
    AirBudgetOut,
    AirFigures,
    DistrictFigures,
    ProjectionOut,
    RatioOut,
    SectionClassOut,
    WaterBudgetOut,
    WaterFigures,
)


class DayOut(Model):
    """A district's (or the city's) day: mean of station concentrations, then IAQI/AQI."""

    day: dt.date
    aqi: int | None
    level: int | None
    category_zh: str | None = None
    category_en: str | None = None
    primary_pollutant: list[str]
    iaqi: dict[str, int]
    concentrations: dict[str, float | None] = Field(description="daily values, µg/m³ (CO mg/m³)")
    standard: str
    counts_in_ratio: bool
    n_stations: int
    stations: list[str]


class DistrictDays(Model):
    """Daily AQI series of a district or the city."""

    code: str
    start: dt.date
    end: dt.date
    count: int
    items: list[DayOut]


class RecomputeIn(Model):
    """``POST /staff/recompute`` body."""

    full: bool = Field(False, description="rebuild every figure instead of the dirty days only")


class RecomputeOut(Model):
    """What a recompute touched."""

    full: bool
    station_days: int
    district_days: int
    section_periods: int


class TargetOut(Model):
    """A target in force (``stored`` False: the default, no row yet)."""

    district: str
    indicator: Literal["air", "water", "sea"]
    year: int
    value: float
    stored: bool
    updated_at: dt.datetime | None = None
    updated_by: str | None = None


class TargetIn(Model):
    """``PUT /staff/targets/{district}/{indicator}/{year}`` body."""

    value: float = Field(ge=0, le=1, description="0..1, e.g. 0.97")
    reason: str | None = Field(None, max_length=500)


class TargetAuditOut(Model):
    """One change of a target."""

    district: str
    indicator: str
    year: int
    old_value: float | None
    new_value: float
    who: str
    at: dt.datetime
    note: str | None = None


__all__ = [
    "AirBudgetOut",
    "AirFigures",
    "DayOut",
    "DistrictDays",
    "DistrictFigures",
    "ProjectionOut",
    "RatioOut",
    "RecomputeIn",
    "RecomputeOut",
    "SectionClassOut",
    "TargetAuditOut",
    "TargetIn",
    "TargetOut",
    "WaterBudgetOut",
    "WaterFigures",
]
