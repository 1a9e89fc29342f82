"""Small builders shared by the store tests."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from stations.model import READING_COLUMNS


def readings_frame(
    stations: list[str],
    start: dt.datetime,
    hours: int,
    pollutants: tuple[str, ...] = ("PM25", "O3"),
) -> pd.DataFrame:
    """A deterministic readings frame: every station x hour x pollutant."""
    times = pd.date_range(start, periods=hours, freq="h", tz="UTC")
    idx = pd.MultiIndex.from_product([stations, times, pollutants], names=["station", "time", "p"])
    frame = idx.to_frame(index=False).rename(columns={"p": "pollutant"})
    frame["value"] = np.arange(len(frame), dtype="float64") % 97 + 1.0
    frame["flag"] = None
    frame["time"] = frame["time"].astype("datetime64[ns, UTC]")
    return frame[list(READING_COLUMNS)]
