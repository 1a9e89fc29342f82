"""Zonal statistics of a year of daily 1 km surfaces over every zone, beside one read of the raster.

A 365-band GeoTIFF on 1 km cells (UTM 51N) over the window the IDW surfaces use (the city's convex
hull widened by 12 nmi), random values; the zones are the shipped ones, routes widened to their
corridors, plus the derived emission control area. A = one ``read_geotiff`` of the file, B =
``zonal_stats`` of the year already in memory over every zone. Interleaved A, B, A, B ... so drift
on a shared machine falls on both; medians and spread (min..max) printed.

``BENCH_SURFACES_ROUNDS`` (default 5). Run: ``.venv/bin/python -m tests.bench.bench_surfaces``.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

import geodata
from geodata.grids import attach_crs, grid_coords
from geodata.rasters import read_geotiff, write_geotiff
from geodata.spatial import route_corridors
from geodata.zonal import zonal_stats


def _year_grid() -> xr.DataArray:
    sea = gpd.GeoSeries([geodata.zhoushan_sea_area()], crs=geodata.WGS84).to_crs(geodata.METRIC)
    west, south, east, north = (float(v) for v in sea.total_bounds)
    x, y = grid_coords((west, south, east, north), 1000.0)
    days = pd.date_range("2025-01-01", periods=365, freq="D")
    rng = np.random.default_rng(16)
    values = rng.uniform(5.0, 80.0, (len(days), len(y), len(x)))
    da = xr.DataArray(values, dims=("time", "y", "x"), coords={"time": days, "y": y, "x": x})
    return attach_crs(da, geodata.METRIC)


def _zones() -> gpd.GeoDataFrame:
    zones = geodata.load_zones()
    eca = geodata.load_derived_eca()
    both = pd.concat([zones, eca.reindex(columns=zones.columns)], ignore_index=True)
    return route_corridors(gpd.GeoDataFrame(both, geometry="geometry", crs=geodata.WGS84))


def _spread(label: str, times: list[float]) -> str:
    return (
        f"{label}: median {statistics.median(times):.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}, n={len(times)})"
    )


def main() -> None:
    rounds = int(os.environ.get("BENCH_SURFACES_ROUNDS", "5"))
    grid = _year_grid()
    zones = _zones()
    with tempfile.TemporaryDirectory(prefix="bench-surfaces-") as tmp:
        path = write_geotiff(grid, Path(tmp) / "year.tif")
        print(
            f"grid: {grid.sizes['time']} days x {grid.sizes['y']} x {grid.sizes['x']} cells of 1 km "
            f"({path.stat().st_size / 2**20:.1f} MiB GeoTIFF); zones: {len(zones)}"
        )
        read_times: list[float] = []
        zonal_times: list[float] = []
        read_cpu: list[float] = []
        zonal_cpu: list[float] = []
        loaded = read_geotiff(path)  # warm the page cache and the imports once
        for _ in range(rounds):
            t0, c0 = time.perf_counter(), time.process_time()
            loaded = read_geotiff(path)
            read_times.append(time.perf_counter() - t0)
            read_cpu.append(time.process_time() - c0)
            t0, c0 = time.perf_counter(), time.process_time()
            table = zonal_stats(loaded, zones)
            zonal_times.append(time.perf_counter() - t0)
            zonal_cpu.append(time.process_time() - c0)
        print(_spread("A  one read of the raster (365 bands), wall", read_times))
        print(_spread("B  zonal statistics, 365 days x all zones, wall", zonal_times))
        # CPU seconds of this process: less disturbed by other work on a shared machine
        print(_spread("A  CPU", read_cpu))
        print(_spread("B  CPU", zonal_cpu))
        ratio = statistics.median(zonal_times) / statistics.median(read_times)
        print(f"B / A (medians): {ratio:.2f}; rows out: {len(table)}")


if __name__ == "__main__":
    main()
