"""National standards core: HJ 633 AQI, GB 3095/HJ 663 validity, GB 3838 water class, GB 3097
seawater class.

Pure and vectorised (numpy/pandas): no I/O, no clock, no settings. Uncertain rules are named choices
in :class:`~stations.standards.assumptions.Assumptions` (see ``docs/assumptions.md``).
"""

from stations.standards.aqi import (
    HOURLY_INDICATORS,
    REALTIME_PM_INPUTS,
    DayAQI,
    IAQIFlag,
    IAQIResult,
    aqi_level,
    bits_to_names,
    combine,
    daily_indicators,
    day_aqi,
    hour_aqi,
    iaqi,
    iaqi_raw,
    level_info,
    round_half_even,
)
from stations.standards.assumptions import DEFAULT as DEFAULT_ASSUMPTIONS
from stations.standards.assumptions import Assumptions
from stations.standards.seawater import (
    BelowDetection,
    SeaWaterClass,
    sea_item_class,
    seawater_class,
    seawater_class_period,
    seawater_classes,
)
from stations.standards.tables import (
    DAILY_INDICATORS,
    HJ633_2012,
    HJ633_2026,
    normalise_standard,
    rule_set_for,
)
from stations.standards.validity import (
    daily_arrays,
    daily_values,
    district_daily,
    moving_24h,
    moving_mean,
    o3_8h_moving,
    score_days,
    standards_for_days,
)
from stations.standards.water import (
    WaterClass,
    item_class,
    period_means,
    water_class,
    water_class_period,
    water_classes,
)

__all__ = [
    "BelowDetection",
    "SeaWaterClass",
    "sea_item_class",
    "seawater_class",
    "seawater_class_period",
    "seawater_classes",
    "DAILY_INDICATORS",
    "HOURLY_INDICATORS",
    "REALTIME_PM_INPUTS",
    "bits_to_names",
    "daily_indicators",
    "DEFAULT_ASSUMPTIONS",
    "HJ633_2012",
    "HJ633_2026",
    "Assumptions",
    "DayAQI",
    "IAQIFlag",
    "IAQIResult",
    "WaterClass",
    "aqi_level",
    "combine",
    "daily_arrays",
    "daily_values",
    "day_aqi",
    "district_daily",
    "hour_aqi",
    "iaqi",
    "iaqi_raw",
    "item_class",
    "level_info",
    "normalise_standard",
    "moving_24h",
    "moving_mean",
    "o3_8h_moving",
    "period_means",
    "round_half_even",
    "rule_set_for",
    "score_days",
    "standards_for_days",
    "water_class",
    "water_class_period",
    "water_classes",
]
