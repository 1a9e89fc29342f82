"""Gridded surfaces as ``xarray.DataArray`` (dims ``time, y, x``) with their CRS, and IDW interpolation.

CRS convention (CF / rioxarray compatible): a scalar coordinate ``spatial_ref`` whose attributes hold
``crs_wkt``; the array's ``grid_mapping`` attribute names it. ``x``/``y`` are cell-centre coordinates in
that CRS; ``y`` runs north to south (north-up, like a GeoTIFF). No rasterio here: file I/O lives in
``geodata.rasters``.
"""

from __future__ import annotations

from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xarray as xr
from numpy.typing import NDArray
from pyproj import CRS

from geodata.crs import METRIC

#: Default IDW power: the classic Shepard choice; higher powers make the surface more local.
IDW_POWER: Final = 2.0
#: Default IDW search radius (metres): stations farther than this do not influence a cell. 30 km
#: covers Zhoushan island from either national station but not Shengsi from Dinghai.
IDW_RADIUS_M: Final = 30_000.0


def attach_crs(da: xr.DataArray, crs: Any) -> xr.DataArray:
    """Return ``da`` with a ``spatial_ref`` coordinate (``crs_wkt``) and ``grid_mapping`` attribute."""
    wkt = CRS.from_user_input(crs).to_wkt()
    out = da.assign_coords(spatial_ref=xr.DataArray(0, attrs={"crs_wkt": wkt, "spatial_ref": wkt}))
    out.attrs["grid_mapping"] = "spatial_ref"
    return out


def crs_of(da: xr.DataArray | xr.Dataset) -> CRS:
    """The CRS of a grid made by this package (``spatial_ref`` coordinate or ``crs`` attribute)."""
    if "spatial_ref" in da.coords and "crs_wkt" in da.coords["spatial_ref"].attrs:
        return CRS.from_wkt(da.coords["spatial_ref"].attrs["crs_wkt"])
    if "crs" in da.attrs:
        return CRS.from_user_input(da.attrs["crs"])
    raise ValueError("grid has no CRS: expected a 'spatial_ref' coordinate with 'crs_wkt'")


def cell_size(da: xr.DataArray) -> tuple[float, float]:
    """(dx, dy) in CRS units; dy is negative for north-up grids."""
    x = np.asarray(da["x"].values, dtype=float)
    y = np.asarray(da["y"].values, dtype=float)
    if len(x) < 2 or len(y) < 2:
        raise ValueError("a grid needs at least 2 cells along x and y to know its cell size")
    return float(x[1] - x[0]), float(y[1] - y[0])


def grid_coords(
    bounds: tuple[float, float, float, float], resolution: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Cell-centre ``x`` (west->east) and ``y`` (north->south) covering ``bounds`` (minx, miny, maxx, maxy)."""
    minx, miny, maxx, maxy = bounds
    nx = max(1, int(np.ceil((maxx - minx) / resolution)))
    ny = max(1, int(np.ceil((maxy - miny) / resolution)))
    x = (minx + resolution * (np.arange(nx) + 0.5)).astype(np.float64)
    y = (maxy - resolution * (np.arange(ny) + 0.5)).astype(np.float64)
    return x, y


def idw(
    stations: gpd.GeoDataFrame,
    values: pd.DataFrame,
    *,
    mask: gpd.GeoDataFrame | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    resolution: float = 1000.0,
    power: float = IDW_POWER,
    search_radius: float = IDW_RADIUS_M,
    crs: Any = METRIC,
    name: str = "value",
    units: str = "",
) -> xr.DataArray:
    """Inverse-distance-weighted surface of station daily values, dims ``(time, y, x)``.

    ``values``: index = day (any time-like), columns = station ``code``; NaN = no valid value that day
    (that station is simply left out). Weight of a station at distance d (metres in ``crs``) is
    ``d**-power`` if ``d <= search_radius``, else 0; a cell on a station takes its value exactly. Cells
    with no station in range are NaN. ``mask`` (e.g. districts): cells whose centre is outside every
    polygon are NaN. ``bounds`` default: the mask's (or the stations') extent in ``crs``.
    """
    pts = stations.to_crs(crs)
    pts = pts[pts["code"].isin(values.columns)]
    codes = pts["code"].to_list()
    sx, sy = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    mask_m = mask.to_crs(crs) if mask is not None else None
    if bounds is None:
        bounds = tuple(mask_m.total_bounds) if mask_m is not None else tuple(pts.total_bounds)
    x, y = grid_coords(bounds, resolution)
    gx, gy = np.meshgrid(x, y)  # (ny, nx)
    d = np.hypot(gx.ravel()[:, None] - sx[None, :], gy.ravel()[:, None] - sy[None, :])
    exact = (d == 0).astype(float)
    with np.errstate(divide="ignore"):
        w = np.where((d <= search_radius) & (d > 0), d ** (-power), 0.0)

    v = values[codes].to_numpy(dtype=float)  # (time, station)
    valid = (~np.isnan(v)).astype(float)
    v0 = np.nan_to_num(v, nan=0.0)
    num, den = v0 @ w.T, valid @ w.T  # (time, cells)
    # A cell on a station takes that station's value, unless the station has none that day.
    num_on, den_on = v0 @ exact.T, valid @ exact.T
    with np.errstate(invalid="ignore", divide="ignore"):
        surf = np.where(den_on > 0, num_on / den_on, np.where(den > 0, num / den, np.nan))
    if mask_m is not None:
        inside = shapely.contains_xy(shapely.union_all(mask_m.geometry.values), gx, gy)
        surf[:, ~inside.ravel()] = np.nan
    da = xr.DataArray(
        surf.reshape(len(values.index), len(y), len(x)),
        dims=("time", "y", "x"),
        coords={"time": pd.DatetimeIndex(values.index), "y": y, "x": x},
        name=name,
        attrs={
            "units": units,
            "method": "inverse distance weighting",
            "idw_power": power,
            "idw_search_radius_m": search_radius,
            "long_name": f"IDW surface of {name}",
        },
    )
    return attach_crs(da, crs)
