"""Zonal statistics of a grid over polygons (districts, zones) with exact area-weighted coverage.

Each cell's weight in a zone is ``area(cell ∩ zone) / area(cell)``, computed with vectorised shapely
intersections of the cell boxes with the polygon, in the grid's own CRS (polygons are transformed into
it, so a raster in any CRS works). No centre-point sampling: a cell half inside counts half.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xarray as xr
from numpy.typing import NDArray

from geodata.grids import cell_size, crs_of

STAT_COLUMNS: Final = ("mean", "max", "sum", "covered_fraction", "n_cells")


def coverage_weights(
    da: xr.DataArray, polygon: shapely.Geometry
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """Cells touched by ``polygon`` (same CRS as the grid): row index, column index, fraction in [0, 1]."""
    dx, dy = cell_size(da)
    x = np.asarray(da["x"].values, dtype=float)
    y = np.asarray(da["y"].values, dtype=float)
    minx, miny, maxx, maxy = polygon.bounds
    cols = np.flatnonzero((x + abs(dx) / 2 > minx) & (x - abs(dx) / 2 < maxx))
    rows = np.flatnonzero((y + abs(dy) / 2 > miny) & (y - abs(dy) / 2 < maxy))
    grid_r, grid_c = np.meshgrid(rows, cols, indexing="ij")
    rr, cc = grid_r.ravel(), grid_c.ravel()
    boxes = shapely.box(
        x[cc] - abs(dx) / 2, y[rr] - abs(dy) / 2, x[cc] + abs(dx) / 2, y[rr] + abs(dy) / 2
    )
    shapely.prepare(polygon)
    frac = shapely.area(shapely.intersection(boxes, polygon)) / (abs(dx) * abs(dy))
    keep = frac > 0
    return rr[keep], cc[keep], np.clip(frac[keep], 0.0, 1.0)


def zonal_stats(
    da: xr.DataArray, zones: gpd.GeoDataFrame, *, id_column: str = "code"
) -> pd.DataFrame:
    """Per zone (and per ``time``/``band`` if the grid has one): mean, max, sum, covered_fraction.

    - ``mean``: area-weighted mean of valid (non-NaN) cells, weights = covered fraction of each cell;
    - ``max``: maximum over valid cells the zone touches (any positive overlap);
    - ``sum``: Σ value × covered fraction — for a per-cell quantity (e.g. t/cell of an emission
      inventory) this is the amount inside the zone;
    - ``covered_fraction``: area of the zone covered by valid cells / area of the zone (0..1);
      less than 1 where the zone runs off the grid or over nodata;
    - ``n_cells``: cells with positive overlap.
    Returns a long frame with columns ``zone``, [``time``|``band``], then ``STAT_COLUMNS``.
    """
    grid = da.transpose(..., "y", "x")
    extra = grid.dims[0] if grid.ndim == 3 else None
    values = np.asarray(grid.values, dtype=np.float64)
    if extra is None:
        values = values[None]
    dx, dy = cell_size(grid)
    cell_area = abs(dx) * abs(dy)
    polys = zones.to_crs(crs_of(grid))
    records = []
    for zid, poly in zip(polys[id_column], polys.geometry.to_numpy(), strict=True):
        r, c, w = coverage_weights(grid, poly)
        v = values[:, r, c]  # (k, cells)
        ok = ~np.isnan(v)
        wv = np.where(ok, w, 0.0)
        wsum = wv.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(wsum > 0, (np.where(ok, v, 0.0) * wv).sum(axis=1) / wsum, np.nan)
        vmax = np.where(ok.any(axis=1), np.nanmax(np.where(ok, v, -np.inf), axis=1), np.nan)
        total = (np.where(ok, v, 0.0) * wv).sum(axis=1)
        area = shapely.area(poly)
        covered = wsum * cell_area / area if area > 0 else np.full(len(wsum), np.nan)
        for k in range(values.shape[0]):
            rec: dict[str, object] = {"zone": zid}
            if extra is not None:
                rec[str(extra)] = grid[extra].values[k]
            rec.update(
                mean=float(mean[k]),
                max=float(vmax[k]),
                sum=float(total[k]),
                covered_fraction=float(min(covered[k], 1.0)),
                n_cells=int(len(w)),
            )
            records.append(rec)
    return pd.DataFrame.from_records(records)
