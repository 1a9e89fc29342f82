"""GB 3838-2002 single-factor class with 环办〔2011〕22号 rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stations.standards import item_class, water_class, water_class_period, water_classes
from stations.standards import tables as T
from stations.standards.assumptions import DEFAULT

GOOD = {"pH": 7.2, "DO": 8.0, "CODMn": 1.5, "COD": 10, "BOD5": 2, "NH3N": 0.1, "TP": 0.01}


def test_21_evaluated_items_and_24_table_items() -> None:
    assert len(T.EVALUATED_ITEMS) == 21
    assert "TN" not in T.EVALUATED_ITEMS and "fecal_coliform" not in T.EVALUATED_ITEMS
    assert len(T.WATER_ITEMS) == 23  # + water temperature (no class limits) = 24 basic items


@pytest.mark.parametrize("item", [w.item for w in T.GB3838_TABLE1 if w.direction == "max"])
def test_every_limit_is_inclusive_and_shared_limits_give_better_class(item: str) -> None:
    limits = T.WATER_LIMITS[item].limits
    got = item_class(item, list(limits)).tolist()
    # at each limit the best class whose limit is >= value
    assert got == [limits.index(v) for v in limits]
    above = item_class(item, [limits[-1] * 1.001]).tolist()
    assert above == [5]


def test_cod_15_is_class_i() -> None:
    assert water_class({**GOOD, "COD": 15}).cls == "I"
    assert water_class({**GOOD, "COD": 15.1}).cls == "III"


@pytest.mark.parametrize(
    ("do", "cls"),
    [(7.5, "I"), (7.4, "II"), (6, "II"), (5, "III"), (4.9, "IV"), (3, "IV"), (2, "V"), (1.9, "V+")],
)
def test_do_is_a_lower_bound(do: float, cls: str) -> None:
    assert water_class({**GOOD, "DO": do}).cls == cls


@pytest.mark.parametrize(("ph", "cls"), [(6.0, "I"), (9.0, "I"), (5.9, "V+"), (9.1, "V+")])
def test_ph_outside_6_9_is_worse_than_v(ph: float, cls: str) -> None:
    r = water_class({**GOOD, "pH": ph})
    assert r.cls == cls
    if cls == "V+":
        assert r.deciding == ["pH"] and r.worse_than_iii == ["pH"] and r.cls_zh == "劣Ⅴ"


def test_lake_tp_limits() -> None:
    s = {**GOOD, "TP": 0.06}
    assert water_class(s, "river").cls == "II"
    lake = water_class(s, "lake")
    assert lake.cls == "IV" and lake.deciding == ["TP"] and lake.worse_than_iii == ["TP"]
    assert water_class({**GOOD, "TP": 0.05}, "lake").cls == "III"


def test_tn_and_fecal_coliform_reported_not_classified() -> None:
    r = water_class({**GOOD, "TN": 5.0, "fecal_coliform": 90000})
    assert r.cls == "I" and r.reported == {"TN": "V+", "fecal_coliform": "V+"}
    assert "TN" not in r.deciding and "TN" not in r.worse_than_iii


def test_single_factor_worst_decides_all_ties_listed() -> None:
    r = water_class({**GOOD, "NH3N": 1.2, "COD": 25, "Hg": 0.00004})
    assert r.cls == "IV" and r.deciding == ["COD", "NH3N"]
    assert r.worse_than_iii == ["COD", "NH3N"] and r.meets_iii is False
    assert r.item_classes["Hg"] == "I"


def test_missing_and_bad_items() -> None:
    assert water_class({}).cls is None
    r = water_class({"NH3N": None, "COD": -1.0, "DO": 6.5})
    assert r.cls == "II" and "COD:negative" in r.flags and "NH3N" in r.missing
    with pytest.raises(ValueError, match="NH3-N"):
        water_class({"NH3-N": 1.0})
    with pytest.raises(ValueError, match="waterbody"):
        water_class(GOOD, "sea")


def test_vectorised_matches_scalar() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "pH": rng.uniform(5.5, 9.5, 200),
            "DO": rng.uniform(1, 9, 200),
            "NH3N": rng.uniform(0, 2.5, 200),
            "TP": rng.uniform(0, 0.5, 200),
            "COD": rng.uniform(5, 45, 200),
        }
    )
    body = pd.Series(np.where(np.arange(200) % 2, "lake", "river"), index=frame.index)
    out = water_classes(frame, body)
    for i in range(0, 200, 7):
        one = water_class(frame.iloc[i].to_dict(), body.iloc[i])
        assert out.iloc[i]["cls"] == one.cls
        assert out.iloc[i]["deciding"] == ",".join(one.deciding)


def samples(rows: list[tuple[str, str, float, float, bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["section", "item", "value", "detection_limit", "below_limit"]
    ).assign(time=pd.Timestamp("2026-06-01", tz="UTC"), method="manual")


def test_period_mean_then_classify() -> None:
    s = samples([("A", "NH3N", 0.6, np.nan, False), ("A", "NH3N", 1.3, np.nan, False)])
    out = water_class_period(s)
    assert out.loc["A", "NH3N"] == pytest.approx(0.95) and out.loc["A", "cls"] == "III"
    assert out.loc["A", "n_samples"] == 2


def test_period_half_detection_limit_for_non_detects() -> None:
    s = samples(
        [
            ("A", "Hg", 0.0001, 0.0001, True),  # ND at DL 0.0001 -> 0.00005
            ("A", "Hg", 0.00005, 0.00004, True),  # ND, limit column wins -> 0.00002
            ("B", "Hg", 0.0002, np.nan, True),  # ND without a limit column -> half the value
        ]
    )
    out = water_class_period(s)
    assert out.loc["A", "Hg"] == pytest.approx(0.000035) and out.loc["A", "cls"] == "I"
    assert out.loc["B", "Hg"] == pytest.approx(0.0001) and out.loc["B", "cls"] == "III"


def test_period_waterbody_per_section_and_ph_choice() -> None:
    s = samples(
        [
            ("R", "TP", 0.15, np.nan, False),
            ("L", "TP", 0.15, np.nan, False),
            ("L", "pH", 5.5, np.nan, False),
            ("L", "pH", 7.5, np.nan, False),
        ]
    )
    out = water_class_period(s, {"R": "river", "L": "lake"})
    assert out.loc["R", "cls"] == "III" and out.loc["L", "cls"] == "V"
    worst = water_class_period(
        s, {"R": "river", "L": "lake"}, assumptions=DEFAULT.replace(ph_period="any_sample_outside")
    )
    assert worst.loc["L", "cls"] == "V+" and worst.loc["L", "deciding"] == "pH"
    with pytest.raises(ValueError, match="waterbody"):
        water_class_period(s, {"R": "river"})
