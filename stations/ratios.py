"""Ratio arithmetic: 优良天数比例 (excellent/good-day ratio) and Ⅰ–Ⅲ类断面比例 (Class III ratio).

A ratio is undefined (``value is None``) when nothing valid was counted, never 0 or 100 %.
Published to one decimal of a percent (GB/T 8170, round half to even); a target is compared on the
full value by default (354/365 = 96.986 % does not meet 97 %), or on the published value (U10).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from stations.standards import tables as T
from stations.standards.aqi import aqi_level
from stations.standards.assumptions import DEFAULT, Assumptions


@dataclass(frozen=True, slots=True)
class Ratio:
    """``numerator / denominator``; ``value`` in [0, 1] or None when the denominator is 0."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if self.denominator < 0 or not 0 <= self.numerator <= max(self.denominator, 0):
            raise ValueError(
                f"ratio: need 0 <= numerator <= denominator, got {self.numerator}/{self.denominator}"
            )

    @property
    def value(self) -> float | None:
        """The full value in [0, 1]; None when undefined."""
        return None if self.denominator == 0 else self.numerator / self.denominator

    @property
    def exact(self) -> Fraction | None:
        """The exact value as a fraction; None when undefined."""
        return None if self.denominator == 0 else Fraction(self.numerator, self.denominator)

    @property
    def percent(self) -> Decimal | None:
        """Percent rounded to one decimal, GB/T 8170 half-even (e.g. ``Decimal("96.9")``)."""
        exact = self.exact
        if exact is None:
            return None
        # round() of a Fraction is exact and rounds half to even: no float in the way.
        tenths = round(exact * 1000)
        return Decimal(tenths).scaleb(-1)

    @property
    def percent_display(self) -> str:
        """``"96.9 %"``-style text; ``"—"`` when undefined."""
        p = self.percent
        return "—" if p is None else f"{p} %"

    def meets(
        self,
        target: float | str | Decimal,
        mode: Literal["full", "rounded"] | None = None,
        *,
        assumptions: Assumptions = DEFAULT,
    ) -> bool | None:
        """Whether the ratio reaches ``target`` (a fraction, e.g. 0.97). ``mode="full"``: the exact
        value (GB/T 8170 全数值比较法); ``"rounded"``: the published one-decimal percent (修约值比较法);
        None: ``assumptions.target_mode`` (U10, default full). None when the ratio is undefined."""
        mode = assumptions.target_mode if mode is None else mode
        exact = self.exact
        if exact is None:
            return None
        goal = Fraction(Decimal(str(target)))
        if mode == "full":
            return exact >= goal
        if mode == "rounded":
            p = self.percent
            assert p is not None
            return Fraction(p) / 100 >= goal
        raise ValueError(f"mode: {mode!r} is not 'full' or 'rounded'")


def _aqi_array(daily_aqi: Sequence[int | None] | npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Float array of daily AQI values; None and non-numbers become NaN (not valid days)."""
    try:
        return np.asarray(daily_aqi, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        obj = pd.Series(np.asarray(daily_aqi, dtype=object).ravel())
        return pd.to_numeric(obj, errors="coerce").to_numpy(dtype=np.float64)


def excellent_good_ratio(daily_aqi: Sequence[int | None] | npt.ArrayLike) -> Ratio:
    """优良天数比例: valid days with AQI <= 100 / valid days (None/NaN days are not valid days)."""
    a = _aqi_array(daily_aqi)
    valid = ~np.isnan(a) & (a >= 0)
    return Ratio(int((valid & (a <= T.EXCELLENT_GOOD_MAX)).sum()), int(valid.sum()))


def excellent_ratio(daily_aqi: Sequence[int | None] | npt.ArrayLike) -> Ratio:
    """优 days (AQI <= 50) / valid days."""
    a = _aqi_array(daily_aqi)
    valid = ~np.isnan(a) & (a >= 0)
    return Ratio(int((valid & (a <= T.EXCELLENT_MAX)).sum()), int(valid.sum()))


def days_by_level(daily_aqi: Sequence[int | None] | npt.ArrayLike) -> dict[int, int]:
    """Valid days per HJ 633 level 1..6 (every level present, zeros included)."""
    a = _aqi_array(daily_aqi)
    lv = aqi_level(np.where(a >= 0, a, np.nan))
    counts = np.bincount(lv, minlength=len(T.AQI_LEVELS) + 1)
    return {level.level: int(counts[level.level]) for level in T.AQI_LEVELS}


_CLASS_ALIASES = {
    **{c: c for c in T.WATER_CLASSES},
    **{v: k for k, v in T.WATER_CLASS_ZH.items()},
    **{v + "类": k for k, v in T.WATER_CLASS_ZH.items()},
    "劣V": "V+",
    "劣Ⅴ类": "V+",
}


def class_iii_ratio(classes: Sequence[str | None]) -> Ratio:
    """Ⅰ–Ⅲ类断面比例: sections at Ⅰ..Ⅲ / sections evaluated (None = not evaluated, left out).

    Accepts ``"I".."V", "V+"`` and the Chinese forms (Ⅲ, 劣Ⅴ, Ⅲ类); anything else raises
    ``ValueError`` naming the value."""
    good = total = 0
    for c in classes:
        if c is None or (isinstance(c, float) and np.isnan(c)):
            continue
        key = _CLASS_ALIASES.get(str(c).strip())
        if key is None:
            raise ValueError(f"classes: {c!r} is not a water class (I..V, V+ or Ⅰ..Ⅴ, 劣Ⅴ)")
        total += 1
        good += key in T.CLASS_III_OR_BETTER
    return Ratio(good, total)
