"""Properties of the HJ 663 statistics over generated series."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from stations.standards.assessment import assess, hj663_percentile

values = st.lists(st.one_of(st.none(), st.integers(0, 600).map(float)), min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(values, st.sampled_from([0, 5, 50, 90, 95, 98, 100]))
def test_percentile_is_between_its_neighbours_and_ignores_order(
    raw: list[float | None], p: int
) -> None:
    x = np.array([np.nan if v is None else v for v in raw])
    m = hj663_percentile(x, p)
    valid = np.sort(x[~np.isnan(x)])
    if valid.size == 0:
        assert np.isnan(m)
        return
    assert valid[0] <= m <= valid[-1]
    assert hj663_percentile(x[::-1], p) == m
    # HJ 663's k = 1 + (n-1)p coincides with numpy's 'linear' (type 7) rule.
    assert abs(m - np.percentile(valid, p, method="linear")) < 1e-9


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(28, 92))
def test_day_classes_add_up(seed: int, days: int) -> None:
    rng = np.random.default_rng(seed)
    keys = ("SO2_24h", "NO2_24h", "PM10_24h", "CO_24h", "O3_8h", "O3_1h", "PM25_24h")
    scale = {"CO_24h": 1.5}
    daily = {
        k: np.where(
            rng.random((3, days)) < 0.1, np.nan, rng.gamma(2.0, scale.get(k, 45.0), (3, days))
        )
        for k in keys
    }
    a = assess(daily, dt.date(2026, 2, 10))  # spans 2026-03-01
    c = a.day_counts
    lost = c["lost_PM25"] + c["lost_O3"] + c["lost_PM25_O3"] + c["lost_other"]
    assert (lost == c["non_good"]).all()
    assert (c["excellent_good"] + c["non_good"] == c["valid"]).all()
    assert (c["excellent_good"] <= c["good_without_o3"]).all()
    assert (c["good_without_o3"] <= c["valid"]).all()
    assert (a.day_counts_month["valid"].sum(axis=1) == c["valid"]).all()
