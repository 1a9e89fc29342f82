"""Response models of the figures: district ratios, targets, budgets, daily AQI, staff targets.

The contract of ``routes/districts.py``; built from ``service.compute`` summaries and
``stations.targets`` budgets, never from store rows directly.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from service.api.schemas import Model


class RatioOut(Model):
    """A ratio with its parts (优良天数比例 or Ⅰ–Ⅲ类断面比例); ``value`` None when undefined."""

    numerator: int
    denominator: int
    value: float | None = Field(description="0..1, full value")
    percent: str | None = Field(description="published value, one decimal (GB/T 8170), e.g. '96.9'")


class ProjectionOut(Model):
    """Projected year-end ratio with an interval."""

    value: float
    low: float
    high: float
    coverage: float
    method: Literal["history", "wilson"]
    years: list[int] = Field(default_factory=list, description="earlier years used (history)")


class AirBudgetOut(Model):
    """How many more non-excellent/good days the year can absorb and still meet the target."""

    year: int
    as_of: dt.date
    target: float
    comparison: Literal["full", "rounded"]
    days_in_year: int
    valid_days: int
    excellent_good_days: int
    invalid_days: int
    remaining_days: int
    required_excellent_good_days: int | None
    budget: int = Field(description="negative: already missed by that many days")
    budget_if_invalid: int = Field(
        description="budget with expected_invalid remaining days invalid"
    )
    expected_invalid: int
    status: Literal["secured", "on_track", "at_risk", "missed"]
    exhausted_on: dt.date | None = Field(description="day the budget runs out at the current pace")
    projection: ProjectionOut | None


class WaterBudgetOut(Model):
    """How many sections now at Ⅰ–Ⅲ may slip below Ⅲ and the ratio still meet the target."""

    target: float
    comparison: Literal["full", "rounded"]
    evaluated: int
    at_or_better_than_iii: int
    required: int | None
    budget: int


class AirFigures(Model):
    """Air figures of a district or the city over a period."""

    start: dt.date
    end: dt.date
    excellent_good_ratio: RatioOut
    excellent_ratio: RatioOut
    days_by_level: dict[str, int] = Field(description="level 1..6 -> valid days")
    primary_pollutants_non_good: dict[str, int] = Field(
        description="non-excellent/good days by primary pollutant group: PM25, O3, other"
    )
    days_left_out: dict[str, int] = Field(description="cause -> days left out of the ratio")
    stations: list[str]
    standards: list[str]
    spans_standard_change: bool = Field(
        description="the period spans 2026-03-01 (HJ 633-2012 and -2026)"
    )
    target: float
    meets_target: bool | None
    budget: AirBudgetOut | None = None


class SectionClassOut(Model):
    """One provincial section's class in the period."""

    code: str
    name: str
    name_en: str | None = None
    water_class: str | None = Field(description="I..V or V+ (劣Ⅴ); None: not sampled")
    deciding_items: list[str]
    items_worse_than_iii: list[str]


class WaterFigures(Model):
    """Class III ratio of the provincial sections of a district or the city."""

    period: str
    class_iii_ratio: RatioOut
    sections: list[SectionClassOut]
    sections_left_out: int
    target: float
    meets_target: bool | None
    budget: WaterBudgetOut


class DistrictFigures(Model):
    """A district (or ``city``) with its year-to-date ratios, targets and budgets."""

    code: str
    name: str
    name_en: str
    air: AirFigures
    water: WaterFigures


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
    indicator: Literal["air", "water"]
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
