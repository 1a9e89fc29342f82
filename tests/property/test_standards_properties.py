"""Hypothesis properties of the standards core: monotone, continuous IAQI; AQI = max IAQI; ratios."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from stations.ratios import class_iii_ratio, excellent_good_ratio
from stations.standards import day_aqi, iaqi
from stations.standards import tables as T

PAIRS = [(rs, k) for rs in T.RULE_SETS for k in T.BREAKPOINTS[rs]]
conc = st.floats(min_value=0, max_value=4000, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(pair=st.sampled_from(PAIRS), a=conc, b=conc)
def test_iaqi_never_decreases(pair: tuple[str, str], a: float, b: float) -> None:
    rs, key = pair
    lo, hi = sorted((a, b))
    v, _ = iaqi(key, [lo, hi], rs)
    if not np.isnan(v).any():  # >800 notes under 2012 leave a gap for the substitute
        assert v[0] <= v[1]


@settings(max_examples=200, deadline=None)
@given(pair=st.sampled_from(PAIRS), node=st.integers(min_value=1, max_value=6))
def test_continuous_at_nodes(pair: tuple[str, str], node: int) -> None:
    rs, key = pair
    bp = T.BREAKPOINTS[rs][key]
    if node >= len(bp.conc) - 1:
        node = len(bp.conc) - 2
    c = bp.conc[node]
    eps = 1e-5
    v, _ = iaqi(key, [c - eps, c, c + eps], rs)
    # rounded-up values on either side of a node differ by at most one step
    assert v[0] <= v[1] <= v[2] <= v[1] + 1
    assert v[1] == bp.iaqi[node] and v[0] == bp.iaqi[node]


daily = st.fixed_dictionaries(
    {
        k: st.one_of(st.none(), st.floats(min_value=0, max_value=3000, allow_nan=False))
        for k in T.DAILY_INDICATORS
    }
)


@settings(max_examples=300, deadline=None)
@given(c=daily, rs=st.sampled_from(T.RULE_SETS))
def test_aqi_is_max_iaqi(c: dict[str, float | None], rs: str) -> None:
    r = day_aqi(c, standard=rs)
    if r.iaqi:
        assert r.aqi == max(r.iaqi.values())
        assert all(r.iaqi[p] == r.aqi for p in r.primary)
        assert (r.primary == []) == (r.aqi <= 50)
        assert sorted(r.exceeding) == sorted(k for k, v in r.iaqi.items() if v > 100)
    else:
        assert r.aqi is None


@given(st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=500))))
def test_excellent_good_ratio_in_unit_interval(days: list[int | None]) -> None:
    r = excellent_good_ratio(days)
    assert r.value is None or 0 <= r.value <= 1
    assert (r.value is None) == all(d is None for d in days)


@given(st.lists(st.one_of(st.none(), st.sampled_from(T.WATER_CLASSES))))
def test_class_iii_ratio_in_unit_interval(classes: list[str | None]) -> None:
    r = class_iii_ratio(classes)
    assert r.value is None or 0 <= r.value <= 1


@settings(max_examples=200, deadline=None)
@given(
    pair=st.sampled_from(PAIRS),
    values=st.lists(
        st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)), max_size=20
    ),
)
def test_iaqi_never_raises_and_stays_in_range(
    pair: tuple[str, str], values: list[float | None]
) -> None:
    rs, key = pair
    v, flags = iaqi(key, values, rs)
    assert v.shape == flags.shape == (len(values),)
    ok = ~np.isnan(v)
    assert ((v[ok] >= 0) & (v[ok] <= 500) & (v[ok] == np.floor(v[ok]))).all()
    assert (flags[~ok] != 0).all()


@settings(max_examples=200, deadline=None)
@given(
    sample=st.dictionaries(
        st.sampled_from(T.WATER_ITEMS),
        st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
    ),
    body=st.sampled_from(T.WATERBODIES),
)
def test_water_class_never_raises(sample: dict[str, float | None], body: str) -> None:
    from stations.standards import water_class

    r = water_class(sample, body)
    assert r.cls is None or r.cls in T.WATER_CLASSES
    assert set(r.deciding) <= set(T.EVALUATED_ITEMS)
