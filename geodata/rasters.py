"""The ONLY rasterio module: GeoTIFF (Cloud-Optimised where the GDAL driver allows) and NetCDF I/O.

Grids travel as ``xarray.DataArray`` with dims ``(y, x)`` or ``(band|time, y, x)`` and a CRS attached
as in ``geodata.grids`` (``spatial_ref`` coordinate). Nodata is NaN in memory; on disk it is the
``nodata`` value written into the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
import xarray as xr
from affine import Affine
from rasterio.enums import Resampling
from rasterio.warp import calculate_default_transform, reproject

from geodata.grids import attach_crs, cell_size, crs_of


def transform_of(da: xr.DataArray) -> Affine:
    """The affine transform (upper-left corner origin) of a grid from its cell-centre coordinates."""
    dx, dy = cell_size(da)
    x0 = float(da["x"].values[0]) - dx / 2
    y0 = float(da["y"].values[0]) - dy / 2
    return Affine(dx, 0.0, x0, 0.0, dy, y0)


def _to_dataarray(
    data: np.ndarray, transform: Affine, crs: Any, bands: list[str] | None, name: str
) -> xr.DataArray:
    nb, ny, nx = data.shape
    x = transform.c + transform.a * (np.arange(nx) + 0.5)
    y = transform.f + transform.e * (np.arange(ny) + 0.5)
    dim0 = "band"
    labels: list[Any] = list(range(1, nb + 1))
    if bands and all(bands):
        try:
            labels = list(pd.DatetimeIndex(bands))
            dim0 = "time"
        except (ValueError, TypeError):
            labels = list(bands)
    da = xr.DataArray(data, dims=(dim0, "y", "x"), coords={dim0: labels, "y": y, "x": x}, name=name)
    return attach_crs(da, crs)


def grid_from_array(
    data: np.ndarray, transform: Affine, crs: Any, name: str = "value"
) -> xr.DataArray:
    """A ``(band, y, x)`` grid from an array, its affine transform (upper-left origin) and CRS."""
    return _to_dataarray(data, transform, crs, None, name)


def write_geotiff(
    da: xr.DataArray, path: str | Path, *, nodata: float = -9999.0, cog: bool = True
) -> Path:
    """Write a grid to GeoTIFF (COG if ``cog`` and the driver exists), float32/64, CRS and nodata set.

    A leading ``time`` or ``band`` dimension becomes bands; time labels go into band descriptions.
    """
    out = Path(path)
    arr = da.transpose(..., "y", "x")
    data = np.asarray(arr.values)
    if data.ndim == 2:
        data = data[None]
    descriptions: list[str | None] = [None] * data.shape[0]
    if arr.ndim == 3:
        labels = arr[arr.dims[0]].values
        descriptions = [
            pd.Timestamp(v).isoformat() if np.issubdtype(labels.dtype, np.datetime64) else str(v)
            for v in labels
        ]
    data = (
        np.where(np.isnan(data), nodata, data) if np.issubdtype(data.dtype, np.floating) else data
    )
    profile = {
        "driver": "GTiff",
        "height": data.shape[1],
        "width": data.shape[2],
        "count": data.shape[0],
        "dtype": data.dtype.name,
        "crs": crs_of(da).to_wkt(),
        "transform": transform_of(da),
        "nodata": nodata,
    }
    with rasterio.Env() as env:
        if cog and "COG" in env.drivers():
            profile.update(driver="COG", compress="DEFLATE")
        elif cog:
            profile.update(tiled=True, compress="DEFLATE")
        with rasterio.open(out, "w", **profile) as dst:
            dst.write(data)
            for i, desc in enumerate(descriptions, start=1):
                if desc is not None:
                    dst.set_band_description(i, desc)
    return out


def read_geotiff(path: str | Path, name: str | None = None) -> xr.DataArray:
    """Read a GeoTIFF as ``(band|time, y, x)`` float array; nodata -> NaN; CRS attached."""
    with rasterio.open(path) as src:
        data = src.read().astype(np.float64)
        if src.nodata is not None:
            data[data == src.nodata] = np.nan
        if src.crs is None:
            raise ValueError(f"{path}: raster has no CRS")
        da = _to_dataarray(
            data, src.transform, src.crs.to_wkt(), list(src.descriptions), name or Path(path).stem
        )
        da.attrs["nodata_on_disk"] = src.nodata
        return da


def write_netcdf(da: xr.DataArray, path: str | Path) -> Path:
    """Write a grid to NetCDF-4 (via xarray/h5netcdf) with its CRS in ``spatial_ref`` (CF grid_mapping)."""
    out = Path(path)
    crs_of(da)  # refuse a grid without CRS before writing anything
    da.to_netcdf(out, engine="h5netcdf")
    return out


def read_netcdf(path: str | Path, variable: str | None = None) -> xr.DataArray:
    """Read a grid variable from NetCDF; keeps ``spatial_ref`` (CRS) and ``x``/``y``/``time``."""
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        name = variable or next(str(v) for v in ds.data_vars if v != "spatial_ref")
        da = ds[name].load()
        if "spatial_ref" in ds.variables and "spatial_ref" not in da.coords:
            da = da.assign_coords(spatial_ref=ds["spatial_ref"].load())
    return da


def reproject_grid(
    da: xr.DataArray,
    dst_crs: Any,
    *,
    resolution: float | None = None,
    resampling: Resampling = Resampling.nearest,
) -> xr.DataArray:
    """Warp a grid to ``dst_crs`` (GDAL warp); NaN stays nodata. ``resolution`` in target units."""
    src = da.transpose(..., "y", "x")
    data = np.asarray(src.values, dtype=np.float64)
    squeeze = data.ndim == 2
    if squeeze:
        data = data[None]
    src_crs = crs_of(da)
    src_tr = transform_of(da)
    h, w = data.shape[1:]
    left, top = src_tr.c, src_tr.f
    right, bottom = left + src_tr.a * w, top + src_tr.e * h
    kwargs = {"resolution": resolution} if resolution else {}
    dst_tr, dw, dh = calculate_default_transform(
        src_crs.to_wkt(), dst_crs, w, h, left, bottom, right, top, **kwargs
    )
    dst = np.full((data.shape[0], dh, dw), np.nan)
    reproject(
        data,
        dst,
        src_transform=src_tr,
        src_crs=src_crs.to_wkt(),
        dst_transform=dst_tr,
        dst_crs=dst_crs,
        src_nodata=np.nan,
        dst_nodata=np.nan,
        resampling=resampling,
    )
    labels = [str(v) for v in src[src.dims[0]].values] if not squeeze else None
    out = _to_dataarray(dst, dst_tr, dst_crs, labels, str(da.name or "value"))
    if not squeeze and src.dims[0] in ("time", "band"):
        out = out.rename({out.dims[0]: src.dims[0]}).assign_coords(
            {src.dims[0]: src[src.dims[0]].values}
        )
    out.attrs.update({k: v for k, v in da.attrs.items() if k != "grid_mapping"})
    return out[0] if squeeze else out


def import_raster(
    path: str | Path, *, crs: Any | None = None, variable: str | None = None
) -> xr.DataArray:
    """Open an external raster (GeoTIFF, or NetCDF with a CRS) and reproject it to ``crs`` if it differs."""
    p = Path(path)
    da = (
        read_netcdf(p, variable) if p.suffix.lower() in (".nc", ".nc4", ".cdf") else read_geotiff(p)
    )
    if crs is not None and not crs_of(da).equals(crs):
        da = reproject_grid(da, crs)
    return da


def bounds_wgs84(da: xr.DataArray) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of the grid's outer cell edges, edges densified so a
    curved edge in lon/lat is not cut short."""
    tr = transform_of(da)
    w = tr.c
    n = tr.f
    e = w + tr.a * da.sizes["x"]
    s = n + tr.e * da.sizes["y"]
    box = shapely.segmentize(
        shapely.box(min(w, e), min(s, n), max(w, e), max(s, n)), abs(e - w) / 64
    )
    west, south, east, north = (
        gpd.GeoSeries([box], crs=crs_of(da).to_wkt()).to_crs(4326).total_bounds
    )
    return float(west), float(south), float(east), float(north)
