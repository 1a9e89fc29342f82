"""The values the use cases return: pydantic models with no HTTP in them.

The API serves several of them as its response models (``service.api.schemas`` and
``service.api.schemas_figures`` re-export them), so a route returns what a use case answers and the
map, the CSV export and the CLI read the same fields. Unknown fields are refused so that nothing
leaks by accident.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Value(BaseModel):
    """Base of every value: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


# --- latest readings and places (service.figures.latest) ---


class Concentrations(Value):
    """Latest 1-h concentrations (µg/m³; CO mg/m³); ``None`` when not reported."""

    SO2: float | None = None
    NO2: float | None = None
    PM10: float | None = None
    PM25: float | None = None
    CO: float | None = None
    O3: float | None = None


class StationLatest(Value):
    """监测站点 with its latest hourly AQI (HJ 633 实时报)."""

    code: str
    name: str
    name_en: str | None = None
    district_code: str | None = None
    kind: str | None = None
    demo: bool
    lon: float | None = None
    lat: float | None = None
    time: dt.datetime | None = Field(default=None, description="end of the latest hour, UTC")
    aqi: int | None = None
    level: int | None = None
    category: str | None = None
    primary_pollutant: list[str] = Field(default_factory=list)
    iaqi: dict[str, int] = Field(default_factory=dict)
    standard: str | None = None
    concentrations: Concentrations = Field(default_factory=Concentrations)


class SectionLatest(Value):
    """断面 with its latest water class (GB 3838; ``V+`` is 劣Ⅴ)."""

    code: str
    name: str
    name_en: str | None = None
    district_code: str | None = None
    waterbody: str | None = None
    provincial: bool | None = None
    coord_status: str | None = None
    lon: float | None = None
    lat: float | None = None
    period: str | None = Field(default=None, description="YYYY-MM or YYYY of the latest class")
    water_class: str | None = None
    deciding_items: list[str] = Field(default_factory=list)


class Zone(Value):
    """A harbour ship-pollution zone (anchorage, port area, route, ...)."""

    code: str
    name: str
    name_en: str | None = None
    kind: str | None = None
    district_code: str | None = None
    source: str | None = None


class Feature(Value):
    """A GeoJSON Feature (RFC 7946)."""

    type: Literal["Feature"] = "Feature"
    id: str | int | None = None
    geometry: dict[str, Any] | None
    properties: dict[str, Any]


class FeatureCollection(Value):
    """A GeoJSON FeatureCollection (RFC 7946), WGS-84."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]


# --- district figures (service.figures.district_figures, water_figures) ---


class RatioOut(Value):
    """A ratio with its parts (优良天数比例 or Ⅰ–Ⅲ类断面比例); ``value`` None when undefined."""

    numerator: int
    denominator: int
    value: float | None = Field(description="0..1, full value")
    percent: str | None = Field(description="published value, one decimal (GB/T 8170), e.g. '96.9'")


class ProjectionOut(Value):
    """Projected year-end ratio with an interval."""

    value: float
    low: float
    high: float
    coverage: float
    method: Literal["history", "wilson"]
    years: list[int] = Field(default_factory=list, description="earlier years used (history)")


class AirBudgetOut(Value):
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


class WaterBudgetOut(Value):
    """How many sections now at Ⅰ–Ⅲ may slip below Ⅲ and the ratio still meet the target."""

    target: float
    comparison: Literal["full", "rounded"]
    evaluated: int
    at_or_better_than_iii: int
    required: int | None
    budget: int


class AirFigures(Value):
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


class SectionClassOut(Value):
    """One provincial section's class in the period."""

    code: str
    name: str
    name_en: str | None = None
    water_class: str | None = Field(description="I..V or V+ (劣Ⅴ); None: not sampled")
    deciding_items: list[str]
    items_worse_than_iii: list[str]


class WaterFigures(Value):
    """Class III ratio of the provincial sections of a district or the city."""

    period: str
    class_iii_ratio: RatioOut
    sections: list[SectionClassOut]
    sections_left_out: int
    target: float
    meets_target: bool | None
    budget: WaterBudgetOut


class DistrictFigures(Value):
    """A district (or ``city``) with its year-to-date ratios, targets and budgets."""

    code: str
    name: str
    name_en: str
    air: AirFigures
    water: WaterFigures
