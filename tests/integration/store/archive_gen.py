"""Generated national-archive CSV files (the quotsoft layout) for large-import tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

TYPES = ("PM2.5", "PM10", "SO2", "NO2", "O3", "CO")


def write_archive(
    folder: Path, days: int, stations: int, first: dt.date = dt.date(2025, 1, 1)
) -> int:
    """Write ``days`` daily files with every hour, type and station filled; returns readings per file."""
    folder.mkdir(parents=True, exist_ok=True)
    codes = [f"{1001 + i}A" for i in range(stations)]
    rng = np.random.default_rng(7)
    for d in range(days):
        day = first + dt.timedelta(days=d)
        lines = ["date,hour,type," + ",".join(codes)]
        for hour in range(24):
            pm25 = rng.integers(5, 150, stations)
            values = {
                "PM2.5": pm25,
                "PM10": pm25 + rng.integers(1, 80, stations),
                "SO2": rng.integers(2, 30, stations),
                "NO2": rng.integers(5, 90, stations),
                "O3": rng.integers(5, 200, stations),
                "CO": np.round(rng.uniform(0.2, 2.0, stations), 2),
            }
            for t in TYPES:
                row = ",".join(str(v) for v in values[t])
                lines.append(f"{day:%Y%m%d},{hour},{t},{row}")
        (folder / f"china_sites_{day:%Y%m%d}.csv").write_text("\n".join(lines) + "\n")
    return 24 * len(TYPES) * stations
