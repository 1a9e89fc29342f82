"""Real-time AQI (实时报, HJ 633 §5.2) of a whole hourly series at once: the vectorised form of
:func:`stations.standards.aqi.hour_aqi`, giving the same AQI, IAQI, level and primary pollutants for
every hour (tested hour by hour against it).

Inputs are columns of indicator keys (``SO2_1h, NO2_1h, CO_1h, O3_1h, O3_8h, PM10_1h, PM10_24h,
PM25_1h, PM25_24h, SO2_24h``; µg/m³, CO mg/m³), one value per hour labelled by its END (UTC). Each
hour's rule set follows its CST day (:func:`hour_day`): HJ 633-2012 before 2026-03-01, 2026 after.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from stations.standards import tables as T
from stations.standards.aqi import (
    REALTIME_PM_INPUTS,
    FloatArray,
    IAQIFlag,
    IntArray,
    combine,
    iaqi,
    round_half_even,
)
from stations.standards.assumptions import DEFAULT, Assumptions

#: Matrix columns, in :func:`hour_aqi`'s order: the PM columns hold whichever form was scored.
COLUMNS: Final = ("SO2_1h", "NO2_1h", "CO_1h", "O3_1h", "O3_8h", "PM10", "PM25", "SO2_24h")
_PM: Final = ("PM10", "PM25")


@dataclass(frozen=True, slots=True)
class HourSeries:
    """AQI of each hour: ``aqi`` (NaN = none), ``level`` (0 = none), the IAQI matrix over
    ``COLUMNS`` (NaN where not scored), the indicator key scored in each PM column per hour, the
    primary-pollutant bit sets over ``COLUMNS`` and each hour's rule set."""

    aqi: FloatArray
    level: IntArray
    iaqi: FloatArray
    pm_keys: dict[str, npt.NDArray[np.str_]]
    primary_bits: IntArray
    standard: npt.NDArray[np.str_]

    def keys(self, row: int) -> list[str]:
        """The indicator key of each column in ``row`` (PM columns: the form scored)."""
        return [self.pm_keys[c][row] if c in self.pm_keys else c for c in COLUMNS]

    def primary(self, row: int) -> list[str]:
        """首要污染物 of ``row`` as indicator keys, in :func:`hour_aqi`'s order."""
        bits = int(self.primary_bits[row])
        return [k for j, k in enumerate(self.keys(row)) if bits >> j & 1]

    def iaqi_of(self, row: int) -> dict[str, int]:
        """The integer IAQI of each scored indicator of ``row``."""
        values = self.iaqi[row]
        return {k: int(v) for k, v in zip(self.keys(row), values, strict=True) if not np.isnan(v)}


def rule_sets(hours_utc: npt.NDArray[np.datetime64]) -> npt.NDArray[np.str_]:
    """HJ 633 rule set of each hour (labelled by its end, UTC): by the CST day it belongs to."""
    local = hours_utc.astype("datetime64[h]") + np.timedelta64(8 - 1, "h")
    days = local.astype("datetime64[D]")
    new = days >= np.datetime64(T.HJ633_2026_EFFECTIVE, "D")
    return np.where(new, T.HJ633_2026, T.HJ633_2012)


def _col(conc: Mapping[str, FloatArray], key: str, n: int) -> FloatArray:
    v = conc.get(key)
    return np.full(n, np.nan) if v is None else np.asarray(v, dtype=np.float64)


def hour_aqi_series(
    hours_utc: npt.NDArray[np.datetime64],
    conc: Mapping[str, FloatArray],
    *,
    assumptions: Assumptions = DEFAULT,
) -> HourSeries:
    """Real-time AQI of every hour of one series (see the module docstring)."""
    n = len(hours_utc)
    standard = rule_sets(np.asarray(hours_utc))
    matrix = np.full((n, len(COLUMNS)), np.nan)
    required = np.zeros((n, len(COLUMNS)), dtype=bool)
    pm_keys = {p: np.empty(n, dtype=object) for p in _PM}
    for rs in (T.HJ633_2012, T.HJ633_2026):
        rows = standard == rs
        if not rows.any():
            continue

        def score(key: str, rs: str = rs, rows: npt.NDArray[np.bool_] = rows) -> FloatArray:
            return iaqi(key, _col(conc, key, n)[rows], rs, assumptions=assumptions).values

        for j, key in enumerate(COLUMNS[:5]):
            matrix[rows, j] = score(key)
        required[rows, :4] = True  # SO2, NO2, CO, O3 1-h required; O3 8-h scored when given
        for pol in _PM:
            first, second = REALTIME_PM_INPUTS[rs][pol]
            a, b = _col(conc, first, n)[rows], _col(conc, second, n)[rows]
            use_first = ~np.isnan(a) | np.isnan(b)
            j = COLUMNS.index(pol)
            matrix[rows, j] = np.where(use_first, score(first), score(second))
            required[rows, j] = True
            pm_keys[pol][rows] = np.where(use_first, first, second)
        # SO2 1-h above 800 with no IAQI of its own: the SO2 24-h IAQI stands in (表1 注(2)).
        so2 = _col(conc, "SO2_1h", n)[rows]
        flags = iaqi("SO2_1h", so2, rs, assumptions=assumptions).flags
        sub = ((flags & IAQIFlag.ABOVE_800) > 0) & np.isnan(matrix[rows, 0])
        if sub.any():
            idx = np.flatnonzero(rows)[sub]
            matrix[idx, COLUMNS.index("SO2_24h")] = score("SO2_24h")[sub]
            required[idx, 0] = False
            required[idx, COLUMNS.index("SO2_24h")] = True
    c = combine(matrix, required, assumptions)
    return HourSeries(
        aqi=c.aqi,
        level=c.level,
        iaqi=matrix,
        pm_keys={p: k.astype(str) for p, k in pm_keys.items()},
        primary_bits=c.primary_bits,
        standard=standard,
    )


def published(indicator: str, values: FloatArray) -> FloatArray:
    """Concentrations as the national release publishes them: GB/T 8170 half-even to whole µg/m³,
    CO to 0.1 mg/m³ (``tables.PREROUND_DECIMALS``); NaN kept."""
    return round_half_even(values, T.PREROUND_DECIMALS[indicator.split("_", 1)[0]])


def published_keys(keys: Sequence[str]) -> dict[str, int]:
    """Decimals each indicator is published with (0, CO 1)."""
    return {k: T.PREROUND_DECIMALS[k.split("_", 1)[0]] for k in keys}


__all__ = ["COLUMNS", "HourSeries", "hour_aqi_series", "published", "published_keys", "rule_sets"]
