"""The archive path at national scale (``make bench``; never part of the tests), issue 21.

National year (1,700 stations, 366 day files in the archive's own format, 15 types x 24 hours),
three commands interleaved A, B, C, A, B, C... in one run, each a fresh process:
A. ``envmon ratio --archive DIR --stations <all> --year Y --json --workers 2`` (the dask engine);
B. a plain xarray + Dask + flox baseline on the same files: each file read with ``pandas.read_csv``
   into a float32 (pollutant, station, 24 h) block, the blocks concatenated into one dask array
   (chunks of 32 days), daily means by ``flox.xarray.xarray_reduce`` (no validity rules, no AQI);
C. the parse floor: every file read with ``pandas.read_csv`` into one float32 array, nothing else.
National decade (ten years of the same files, dates rewritten: ``tests/archive_synth.write_decade``),
once each, interleaved: ``envmon ratio --year Y-9 --to-year Y`` over all 3,654 files (one graph
over the decade, a ratio per year) and the baseline B over the decade; with ``BENCH_DECADE_ZARR=1``
also ``envmon archive to-zarr`` over them (read, chunk, write).

Reported: wall seconds as min / median / max, and the peak RSS of the whole process tree (sampled
every 0.1 s with psutil: threads and any worker processes counted together), beside the raw
float32 array size; the load average (``uptime``) before each run. Goals: a year under 60 s and
2 GB; a decade's peak under 2x a year's.

The folders are written once under ``BENCH_ARCHIVE_DIR`` (default ``/tmp/envmon-bench-archive``;
the decade takes 7.1 GiB). Knobs: ``BENCH_STATIONS`` (1700), ``BENCH_RUNS`` (3),
``BENCH_DECADE`` (1: run the decade; 0: skip it), ``BENCH_DECADE_ONLY=1`` (the year's folder is
written but only the decade is run, against the year's peak of ``BENCH_YEAR_PEAK`` GiB).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from tests.archive_synth import write_decade, write_year_quickly

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
BASELINE = """
import sys
from pathlib import Path
import dask
import dask.array as da
import numpy as np
import pandas as pd
import xarray as xr
from flox.xarray import xarray_reduce
HOURLY = {"SO2": 0, "NO2": 1, "PM10": 2, "PM2.5": 3, "CO": 4, "O3": 5}
folder, stations = Path(sys.argv[1]), int(sys.argv[2])
files = sorted(folder.glob("*.csv"))
def one(path):
    frame = pd.read_csv(path)
    frame = frame[frame["type"].isin(list(HOURLY))]
    out = np.full((6, stations, 24), np.nan, dtype=np.float32)
    out[frame["type"].map(HOURLY).to_numpy(), :, frame["hour"].to_numpy()] = (
        frame.iloc[:, 3:].to_numpy(dtype=np.float32)
    )
    return out
blocks = [da.from_delayed(dask.delayed(one)(p), (6, stations, 24), np.float32) for p in files]
hourly = da.concatenate(blocks, axis=2).rechunk({2: 24 * 32})
value = xr.DataArray(
    hourly,
    dims=("pollutant", "station", "hour"),
    coords={"day": ("hour", np.repeat(np.arange(len(files)), 24))},
)
daily = xarray_reduce(value, "day", func="nanmean")
with dask.config.set(scheduler="threads", num_workers=2):
    print(float(daily.mean().compute()))
"""


def _measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (GiB, the whole process tree) of one run of ``cmd``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in procs))
        except psutil.Error:
            pass
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(
            f"{cmd[:3]} failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}"
        )
    return wall, peak / 2**30


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def main() -> None:
    stations = int(os.environ.get("BENCH_STATIONS", "1700"))
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    root = Path(os.environ.get("BENCH_ARCHIVE_DIR", "/tmp/envmon-bench-archive"))
    year_dir = root / f"{stations}x{YEAR}"
    codes = write_year_quickly(year_dir, YEAR, stations)
    envmon = str(Path(sys.executable).with_name("envmon"))
    ratio = [envmon, "ratio", "--archive", str(year_dir), "--stations", ",".join(codes)]
    ratio += ["--year", str(YEAR), "--json", "--workers", "2"]
    commands = {
        "envmon ratio": ratio,
        "xarray+Dask+flox baseline": [sys.executable, "-c", BASELINE, str(year_dir), str(stations)],
        "read_csv floor": [sys.executable, "-c", FLOOR, str(year_dir), str(stations)],
    }
    decade_only = os.environ.get("BENCH_DECADE_ONLY", "0") == "1"
    got: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    loads: list[str] = []
    for _ in range(0 if decade_only else runs):  # interleaved: A, B, C, A, B, C...
        for name, cmd in commands.items():
            loads.append(_load())
            got[name].append(_measure(cmd))
    hours = 365 * 24
    raw = stations * hours * 6 * 4 / 2**30
    print(
        f"national year: {stations} stations x {hours} h x 6 pollutants; raw float32 {raw:.2f} GiB"
    )
    if not decade_only:
        for name, values in got.items():
            walls, peaks = [w for w, _ in values], [p for _, p in values]
            print(f"{name:>26}: wall s {_spread(walls)}; peak RSS GiB {_spread(peaks)}")
        print(f"load averages (1/5/15 min) before each run: {'; '.join(loads)}")
    if os.environ.get("BENCH_DECADE", "1") == "0":
        return
    year_peak = (
        float(os.environ["BENCH_YEAR_PEAK"])
        if decade_only
        else statistics.median(p for _, p in got["envmon ratio"])
    )
    _decade(root, year_dir, stations, codes, envmon, year_peak)


def _decade(
    root: Path, year_dir: Path, stations: int, codes: list[str], envmon: str, year_peak: float
) -> None:
    """The decade half: envmon ratio over ten years beside the baseline (and to-zarr if asked)."""
    decade_dir = root / f"{stations}x{YEAR - 9}-{YEAR}"
    size = write_decade(decade_dir, year_dir, YEAR - 9, 10)
    raw = stations * 3652 * 24 * 6 * 4 / 2**30
    print(
        f"national decade: {decade_dir} ({size / 2**30:.1f} GiB on disk); raw float32 {raw:.2f} GiB"
    )
    out = Path(tempfile.mkdtemp(dir=root)) / "decade.zarr"
    ratio = [envmon, "ratio", "--archive", str(decade_dir), "--stations", ",".join(codes)]
    ratio += ["--year", str(YEAR - 9), "--to-year", str(YEAR), "--json", "--workers", "2"]
    decade = {
        "envmon ratio": ratio,
        "xarray+Dask+flox baseline": [
            sys.executable,
            "-c",
            BASELINE,
            str(decade_dir),
            str(stations),
        ],
    }
    if os.environ.get("BENCH_DECADE_ZARR", "0") == "1":
        decade["envmon archive to-zarr"] = [
            *(envmon, "archive", "to-zarr", str(decade_dir), str(out)),
            *("--workers", "2"),
        ]
    for name, cmd in decade.items():
        load = _load()
        wall, peak = _measure(cmd)
        print(
            f"{name:>26}: decade wall {wall:.0f} s; peak RSS {peak:.2f} GiB "
            f"({peak / year_peak:.2f}x the year's ratio); load before {load}, after {_load()}",
            flush=True,
        )
    shutil.rmtree(out.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
