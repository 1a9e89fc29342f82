"""The vectorised real-time AQI of a series equals ``hour_aqi`` hour by hour (the oracle), across the
2026-03-01 rule change, with missing values, particle fall-backs and SO2 above 800."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from stations.standards import hour_aqi
from stations.standards.hourly import hour_aqi_series, published, rule_sets
from stations.standards.tables import HJ633_2012, HJ633_2026

KEYS = ("SO2_1h", "NO2_1h", "CO_1h", "O3_1h", "O3_8h", "PM10_1h", "PM10_24h", "PM25_1h",
        "PM25_24h", "SO2_24h")  # fmt: skip


def _series(n: int, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2026-02-27T00:00")  # hours ending 2026-02-27 08:00 CST onwards
    hours = start + np.arange(n).astype("timedelta64[h]")
    scale = {"SO2_1h": 900, "NO2_1h": 300, "CO_1h": 12, "O3_1h": 400, "O3_8h": 300, "PM10_1h": 400,
             "PM10_24h": 300, "PM25_1h": 300, "PM25_24h": 200, "SO2_24h": 300}  # fmt: skip
    conc = {}
    for k in KEYS:
        v = rng.uniform(0, scale[k], n)
        v = np.round(v, 1 if k.startswith("CO") else 0)
        v[rng.uniform(size=n) < 0.15] = np.nan  # gaps
        conc[k] = v
    return hours, conc


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_series_equals_hour_aqi_every_hour(seed: int) -> None:
    hours, conc = _series(24 * 5, seed)
    out = hour_aqi_series(hours, conc)
    assert set(out.standard) == {HJ633_2012, HJ633_2026}
    for i, h in enumerate(hours):
        t = h.astype("datetime64[s]").astype(dt.datetime).replace(tzinfo=dt.UTC)
        given = {k: (None if np.isnan(conc[k][i]) else float(conc[k][i])) for k in KEYS}
        want = hour_aqi(given, t)
        got_aqi = None if np.isnan(out.aqi[i]) else int(out.aqi[i])
        assert got_aqi == want.aqi, (i, t)
        assert (int(out.level[i]) or None) == want.level
        assert out.iaqi_of(i) == want.iaqi, (i, t)
        assert out.primary(i) == want.primary, (i, t)
        assert out.standard[i] == want.standard


def test_rule_set_follows_the_cst_day_of_the_hour_end() -> None:
    # 2026-02-28T16:00Z ends the hour 24:00 CST of 28 Feb (old rules); the next hour is 1 March.
    hours = np.array(["2026-02-28T16:00", "2026-02-28T17:00"], dtype="datetime64[m]")
    assert list(rule_sets(hours)) == [HJ633_2012, HJ633_2026]


def test_published_rounding_is_half_even() -> None:
    # GB/T 8170: 35.5 -> 36, 36.5 -> 36; CO 0.25 -> 0.2, 0.35 -> 0.4
    assert list(published("PM25_1h", np.array([35.5, 36.5, np.nan]))[:2]) == [36.0, 36.0]
    assert list(published("CO_1h", np.array([0.25, 0.35]))) == [0.2, 0.4]
