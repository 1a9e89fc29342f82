"""Standards core benchmark (``make bench``; never part of the tests).

Measured side by side in one run:
1. the daily pipeline: hourly arrays of 1,700 stations x 365 days x 6 pollutants (seeded synthetic,
   ~3 % missing hours) -> HJ 663 daily values -> IAQI/AQI/level/primary per station-day -> 优良天数比例
   per station and for the network; against one ``numpy.nansum`` pass over the same hourly array
   (target: within 10x);
2. the same from a long pandas frame through ``daily_values`` (the public frame entry point);
3. IAQI per value against python-aqi's ``aqi.algos.mep`` (one reused instance) on the same PM2.5
   values (target: >= 100x);
4. peak memory (tracemalloc over the array pipeline; process max RSS).

Environment knobs: ``BENCH_STATIONS`` (default 1700), ``BENCH_DAYS`` (365), ``BENCH_SKIP_FRAME=1``.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from stations.ratios import excellent_good_ratio
from stations.standards import daily_arrays, daily_values, iaqi, score_days, standards_for_days
from stations.standards.validity import POLLUTANTS

SEED = 20260301
# Typical levels (µg/m³; CO mg/m³) so that every AQI level occurs.
LEVELS = {"SO2": 6.0, "NO2": 22.0, "PM10": 40.0, "PM25": 20.0, "CO": 0.6, "O3": 60.0}


def synthetic_hourly(stations: int, days: int, seed: int = SEED) -> np.ndarray:
    """(6, stations, days*24) float64 hourly array, lognormal around ``LEVELS``, ~3 % NaN."""
    rng = np.random.default_rng(seed)
    h = days * 24
    out = np.empty((len(POLLUTANTS), stations, h))
    diurnal = 1 + 0.4 * np.sin(np.arange(h) * 2 * np.pi / 24)
    for i, p in enumerate(POLLUTANTS):
        x = rng.lognormal(mean=np.log(LEVELS[p]), sigma=0.5, size=(stations, h)).astype(np.float64)
        if p == "O3":
            x *= diurnal
        x[rng.random((stations, h)) < 0.03] = np.nan
        out[i] = np.round(x, 1 if p != "CO" else 2)
    return out


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def pipeline(big: np.ndarray, first_day: np.datetime64) -> tuple[dict[str, Any], float | None]:
    """Hourly array -> daily values -> AQI per station-day -> per-station and network ratios."""
    s, h = big.shape[1:]
    days = h // 24
    daily = daily_arrays({p: big[i] for i, p in enumerate(POLLUTANTS)})
    flat = {k: np.asarray(v).reshape(-1) for k, v in daily.items()}
    day_numbers = np.tile(
        np.arange(days, dtype=np.int64) + first_day.astype("datetime64[D]").astype(np.int64), s
    )
    scored = score_days(flat, standards_for_days(day_numbers))
    aqi = np.where(scored["ratio_valid"], scored["aqi"], np.nan).reshape(s, days)
    valid = ~np.isnan(aqi)
    per_station = (valid & (aqi <= 100)).sum(axis=1) / np.maximum(valid.sum(axis=1), 1)
    network = excellent_good_ratio(aqi.ravel())
    scored["per_station_ratio"] = per_station
    return scored, network.value


def bench_pipeline(stations: int, days: int) -> None:
    big = synthetic_hourly(stations, days)
    first_day = np.datetime64("2025-06-01")  # spans 2026-03-01: both rule sets, row-wise
    gib = big.nbytes / 2**30
    print(
        f"hourly array: {stations} stations x {days} days x 24 h x 6 = {big.size:,} values ({gib:.2f} GiB)"
    )

    t_sum, _ = best_of(lambda: np.nansum(big))
    t_pipe, (scored, ratio) = best_of(lambda: pipeline(big, first_day))
    print(f"numpy.nansum pass:                {t_sum:8.3f} s")
    print(
        f"daily pipeline (array -> AQI -> ratios): {t_pipe:8.3f} s  = {t_pipe / t_sum:5.1f}x nansum (target <= 10x)"
    )
    levels = np.bincount(np.asarray(scored["level"]), minlength=7)
    print(
        f"  station-days {len(scored['aqi']):,}; by level 0..6 {levels.tolist()}; network 优良 ratio {ratio:.4f}"
    )

    tracemalloc.start()
    pipeline(big, first_day)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"  peak traced memory of the pipeline: {peak / 2**30:.2f} GiB (input {gib:.2f} GiB not counted)"
    )

    if os.environ.get("BENCH_SKIP_FRAME") == "1":
        return
    s, h = big.shape[1:]
    times = pd.date_range("2025-06-01 01:00", periods=h, freq="h", tz="Asia/Shanghai").tz_convert(
        "UTC"
    )
    frame = pd.DataFrame(
        {
            "station": pd.Categorical(np.repeat(np.array([f"S{i:04d}" for i in range(s)]), h)),
            "time": np.tile(times.tz_localize(None).to_numpy(), s),
            **{p: big[i].reshape(-1) for i, p in enumerate(POLLUTANTS)},
        }
    )
    frame["time"] = frame["time"].dt.tz_localize("UTC")
    t_frame, out = best_of(lambda: daily_values(frame), repeat=1)
    print(
        f"daily_values on the long frame ({len(frame):,} rows): {t_frame:8.3f} s = {t_frame / t_sum:5.1f}x nansum"
    )
    print(
        f"  rows out {len(out):,}; 优良 ratio {excellent_good_ratio(out.loc[out['ratio_valid'], 'aqi']).value:.4f}"
    )


def bench_iaqi(n_ours: int = 5_000_000, n_theirs: int = 200_000) -> None:
    """Per-value time of both sides, interleaved (ours, theirs, ours, theirs...) over
    ``BENCH_IAQI_ROUNDS`` rounds (default 5): min / median / max and the ratio pair by pair."""
    from aqi.algos import mep

    rounds = int(os.environ.get("BENCH_IAQI_ROUNDS", "5"))
    rng = np.random.default_rng(SEED)
    values = np.round(rng.uniform(0, 500, n_ours), 1)
    algo = mep.AQI()
    strings = [str(v) for v in values[:n_theirs]]  # conversion to str not timed
    ours, theirs = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        iaqi("PM25_24h", values, "HJ633-2012")
        ours.append((time.perf_counter() - t0) / n_ours * 1e9)
        t0 = time.perf_counter()
        for v in strings:
            algo.iaqi("pm25", v)
        theirs.append((time.perf_counter() - t0) / n_theirs * 1e9)
    ratio = [b / a for a, b in zip(ours, theirs, strict=True)]
    print(
        f"IAQI per value, {rounds} interleaved rounds (min / median / max): envmon "
        f"{_spread(ours, '.1f')} ns ({n_ours:,} values), python-aqi mep {_spread(theirs, '.0f')} ns "
        f"({n_theirs:,} values); ratio pair by pair {_spread(ratio, '.0f')}x (target >= 100x)"
    )


def _spread(values: list[float], fmt: str) -> str:
    return " / ".join(format(v, fmt) for v in (min(values), statistics.median(values), max(values)))


def main() -> None:
    stations = int(os.environ.get("BENCH_STATIONS", "1700"))
    days = int(os.environ.get("BENCH_DAYS", "365"))
    bench_iaqi()
    bench_pipeline(stations, days)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"process max RSS: {rss:.2f} GiB")


if __name__ == "__main__":
    main()
