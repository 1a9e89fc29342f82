"""``envmon ratio`` over a national year of archive files (``make bench``; never part of the tests).

Side by side, interleaved A, B, A, B... in one run, each a fresh process:
A. ``envmon ratio --archive DIR --stations <all> --year Y --json`` (streaming reader, 2 workers);
B. the parse-bound floor: a script that reads every file of the year with ``pandas.read_csv`` and
   stacks the measured hourly rows into one float32 array, nothing else.
Reported: wall seconds and peak RSS (largest process of the run, from ``RUSAGE_CHILDREN``) as
min / median / max, beside the raw float32 array size of the year (stations x hours x 6 x 4 B).

The synthetic year (``tests/archive_synth.py``: 15 types x 24 hours per file, like the national
files) is written once under ``BENCH_ARCHIVE_DIR`` (default ``/tmp/envmon-bench-archive``).
Knobs: ``BENCH_STATIONS`` (1700), ``BENCH_RUNS`` (3). Goals (issue 21): a national year under 60 s
and 2 GB peak.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.archive_synth import write_year

YEAR = 2025
FLOOR = """
import sys
from pathlib import Path
import numpy as np
import pandas as pd
HOURLY = {"SO2": 0, "NO2": 1, "PM10": 2, "PM2.5": 3, "CO": 4, "O3": 5}
folder, stations = Path(sys.argv[1]), int(sys.argv[2])
files = sorted(folder.glob("*.csv"))
out = np.full((len(files) * 24, 6, stations), np.nan, dtype=np.float32)
for i, path in enumerate(files):
    frame = pd.read_csv(path)
    frame = frame[frame["type"].isin(list(HOURLY))]
    rows = i * 24 + frame["hour"].to_numpy()
    cols = frame["type"].map(HOURLY).to_numpy()
    out[rows, cols] = frame.iloc[:, 3:].to_numpy(dtype=np.float32)
print(int(np.isfinite(out).sum()))
"""


def _run(cmd: list[str]) -> float:
    """Wall seconds of one run of ``cmd``."""
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, "CI": ""})
    return time.perf_counter() - t0


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def main() -> None:
    stations = int(os.environ.get("BENCH_STATIONS", "1700"))
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    folder = Path(os.environ.get("BENCH_ARCHIVE_DIR", "/tmp/envmon-bench-archive"))
    folder = folder / f"{stations}x{YEAR}"
    t0 = time.perf_counter()
    codes = write_year(folder, YEAR, stations)
    print(f"archive: {folder} ({time.perf_counter() - t0:.0f} s to write or check)")
    envmon = str(Path(sys.executable).with_name("envmon"))
    ratio = [envmon, "ratio", "--archive", str(folder), "--stations", ",".join(codes)]
    ratio += ["--year", str(YEAR), "--json", "--workers", "2"]
    floor = [sys.executable, "-c", FLOOR, str(folder), str(stations)]
    walls: dict[str, list[float]] = {"ratio": [], "floor": []}
    for _ in range(runs):  # interleaved: A, B, A, B...
        for name, cmd in (("ratio", ratio), ("floor", floor)):
            walls[name].append(_run(cmd))
    # Peak RSS needs a fresh parent per command (the children's maximum never goes down).
    peaks = {}
    for name, cmd in (("ratio", ratio), ("floor", floor)):
        probe = [sys.executable, "-c", _PEAK, *cmd]
        out = subprocess.run(probe, check=True, capture_output=True, text=True).stdout
        peaks[name] = float(out.strip())
    hours = ((YEAR % 4 == 0) + 365) * 24
    raw = stations * hours * 6 * 4 / 2**30
    print(
        f"national year: {stations} stations x {hours} h x 6 pollutants; raw float32 {raw:.2f} GiB"
    )
    for name in ("ratio", "floor"):
        print(
            f"{name:>6}: wall s min/median/max {_spread(walls[name])}; "
            f"peak RSS {peaks[name]:.2f} GiB"
        )
    ratios = [a / b for a, b in zip(walls["ratio"], walls["floor"], strict=True)]
    print(f"ratio / floor, pair by pair: {_spread(ratios)}")


_PEAK = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20)
"""


if __name__ == "__main__":
    main()
