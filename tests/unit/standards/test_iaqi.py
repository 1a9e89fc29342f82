"""IAQI (HJ 633 式(1)): every node, between nodes, above range, >800 notes, exactness, bad input."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from stations.standards import IAQIFlag, iaqi, iaqi_raw, rule_set_for
from stations.standards import tables as T
from stations.standards.assumptions import DEFAULT

BOTH = list(T.RULE_SETS)
ROWS = [(rs, row) for rs in BOTH for row in T.BREAKPOINTS[rs].values()]
IDS = [f"{rs}-{row.indicator}" for rs, row in ROWS]


def exact_iaqi(row: T.Breakpoints, c: Fraction) -> int:
    """Oracle: 式(1) in rational arithmetic, rounded up."""
    for (c_lo, c_hi), (i_lo, i_hi) in zip(
        zip(row.conc, row.conc[1:], strict=False),
        zip(row.iaqi, row.iaqi[1:], strict=False),
        strict=True,
    ):
        if c_lo <= c <= c_hi:
            return math.ceil(Fraction(i_hi - i_lo, c_hi - c_lo) * (c - c_lo) + i_lo)
    raise AssertionError(c)


def test_tables_match_standards_md_and_2026_changes_only_pm_node_100() -> None:
    t12, t26 = T.BREAKPOINTS[T.HJ633_2012], T.BREAKPOINTS[T.HJ633_2026]
    assert t12["SO2_24h"].conc == (0, 50, 150, 475, 800, 1600, 2100, 2620)
    assert t12["PM25_24h"].conc[2] == 75 and t26["PM25_24h"].conc[2] == 60
    assert t12["PM10_24h"].conc[2] == 150 and t26["PM10_24h"].conc[2] == 120
    changed = {
        (k, i)
        for k in t12
        for i, (a, b) in enumerate(zip(t12[k].conc, t26[k].conc, strict=True))
        if a != b
    }
    assert changed == {("PM25_24h", 2), ("PM10_24h", 2)}
    assert all(r.standard == T.HJ633_2026 and "表3" in r.clause for r in t26.values())
    assert all(r.standard == T.HJ633_2012 and "表1" in r.clause for r in t12.values())


@pytest.mark.parametrize(("rs", "row"), ROWS, ids=IDS)
def test_every_breakpoint_gives_its_node(rs: str, row: T.Breakpoints) -> None:
    values, flags = iaqi(row.indicator, list(row.conc), rs)
    assert values.tolist() == [float(i) for i in row.iaqi]
    assert not flags.any()


@pytest.mark.parametrize(("rs", "row"), ROWS, ids=IDS)
def test_midpoints_between_breakpoints(rs: str, row: T.Breakpoints) -> None:
    mids = [Fraction(a + b, 2) for a, b in zip(row.conc, row.conc[1:], strict=False)]
    values, _ = iaqi(row.indicator, [float(m) for m in mids], rs)
    assert values.tolist() == [exact_iaqi(row, m) for m in mids]


@pytest.mark.parametrize(("rs", "row"), ROWS, ids=IDS)
def test_exact_rational_sweep(rs: str, row: T.Breakpoints) -> None:
    """Every 0.1 step (0.01 for CO) over the whole table agrees with Fraction arithmetic."""
    den = 100 if row.indicator.startswith("CO") else 10
    k = np.arange(row.conc[-1] * den + 1)
    got, flags = iaqi(row.indicator, k / den, rs)
    assert not flags.any()
    want = [exact_iaqi(row, Fraction(int(i), den)) for i in k]
    bad = np.flatnonzero(got != np.asarray(want, dtype=float))
    assert bad.size == 0, [(k[i] / den, got[i], want[i]) for i in bad[:5]]


@pytest.mark.parametrize(
    ("indicator", "value", "expected"),
    [("CO_24h", 2.2, 55), ("PM25_24h", 4.9, 7), ("O3_8h", 102.4, 52), ("CO_1h", 65.4, 218)],
)
@pytest.mark.parametrize("rs", BOTH)
def test_float_trap_examples(indicator: str, value: float, expected: int, rs: str) -> None:
    assert iaqi(indicator, value, rs).values == expected
    # the naive float formula really is off by one here
    raw = iaqi_raw(indicator, [value], rs)[0]
    assert math.ceil(raw) == expected + 1 or raw == expected


@pytest.mark.parametrize(
    ("indicator", "value", "rs", "expected"),
    [
        ("PM25_24h", 61, T.HJ633_2026, 101),
        ("PM25_24h", 61, T.HJ633_2012, 83),
        ("PM10_24h", 121, T.HJ633_2026, 101),
        ("PM10_24h", 121, T.HJ633_2012, 86),
        ("O3_8h", 161, T.HJ633_2012, 101),
        ("NO2_24h", 25, T.HJ633_2012, 32),
        ("PM25_24h", 75.9, T.HJ633_2012, 102),
        ("CO_24h", 1.9, T.HJ633_2012, 48),
        ("CO_24h", 3.0, T.HJ633_2012, 75),
        ("NO2_1h", 350, T.HJ633_2012, 115),
        ("PM25_1h", 61, T.HJ633_2026, 101),
    ],
)
def test_worked_values(indicator: str, value: float, rs: str, expected: int) -> None:
    assert iaqi(indicator, [value], rs).values[0] == expected


@pytest.mark.parametrize(("rs", "row"), ROWS, ids=IDS)
def test_above_range_capped_or_noted(rs: str, row: T.Breakpoints) -> None:
    values, flags = iaqi(row.indicator, [row.conc[-1] + 0.1, 1e12], rs)
    note = T.ABOVE_800_NOTES[rs].get(row.indicator)
    if note is None:
        assert values.tolist() == [500.0, 500.0]
        assert (flags == IAQIFlag.ABOVE_RANGE).all()
    else:
        assert (flags == IAQIFlag.ABOVE_800).all()
        if rs == T.HJ633_2012:
            assert np.isnan(values).all()
        else:
            assert values.tolist() == [float(note.fixed_iaqi)] * 2


def test_above_800_2026_substitute_choice_behaves_like_2012() -> None:
    a = DEFAULT.replace(above_800_2026="substitute")
    values, flags = iaqi("SO2_1h", [801], T.HJ633_2026, assumptions=a)
    assert np.isnan(values[0]) and flags[0] == IAQIFlag.ABOVE_800
    assert iaqi("SO2_1h", [800], T.HJ633_2026).values[0] == 200
    assert iaqi("O3_8h", [800], T.HJ633_2012).values[0] == 300


def test_bad_input_gives_missing_and_flags_never_raises() -> None:
    values, flags = iaqi("PM25_24h", [10, -1, None, float("nan"), "abc", float("inf"), 20])
    assert values[0] == 15 and values[-1] == 29
    assert np.isnan(values[1:6]).all()
    assert flags.tolist() == [
        0,
        IAQIFlag.NEGATIVE,
        IAQIFlag.MISSING,
        IAQIFlag.MISSING,
        IAQIFlag.INVALID,
        IAQIFlag.INVALID,
        0,
    ]


def test_scalar_and_shape_preserved() -> None:
    assert iaqi("PM25_24h", 35).values.shape == ()
    assert iaqi("PM25_24h", np.zeros((3, 4))).values.shape == (3, 4)


def test_unknown_indicator_and_standard_named_in_error() -> None:
    with pytest.raises(ValueError, match="indicator"):
        iaqi("PM2.5", [1])
    with pytest.raises(ValueError, match="standard"):
        iaqi("PM25_24h", [1], "HJ633-1999")


def test_preround_2026_choice() -> None:
    """U5: off by default (PM2.5 35.5 -> 51); on, GB/T 8170 half-even first (35.5 -> 36 -> 52)."""
    assert iaqi("PM25_24h", [35.5], T.HJ633_2026).values[0] == 51
    on = DEFAULT.replace(preround_2026=True)
    assert iaqi("PM25_24h", [35.5, 34.5], T.HJ633_2026, assumptions=on).values.tolist() == [52, 49]
    assert iaqi("CO_24h", [2.25, 2.35], T.HJ633_2026, assumptions=on).values.tolist() == [55, 60]
    assert iaqi("PM25_24h", [35.5], T.HJ633_2012, assumptions=on).values[0] == 51


def test_ceil_2012_choice_half_even() -> None:
    off = DEFAULT.replace(ceil_2012=False)
    assert iaqi("NO2_24h", [25, 18], T.HJ633_2012, assumptions=off).values.tolist() == [31, 22]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-02-28", T.HJ633_2012),
        ("2026-03-01", T.HJ633_2026),
        ("2013-01-01", T.HJ633_2012),
    ],
)
def test_rule_set_for_day(day: str, expected: str) -> None:
    import datetime as dt

    assert rule_set_for(dt.date.fromisoformat(day)) == expected


def test_rule_set_for_datetime_and_forced_and_default() -> None:
    import datetime as dt

    utc = dt.UTC
    assert rule_set_for(dt.datetime(2026, 2, 28, 15, 59, tzinfo=utc)) == T.HJ633_2012
    assert rule_set_for(dt.datetime(2026, 2, 28, 16, 0, tzinfo=utc)) == T.HJ633_2026
    assert rule_set_for(dt.date(2030, 1, 1), standard="HJ633-2012") == T.HJ633_2012
    assert rule_set_for(standard="hj 633-2026") == T.HJ633_2026
    assert rule_set_for() == T.HJ633_2026
