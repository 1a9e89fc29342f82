"""Every uncertain rule of the standards core, as one named choice (docs/standards.md §7, U1..U14).

The defaults are the team's documented reading; ``docs/assumptions.md`` lists each one with its source
and how to change it. Pass ``Assumptions(...)`` (or ``DEFAULT.replace(...)``) to a public function to
change a choice for that call; the service builds one from its settings. Nothing here reads settings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

MissingPollutantRule = Literal["max_available", "na_unless_exceeding"]
RatioDayRule = Literal["all_six_or_exceeding", "any_valid"]
Above800Rule2026 = Literal["fixed", "substitute"]
DistrictO3Order = Literal["mean_of_station_mda8", "mda8_of_mean_hourly"]
MeanRounding = Literal["none", "gbt8170"]
PhPeriodRule = Literal["mean", "any_sample_outside"]
TargetMode = Literal["full", "rounded"]
PeriodLimitEdition = Literal["end", "start"]
CompositeLimits = Literal["period_edition", "GB3095-2012"]
LimitCompare = Literal["full", "rounded"]
PartialMonthRule = Literal["allowed_missing", "full_minimum"]
InsufficientRule = Literal["flag", "withhold"]
RatioWithoutO3 = Literal["o3_only_days_good", "o3_primary_days_good"]
LostDayRule = Literal["exceeding", "primary"]


@dataclass(frozen=True, slots=True)
class Assumptions:
    """The named choices; field names are the names used in ``docs/assumptions.md``."""

    # U2: HJ 633-2026 表3 notes b/c as reported: SO2-1h > 800 -> IAQI 200, O3-8h > 800 -> IAQI 300
    # ("fixed"); "substitute" keeps the 2012 rule (use SO2 24-h / O3 1-h IAQI) under 2026 too.
    above_800_2026: Above800Rule2026 = "fixed"
    # U3: whether the O3 daily maximum 1-h takes part in the daily AQI under HJ 633-2026.
    daily_o3_1h_2026: bool = True
    # U4: IAQI rounded up (ceil) under HJ 633-2012 as under 2026 §4.2.6. False = round half-even.
    ceil_2012: bool = True
    # U5: round concentrations (GB/T 8170, half-even; CO to 0.1, others to 1) before IAQI, 2026 only.
    preround_2026: bool = False
    # U6: AQI of a day/hour with a missing indicator: max of the available IAQIs (flagged), or the
    # reported HJ 633-2026 §5.3.1 rule (no AQI when the available AQI <= 100).
    missing_pollutant: MissingPollutantRule = "max_available"
    # U7: district/city O3 8-h: mean of station MDA8 values, or MDA8 of the district hourly mean.
    district_o3_order: DistrictO3Order = "mean_of_station_mda8"
    # U5/U7: round the district mean concentration before IAQI.
    district_mean_rounding: MeanRounding = "none"
    # U8: which days count in the 优良天数比例 denominator.
    ratio_day: RatioDayRule = "all_six_or_exceeding"
    # U9: keep dust-affected days in the ratio (CNEMC practice); informational, no dust input yet.
    ratio_keeps_dust_days: bool = True
    # U10: compare a ratio with its target on the full value or on the published (rounded) value.
    target_mode: TargetMode = "full"
    # U11: pH over a period: mean of the samples, or 劣Ⅴ if any sample is outside 6-9.
    ph_period: PhPeriodRule = "mean"
    # U11: minimum samples per item for a period value (1 = any; year evaluations may want 8).
    min_samples_per_item: int = 1
    # U12: non-detects enter period means at this fraction of the detection limit.
    nondetect_fraction: float = 0.5
    # U13: DO class Ⅰ limit 7.5 mg/L (the "90 % saturation" alternative is not computed).
    do_class_i_limit: float = 7.5
    # U14: English category names (not in the standard) follow CNEMC/OpenAQ usage.
    english_names: Literal["cnemc"] = "cnemc"
    # Not in the register: O3 daily maximum 1-h needs this many valid hours, unless it exceeds the
    # IAQI-100 node (a measured hour above the limit already proves an exceeding day).
    o3_1h_max_min_hours: int = 20

    # --- HJ 663 assessment statistics (issue 15; docs/assessment.md, A1..A10) ---
    # A1: GB 3095 grade whose limits the assessment uses (2 = 二级, class-2 zones, the city rule).
    limit_grade: int = 2
    # A2: for a period spanning an edition change (a year across 2026-03-01), the annual/percentile
    # statistics are judged by the edition in force on the period's last day ("end") or first day.
    period_limit_edition: PeriodLimitEdition = "end"
    # A3: composite index denominators: the period's edition (A2), or GB 3095-2012 throughout.
    composite_limits: CompositeLimits = "period_edition"
    # A4: the composite index from the published (GB/T 8170 rounded) statistics (ranking practice)
    # rather than the full values.
    index_from_rounded: bool = True
    # A5: an exceedance day (超标) compares the full daily value with the limit (> limit), or the
    # value rounded like a published one (修约值比较法).
    exceedance_compare: LimitCompare = "full"
    # A6: a month only partly inside the period (quarter or year to date in progress) may miss as
    # many days as a whole month may ("allowed_missing"), or needs the whole-month minimum.
    partial_month_rule: PartialMonthRule = "allowed_missing"
    # A7: a statistic without sufficient data is shown and flagged ("flag") or withheld (None).
    insufficient: InsufficientRule = "flag"
    # A8: the ratio without ozone counts as good the non-good days that ozone alone makes non-good
    # (every other IAQI <= 100), or every day whose primary pollutant includes O3.
    ratio_without_o3: RatioWithoutO3 = "o3_only_days_good"
    # A9: days lost to PM2.5 / O3 / both / others are classified by the exceeding pollutants
    # (IAQI > 100) or by the primary pollutants of the day.
    lost_day_rule: LostDayRule = "exceeding"
    # A10: the ozone season months (the bureau's reporting convention, not a standard).
    ozone_season_months: tuple[int, ...] = (4, 5, 6, 7, 8, 9)
    # A11: 同比/环比 of the composite index recomputes the earlier period with the current period's
    # limits (like for like), so an edition change is not reported as a change in the air.
    compare_like_for_like: bool = True

    def replace(self, **changes: Any) -> Assumptions:
        """A copy with some choices changed (unknown names raise ``TypeError``)."""
        return dataclasses.replace(self, **changes)


DEFAULT = Assumptions()
