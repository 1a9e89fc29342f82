"""geodata figures: district assignment, GCJ-02 inverse, IDW surfaces, exact zonal statistics.

Reads the GPL national station list from ../shared/geodata-src when present (never shipped); else a
generated network of points over the Zhoushan bounding box.
"""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

import geodata
from geodata.grids import idw
from geodata.spatial import assign_district
from geodata.zonal import zonal_stats

NATIONAL = (
    Path(__file__).resolve().parents[2].parent
    / "shared/geodata-src/air_stations_cnemc_national.csv"
)


def _timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    print(f"{label}: {time.perf_counter() - t0:.3f} s")
    return out


def _network() -> gpd.GeoDataFrame:
    if NATIONAL.exists():
        t = pd.read_csv(NATIONAL).dropna(subset=["经度", "纬度"])
        print(f"network: {len(t)} national stations from ../shared (not shipped)")
        return gpd.GeoDataFrame(
            {"code": t["监测点编码"]}, geometry=gpd.points_from_xy(t["经度"], t["纬度"]), crs=4326
        )
    rng = np.random.default_rng(0)
    minx, miny, maxx, maxy = geodata.load_city().total_bounds
    n = 2000
    print(f"network: {n} generated points (national list not present)")
    return gpd.GeoDataFrame(
        {"code": [f"G{i}" for i in range(n)]},
        geometry=gpd.points_from_xy(rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)),
        crs=4326,
    )


def main() -> None:
    rng = np.random.default_rng(1)
    minx, miny, maxx, maxy = geodata.load_city().total_bounds
    n = 100_000
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)),
        crs=4326,
    )
    out = _timed(f"assign_district, {n} points", assign_district, pts)
    print("  ", out["district_match"].value_counts().to_dict())
    _timed("assign_district, network", assign_district, _network())
    lon, lat = rng.uniform(minx, maxx, 1_000_000), rng.uniform(miny, maxy, 1_000_000)
    _timed("gcj02_to_wgs84, 1e6 points", geodata.gcj02_to_wgs84, lon, lat)
    st = geodata.load_stations(include_demo=True)
    days = pd.date_range("2025-01-01", periods=365, freq="D")
    vals = pd.DataFrame(rng.uniform(10, 80, (365, len(st))), index=days, columns=st["code"])
    grid = _timed(
        "IDW 365 days at 1 km", idw, st, vals, mask=geodata.load_districts(), resolution=1000
    )
    print("   grid", dict(grid.sizes))
    _timed("zonal_stats 365 days x 4 districts", zonal_stats, grid, geodata.load_districts())


if __name__ == "__main__":
    main()
