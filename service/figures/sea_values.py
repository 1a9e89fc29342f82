"""Values of the nearshore seawater use cases (``service.figures.sea``): points, ratios, a period."""

from __future__ import annotations

from pydantic import Field

from service.figures.values import RatioOut, Value


class SeaPoint(Value):
    """A seawater monitoring point with its GB 3097 class over a period (``IV+`` is 劣四类)."""

    code: str
    name: str
    name_en: str | None = None
    district_code: str | None = None
    area_code: str | None = Field(default=None, description="the bay / zone the point lies in")
    target_class: str | None = Field(default=None, description="its zone's target class I..IV")
    demo: bool = Field(description="a demo point: its position is synthetic, not a real point")
    lon: float | None = None
    lat: float | None = None
    period: str
    sea_class: str | None = Field(default=None, description="I..IV, IV+ (劣四类); None: no sample")
    deciding_items: list[str] = Field(default_factory=list)
    worse_than_ii: list[str] = Field(default_factory=list, description="items worse than 二类")
    good: bool | None = Field(default=None, description="一、二类 (counted as 优良)")
    meets_target: bool | None = Field(default=None, description="class at or better than target")
    n_samples: int = 0
    means: dict[str, float] = Field(default_factory=dict, description="item -> period mean, mg/L")


class SeaRatio(Value):
    """优良（一、二类）水质比例 of a bay / zone, a district or the city over a period.

    ``by_points``: good points / classed points. ``by_area``: km² of sea represented by good points
    / km² represented by classed points (each classed point stands for an equal share of its area's
    polygon; docs/seawater.md); None where no classed point lies in a polygon.
    """

    scope: str = Field(description="area | district | city")
    code: str
    name: str
    name_en: str | None = None
    demo: bool
    target_class: str | None = Field(default=None, description="areas: the zone's target class")
    by_points: RatioOut
    by_area: float | None = Field(default=None, description="0..1")
    area_km2: float | None = Field(default=None, description="km² represented by classed points")
    area_km2_good: float | None = None
    points_meeting_target: int = 0
    target: float | None = Field(default=None, description="districts/city: ratio target 0..1")
    meets: bool | None = None
    budget_points: int | None = Field(
        default=None, description="good points that may still slip below 二类 and meet the target"
    )


class SeaFigures(Value):
    """Every seawater point and ratio of one period (``YYYY`` or ``YYYY-MM``, CST)."""

    period: str
    demo: bool
    points: list[SeaPoint]
    areas: list[SeaRatio]
    districts: list[SeaRatio]
    city: SeaRatio
