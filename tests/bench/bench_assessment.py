"""HJ 663 assessment benchmark (``make bench``; never part of the tests).

The national year: daily values of 1,700 stations x 365 days x the 7 HJ 633 daily indicators
(seeded synthetic, ~3 % missing days), assessed per station with ``stations.standards.assessment.
assess`` (six statistics with HJ 663 percentiles and sufficiency per month, limits by edition,
composite index and shares, exceedance days per indicator and month, daily AQI and the day classes
of the co-control view, the ozone season), against one ``numpy.nansum`` pass over the same array.
Both sides interleaved (A B A B ...), medians reported.

Environment knobs: ``BENCH_STATIONS`` (default 1700), ``BENCH_DAYS`` (365), ``BENCH_ROUNDS`` (7).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

import numpy as np

from stations.standards import tables as T
from stations.standards.assessment import assess

SEED = 20261206
#: Typical daily levels (µg/m³; CO mg/m³), lognormal around them so every class of day occurs.
LEVELS = {
    "SO2_24h": 8.0,
    "NO2_24h": 25.0,
    "PM10_24h": 55.0,
    "CO_24h": 0.7,
    "O3_8h": 95.0,
    "O3_1h": 120.0,
    "PM25_24h": 30.0,
}


def synthetic_daily(stations: int, days: int, seed: int = SEED) -> np.ndarray:
    """(7, stations, days) daily values in ``T.DAILY_INDICATORS`` order, ~3 % NaN."""
    rng = np.random.default_rng(seed)
    out = np.empty((len(T.DAILY_INDICATORS), stations, days))
    for i, k in enumerate(T.DAILY_INDICATORS):
        x = rng.lognormal(mean=np.log(LEVELS[k]), sigma=0.5, size=(stations, days))
        x[rng.random((stations, days)) < 0.03] = np.nan
        out[i] = np.round(x, 2 if k == "CO_24h" else 0)
    return out


def main() -> None:
    stations = int(os.environ.get("BENCH_STATIONS", "1700"))
    days = int(os.environ.get("BENCH_DAYS", "365"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "7"))
    cube = synthetic_daily(stations, days)
    daily = {k: cube[i] for i, k in enumerate(T.DAILY_INDICATORS)}
    labels = [f"{i:04d}A" for i in range(stations)]
    start = dt.date(2025, 1, 1)
    a_times: list[float] = []
    b_times: list[float] = []
    result = None
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = assess(daily, start, series=labels)
        a_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        total = float(np.nansum(cube))
        b_times.append(time.perf_counter() - t0)
    assert result is not None and total > 0
    a, b = statistics.median(a_times), statistics.median(b_times)
    values = cube.size
    print(
        f"national year: {stations} stations x {days} days x {len(T.DAILY_INDICATORS)} indicators "
        f"({values / 1e6:.1f} M daily values), {rounds} interleaved rounds"
    )
    print(f"  assess (all statistics, per station): median {a * 1000:.0f} ms")
    print(f"  numpy.nansum pass over the same array: median {b * 1000:.1f} ms")
    print(f"  ratio: {a / b:.0f}x")
    j = result.as_json(0)
    print(
        f"  station 0: PM2.5 {j['statistics']['PM25']:.1f}, O3 p90 {j['statistics']['O3_8h_p90']:.0f}, "
        f"composite {j['statistics']['composite_index']}, ratio {j['days']['excellent_good_ratio']:.3f}"
    )


if __name__ == "__main__":
    main()
