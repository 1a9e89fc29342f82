"""Target budgets: how much room a district has left this year (目标余量).

Pure arithmetic on counts and daily series: no clock, no store, no settings. The service passes the
"as of" day and the targets it read from the store.

Air (优良天数比例, HJ 663 / docs/standards.md §2.4): ratio = valid days with AQI <= 100 / valid days.
For a year of ``N`` days (365 or 366) with ``v`` valid days so far, ``g`` of them excellent/good,
and ``r`` calendar days still to come of which ``k`` are expected to be invalid, the year's
denominator is ``D = v + r - k``. The fewest excellent/good days that still meet the target is
``G*(D)``; the budget (how many more non-excellent/good days can be absorbed) is
``g + (r - k) - G*(D)``. A negative budget means the target can no longer be met ("already
missed"): the absolute value is the number of days too many.

Water (Ⅰ–Ⅲ类断面比例, docs/standards.md §3.3): the number of sections now at Ⅰ–Ⅲ that may slip below Ⅲ
while the section ratio still meets its target.

All arithmetic is exact (``fractions.Fraction``); targets are read from their decimal text so that
``0.97`` means 97/100, never the binary float next to it.

Comparison mode (docs/standards.md U10, a policy choice): ``"full"`` compares the full value
(全数值比较法, 354/365 = 96.986 % does not meet 97 %); ``"rounded"`` compares the value published to
one decimal of a percent (修约值比较法, GB/T 8170 round-half-even: 96.986 % -> 97.0 % meets).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from statistics import NormalDist
from typing import Final, Literal

import numpy as np
import pandas as pd

from stations.ratios import Ratio

CompareMode = Literal["full", "rounded"]

#: Default comparison mode (docs/standards.md U10 is open; the full value is the stricter reading).
DEFAULT_MODE: Final[CompareMode] = "full"

#: AQI at or below this is excellent/good (优良), HJ 633 表2 levels 1-2.
GOOD_AQI_MAX: Final = 100

#: Two-sided coverage of projection intervals.
DEFAULT_COVERAGE: Final = 0.8

TargetLike = Fraction | Decimal | float | str


def as_fraction(target: TargetLike) -> Fraction:
    """Exact fraction of a target given as 0.97, "0.97", Decimal("0.97") or Fraction(97, 100)."""
    if isinstance(target, Fraction):
        return target
    if isinstance(target, float):
        # repr() of a float is its shortest decimal text: 0.97 -> "0.97" -> 97/100.
        return Fraction(repr(target))
    return Fraction(str(target))


def days_in_year(year: int) -> int:
    """365 or 366 (Gregorian)."""
    return 366 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 365


def rounded_percent(numerator: int, denominator: int) -> Fraction:
    """The ratio as published (``stations.ratios.Ratio.percent``: one decimal, GB/T 8170), exact."""
    percent = Ratio(numerator, denominator).percent
    if percent is None:
        raise ValueError("ratio: undefined for an empty denominator")
    return Fraction(percent) / 100


def meets(
    numerator: int, denominator: int, target: TargetLike, mode: CompareMode = DEFAULT_MODE
) -> bool:
    """Whether ``numerator / denominator`` meets ``target`` under the comparison ``mode``.

    Same semantics as ``stations.ratios.Ratio.meets`` (whose rounding it uses), for exact targets.
    An empty denominator meets nothing (the ratio is undefined, docs/standards.md §2.4).
    """
    if denominator <= 0:
        return False
    t = as_fraction(target)
    if mode == "full":
        return Fraction(numerator, denominator) >= t
    if mode == "rounded":
        return rounded_percent(numerator, denominator) >= t
    raise ValueError(f"unknown comparison mode {mode!r}; use 'full' or 'rounded'")


def min_numerator(
    denominator: int, target: TargetLike, mode: CompareMode = DEFAULT_MODE
) -> int | None:
    """Fewest successes out of ``denominator`` that meet ``target``; None when none does."""
    if denominator <= 0:
        return None
    t = as_fraction(target)
    if mode == "full":
        need = max(0, math.ceil(t * denominator))
        return need if need <= denominator else None
    # meets() is monotone in the numerator: binary search on the exact predicate.
    if not meets(denominator, denominator, t, mode):
        return None
    lo, hi = 0, denominator
    while lo < hi:
        mid = (lo + hi) // 2
        if meets(mid, denominator, t, mode):
            hi = mid
        else:
            lo = mid + 1
    return lo


# --------------------------------------------------------------------------------------- air ---


@dataclass(frozen=True, slots=True)
class AirBudget:
    """Room left this year for non-excellent/good days (优良天数目标余量).

    ``budget`` is how many more non-excellent/good days the remaining valid days may contain while
    the year still meets ``target``; negative means already missed by ``-budget`` days.
    ``budget_if_invalid`` is the same with ``expected_invalid`` of the remaining days assumed
    invalid (they leave the denominator).
    """

    year: int
    as_of: dt.date
    target: Fraction
    mode: CompareMode
    days_in_year: int
    elapsed_days: int
    valid_days: int
    good_days: int
    invalid_days: int
    remaining_days: int
    expected_invalid: int
    required_good_days: int | None
    budget: int
    budget_if_invalid: int
    status: Literal["secured", "on_track", "at_risk", "missed"]
    exhausted_on: dt.date | None
    projection: Projection | None

    @property
    def missed(self) -> bool:
        """True when the target can no longer be met even if every remaining day is good."""
        return self.budget < 0


@dataclass(frozen=True, slots=True)
class Projection:
    """Projected year-end ratio with an interval, and where the interval came from."""

    value: float
    low: float
    high: float
    coverage: float
    method: Literal["history", "wilson"]
    years: tuple[int, ...] = ()


def air_budget_counts(
    *,
    good_days: int,
    valid_days: int,
    remaining_days: int,
    target: TargetLike,
    mode: CompareMode = DEFAULT_MODE,
    expected_invalid: int = 0,
) -> tuple[int, int | None]:
    """Budget and required good days from counts alone (see the module docstring).

    Returns ``(budget, required_good_days)``; when the target cannot be met at any count
    (a target above 100 %), the budget is ``-(good_days + remaining valid days) - 1``.
    """
    if min(good_days, valid_days, remaining_days, expected_invalid) < 0 or good_days > valid_days:
        raise ValueError("counts must be non-negative and good_days <= valid_days")
    if expected_invalid > remaining_days:
        raise ValueError("expected_invalid cannot exceed remaining_days")
    future_valid = remaining_days - expected_invalid
    denominator = valid_days + future_valid
    need = min_numerator(denominator, target, mode)
    best = good_days + future_valid
    if need is None:
        return -best - 1, None
    return best - need, need


def _exhaustion_date(
    as_of: dt.date, budget: int, bad_so_far: int, elapsed: int, year_end: dt.date
) -> dt.date | None:
    """Day on which, at the pace so far, the (budget+1)-th further bad day is expected."""
    if budget < 0 or bad_so_far == 0 or elapsed == 0:
        return None
    # Expected further bad days after n calendar days: n * bad_so_far / elapsed.
    n = math.ceil(Fraction((budget + 1) * elapsed, bad_so_far))
    day = as_of + dt.timedelta(days=n)
    return day if day <= year_end else None


def wilson_interval(
    successes: int, trials: int, coverage: float = DEFAULT_COVERAGE
) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion."""
    if trials <= 0:
        raise ValueError("trials must be positive")

    z = NormalDist().inv_cdf(0.5 + coverage / 2)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _daily_frame(daily_aqi: pd.Series) -> pd.Series:
    """Normalise a daily AQI series to a float series indexed by ``datetime.date``."""
    s = pd.Series(np.asarray(daily_aqi, dtype="float64"), index=pd.Index(daily_aqi.index))
    idx = [d.date() if isinstance(d, dt.datetime | pd.Timestamp) else d for d in s.index]
    s.index = pd.Index(idx)
    return s[~s.index.duplicated(keep="last")]


def remaining_fractions(
    history: pd.Series, year: int, as_of: dt.date
) -> dict[int, tuple[int, int]]:
    """Good and valid days of each earlier year over the calendar days after ``as_of``'s month-day.

    A year enters only if it has at least one valid day in that window.
    """
    s = _daily_frame(history)
    if s.empty:
        return {}
    dates = pd.to_datetime(pd.Series(list(s.index)))
    years = dates.dt.year.to_numpy()
    md = (dates.dt.month * 100 + dates.dt.day).to_numpy()
    cut = as_of.month * 100 + as_of.day
    values = s.to_numpy()
    valid = ~np.isnan(values)
    good = valid & (values <= GOOD_AQI_MAX)
    out: dict[int, tuple[int, int]] = {}
    for y in np.unique(years[(years < year)]):
        window = (years == y) & (md > cut)
        n_valid = int(valid[window].sum())
        if n_valid:
            out[int(y)] = (int(good[window].sum()), n_valid)
    return out


def project_year_end(
    *,
    good_days: int,
    valid_days: int,
    future_valid: int,
    history_fractions: Mapping[int, tuple[int, int]] | None = None,
    coverage: float = DEFAULT_COVERAGE,
) -> Projection | None:
    """Projected year-end 优良 ratio with an interval.

    With history: each earlier year's good fraction over the same remaining calendar days gives one
    projection ``(g + f * R) / (v + R)``; the point is their median and the interval their empirical
    quantiles at ``(1 ± coverage) / 2`` (min and max with fewer than three years). Without history:
    the year-so-far fraction with a Wilson score interval. None with neither.
    """
    denominator = valid_days + future_valid
    if denominator == 0:
        return None
    if history_fractions:
        years = tuple(sorted(history_fractions))
        fr = np.array([history_fractions[y][0] / history_fractions[y][1] for y in years])
        proj = (good_days + fr * future_valid) / denominator
        if len(proj) < 3:
            low, high = float(proj.min()), float(proj.max())
        else:
            low, high = (
                float(q) for q in np.quantile(proj, [(1 - coverage) / 2, (1 + coverage) / 2])
            )
        return Projection(float(np.median(proj)), low, high, coverage, "history", years)
    if valid_days == 0:
        return None
    p = good_days / valid_days
    lo, hi = wilson_interval(good_days, valid_days, coverage)
    return Projection(
        (good_days + p * future_valid) / denominator,
        (good_days + lo * future_valid) / denominator,
        (good_days + hi * future_valid) / denominator,
        coverage,
        "wilson",
    )


def _valid_and_good(s: pd.Series, start: dt.date, as_of: dt.date) -> tuple[int, int]:
    """Days of ``start .. as_of`` with a valid AQI, and those of them 优良 (AQI <= 100)."""
    in_year = s[[start <= d <= as_of for d in s.index]] if len(s) else s
    values = in_year.to_numpy(dtype="float64")
    valid = values[~np.isnan(values)]
    return len(valid), int((valid <= GOOD_AQI_MAX).sum())


def _budgets(
    good: int,
    valid: int,
    remaining: int,
    target: TargetLike,
    mode: CompareMode,
    expected_invalid: int,
) -> tuple[int, int | None, int]:
    """The budget, the good days required, and the budget if ``expected_invalid`` of the
    remaining days have no valid AQI."""
    budget, need = air_budget_counts(
        good_days=good, valid_days=valid, remaining_days=remaining, target=target, mode=mode
    )
    budget_inv, _ = air_budget_counts(
        good_days=good,
        valid_days=valid,
        remaining_days=remaining,
        target=target,
        mode=mode,
        expected_invalid=expected_invalid,
    )
    return budget, need, budget_inv


def _budget_status(
    budget: int, remaining: int, as_of: dt.date, bad_so_far: int, elapsed: int, year_end: dt.date
) -> tuple[Literal["secured", "on_track", "at_risk", "missed"], dt.date | None]:
    """Where the year stands, and (at risk) the day the budget runs out at the pace so far."""
    if budget < 0:
        return "missed", None
    if budget >= remaining:
        return "secured", None
    exhausted_on = _exhaustion_date(as_of, budget, bad_so_far, elapsed, year_end)
    return ("at_risk" if exhausted_on is not None else "on_track"), exhausted_on


def air_budget(
    daily_aqi: pd.Series,
    *,
    year: int,
    as_of: dt.date,
    target: TargetLike,
    mode: CompareMode = DEFAULT_MODE,
    expected_invalid: int = 0,
    history: pd.Series | None = None,
    coverage: float = DEFAULT_COVERAGE,
) -> AirBudget:
    """The target budget of one district (or the city) for ``year``, as of the end of ``as_of``.

    ``daily_aqi`` is indexed by CST day with the day's AQI, NaN for a day without a valid AQI;
    days of ``year`` up to ``as_of`` that are absent count as invalid. ``history`` holds earlier
    years' daily AQI for the projection (may include ``daily_aqi`` itself; only years before
    ``year`` are used).
    """
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if as_of < start:
        as_of = start - dt.timedelta(days=1)
    as_of = min(as_of, end)
    valid, good = _valid_and_good(_daily_frame(daily_aqi), start, as_of)
    n_days = days_in_year(year)
    elapsed = (as_of - start).days + 1
    remaining = n_days - elapsed
    expected_invalid = min(expected_invalid, remaining)
    budget, need, budget_inv = _budgets(good, valid, remaining, target, mode, expected_invalid)
    status, exhausted_on = _budget_status(budget, remaining, as_of, valid - good, elapsed, end)
    hist = remaining_fractions(history, year, as_of) if history is not None and remaining else {}
    projection = project_year_end(
        good_days=good,
        valid_days=valid,
        future_valid=remaining - expected_invalid,
        history_fractions=hist,
        coverage=coverage,
    )
    return AirBudget(
        year=year,
        as_of=as_of,
        target=as_fraction(target),
        mode=mode,
        days_in_year=n_days,
        elapsed_days=elapsed,
        valid_days=valid,
        good_days=good,
        invalid_days=elapsed - valid,
        remaining_days=remaining,
        expected_invalid=expected_invalid,
        required_good_days=need,
        budget=budget,
        budget_if_invalid=budget_inv,
        status=status,
        exhausted_on=exhausted_on,
        projection=projection,
    )


# ------------------------------------------------------------------------------------- water ---

#: Classes that count as meeting Ⅲ (GB 3838-2002; 劣Ⅴ is "V+").
CLASSES_AT_OR_BETTER_THAN_III: Final = frozenset({"I", "II", "III"})


@dataclass(frozen=True, slots=True)
class WaterBudget:
    """How many sections now at Ⅰ–Ⅲ may slip below Ⅲ and the Ⅰ–Ⅲ ratio still meet its target."""

    target: Fraction
    mode: CompareMode
    evaluated: int
    at_or_better_than_iii: int
    pending: int
    required: int | None
    budget: int

    @property
    def missed(self) -> bool:
        """True when the target cannot be met even if every pending section meets Ⅲ."""
        return self.budget < 0


def water_budget(
    classes: Iterable[str | None],
    *,
    target: TargetLike,
    mode: CompareMode = DEFAULT_MODE,
    pending: int = 0,
) -> WaterBudget:
    """Section budget for the Ⅰ–Ⅲ类断面比例 (docs/standards.md §3.3).

    ``classes`` are the evaluated sections' classes (``None``: no valid result, left out of the
    denominator). ``pending`` sections not yet evaluated are assumed to meet Ⅲ.
    """
    cls = [c for c in classes if c is not None]
    n = len(cls) + pending
    good = sum(c in CLASSES_AT_OR_BETTER_THAN_III for c in cls) + pending
    budget, need = air_budget_counts(
        good_days=good, valid_days=n, remaining_days=0, target=target, mode=mode
    )
    return WaterBudget(as_fraction(target), mode, len(cls), good - pending, pending, need, budget)


def budget_course(
    daily_aqi: pd.Series,
    *,
    year: int,
    target: TargetLike,
    mode: CompareMode = DEFAULT_MODE,
    through: dt.date | None = None,
) -> pd.DataFrame:
    """Day by day through ``year``: cumulative ratio so far and the budget left after that day.

    Columns ``valid_days, good_days, ratio`` (NaN before the first valid day) and ``budget``, one
    row per calendar day up to ``through`` (default the year's last day). For the report chart.
    """
    start = dt.date(year, 1, 1)
    last = min(through or dt.date(year, 12, 31), dt.date(year, 12, 31))
    days = [start + dt.timedelta(days=i) for i in range((last - start).days + 1)]
    s = _daily_frame(daily_aqi).reindex(pd.Index(days))
    values = s.to_numpy(dtype="float64")
    valid = np.cumsum(~np.isnan(values))
    good = np.cumsum(np.nan_to_num(values, nan=np.inf) <= GOOD_AQI_MAX)
    n_days = days_in_year(year)
    budgets = [
        air_budget_counts(
            good_days=int(g),
            valid_days=int(v),
            remaining_days=n_days - i - 1,
            target=target,
            mode=mode,
        )[0]
        for i, (g, v) in enumerate(zip(good, valid, strict=True))
    ]
    ratio = np.where(valid > 0, good / np.maximum(valid, 1), np.nan)
    return pd.DataFrame(
        {"valid_days": valid, "good_days": good, "ratio": ratio, "budget": budgets},
        index=pd.Index(days, name="day"),
    )
