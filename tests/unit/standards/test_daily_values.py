"""daily_values: GB 3095 表4 / HJ 663 validity on hourly series with gaps; district_daily."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stations.standards import daily_values, district_daily
from stations.standards import tables as T
from stations.standards.assumptions import DEFAULT


def hourly(
    station: str = "S1",
    start: str = "2026-06-01",
    days: int = 1,
    **series: np.ndarray | float,
) -> pd.DataFrame:
    """Hours ending 01:00 .. 24:00 CST of ``days`` days; constant 10 unless given."""
    n = 24 * days
    t = pd.date_range(
        pd.Timestamp(start, tz="Asia/Shanghai") + pd.Timedelta(hours=1), periods=n, freq="h"
    )
    cols = {
        p: np.broadcast_to(np.asarray(series.get(p, 10.0), dtype=float), (n,)).copy()
        for p in ("SO2", "NO2", "PM10", "PM25", "CO", "O3")
    }
    cols["CO"] = np.broadcast_to(np.asarray(series.get("CO", 0.5), dtype=float), (n,)).copy()
    return pd.DataFrame({"station": station, "time": t.tz_convert("UTC"), **cols})


def one(frame: pd.DataFrame) -> pd.Series:
    out = daily_values(frame)
    assert len(out) == 1
    return out.iloc[0]


def test_24_hours_end_labelling_and_24h_belongs_to_previous_day() -> None:
    f = hourly(days=2, PM25=np.r_[np.full(24, 30.0), np.full(24, 50.0)])
    out = daily_values(f)
    assert out["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-06-01", "2026-06-02"]
    assert out["PM25_24h"].tolist() == [30.0, 50.0]
    # the value stamped 2026-06-02 00:00 CST is hour 24 of June 1
    assert f["time"].iloc[23] == pd.Timestamp("2026-06-02 00:00", tz="Asia/Shanghai")


@pytest.mark.parametrize(("gap", "valid"), [(4, True), (5, False)])
def test_24h_mean_needs_20_valid_hours(gap: int, valid: bool) -> None:
    pm = np.full(24, 40.0)
    pm[:gap] = np.nan
    row = one(hourly(PM25=pm))
    assert row["n_PM25"] == 24 - gap
    assert row["valid_PM25_24h"] is np.bool_(valid) or row["valid_PM25_24h"] == valid
    assert (row["PM25_24h"] == 40.0) if valid else np.isnan(row["PM25_24h"])


def test_missing_rows_count_as_missing_hours() -> None:
    f = hourly().drop(index=range(0, 5))
    row = one(f)
    assert row["n_SO2"] == 19 and np.isnan(row["SO2_24h"]) and not row["complete"]
    assert "SO2_24h" in row["missing"]


def test_o3_8h_window_needs_6_of_8_hours() -> None:
    # Two days: day 2 has hours 1..8 with 2 missing (6 of 8 -> valid) in window ending 08:00.
    o3 = np.full(48, 50.0)
    o3[24 + 6 : 24 + 8] = np.nan  # hours 7, 8 of day 2 missing
    o3[24 : 24 + 6] = 80.0
    row = daily_values(hourly(days=2, O3=o3)).iloc[1]
    # window ending 08:00 = mean(80 x6) = 80; later windows mix 80 and 50
    assert row["O3_8h"] == 80.0


def test_o3_8h_window_with_5_of_8_is_invalid() -> None:
    from stations.standards import o3_8h_moving

    series = np.array([[1, 2, 3, np.nan, np.nan, np.nan, 7, 8, 9]], dtype=float)
    mean, n = o3_8h_moving(series)
    assert n[0, 7] == 5 and np.isnan(mean[0, 7])
    assert n[0, 8] == 5 and np.isnan(mean[0, 8])
    series[0, 3] = 4
    mean, n = o3_8h_moving(series)
    assert n[0, 7] == 6 and mean[0, 7] == pytest.approx((1 + 2 + 3 + 4 + 7 + 8) / 6)


def test_o3_windows_reach_into_previous_day() -> None:
    from stations.standards import o3_8h_moving

    o3 = np.full((1, 48), np.nan)
    o3[0, 20:24] = 100.0  # last 4 hours of day 1
    o3[0, 24:26] = 100.0  # first 2 hours of day 2
    mean, n = o3_8h_moving(o3)
    assert n[0, 25] == 6 and mean[0, 25] == 100.0  # window ending 02:00 of day 2


def test_mda8_needs_14_of_17_windows() -> None:
    o3 = np.full(24, 88.0)
    o3[11:16] = np.nan  # 5-hour gap: windows ending 14..21 lose >2 hours -> 9 valid windows
    row = one(hourly(O3=o3))
    assert row["n_O3_8h_windows"] == 9
    assert np.isnan(row["O3_8h"]) and not row["valid_O3_8h"]


def test_mda8_fewer_windows_still_valid_above_160() -> None:
    o3 = np.full(24, 188.0)
    o3[11:16] = np.nan
    row = one(hourly(O3=o3))
    assert row["n_O3_8h_windows"] == 9 and row["O3_8h"] == 188.0 and row["valid_O3_8h"]
    assert row["iaqi_O3_8h"] == 126  # 160..215 -> 100..150: 100 + 28 * 50 / 55 = 125.45


def test_mda8_uses_windows_ending_08_to_24_only() -> None:
    o3 = np.full(24, 40.0)
    o3[:7] = 300.0  # hours 1..7: only windows ending before 08:00 hold all of them
    row = one(hourly(O3=o3))
    # window ending 08:00 = (7*300 + 40)/8
    assert row["O3_8h"] == pytest.approx((7 * 300 + 40) / 8)
    assert row["O3_1h"] == 300.0


def test_exact_14_windows_valid() -> None:
    o3 = np.full(24, 60.0)
    o3[20:23] = np.nan  # hours 21..23 missing; 24 present
    row = one(hourly(O3=o3))
    assert row["n_O3_8h_windows"] >= 14 and row["valid_O3_8h"]


def test_o3_1h_max_min_hours_choice() -> None:
    o3 = np.full(24, 150.0)
    o3[:5] = np.nan
    assert np.isnan(one(hourly(O3=o3))["O3_1h"])
    o3[6] = 250.0  # above the 1-h limit: the maximum still counts
    assert one(hourly(O3=o3))["O3_1h"] == 250.0


def test_rule_set_row_wise_across_2026_03_01() -> None:
    out = daily_values(hourly(start="2026-02-28", days=2, PM25=61.0))
    assert out["standard"].tolist() == [T.HJ633_2012, T.HJ633_2026]
    assert out["iaqi_PM25_24h"].tolist() == [83.0, 101.0]
    assert out["aqi"].tolist() == [83.0, 101.0]
    assert out["level"].tolist() == [2, 3]
    assert out["category_zh"].tolist() == ["良", "轻度污染"]
    assert out["primary"].tolist() == ["PM25_24h", "PM25_24h"]
    assert out["exceeding"].tolist() == ["", "PM25_24h"]
    forced = daily_values(hourly(start="2026-02-28", days=2, PM25=61.0), standard="HJ633-2012")
    assert forced["aqi"].tolist() == [83.0, 83.0]


def test_bad_rows_are_rejected_with_reasons_not_dropped_silently() -> None:
    f = hourly()
    f.loc[3, "time"] = f.loc[3, "time"] + pd.Timedelta(minutes=30)
    f.loc[4, "PM25"] = -2.0
    f = pd.concat([f, f.iloc[[5]]], ignore_index=True)
    f["NO2"] = f["NO2"].astype(object)
    f.loc[6, "NO2"] = "n/a"
    out = daily_values(f)
    rej = out.attrs["rejected"]
    assert set(zip(rej["row"], rej["field"], strict=True)) == {
        (3, "time"),
        (4, "PM25"),
        (24, "time"),
        (6, "NO2"),
    }
    assert out.iloc[0]["n_PM25"] == 22 and out.iloc[0]["n_SO2"] == 23


def test_naive_time_is_a_clear_error() -> None:
    f = hourly()
    f["time"] = f["time"].dt.tz_localize(None)
    with pytest.raises(ValueError, match="time"):
        daily_values(f)


def test_several_stations_and_ratio_valid() -> None:
    f = pd.concat([hourly("A", PM25=30.0), hourly("B", PM25=np.nan, PM10=200.0)], ignore_index=True)
    out = daily_values(f).set_index("station")
    assert out.loc["A", "complete"] and out.loc["A", "ratio_valid"]
    assert not out.loc["B", "complete"] and out.loc["B", "ratio_valid"]  # AQI > 100 counts (U8)
    loose = daily_values(
        hourly("C", PM25=np.nan), assumptions=DEFAULT.replace(ratio_day="any_valid")
    )
    assert loose.iloc[0]["ratio_valid"]
    strict = daily_values(hourly("C", PM25=np.nan))
    assert not strict.iloc[0]["ratio_valid"]


def test_district_mean_then_aqi_standards_md_example() -> None:
    """docs/standards.md §2.3: 40 and 82 µg/m³ under 2026 -> mean 61 -> IAQI 101, not mean IAQI 90."""
    f = pd.concat(
        [hourly("A", PM25=40.0), hourly("B", PM25=82.0), hourly("C", PM25=np.nan)],
        ignore_index=True,
    )
    st = daily_values(f)
    assert st.set_index("station")["iaqi_PM25_24h"].loc[["A", "B"]].mean() == 90.0
    d = district_daily(st, {"A": "定海区", "B": "定海区", "C": "定海区"})
    row = d.iloc[0]
    assert row["district"] == "定海区" and row["PM25_24h"] == 61.0
    assert row["n_PM25_24h"] == 2 and row["n_SO2_24h"] == 3 and row["stations"] == 3
    assert row["iaqi_PM25_24h"] == 101 and row["aqi"] == 101 and row["category_zh"] == "轻度污染"
    assert row["standard"] == T.HJ633_2026


def test_district_unmapped_stations_listed_and_rounding_choice() -> None:
    f = pd.concat([hourly("A", PM25=35.2), hourly("B", PM25=35.8), hourly("Z")], ignore_index=True)
    st = daily_values(f)
    d = district_daily(st, {"A": "X", "B": "X"})
    assert d.attrs["unmapped"] == ["Z"] and d.iloc[0]["PM25_24h"] == pytest.approx(35.5)
    assert d.iloc[0]["iaqi_PM25_24h"] == 51
    r = district_daily(
        st, {"A": "X", "B": "X"}, assumptions=DEFAULT.replace(district_mean_rounding="gbt8170")
    )
    assert r.iloc[0]["PM25_24h"] == 36.0 and r.iloc[0]["iaqi_PM25_24h"] == 52


def test_district_o3_order_choice() -> None:
    rng = np.random.default_rng(1)
    a = hourly("A", O3=rng.uniform(20, 200, 24))
    b = hourly("B", O3=rng.uniform(20, 200, 24))
    f = pd.concat([a, b], ignore_index=True)
    st = daily_values(f)
    default = district_daily(st, {"A": "X", "B": "X"}).iloc[0]["O3_8h"]
    assert default == pytest.approx(st["O3_8h"].mean())
    alt = DEFAULT.replace(district_o3_order="mda8_of_mean_hourly")
    with pytest.raises(ValueError, match="hourly"):
        district_daily(st, {"A": "X", "B": "X"}, assumptions=alt)
    city = pd.DataFrame(
        {"station": "X", "time": a["time"], "O3": (a["O3"].to_numpy() + b["O3"].to_numpy()) / 2}
    )
    want = daily_values(city).iloc[0]["O3_8h"]
    got = district_daily(st, {"A": "X", "B": "X"}, hourly=f, assumptions=alt).iloc[0]["O3_8h"]
    assert got == pytest.approx(want)


def test_moving_24h_needs_20_of_24_hours() -> None:
    from stations.standards import moving_24h

    x = np.full((1, 48), 30.0)
    x[0, 24:29] = np.nan  # 5 missing hours inside the window ending at index 30
    mean, n = moving_24h(x)
    assert np.isnan(mean[0, 18]) and n[0, 18] == 19  # series start: earlier hours missing
    assert mean[0, 23] == 30.0 and n[0, 23] == 24
    assert n[0, 30] == 19 and np.isnan(mean[0, 30])
    assert n[0, 47] == 19 and np.isnan(mean[0, 47])
    x[0, 24] = 30.0  # 20 of 24: valid
    mean, n = moving_24h(x)
    assert n[0, 47] == 20 and mean[0, 47] == 30.0
