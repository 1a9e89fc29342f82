"""IDW surfaces, raster round trips (GeoTIFF/COG, NetCDF), reprojection, exact zonal statistics."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
import xarray as xr
from shapely.geometry import Point

import geodata
from geodata.grids import attach_crs, crs_of, idw
from geodata.rasters import (
    import_raster,
    read_geotiff,
    read_netcdf,
    reproject_grid,
    transform_of,
    write_geotiff,
    write_netcdf,
)
from geodata.zonal import zonal_stats

X0, Y0 = 300_000.0, 3_300_000.0  # UTM 51N, a patch of sea west of Zhoushan


def _toy_grid(nan_at: tuple[int, int] | None = None) -> xr.DataArray:
    """4 x 4 cells of 100 m, values 1..16 row by row from the north-west corner."""
    v = np.arange(1.0, 17.0).reshape(4, 4)
    if nan_at:
        v[nan_at] = np.nan
    x = X0 + 50 + 100 * np.arange(4)
    y = Y0 + 350 - 100 * np.arange(4)
    return attach_crs(
        xr.DataArray(v, dims=("y", "x"), coords={"y": y, "x": x}, name="v"), geodata.METRIC
    )


def _zones(*geoms: shapely.Geometry, crs: object = geodata.METRIC) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": [f"z{i}" for i in range(len(geoms))]}, geometry=list(geoms), crs=crs
    )


# a 200 m x 100 m box: half of cells (2,0),(2,2),(3,0),(3,2)... by construction, see below
BOX = shapely.box(X0 + 50, Y0 + 50, X0 + 250, Y0 + 150)


def test_zonal_partial_cells_exact() -> None:
    # rows 2 and 3 are each half covered; columns 0 and 2 half, column 1 fully: weights
    # 0.25, 0.5, 0.25 per row. Symmetric about column 1, so mean = mean(v[2,1], v[3,1]) = (10+14)/2.
    s = zonal_stats(_toy_grid(), _zones(BOX)).iloc[0]
    assert s["mean"] == pytest.approx(12.0)
    assert s["sum"] == pytest.approx(0.25 * (9 + 11 + 13 + 15) + 0.5 * (10 + 14))  # = 24
    assert s["max"] == 15.0
    assert s["covered_fraction"] == pytest.approx(1.0)
    assert s["n_cells"] == 6


def test_zonal_nodata_and_off_grid_lower_coverage() -> None:
    s = zonal_stats(_toy_grid(nan_at=(3, 2)), _zones(BOX)).iloc[0]
    assert s["covered_fraction"] == pytest.approx((2.0 - 0.25) / 2.0)
    assert s["max"] == 14.0
    off = shapely.box(X0 + 300, Y0 + 300, X0 + 500, Y0 + 400)  # half of it east of the grid
    t = zonal_stats(_toy_grid(), _zones(off)).iloc[0]
    assert t["covered_fraction"] == pytest.approx(0.5)
    assert t["mean"] == pytest.approx(4.0) and t["sum"] == pytest.approx(4.0)


def test_zonal_with_zones_in_another_crs() -> None:
    zones_ll = _zones(BOX).to_crs(geodata.WGS84)  # straight UTM edges become near-straight lon/lat
    s = zonal_stats(_toy_grid(), zones_ll).iloc[0]
    assert s["mean"] == pytest.approx(12.0, rel=1e-4)
    assert s["sum"] == pytest.approx(24.0, rel=1e-4)


def test_zonal_on_a_raster_in_another_crs(tmp_path: Path) -> None:
    # the raster is warped to EPSG:4326, zones stay in UTM: cell-for-cell the answer moves only by
    # resampling, and a constant field must give exactly its constant
    const = _toy_grid() * 0 + 7.0
    warped = reproject_grid(const, geodata.WGS84)
    assert crs_of(warped).to_epsg() == 4326
    s = zonal_stats(warped, _zones(BOX)).iloc[0]
    assert s["mean"] == pytest.approx(7.0) and s["max"] == 7.0
    assert s["covered_fraction"] == pytest.approx(1.0)


def test_zonal_keeps_time() -> None:
    g = _toy_grid()
    stack = xr.concat(
        [g, g * 2], dim=pd.Index(pd.to_datetime(["2025-01-01", "2025-01-02"]), name="time")
    )
    out = zonal_stats(stack, _zones(BOX))
    assert out["mean"].tolist() == pytest.approx([12.0, 24.0])
    assert list(out.columns[:2]) == ["zone", "time"]


def test_geotiff_round_trip_identical(tmp_path: Path) -> None:
    g = _toy_grid(nan_at=(0, 0))
    stack = xr.concat(
        [g, g + 0.5], dim=pd.Index(pd.to_datetime(["2025-01-01", "2025-01-02"]), name="time")
    )
    stack = attach_crs(stack, geodata.METRIC)
    p = write_geotiff(stack, tmp_path / "a.tif")
    back = read_geotiff(p)
    np.testing.assert_array_equal(back.values, stack.values)  # NaN positions equal too
    assert transform_of(back) == transform_of(stack)
    assert crs_of(back).equals(crs_of(stack))
    assert list(back["time"].values) == list(stack["time"].values)
    with rasterio.open(p) as src:
        assert src.nodata == -9999.0
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"


def test_netcdf_round_trip_identical(tmp_path: Path) -> None:
    g = _toy_grid(nan_at=(1, 1))
    back = read_netcdf(write_netcdf(g, tmp_path / "a.nc"))
    np.testing.assert_array_equal(back.values, g.values)
    np.testing.assert_array_equal(back["x"].values, g["x"].values)
    assert crs_of(back).equals(crs_of(g))


def test_import_raster_reprojects_when_crs_differs(tmp_path: Path) -> None:
    p = write_geotiff(reproject_grid(_toy_grid(), geodata.WGS84), tmp_path / "ll.tif")
    same = import_raster(p, crs=geodata.WGS84)
    assert crs_of(same).to_epsg() == 4326
    moved = import_raster(p, crs=geodata.METRIC)
    assert crs_of(moved).to_epsg() == 32651
    assert np.nanmax(moved.values) == 16.0


def test_idw_exact_at_stations_and_weighted_between() -> None:
    stations = gpd.GeoDataFrame(
        {"code": ["a", "b"]},
        geometry=[Point(X0 + 500, Y0 + 500), Point(X0 + 1500, Y0 + 500)],
        crs=geodata.METRIC,
    )
    values = pd.DataFrame(
        {"a": [10.0, 10.0], "b": [20.0, np.nan]}, index=pd.to_datetime(["2025-01-01", "2025-01-02"])
    )
    da = idw(
        stations, values, bounds=(X0, Y0, X0 + 2000, Y0 + 1000), resolution=1000, search_radius=5000
    )
    assert da.dims == ("time", "y", "x")
    assert crs_of(da).to_epsg() == 32651
    assert da.attrs["idw_power"] == 2.0 and da.attrs["idw_search_radius_m"] == 5000
    np.testing.assert_array_equal(da.isel(time=0).values, [[10.0, 20.0]])
    np.testing.assert_array_equal(da.isel(time=1).values, [[10.0, 10.0]])  # b missing that day
    mid = idw(stations, values, bounds=(X0 + 500, Y0, X0 + 1500, Y0 + 1000), resolution=1000)
    assert float(mid.isel(time=0, x=0, y=0)) == 15.0  # equidistant: plain mean
    far = idw(stations, values, bounds=(X0 + 50_000, Y0, X0 + 51_000, Y0 + 1000), resolution=1000)
    assert np.isnan(far.values).all()  # no station within the 30 km default radius


def test_idw_masked_to_districts() -> None:
    st = geodata.load_stations(include_demo=True)
    vals = pd.DataFrame(
        {c: [float(i)] for i, c in enumerate(st["code"])}, index=pd.to_datetime(["2025-01-01"])
    )
    da = idw(st, vals, mask=geodata.load_districts(), resolution=2000)
    x, y = np.meshgrid(da["x"].values, da["y"].values)
    land = geodata.load_districts().to_crs(geodata.METRIC).union_all()
    inside = shapely.contains_xy(land, x, y)
    assert np.isnan(da.values[0][~inside]).all()
    assert np.isfinite(da.values[0][inside]).any()
