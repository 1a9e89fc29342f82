"""Demo feed: deterministic per hour, plausible for Zhoushan, round-trips through its payload."""

from __future__ import annotations

import datetime as dt

import httpx
import pandas as pd

from stations.collectors.base import Window
from stations.collectors.demo import DemoCollector, simulate_hours, simulate_samples
from stations.model import READING_COLUMNS

STATIONS = ["1258A", "1259A", "1260A", "DEMO01"]


def utc(*a: int) -> dt.datetime:
    return dt.datetime(*a, tzinfo=dt.UTC)


def test_same_hour_same_value_whatever_the_window() -> None:
    a = simulate_hours(STATIONS, Window(utc(2024, 5, 1), utc(2024, 5, 3)), seed=3)
    b = simulate_hours(STATIONS[::-1], Window(utc(2024, 5, 2), utc(2024, 5, 4)), seed=3)
    key = ["station", "time", "pollutant"]
    both = a.merge(b, on=key)
    assert len(both) > 500
    assert (both["value_x"] == both["value_y"]).all()
    assert list(a.columns) == list(READING_COLUMNS) and set(a["flag"]) == {"demo"}
    assert not simulate_hours(STATIONS, Window(utc(2024, 5, 1), utc(2024, 5, 3)), seed=4).equals(a)


def test_year_is_plausible_for_a_clean_coastal_city() -> None:
    r = simulate_hours(STATIONS, Window(utc(2023, 12, 31, 16), utc(2024, 12, 31, 16)), seed=0)
    w = r.pivot_table(index=["station", "time"], columns="pollutant", values="value").reset_index()
    w["cst"] = w["time"] + pd.Timedelta(hours=8) - pd.Timedelta(minutes=30)
    w = w.sort_values(["station", "time"])
    w["O3_8h"] = w.groupby("station")["O3"].transform(lambda s: s.rolling(8, min_periods=6).mean())
    day = w.groupby(["station", w["cst"].dt.date]).agg(
        pm25=("PM25", "mean"),
        pm10=("PM10", "mean"),
        o3=("O3_8h", "max"),
        no2=("NO2", "mean"),
        co=("CO", "mean"),
    )
    good = (day.pm25 <= 75) & (day.pm10 <= 150) & (day.o3 <= 160) & (day.no2 <= 80) & (day.co <= 4)
    assert 0.93 <= good.mean() <= 0.995
    assert (day.o3 > 160).any() and (day.pm25 > 75).any()  # both kinds of episode occur
    hourly_o3 = w.groupby(w["cst"].dt.hour)["O3"].mean()
    assert 13 <= hourly_o3.idxmax() <= 16  # afternoon ozone peak
    month = day.groupby(pd.to_datetime(day.index.get_level_values(1)).month)
    assert month["pm25"].mean()[1] > 2 * month["pm25"].mean()[7]  # winter particles
    assert month["o3"].mean()[5] > month["o3"].mean()[1]  # spring ozone
    hours = len(w) / len(STATIONS)
    assert 0.95 < hours / 8784 < 1.0  # some outages, not many


def test_collector_round_trip_with_samples() -> None:
    c = DemoCollector(STATIONS, [("ZS-W01", "虹桥水库"), ("ZS-R01", "river")], seed=5)
    window = Window(utc(2024, 1, 1), utc(2024, 3, 1))
    with httpx.Client() as client:
        (payload,) = c.fetch(client, window)
    parsed = c.parse(payload.raw)
    direct = simulate_hours(STATIONS, window, seed=5)
    pd.testing.assert_frame_equal(parsed.readings, direct)
    assert parsed.rejected == []
    samples = simulate_samples([("ZS-W01", "虹桥水库"), ("ZS-R01", "river")], window, seed=5)
    assert len(parsed.samples) == len(samples) == 2 * 2 * 15
    tp = samples[samples["item"] == "TP"].set_index("section")["value"]
    assert tp["ZS-R01"].mean() > tp["ZS-W01"].mean()
    assert samples["below_limit"].any()


def test_demo_sea_samples_are_monthly_deterministic_and_classable() -> None:
    """Seawater: one sample per point per month on the 12th at 10:00 CST (02:00 UTC), the same
    values for any window that holds that month, every point classed under GB 3097."""
    import datetime as dt

    from stations.collectors.base import Window
    from stations.collectors.demo import simulate_sea_samples
    from stations.standards.seawater import seawater_class_period

    points = ["DEMO-SEA-A", "DEMO-SEA-B"]
    year = Window(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    may = Window(dt.datetime(2026, 5, 1, tzinfo=dt.UTC), dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    whole = simulate_sea_samples(points, year, seed=0)
    times = sorted(set(whole["time"]))
    assert len(times) == 12 and all(t.day == 12 and t.hour == 2 for t in times)
    in_may = whole[whole["time"].dt.month == 5].reset_index(drop=True)
    assert in_may.equals(simulate_sea_samples(points, may, seed=0))
    assert set(whole["item"]) >= {"pH", "DO", "COD", "DIN", "PO4_P", "petroleum"}
    classes = seawater_class_period(whole)
    assert set(classes.index) == set(points)
    assert classes["cls"].isin(["I", "II", "III", "IV", "IV+"]).all()
