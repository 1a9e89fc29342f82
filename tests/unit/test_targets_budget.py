"""Target budget arithmetic at the edges (issue 5): 365/366 days, invalid days, missed, at target."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from stations.targets import (
    air_budget,
    air_budget_counts,
    as_fraction,
    budget_course,
    days_in_year,
    meets,
    min_numerator,
    project_year_end,
    remaining_fractions,
    rounded_percent,
    water_budget,
)


def _series(start: dt.date, values: list[float]) -> pd.Series:
    return pd.Series(values, index=[start + dt.timedelta(days=i) for i in range(len(values))])


def test_target_text_is_exact() -> None:
    assert as_fraction(0.97) == Fraction(97, 100)
    assert as_fraction("0.95") == Fraction(19, 20)


def test_days_in_year() -> None:
    assert [days_in_year(y) for y in (2025, 2026, 2027, 2028, 1900, 2000)] == [
        365,
        365,
        365,
        366,
        365,
        366,
    ]


def test_exactly_at_target_full_vs_rounded() -> None:
    # 354/365 = 96.986 %: fails 97 % on the full value, meets it on the published 97.0 %.
    assert rounded_percent(354, 365) == Fraction(97, 100)
    assert not meets(354, 365, 0.97, "full")
    assert meets(354, 365, 0.97, "rounded")
    assert min_numerator(365, 0.97, "full") == 355
    assert min_numerator(365, 0.97, "rounded") == 354
    assert min_numerator(366, 0.97, "full") == 356  # 0.97 * 366 = 355.02
    assert min_numerator(366, 0.97, "rounded") == 355  # 355/366 = 96.995 % -> 97.0 %


@pytest.mark.parametrize(
    ("n", "mode", "budget"),
    [(365, "full", 10), (365, "rounded", 11), (366, "full", 10), (366, "rounded", 11)],
)
def test_whole_year_budget_from_the_start(n: int, mode: str, budget: int) -> None:
    b, _ = air_budget_counts(good_days=0, valid_days=0, remaining_days=n, target="0.97", mode=mode)  # type: ignore[arg-type]
    assert b == budget


def test_min_numerator_agrees_with_predicate_everywhere() -> None:
    for den in range(1, 400):
        for mode in ("full", "rounded"):
            need = min_numerator(den, "0.97", mode)  # type: ignore[arg-type]
            assert need is not None
            assert meets(need, den, "0.97", mode)  # type: ignore[arg-type]
            assert need == 0 or not meets(need - 1, den, "0.97", mode)  # type: ignore[arg-type]


def test_budget_365_day_year_mid_year() -> None:
    # 2025, through 30 June (181 days): all valid, 6 bad days. 184 days remain.
    aqi = _series(dt.date(2025, 1, 1), [60.0] * 175 + [120.0] * 6)
    b = air_budget(aqi, year=2025, as_of=dt.date(2025, 6, 30), target=0.97)
    assert (b.days_in_year, b.elapsed_days, b.remaining_days) == (365, 181, 184)
    assert (b.valid_days, b.good_days) == (181, 175)
    assert b.required_good_days == 355
    assert b.budget == 175 + 184 - 355 == 4
    assert b.status == "at_risk"
    # 6 bad days in 181 => the 5th further bad day after ~151 days: 2025-11-28.
    assert b.exhausted_on == dt.date(2025, 6, 30) + dt.timedelta(days=151)


def test_budget_366_day_year() -> None:
    aqi = _series(dt.date(2028, 1, 1), [60.0] * 182)  # through 30 June 2028 (leap year)
    b = air_budget(aqi, year=2028, as_of=dt.date(2028, 6, 30), target=0.97)
    assert (b.days_in_year, b.remaining_days) == (366, 184)
    assert b.budget == 366 - 356 == 10
    assert b.exhausted_on is None and b.status == "on_track"


def test_invalid_days_shrink_the_denominator() -> None:
    # 100 days elapsed: 90 valid (88 good), 10 invalid; 265 remain.
    values = [50.0] * 88 + [150.0] * 2 + [np.nan] * 10
    b = air_budget(
        _series(dt.date(2025, 1, 1), values),
        year=2025,
        as_of=dt.date(2025, 4, 10),
        target=0.97,
        expected_invalid=5,
    )
    assert (b.valid_days, b.good_days, b.invalid_days, b.remaining_days) == (90, 88, 10, 265)
    # remaining all valid: D = 355, need ceil(344.35) = 345, budget = 88 + 265 - 345 = 8
    assert b.budget == 8
    # 5 more invalid: D = 350, need ceil(339.5) = 340, budget = 88 + 260 - 340 = 8
    assert b.budget_if_invalid == 8
    # absent days count as invalid too
    b2 = air_budget(
        _series(dt.date(2025, 1, 1), values[:90]),
        year=2025,
        as_of=dt.date(2025, 4, 10),
        target=0.97,
    )
    assert (b2.valid_days, b2.invalid_days, b2.budget) == (90, 10, 8)


def test_already_missed() -> None:
    aqi = _series(dt.date(2025, 1, 1), [50.0] * 100 + [200.0] * 20)
    b = air_budget(aqi, year=2025, as_of=dt.date(2025, 4, 30), target=0.97)
    # D = 365, need 355, best = 100 + 245 = 345: 10 days too many.
    assert b.budget == -10 and b.missed and b.status == "missed"
    assert b.exhausted_on is None


def test_secured_and_unreachable_target() -> None:
    b, need = air_budget_counts(good_days=360, valid_days=360, remaining_days=5, target=0.97)
    assert b == 365 - 355 and need == 355
    b, need = air_budget_counts(good_days=10, valid_days=10, remaining_days=0, target="1.01")
    assert need is None and b < 0


def test_year_end_exactly_at_target() -> None:
    aqi = _series(dt.date(2025, 1, 1), [50.0] * 354 + [101.0] * 11)
    full = air_budget(aqi, year=2025, as_of=dt.date(2025, 12, 31), target=0.97, mode="full")
    rounded = air_budget(aqi, year=2025, as_of=dt.date(2025, 12, 31), target=0.97, mode="rounded")
    assert full.budget == -1 and full.missed
    assert rounded.budget == 0 and not rounded.missed


def test_projection_from_history_and_wilson() -> None:
    history = pd.concat(
        [
            _series(dt.date(2023, 1, 1), [50.0] * 300 + [150.0] * 65),
            _series(dt.date(2024, 1, 1), [50.0] * 366),
        ]
    )
    fr = remaining_fractions(history, 2025, dt.date(2025, 10, 27))  # day 300 of 2025
    assert fr[2024] == (65, 65) and fr[2023] == (0, 65)
    p = project_year_end(good_days=290, valid_days=300, future_valid=65, history_fractions=fr)
    assert p is not None and p.method == "history" and p.years == (2023, 2024)
    assert p.low == pytest.approx(290 / 365) and p.high == pytest.approx(355 / 365)
    w = project_year_end(good_days=290, valid_days=300, future_valid=65)
    assert w is not None and w.method == "wilson"
    assert w.low < w.value < w.high
    assert w.value == pytest.approx((290 + 290 / 300 * 65) / 365)
    assert project_year_end(good_days=0, valid_days=0, future_valid=0) is None


def test_water_budget() -> None:
    classes = ["II"] * 19 + ["IV"]
    b = water_budget(classes, target=0.95)
    assert (b.evaluated, b.at_or_better_than_iii, b.required, b.budget) == (20, 19, 19, 0)
    assert water_budget(["II"] * 20, target=0.95).budget == 1
    missed = water_budget(["II"] * 18 + ["V+", "IV"], target=0.95)
    assert missed.missed and missed.budget == -1
    assert water_budget([None, "III"], target=0.95).evaluated == 1


def test_budget_course_ends_at_the_final_budget() -> None:
    aqi = _series(dt.date(2025, 1, 1), [50.0] * 350 + [120.0] * 15)
    course = budget_course(aqi, year=2025, target=0.97)
    assert len(course) == 365
    assert course["budget"].iloc[0] == 10
    assert course["budget"].iloc[-1] == 350 - 355
    assert course["ratio"].iloc[-1] == pytest.approx(350 / 365)
