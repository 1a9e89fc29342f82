"""The zone statistics' joins by position and integer codes give what the plain pandas joins gave.

``role_statistics`` joins readings to members by position and groups by integer codes, and
``hourly_exceedances`` joins each monitor's own limits once; both were plain ``merge`` and
``groupby`` over text keys. The references below are those plain versions, kept here as the
oracle; the inputs are seeded and hold what the staff map's zone layer meets: background
stations shared by every zone, members without readings, invalid hours, a member listed twice,
readings in any order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stations.collectors.zone_monitors import is_invalid_flag
from stations.standards.fugitive import (
    EXCEEDANCE_COLUMNS,
    FugitiveLimit,
    applicable_limits,
    hourly_exceedances,
)
from stations.zone_stats import STAT_COLUMNS, role_statistics

POLLUTANTS = ("NMHC", "NO2", "PM25", "BENZENE", "TOLUENE")


def _reference_statistics(readings: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    if readings.empty or members.empty:
        return pd.DataFrame(columns=list(STAT_COLUMNS))
    valid = readings.loc[readings["valid"].to_numpy(dtype=bool), ["station", "pollutant", "value"]]
    joined = members[["zone", "station", "role"]].merge(valid, on="station")
    if joined.empty:
        return pd.DataFrame(columns=list(STAT_COLUMNS))
    keys = ["zone", "role", "pollutant"]
    grouped = joined.groupby(keys, sort=True)["value"]
    out = pd.DataFrame(
        {
            "n_stations": joined.groupby(keys, sort=True)["station"].nunique(),
            "n_hours": grouped.count(),
            "mean": grouped.mean(),
            "p95": grouped.quantile(0.95, interpolation="linear"),
        }
    ).reset_index()
    out = out.rename(columns={"pollutant": "parameter"})
    bg = out.loc[out["role"] == "background", ["zone", "parameter", "mean"]]
    out = out.merge(bg.rename(columns={"mean": "bg"}), on=["zone", "parameter"], how="left")
    out["diff"] = np.where(out["role"] == "background", np.nan, out["mean"] - out["bg"])
    return out.loc[:, list(STAT_COLUMNS)]


def _reference_exceedances(
    readings: pd.DataFrame, monitors: pd.DataFrame, limits: tuple[FugitiveLimit, ...]
) -> pd.DataFrame:
    rows = [
        (lim.key, lim.parameter, lim.siting, lim.stored_value, kind)
        for lim in limits
        for kind in (lim.zone_kinds or (None,))
    ]
    table = pd.DataFrame(rows, columns=["limit", "pollutant", "siting", "threshold", "zone_kind"])
    valid = readings[readings["valid"].to_numpy(dtype=bool)]
    on = valid.merge(monitors[["station", "siting", "zone", "zone_kind"]], on="station")
    any_zone = table[table["zone_kind"].isna()].drop(columns="zone_kind")
    by_kind = table[table["zone_kind"].notna()]
    joined = pd.concat(
        [
            on.merge(any_zone, on=["pollutant", "siting"]),
            on.merge(by_kind, on=["pollutant", "siting", "zone_kind"]),
        ],
        ignore_index=True,
    )
    hit = joined["value"].to_numpy(dtype=float) > joined["threshold"].to_numpy(dtype=float)
    out = joined.loc[hit].rename(columns={"pollutant": "parameter"})
    out = out.sort_values(["zone", "station", "time", "limit"], kind="stable")
    return out.loc[:, list(EXCEEDANCE_COLUMNS)].reset_index(drop=True)


def _network(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Readings, members and monitors of six zones (two kinds) with two monitors each, two nearby
    stations, three background stations shared by every zone, and a member without readings."""
    rng = np.random.default_rng(seed)
    zones = [f"z{i}" for i in range(6)]
    monitors = pd.DataFrame(
        {
            "station": [f"M{i}{j}" for i in range(6) for j in range(2)],
            "siting": ["boundary", "plant"] * 6,
            "zone": [z for z in zones for _ in range(2)],
            "zone_kind": ["ship_repair_yard" if i < 3 else "port" for i in range(6) for _ in "ab"],
        }
    )
    members = pd.concat(
        [
            monitors.assign(role="monitor")[["zone", "station", "role"]],
            pd.DataFrame({"zone": ["z0", "z1"], "station": ["N1", "N2"], "role": "nearby"}),
            pd.DataFrame(
                [(z, s, "background") for z in zones for s in ("B1", "B2", "B3")],
                columns=["zone", "station", "role"],
            ),
            pd.DataFrame({"zone": ["z2"], "station": ["SILENT"], "role": ["nearby"]}),
            pd.DataFrame({"zone": ["z3"], "station": ["M30"], "role": ["monitor"]}),  # twice
        ],
        ignore_index=True,
    )
    stations = [*monitors["station"], "N1", "N2", "B1", "B2", "B3", "ELSEWHERE"]
    hours = pd.date_range("2026-11-01T01:00Z", periods=48, freq="h")
    keys = pd.MultiIndex.from_product([stations, hours, POLLUTANTS]).to_frame(index=False)
    keys.columns = ["station", "time", "pollutant"]
    keys = keys.sample(frac=0.8, random_state=seed)  # gaps, and rows in no particular order
    scale = keys["pollutant"].map({"NMHC": 6.0, "BENZENE": 600.0, "TOLUENE": 3000.0})
    values = rng.gamma(2.0, 1.0, len(keys)) * scale.fillna(30.0).to_numpy()
    values[rng.random(len(keys)) < 0.02] = np.nan
    readings = keys.assign(value=values, valid=rng.random(len(keys)) > 0.1)
    return readings.reset_index(drop=True), members, monitors


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_role_statistics_as_the_plain_join(seed: int) -> None:
    readings, members, monitors = _network(seed)
    own = monitors.assign(zone=monitors["station"], role="monitor")
    for who in (members, own, members[members["role"] != "monitor"]):
        got = role_statistics(readings, who)
        assert len(got) > 10
        pd.testing.assert_frame_equal(got, _reference_statistics(readings, who), check_exact=True)


def test_role_statistics_without_a_joined_row() -> None:
    readings, members, _ = _network(0)
    nobody = pd.DataFrame({"zone": ["z0"], "station": ["SILENT"], "role": ["nearby"]})
    assert role_statistics(readings, nobody).empty
    assert role_statistics(readings.assign(valid=False), members).empty
    assert list(role_statistics(readings.iloc[0:0], members).columns) == list(STAT_COLUMNS)


@pytest.mark.parametrize("special", [False, True])
def test_hourly_exceedances_as_the_plain_join(special: bool) -> None:
    readings, _, monitors = _network(3)
    limits = applicable_limits(special=special, db33_boundary_nmhc_mg=3.0)
    got = hourly_exceedances(readings, monitors, limits)
    assert len(got) > 20 and set(got["zone"]) == {f"z{i}" for i in range(6)}
    assert "db33_2146_nmhc_boundary" in set(got["limit"])
    pd.testing.assert_frame_equal(got, _reference_exceedances(readings, monitors, limits))


def test_invalid_flags_read_once_per_distinct_flag() -> None:
    flags = pd.Series(["hj212:F", None, "hj212:N", "demo", np.nan, "hj212:M", "hj212:F", ""])
    assert list(is_invalid_flag(flags)) == [True, False, False, False, False, True, True, False]
    assert is_invalid_flag(flags.iloc[0:0]).dtype == bool
