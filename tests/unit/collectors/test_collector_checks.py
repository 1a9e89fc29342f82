"""The shared row rules: each rejection names its field and rule; PM2.5 > PM10 is flagged, kept."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from stations.collectors._checks import FLAG_PM25_GT_PM10, check_readings, parse_aware_times

T0 = pd.Timestamp("2024-03-05T02:00:00Z")


def frame(rows: list[tuple[str, pd.Timestamp | None, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "station": [r[0] for r in rows],
            "time": pd.to_datetime(pd.Series([r[1] for r in rows]), utc=True),
            "pollutant": [r[2] for r in rows],
            "value": [r[3] for r in rows],
            "flag": "",
        }
    )


def test_each_rule_rejects_with_a_named_reason() -> None:
    rows = [
        ("A", T0, "CO", 800.0),  # µg/m³ under a mg/m³ label
        ("A", T0, "SO2", -3.0),
        ("A", T0, "PM25", 5000.0),
        ("A", T0, "NO2", float("nan")),
        ("A", None, "O3", 50.0),
        ("A", T0 + pd.Timedelta(hours=5), "O3", 50.0),  # future
        ("B", T0, "O3", 40.0),
        ("B", T0, "O3", 41.0),  # duplicate hour
    ]
    accepted, rejected = check_readings(frame(rows), now=dt.datetime(2024, 3, 5, 3, tzinfo=dt.UTC))
    reasons = {r.reason.split(" (")[0].split(":")[0] + ":" + r.field for r in rejected}
    assert len(rejected) == 7
    assert all(r.field in {"value", "time"} for r in rejected)
    text = " | ".join(r.reason for r in rejected)
    assert "likely sent in µg/m³" in text
    assert "negative" in text
    assert "physical ceiling" in text
    assert "not a number" in text
    assert "missing or unparseable" in text
    assert "in the future" in text
    assert "duplicated hour" in text and "first kept" in text
    assert reasons
    assert accepted[["station", "pollutant", "value"]].values.tolist() == [["B", "O3", 40.0]]


def test_pm25_above_pm10_is_flagged_and_kept() -> None:
    accepted, rejected = check_readings(frame([("A", T0, "PM25", 80.0), ("A", T0, "PM10", 60.0)]))
    assert rejected == []
    assert set(accepted["flag"]) == {FLAG_PM25_GT_PM10}


def test_times_without_zone_are_not_guessed() -> None:
    times, naive = parse_aware_times(
        pd.Series(["2024-03-05T02:00:00Z", "2024-03-05T02:00:00", "2024-03-05T10:00:00+08:00"])
    )
    assert naive.tolist() == [False, True, False]
    assert times[0] == times[2]
    assert pd.isna(times[1])
