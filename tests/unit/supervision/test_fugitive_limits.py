"""Fugitive-emission limits (GB 37822-2019 附录A, GB 16297-1996 表2, DB33/2146-2018) and the hourly
exceedances of zone monitors, with values worked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from stations.standards.fugitive import (
    GB16297_LIMITS,
    GB37822_LIMITS,
    applicable_limits,
    hourly_exceedances,
)

T0 = pd.Timestamp("2026-11-03T02:00Z")


def _by_key() -> dict[str, float]:
    return {lim.key: lim.stored_value for lim in (*GB37822_LIMITS, *GB16297_LIMITS)}


def test_limit_values_in_stored_units() -> None:
    lim = _by_key()
    # NMHC is stored in mg/m³ as carbon: the standards' numbers unchanged.
    assert lim["gb37822_nmhc_1h"] == 10.0
    assert lim["gb37822_nmhc_single"] == 30.0
    assert lim["gb37822_nmhc_1h_special"] == 6.0
    assert lim["gb37822_nmhc_single_special"] == 20.0
    assert lim["gb16297_nmhc"] == 4.0
    # Aromatics are stored in µg/m³: 0.40 mg/m³ = 400 µg/m³, 2.4 -> 2400, 1.2 -> 1200.
    assert lim["gb16297_benzene"] == pytest.approx(400.0)
    assert lim["gb16297_toluene"] == pytest.approx(2400.0)
    assert lim["gb16297_xylenes"] == pytest.approx(1200.0)


def test_every_limit_cites_its_clause() -> None:
    for lim in applicable_limits():
        assert lim.standard and lim.clause, lim.key


def test_special_limits_replace_the_general_ones() -> None:
    general = {lim.key for lim in applicable_limits()}
    special = {lim.key for lim in applicable_limits(special=True)}
    assert "gb37822_nmhc_1h" in general and "gb37822_nmhc_1h_special" not in general
    assert "gb37822_nmhc_1h_special" in special and "gb37822_nmhc_1h" not in special


def test_db33_value_is_a_setting_and_applies_only_to_yards() -> None:
    limits = applicable_limits(db33_boundary_nmhc_mg=3.5)
    db33 = next(lim for lim in limits if lim.key == "db33_2146_nmhc_boundary")
    assert db33.stored_value == 3.5
    assert db33.zone_kinds == ("ship_repair_yard",)
    assert db33.setting == "ENVMON_DB33_2146_BOUNDARY_NMHC_MG"
    assert all(
        lim.key != "db33_2146_nmhc_boundary" for lim in applicable_limits(db33_applies=False)
    )


def _readings(rows: list[tuple[str, int, str, float, bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(s, T0 + pd.Timedelta(hours=h), p, v, ok) for s, h, p, v, ok in rows],
        columns=["station", "time", "pollutant", "value", "valid"],
    )


MONITORS = pd.DataFrame(
    {
        "station": ["B1", "P1", "PORT1", "B2"],
        "siting": ["boundary", "plant", "port", "boundary"],
        "zone": ["yard_a", "yard_a", "port_x", "port_x"],
        "zone_kind": ["ship_repair_yard", "ship_repair_yard", "port_area", "port_area"],
    }
)


def test_hourly_exceedances_by_hand() -> None:
    readings = _readings(
        [
            ("B1", 0, "NMHC", 3.9, True),  # above DB33 3.5, below GB 16297 4.0
            ("B1", 1, "NMHC", 4.0, True),  # equal to 4.0: not above GB 16297; above DB33 3.5
            ("B1", 2, "NMHC", 4.2, True),  # above both
            ("B1", 3, "NMHC", 9.0, False),  # invalid (HJ 212 flag): never counted
            ("B1", 4, "BENZENE", 401.0, True),  # µg/m³ above 400
            ("P1", 0, "NMHC", 10.5, True),  # above the 1-h 10, below the single 30
            ("P1", 1, "NMHC", 31.0, True),  # above both 10 and 30
            ("PORT1", 0, "NMHC", 50.0, True),  # port: no emission limit
            ("B2", 0, "NMHC", 3.9, True),  # port boundary: GB 16297 only (DB33 is for yards)
            ("B2", 1, "NMHC", 4.1, True),  # above GB 16297
            ("NOT_A_MONITOR", 0, "NMHC", 99.0, True),
        ]
    )
    out = hourly_exceedances(readings, MONITORS, applicable_limits(db33_boundary_nmhc_mg=3.5))
    got = sorted(
        (r.station, int((r.time - T0) / pd.Timedelta(hours=1)), r.limit) for r in out.itertuples()
    )
    assert got == [
        ("B1", 0, "db33_2146_nmhc_boundary"),
        ("B1", 1, "db33_2146_nmhc_boundary"),
        ("B1", 2, "db33_2146_nmhc_boundary"),
        ("B1", 2, "gb16297_nmhc"),
        ("B1", 4, "gb16297_benzene"),
        ("B2", 1, "gb16297_nmhc"),
        ("P1", 0, "gb37822_nmhc_1h"),
        ("P1", 1, "gb37822_nmhc_1h"),
        ("P1", 1, "gb37822_nmhc_single"),
    ]
    assert set(out["zone"]) == {"yard_a", "port_x"}
    benzene = out[out["limit"] == "gb16297_benzene"].iloc[0]
    assert benzene["threshold"] == pytest.approx(400.0) and benzene["value"] == 401.0


def test_no_rows_no_exceedances() -> None:
    empty = _readings([])
    assert hourly_exceedances(empty, MONITORS, applicable_limits()).empty
