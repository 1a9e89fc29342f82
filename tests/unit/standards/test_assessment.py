"""HJ 663 assessment statistics: every rule with an oracle worked by hand in the test."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from stations.standards import DEFAULT_ASSUMPTIONS
from stations.standards import assessment_tables as AT
from stations.standards.assessment import (
    assess,
    compare,
    group_means,
    hj663_percentile,
    months_of,
)
from stations.standards.assessment_periods import parse_period

NAN = np.nan
CLEAN = {  # a clean day: every IAQI <= 50
    "SO2_24h": 10.0,
    "NO2_24h": 20.0,
    "PM10_24h": 40.0,
    "CO_24h": 0.5,
    "O3_8h": 80.0,
    "O3_1h": 100.0,
    "PM25_24h": 20.0,
}


def days_of(n: int, **over: list[float] | float) -> dict[str, np.ndarray]:
    """One series of ``n`` clean days, with some indicators replaced."""
    out = {k: np.full((1, n), v) for k, v in CLEAN.items()}
    for k, v in over.items():
        out[k] = np.broadcast_to(np.asarray(v, dtype=float), (n,)).reshape(1, n).copy()
    return out


# ------------------------------------------------------------------------------ percentile ---


def test_percentile_hj663_worked_example() -> None:
    # sorted 2 3 4 4 5 8; k = 1 + 5 x 0.9 = 5.5; m = X5 + (X6 - X5) x 0.5 = 5 + 3 x 0.5 = 6.5
    assert hj663_percentile([3, 4, 8, 2, 5, 4], 90) == pytest.approx(6.5)


def test_percentile_95_of_five() -> None:
    # k = 1 + 4 x 0.95 = 4.8; m = X4 + (X5 - X4) x 0.8 = 4 + 0.8 = 4.8
    assert hj663_percentile([5, 1, 4, 2, 3], 95) == pytest.approx(4.8)


def test_percentile_whole_k_takes_the_value() -> None:
    # n = 11, k = 1 + 10 x 0.9 = 10 exactly: X10 = 10, no interpolation (and no float drift)
    assert hj663_percentile(np.arange(1.0, 12.0), 90) == 10.0


def test_percentile_skips_nan_and_single_and_empty() -> None:
    # valid {10, 20}: k = 1 + 1 x 0.9 = 1.9; m = 10 + 10 x 0.9 = 19
    out = hj663_percentile([[NAN, 20, 10], [7, NAN, NAN], [NAN, NAN, NAN]], 90, axis=1)
    assert out[0] == pytest.approx(19.0)
    assert out[1] == 7.0
    assert np.isnan(out[2])


def test_percentile_ends_and_bad_rank() -> None:
    assert hj663_percentile([4, 9, 1], 0) == 1.0
    assert hj663_percentile([4, 9, 1], 100) == 9.0
    with pytest.raises(ValueError, match="p: percentile rank"):
        hj663_percentile([1, 2], 95.5)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ sufficiency ---


def year_mask(missing_per_month: dict[int, int], year: int = 2025) -> np.ndarray:
    """Valid-day mask of a year with the first k days of each month missing."""
    start = dt.date(year, 1, 1)
    n = (dt.date(year + 1, 1, 1) - start).days
    mask = np.ones(n, dtype=bool)
    for i in range(n):
        d = start + dt.timedelta(days=i)
        if d.day <= missing_per_month.get(d.month, 0):
            mask[i] = False
    return mask


def pm25_year(mask: np.ndarray, year: int = 2025) -> dict[str, object]:
    x = days_of(len(mask))
    x["PM25_24h"][0, ~mask] = NAN
    a = assess(x, dt.date(year, 1, 1))
    return a.as_json(0)["statistics"]["sufficiency"]["PM25"]


def test_year_needs_324_days_as_well_as_every_month() -> None:
    # Missing 4 days in each 31-day month (7 x 4 = 28), 3 in each 30-day month (4 x 3 = 12) and 1 in
    # February: 41 missing, 365 - 41 = 324 valid; every month keeps >= 27 (February 27 >= 25).
    short = {1: 4, 3: 4, 5: 4, 7: 4, 8: 4, 10: 4, 12: 4, 4: 3, 6: 3, 9: 3, 11: 3, 2: 1}
    ok = pm25_year(year_mask(short))
    assert ok == {"days": 324, "required": 324, "sufficient": True, "months_short": []}
    # One more day missing in February: 26 >= 25 still, but 323 < 324 -> insufficient.
    worse = pm25_year(year_mask({**short, 2: 2}))
    assert worse["days"] == 323 and worse["sufficient"] is False and worse["months_short"] == []


def test_month_minimum_27_and_february_25() -> None:
    s = pm25_year(year_mask({1: 5}))  # January 26 valid days < 27
    assert s["sufficient"] is False
    assert s["months_short"] == [{"month": "2025-01", "days": 26, "required": 27}]
    feb = days_of(28)
    feb["PM25_24h"][0, :3] = NAN  # 25 valid days in February 2025: enough
    assert assess(feb, dt.date(2025, 2, 1)).as_json(0)["statistics"]["sufficiency"]["PM25"][
        "sufficient"
    ]
    feb["PM25_24h"][0, 3] = NAN  # 24: not enough
    suff = assess(feb, dt.date(2025, 2, 1)).as_json(0)["statistics"]["sufficiency"]["PM25"]
    assert suff["required"] == 25 and suff["days"] == 24 and suff["sufficient"] is False


def test_part_month_allowed_missing_or_full_minimum() -> None:
    # 10 days of January: a whole January may miss 31 - 27 = 4 days, so 10 - 4 = 6 are required.
    m = months_of(dt.date(2025, 1, 1), 10)
    assert m.labels == ("2025-01",) and m.required.tolist() == [6]
    strict = months_of(
        dt.date(2025, 1, 1), 10, DEFAULT_ASSUMPTIONS.replace(partial_month_rule="full_minimum")
    )
    assert strict.required.tolist() == [27]
    # Leap February 2024: 29 days, may miss 4; a quarter Jan-Mar 2024 needs 27 + 25 + 27.
    q = months_of(dt.date(2024, 1, 1), 91)
    assert q.required.tolist() == [27, 25, 27] and q.covered.tolist() == [31, 29, 31]


def test_insufficient_withheld_when_chosen() -> None:
    x = days_of(28)
    x["PM25_24h"][0, :10] = NAN
    a = DEFAULT_ASSUMPTIONS.replace(insufficient="withhold")
    out = assess(x, dt.date(2025, 2, 1), assumptions=a).as_json(0)["statistics"]
    assert out["PM25"] is None and out["PM10"] == 40.0
    assert assess(x, dt.date(2025, 2, 1)).as_json(0)["statistics"]["PM25"] == 20.0  # flagged


# ------------------------------------------------------------------------------ index ---


def test_composite_index_and_shares() -> None:
    # I = 30/35 + 56/70 + 9/60 + 20/40 + 0.8/4 + 120/160 = (30 + 28 + 5.25 + 17.5 + 7 + 26.25)/35
    #   = 114/35 = 3.2571...; PM2.5 share = 30/114 = 0.2632; the largest sub-index is PM2.5.
    x = days_of(
        31, PM25_24h=30.0, PM10_24h=56.0, SO2_24h=9.0, NO2_24h=20.0, CO_24h=0.8, O3_8h=120.0
    )
    j = assess(x, dt.date(2025, 1, 1)).as_json(0)
    assert j["statistics"]["composite_index"] == 3.26
    assert j["composite"]["sub_index"] == {
        "PM25": 0.86,
        "PM10": 0.8,
        "SO2": 0.15,
        "NO2": 0.5,
        "CO_24h_p95": 0.2,
        "O3_8h_p90": 0.75,
    }
    assert j["composite"]["share"]["PM25"] == pytest.approx(30 / 114, abs=1e-4)
    assert sum(j["composite"]["share"].values()) == pytest.approx(1.0, abs=1e-3)
    assert j["composite"]["largest"] == "PM25"


def test_index_from_published_value_rounded_half_even() -> None:
    # Days alternate 34 and 35: mean 34.5, published (GB/T 8170 half-even) 34 -> sub-index 34/35.
    pm = [34.0, 35.0] * 15
    x = days_of(30, PM25_24h=pm)
    j = assess(x, dt.date(2025, 4, 1)).as_json(0)
    assert j["statistics"]["PM25"] == 34.5 and j["published"]["PM25"] == 34.0
    assert assess(x, dt.date(2025, 4, 1)).sub_index["PM25"][0] == pytest.approx(34 / 35)
    full = DEFAULT_ASSUMPTIONS.replace(index_from_rounded=False)
    assert assess(x, dt.date(2025, 4, 1), assumptions=full).sub_index["PM25"][0] == pytest.approx(
        34.5 / 35
    )


# ------------------------------------------------------------------------------ 2026-03-01 ---


def test_year_spanning_2026_03_01() -> None:
    # PM2.5 65 every day of 2026. Jan-Feb (59 days): GB 3095-2012, 24-h limit 75 -> no exceedance,
    # HJ 633-2012 IAQI 50 + 50 x (65 - 35)/40 = 87.5 -> 88, good. From 1 March (306 days): limit 60
    # -> exceedance; HJ 633-2026 IAQI 100 + 50 x 5/55 = 104.5 -> 105, not good, lost to PM2.5.
    x = days_of(365, PM25_24h=65.0)
    j = assess(x, dt.date(2026, 1, 1)).as_json(0)
    assert j["standards"] == ["HJ633-2012", "HJ633-2026"]
    assert j["editions"] == [AT.GB3095_2012, AT.GB3095_2026_TRANSITION]
    assert j["exceedance_days"]["PM25_24h"] == 306
    assert j["days"]["excellent_good"] == 59 and j["days"]["lost_PM25"] == 306
    assert j["days"]["excellent_good_ratio"] == pytest.approx(59 / 365)
    feb, mar = j["monthly"][1], j["monthly"][2]
    assert feb["exceedance_days"]["PM25_24h"] == 0 and mar["exceedance_days"]["PM25_24h"] == 31
    # The annual mean is judged by the edition of the last day (A2): transition 30, not 35.
    assert j["limit_edition"] == AT.GB3095_2026_TRANSITION
    assert j["limits"]["PM25"] == {"limit": 30, "meets": False}
    assert j["composite"]["sub_index"]["PM25"] == round(65 / 30, 2)
    start = DEFAULT_ASSUMPTIONS.replace(period_limit_edition="start")
    js = assess(x, dt.date(2026, 1, 1), assumptions=start).as_json(0)
    assert js["limits"]["PM25"]["limit"] == 35 and js["composite"]["edition"] == AT.GB3095_2012


def test_limits_by_edition() -> None:
    assert AT.edition_for(dt.date(2026, 2, 28)) == AT.GB3095_2012
    assert AT.edition_for(dt.date(2026, 3, 1)) == AT.GB3095_2026_TRANSITION
    assert AT.edition_for(dt.date(2031, 1, 1)) == AT.GB3095_2026_FINAL
    assert AT.limit("PM25", "24h", AT.GB3095_2012) == 75
    assert AT.limit("PM25", "annual", AT.GB3095_2026_TRANSITION) == 30
    assert AT.limit("PM10", "24h", AT.GB3095_2026_TRANSITION) == 120
    assert AT.limit("SO2", "annual", AT.GB3095_2026_TRANSITION) == 60  # unchanged until 2031
    assert AT.limit("PM25", "annual", AT.GB3095_2026_FINAL) == 25
    assert AT.limit("PM25", "annual", AT.GB3095_2012, grade=1) == 15
    with pytest.raises(ValueError, match="no PM25 8h row"):
        AT.limit("PM25", "8h", AT.GB3095_2012)


# ------------------------------------------------------------------------------ ozone ---


def test_days_lost_and_ratio_without_ozone() -> None:
    # 2025 (HJ 633-2012). Day by day:
    # 1 PM2.5 80 -> IAQI 107: lost to PM2.5          2 O3-8h 200 -> IAQI 137: lost to O3
    # 3 PM2.5 80 and O3-8h 200: lost to both          4 PM10 200 -> IAQI 125: lost to other
    # 5 clean: good                                   6 O3-8h 200 and PM10 200: O3 primary (137 >
    #   125), PM10 exceeds too -> lost to O3 (A9 exceeding: PM2.5 not exceeding)
    pm25 = [80, 20, 80, 20, 20, 20]
    o3 = [80, 200, 200, 80, 80, 200]
    pm10 = [40, 40, 40, 200, 40, 200]
    x = days_of(6, PM25_24h=pm25, O3_8h=o3, PM10_24h=pm10)
    j = assess(x, dt.date(2025, 7, 1)).as_json(0)["days"]
    assert (j["lost_PM25"], j["lost_O3"], j["lost_PM25_O3"], j["lost_other"]) == (1, 2, 1, 1)
    assert j["excellent_good"] == 1 and j["valid"] == 6
    # Without ozone, only day 2 becomes good (day 6 still has PM10 > 100): 2 / 6.
    assert j["good_without_o3"] == 2 and j["ratio_without_o3"] == pytest.approx(2 / 6)
    # Counting every O3-primary day as good forgives day 6 too (and day 3? PM2.5 107 < O3 137: yes).
    prim = DEFAULT_ASSUMPTIONS.replace(ratio_without_o3="o3_primary_days_good")
    jp = assess(x, dt.date(2025, 7, 1), assumptions=prim).as_json(0)["days"]
    assert jp["good_without_o3"] == 4


def test_ozone_season_view() -> None:
    # 2025: O3-8h 170 (> 160) on every day of April..September (183 days), 80 otherwise.
    start = dt.date(2025, 1, 1)
    o3 = np.array(
        [170.0 if 4 <= (start + dt.timedelta(days=i)).month <= 9 else 80.0 for i in range(365)]
    )
    j = assess(days_of(365, O3_8h=o3), start).as_json(0)
    s = j["ozone_season"]
    assert s["days"] == 183 and s["valid"] == 183
    assert s["O3_8h_p90"] == 170.0 and s["O3_8h_exceedance_days"] == 183
    assert s["lost_to_O3"] == 183 and s["excellent_good_ratio"] == 0.0
    assert s["ratio_without_o3"] == 1.0
    # Whole year: 182 good days of 365; the year's p90: k = 1 + 364 x 0.9 = 328.6 -> 170.
    assert j["days"]["excellent_good"] == 182 and j["statistics"]["O3_8h_p90"] == 170.0
    assert j["exceedance_days"]["O3_8h"] == 183


# ------------------------------------------------------------------------------ helpers ---


def test_group_means_of_station_days() -> None:
    labels, means, counts = group_means([[10, NAN], [20, 30], [NAN, NAN]], ["a", "a", "b"])
    assert labels == ("a", "b")
    assert means[0].tolist() == [15.0, 30.0] and np.isnan(means[1]).all()
    assert counts.tolist() == [[2, 1], [0, 0]]


def test_periods_and_comparisons() -> None:
    p = parse_period("2026-03", dt.date(2026, 3, 15))
    assert (p.start, p.end, p.complete) == (dt.date(2026, 3, 1), dt.date(2026, 3, 14), False)
    ya = p.year_ago()
    assert (ya.start, ya.end) == (dt.date(2025, 3, 1), dt.date(2025, 3, 14))
    prev = p.previous()
    assert prev is not None and (prev.start, prev.end) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    q = parse_period("2026Q1", dt.date(2026, 12, 1)).previous()
    assert q is not None and (q.start, q.end, q.label) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
        "2025Q4",
    )
    leap = parse_period("2024-02", dt.date(2026, 1, 1)).year_ago()
    assert (leap.start, leap.end) == (dt.date(2023, 2, 1), dt.date(2023, 2, 28))
    y = parse_period("2026", dt.date(2027, 1, 5))
    assert y.complete and y.whole_year and y.previous() is None
    assert parse_period("2026-ytd", dt.date(2026, 12, 6)).end == dt.date(2026, 12, 5)
    for bad in ("2026-13", "soon"):
        with pytest.raises(ValueError, match="period"):
            parse_period(bad, dt.date(2026, 12, 6))
    with pytest.raises(ValueError, match="no finished day"):
        parse_period("2027", dt.date(2026, 12, 6))


def test_compare_year_on_year() -> None:
    # PM2.5 40 against 50: -10 µg/m³, -20 %; ratio 30/31 against 31/31: -3.2 percentage points.
    cur = assess(days_of(31, PM25_24h=[40.0] * 30 + [80.0]), dt.date(2026, 1, 1)).as_json(0)
    old = assess(days_of(31, PM25_24h=[50.0] * 31), dt.date(2025, 1, 1)).as_json(0)
    c = compare(cur, old)
    assert c is not None
    pm = c["statistics"]["PM25"]
    # current mean = (40 x 30 + 80)/31 = 41.29...
    assert pm["earlier"] == 50.0 and pm["change"] == pytest.approx(1280 / 31 - 50)
    assert pm["change_percent"] == pytest.approx((1280 / 31 - 50) / 50 * 100)
    assert c["ratios"]["excellent_good_ratio"]["change_points"] == pytest.approx(
        (30 / 31 - 1) * 100
    )
    assert c["exceedance_days"]["PM25_24h"] == {"earlier": 0, "change": 1}
    assert compare(cur, None) is None
