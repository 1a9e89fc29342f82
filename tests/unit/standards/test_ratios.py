"""stations.ratios: 优良天数比例, Ⅰ–Ⅲ类断面比例 and their edge cases."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from stations.ratios import (
    Ratio,
    class_iii_ratio,
    days_by_level,
    excellent_good_ratio,
    excellent_ratio,
)


def test_354_of_365_full_vs_rounded() -> None:
    r = Ratio(354, 365)
    assert r.percent == Decimal("97.0") and r.percent_display == "97.0 %"
    assert r.meets(0.97) is False and r.meets(0.97, mode="full") is False
    assert r.meets(0.97, mode="rounded") is True
    assert Ratio(355, 365).meets(0.97) is True


def test_percent_half_even() -> None:
    assert Ratio(1, 16).percent == Decimal("6.2")  # 6.25 -> 6.2
    assert Ratio(3, 16).percent == Decimal("18.8")  # 18.75 -> 18.8
    assert Ratio(27, 29).percent == Decimal("93.1")  # wuyuan.gov.cn example
    assert Ratio(19, 20).meets(0.95) is True


def test_excellent_good_counts_valid_days_only() -> None:
    r = excellent_good_ratio([50, 100, 101, None, float("nan"), 0])
    assert (r.numerator, r.denominator) == (3, 4)
    assert excellent_ratio([50, 51, None]).numerator == 1
    assert excellent_good_ratio(np.array([100.0, 150.0])).value == 0.5


@pytest.mark.parametrize("empty", [[], [None, None], [float("nan")]])
def test_no_valid_day_is_undefined_not_zero(empty: list[object]) -> None:
    r = excellent_good_ratio(empty)
    assert r.value is None and r.percent is None and r.percent_display == "—"
    assert r.meets(0.97) is None


def test_days_by_level() -> None:
    assert days_by_level([0, 50, 51, 100, 101, 201, 301, 500, None]) == {
        1: 2,
        2: 2,
        3: 1,
        4: 0,
        5: 1,
        6: 2,
    }


def test_class_iii_ratio() -> None:
    r = class_iii_ratio(["I", "II", "III", "IV", "V+", None, "Ⅲ", "劣Ⅴ"])
    assert (r.numerator, r.denominator) == (4, 7)
    assert class_iii_ratio([None]).value is None
    with pytest.raises(ValueError, match="VI"):
        class_iii_ratio(["VI"])


def test_ratio_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="numerator"):
        Ratio(5, 3)
    with pytest.raises(ValueError, match="mode"):
        Ratio(1, 2).meets(0.5, mode="nearest")  # type: ignore[arg-type]


def test_meets_default_mode_follows_assumptions() -> None:
    from stations.standards.assumptions import DEFAULT

    r = Ratio(354, 365)
    assert r.meets(0.97, assumptions=DEFAULT.replace(target_mode="rounded")) is True
    assert r.meets(0.97, "full", assumptions=DEFAULT.replace(target_mode="rounded")) is False
