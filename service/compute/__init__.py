"""Recompute the figures: station days, district/city days and section periods (sole writer of them).

Flow (DESIGN.md): store readings -> ``stations.standards.daily_values`` -> ``station_days`` ->
``stations.standards.district_daily`` -> ``district_days``; store samples -> period means (½ DL for
non-detects) -> ``stations.standards.water_class`` -> ``section_periods``. The summaries read only
the computed tables.

Modules, lowest first: ``cst`` (the standards' CST calendar), ``air_days`` (station and district
days), ``water_periods`` (section periods), ``summaries`` (air and water period figures),
``air_budget`` (the target budget), ``recompute`` (entry points and post-ingest hooks).
Import from the package: the names below are its interface.
"""

from service.compute.air_budget import HISTORY_YEARS, air_budget_for
from service.compute.air_days import station_districts
from service.compute.cst import HJ633_2026_EFFECTIVE, cst_day_bounds, cst_today, ytd_as_of
from service.compute.recompute import (
    BATCH_DAYS,
    RecomputeResult,
    ingest_hook,
    make_ingest_hook,
    mark_all,
    recompute,
    recompute_all,
)
from service.compute.summaries import (
    PRIMARY_GROUPS,
    AirSummary,
    LeftOut,
    SectionResult,
    WaterSummary,
    air_summary,
    district_daily_records,
    district_daily_series,
    water_summary,
    year_daily_aqi,
)
from service.compute.water_periods import period_means
from stations.cst import CST

__all__ = [
    "BATCH_DAYS",
    "CST",
    "HISTORY_YEARS",
    "HJ633_2026_EFFECTIVE",
    "PRIMARY_GROUPS",
    "AirSummary",
    "LeftOut",
    "RecomputeResult",
    "SectionResult",
    "WaterSummary",
    "air_budget_for",
    "air_summary",
    "cst_day_bounds",
    "cst_today",
    "district_daily_records",
    "district_daily_series",
    "ingest_hook",
    "make_ingest_hook",
    "mark_all",
    "period_means",
    "recompute",
    "recompute_all",
    "station_districts",
    "water_summary",
    "year_daily_aqi",
    "ytd_as_of",
]
