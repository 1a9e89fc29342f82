"""Real-time AQI against the Beijing municipal (BJMEMC) published hourly AQI, January 2015.

Source: ../shared/validation/quotsoft_beijing_bjmemc (SOURCES.md §3): 35 stations, 1-h SO2, NO2, CO,
O3 and 24-h moving PM means with the official AQI (HJ 633-2012). The agreement rate is measured, not
forced; SOURCES.md measured 99.8 % for January with the same rule.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stations.standards import combine, hour_aqi, iaqi

pytestmark = pytest.mark.realdata

INPUTS = {  # our indicator key -> quotsoft row type
    "SO2_1h": "SO2",
    "NO2_1h": "NO2",
    "CO_1h": "CO",
    "O3_1h": "O3",
    "PM10_24h": "PM10_24h",
    "PM25_24h": "PM2.5_24h",
}


def load_month(folder: Path, month: str) -> pd.DataFrame:
    """Long rows: date, hour, station, one column per quotsoft type."""
    frames = []
    for kind in ("all", "extra"):
        for f in sorted(folder.glob(f"beijing_{kind}_{month}*.csv")):
            frames.append(pd.read_csv(f))
    raw = pd.concat(frames, ignore_index=True)
    long = raw.melt(id_vars=["date", "hour", "type"], var_name="station", value_name="value")
    return long.pivot_table(
        index=["date", "hour", "station"], columns="type", values="value", aggfunc="first"
    ).reset_index()


@pytest.fixture(scope="module")
def january(validation_dir: Path) -> pd.DataFrame:
    return load_month(validation_dir / "quotsoft_beijing_bjmemc", "201501")


def test_vectorised_realtime_aqi_matches_published_january(january: pd.DataFrame) -> None:
    df = january.dropna(subset=["AQI", *INPUTS.values()])
    mat = np.stack(
        [iaqi(k, df[col].to_numpy(), "HJ633-2012").values for k, col in INPUTS.items()], axis=1
    )
    ours = combine(mat, np.ones(len(INPUTS), dtype=bool)).aqi
    published = df["AQI"].to_numpy()
    agree = np.mean(ours == published)
    within_one = np.mean(np.abs(ours - published) <= 1)
    print(
        f"BJMEMC Jan 2015: {len(df)} station-hours, exact {agree:.4f}, within 1: {within_one:.4f}"
    )
    assert len(df) > 20_000
    assert agree >= 0.99
    assert within_one >= 0.995


def test_hour_aqi_public_function_on_a_sample(january: pd.DataFrame) -> None:
    df = january.dropna(subset=["AQI", *INPUTS.values()]).iloc[::97]
    hits = 0
    for _, row in df.iterrows():
        r = hour_aqi({k: float(row[c]) for k, c in INPUTS.items()}, standard="HJ633-2012")
        hits += r.aqi == row["AQI"]
    assert hits / len(df) >= 0.99
