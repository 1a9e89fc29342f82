"""GB 3097-1997 表1 single-factor seawater class: every boundary of every item, worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stations.standards import (
    BelowDetection,
    sea_item_class,
    seawater_class,
    seawater_class_period,
    seawater_classes,
    water_class,
)
from stations.standards import tables as T

#: 表1 upper-bound rows as printed (mg/L), classes 一..四; written out again here as the oracle.
UPPER_BOUNDS: dict[str, tuple[float, float, float, float]] = {
    "COD": (2, 3, 4, 5),
    "BOD5": (1, 3, 4, 5),
    "DIN": (0.20, 0.30, 0.40, 0.50),
    "NH3_nonionic": (0.020, 0.020, 0.020, 0.020),
    "PO4_P": (0.015, 0.030, 0.030, 0.045),
    "Hg": (0.00005, 0.0002, 0.0002, 0.0005),
    "Cd": (0.001, 0.005, 0.010, 0.010),
    "Pb": (0.001, 0.005, 0.010, 0.050),
    "Cr6": (0.005, 0.010, 0.020, 0.050),
    "Cr": (0.05, 0.10, 0.20, 0.50),
    "As": (0.020, 0.030, 0.050, 0.050),
    "Cu": (0.005, 0.010, 0.050, 0.050),
    "Zn": (0.020, 0.050, 0.10, 0.50),
    "Se": (0.010, 0.020, 0.020, 0.050),
    "Ni": (0.005, 0.010, 0.020, 0.050),
    "CN": (0.005, 0.005, 0.10, 0.20),
    "sulfide": (0.02, 0.05, 0.10, 0.25),
    "phenol": (0.005, 0.005, 0.010, 0.050),
    "petroleum": (0.05, 0.05, 0.30, 0.50),
    "HCH": (0.001, 0.002, 0.003, 0.005),
    "DDT": (0.00005, 0.0001, 0.0001, 0.0001),
    "malathion": (0.0005, 0.001, 0.001, 0.001),
    "methyl_parathion": (0.0005, 0.001, 0.001, 0.001),
    "BaP": (0.0000025, 0.0000025, 0.0000025, 0.0000025),  # 0.0025 µg/L
    "LAS": (0.03, 0.10, 0.10, 0.10),
}
CLASSES = ("I", "II", "III", "IV", "IV+")
CLEAN = {"pH": 8.1, "DO": 7.0, "COD": 1.0, "DIN": 0.10, "PO4_P": 0.010, "petroleum": 0.02}


def test_the_table_is_the_printed_table() -> None:
    assert {i: tuple(T.SEA_LIMITS[i].limits) for i in UPPER_BOUNDS} == UPPER_BOUNDS
    assert T.SEA_LIMITS["DO"].limits == (6.0, 5.0, 4.0, 3.0)
    assert T.SEA_LIMITS["pH"].limits == ((7.8, 8.5), (7.8, 8.5), (6.8, 8.8), (6.8, 8.8))
    assert set(T.SEA_ITEMS) == {*UPPER_BOUNDS, "DO", "pH"}


@pytest.mark.parametrize("item", sorted(UPPER_BOUNDS))
def test_at_each_limit_the_best_class_that_allows_it_and_just_past_it_the_next(item: str) -> None:
    limits = UPPER_BOUNDS[item]
    for k, limit in enumerate(limits):
        best = limits.index(limit)  # a limit shared by two classes gives the better one
        assert seawater_class({item: limit}).cls == CLASSES[best], (item, limit)
        just_past = limit * (1 + 1e-6)
        nxt = next((j for j, lim in enumerate(limits) if lim >= just_past), 4)
        assert seawater_class({item: just_past}).cls == CLASSES[nxt], (item, k, just_past)
    assert seawater_class({item: limits[-1] * 1.001}).cls == "IV+"
    assert seawater_class({item: 0.0}).cls == "I"


@pytest.mark.parametrize(
    ("do", "cls"),
    [
        (6.01, "I"),
        (6.0, "II"),  # "溶解氧 > 6": exactly 6 is not 一类
        (5.01, "II"),
        (5.0, "III"),
        (4.0, "IV"),
        (3.01, "IV"),
        (3.0, "IV+"),
        (0.5, "IV+"),
    ],
)
def test_do_is_strictly_greater_than(do: float, cls: str) -> None:
    assert seawater_class({"DO": do}).cls == cls


@pytest.mark.parametrize(
    ("ph", "cls"),
    [
        (7.8, "I"),
        (8.5, "I"),
        (8.1, "I"),
        (7.79, "III"),  # out of 7.8-8.5, inside 6.8-8.8
        (8.51, "III"),
        (6.8, "III"),
        (8.8, "III"),
        (6.79, "IV+"),
        (8.81, "IV+"),
    ],
)
def test_ph_ranges(ph: float, cls: str) -> None:
    assert seawater_class({"pH": ph}).cls == cls


def test_din_is_derived_from_its_three_parts_when_not_given() -> None:
    # 0.12 + 0.02 + 0.09 = 0.23 mg/L as N: above 0.20 (一类), within 0.30 -> 二类.
    got = seawater_class({**CLEAN, "DIN": None, "NO3_N": 0.12, "NO2_N": 0.02, "NH3N": 0.09})
    assert got.values["DIN"] == pytest.approx(0.23)
    assert got.derived == ["DIN"] and got.item_classes["DIN"] == "II" and got.cls == "II"
    # parts summing exactly to a limit: 0.1 + 0.1 + 0.1 = 0.30000000000000004 in floats -> 二类
    assert seawater_class({"NO3_N": 0.1, "NO2_N": 0.1, "NH3N": 0.1}).cls == "II"


def test_a_given_din_wins_over_its_parts_and_incomplete_parts_are_flagged() -> None:
    given_din = seawater_class({"DIN": 0.18, "NO3_N": 0.4, "NO2_N": 0.1, "NH3N": 0.1})
    assert given_din.cls == "I" and given_din.derived == []
    partial = seawater_class({**CLEAN, "DIN": None, "NO3_N": 0.4, "NH3N": 0.1})
    assert "DIN" not in partial.item_classes and "DIN" in partial.missing
    assert partial.flags == ["DIN:parts_missing:NO2_N"]


def test_past_the_class_iv_limit_is_inferior_iv_and_names_the_deciding_items() -> None:
    got = seawater_class({**CLEAN, "DIN": 0.62, "PO4_P": 0.05})
    assert got.cls == "IV+" and got.cls_zh == "劣四类"
    assert got.deciding == ["DIN", "PO4_P"]  # a tie: both, in table order
    assert got.worse_than_ii == ["DIN", "PO4_P"] and got.is_good is False


def test_ties_of_deciding_items_keep_table_order() -> None:
    got = seawater_class({"petroleum": 0.30, "COD": 4.0, "pH": 8.6})
    assert got.cls == "III" and got.deciding == ["pH", "COD", "petroleum"]


def test_below_detection_enters_at_half_its_limit() -> None:
    # Hg < 0.00007: ½ DL = 0.000035 <= 0.00005 -> 一类; Cu < 0.012: 0.006 -> 二类.
    got = seawater_class({"Hg": BelowDetection(0.00007), "Cu": BelowDetection(0.012)})
    assert got.item_classes == {"Hg": "I", "Cu": "II"} and got.cls == "II"


def test_judged_apart_items_never_decide_and_unknown_items_are_named() -> None:
    got = seawater_class({**CLEAN, "water_temp": 31.0, "SS": 400, "fecal_coliform": 90000})
    assert got.cls == "I"
    with pytest.raises(ValueError, match="unknown item 'TP'"):
        seawater_class({"TP": 0.1})


def test_missing_negative_and_empty_samples() -> None:
    assert seawater_class({}).cls is None
    assert seawater_class({"COD": None}).cls is None
    neg = seawater_class({**CLEAN, "COD": -1.0})
    assert "COD" not in neg.item_classes and "COD:negative" in neg.flags and neg.cls == "I"
    assert sea_item_class("COD", [math.inf, math.nan, -0.1]).tolist() == [-1, -1, -1]


def test_meets_target_class() -> None:
    got = seawater_class({**CLEAN, "PO4_P": 0.03})
    assert got.cls == "II"
    assert got.meets("II") and got.meets("IV") and not got.meets("I")
    with pytest.raises(ValueError, match="target"):
        got.meets("IV+")


def test_gb3838_accepts_water_temperature_and_never_lets_it_decide() -> None:
    good = {"pH": 7.2, "DO": 8.0, "CODMn": 1.5, "NH3N": 0.1, "TP": 0.01}
    assert water_class({**good, "water_temp": 35.0}).cls == water_class(good).cls == "I"


def test_period_means_then_class_with_nondetects() -> None:
    samples = pd.DataFrame(
        {
            "section": ["SEA-1"] * 4 + ["SEA-2"] * 2,
            "item": ["DIN", "DIN", "PO4_P", "PO4_P", "DIN", "petroleum"],
            # SEA-1: DIN (0.18 + 0.26) / 2 = 0.22 -> 二类; PO4_P ND<0.004 -> 0.002 and 0.014 -> 0.008
            "value": [0.18, 0.26, None, 0.014, 0.55, 0.04],
            "below_limit": [False, False, True, False, False, False],
            "detection_limit": [np.nan, np.nan, 0.004, np.nan, np.nan, np.nan],
        }
    )
    out = seawater_class_period(samples)
    assert out.loc["SEA-1", "DIN"] == pytest.approx(0.22)
    assert out.loc["SEA-1", "PO4_P"] == pytest.approx(0.008)
    assert out.loc["SEA-1", "cls"] == "II" and out.loc["SEA-1", "deciding"] == "DIN"
    assert out.loc["SEA-2", "cls"] == "IV+" and out.loc["SEA-2", "n_samples"] == 1


_VALUE = st.one_of(st.none(), st.floats(min_value=0, max_value=1.0, allow_nan=False))


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["pH", "DO", "COD", "DIN", "PO4_P", "Cu", "petroleum"]), _VALUE)
)
def test_the_frame_path_equals_the_sample_path(sample: dict[str, float | None]) -> None:
    scaled = {
        k: (None if v is None else v * (10 if k in ("pH", "DO", "COD") else 1))
        for k, v in sample.items()
    }
    one = seawater_class(scaled)
    frame = pd.DataFrame([{k: (np.nan if v is None else v) for k, v in scaled.items()}])
    row = seawater_classes(frame).iloc[0]
    assert row["cls"] == one.cls
    assert (row["deciding"] or "") == ",".join(one.deciding)
