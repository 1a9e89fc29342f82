"""Zonal statistics of a grid over polygons (districts, zones) with exact area-weighted coverage.

Each cell's coverage in a zone is ``area(cell ∩ zone) / area(cell)``, computed with vectorised
shapely intersections of the cell boxes with the polygon, in the grid's own CRS (polygons are
transformed into it, so a raster in any CRS works). No centre-point sampling: a cell half inside
counts half. A cell's weight is its coverage times its true area (``cell_areas_m2``): constant on a
projected grid, shrinking towards the poles on a longitude/latitude grid, where it is the exact
area of the cell on the CRS's ellipsoid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xarray as xr
from numpy.typing import NDArray
from pyproj import CRS, Proj, Transformer

from geodata.grids import cell_size, crs_of

STAT_COLUMNS: Final = (
    "mean",
    "min",
    "max",
    "sum",
    "count",
    "covered_area_km2",
    "zone_area_km2",
    "covered_fraction",
    "n_cells",
)


@dataclass(frozen=True, slots=True)
class ZoneCells:
    """The cells one zone touches: row and column indices, coverage fraction (0, 1], the covered
    area of each cell (m²) and the zone's own area (m², 0 for a point zone, whose one cell is the
    one it lies in, with coverage 1 and covered area 0)."""

    rows: NDArray[np.intp]
    cols: NDArray[np.intp]
    fraction: NDArray[np.float64]
    area_m2: NDArray[np.float64]
    zone_area_m2: float


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
    # Cells wholly inside need no intersection: their fraction is exactly 1.
    inside = shapely.contains_properly(polygon, boxes)
    frac = np.ones(len(boxes))
    cut = ~inside
    frac[cut] = shapely.area(shapely.intersection(boxes[cut], polygon)) / (abs(dx) * abs(dy))
    keep = frac > 0
    return rr[keep], cc[keep], np.clip(frac[keep], 0.0, 1.0)


def ellipsoid_band_area_m2(
    lat1_deg: NDArray[np.float64], lat2_deg: NDArray[np.float64], dlon_deg: float, crs: CRS
) -> NDArray[np.float64]:
    """Exact area (m²) of the cells between latitudes ``lat1`` and ``lat2`` (degrees, any order)
    and ``dlon`` degrees of longitude wide, on the ellipsoid of the geographic ``crs``.

    Uses the authalic-latitude form: A = b²·Δλ/2 · [q(φ2) − q(φ1)] with
    q(φ) = sin φ / (1 − e² sin² φ) + ln((1 + e sin φ) / (1 − e sin φ)) / (2e).
    """
    ell = crs.ellipsoid
    if ell is None:  # pragma: no cover - every geographic CRS pyproj builds has one
        raise ValueError("the grid's CRS has no ellipsoid")
    a = float(ell.semi_major_metre)
    b = float(ell.semi_minor_metre)
    e2 = 1.0 - (b * b) / (a * a)
    dlon = np.deg2rad(abs(dlon_deg))

    def q(lat: NDArray[np.float64]) -> NDArray[np.float64]:
        s = np.sin(np.deg2rad(lat))
        if e2 == 0.0:
            return np.asarray(2.0 * s, dtype=np.float64)
        e = np.sqrt(e2)
        out = s / (1.0 - e2 * s * s) + np.log((1.0 + e * s) / (1.0 - e * s)) / (2.0 * e)
        return np.asarray(out, dtype=np.float64)

    return np.asarray(np.abs(b * b * dlon / 2.0 * (q(lat2_deg) - q(lat1_deg))), dtype=np.float64)


def _unit_m(crs: CRS) -> float:
    return float(crs.axis_info[0].unit_conversion_factor) if crs.axis_info else 1.0


def _areal_scale(crs: CRS, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Map area / ground area of the projected ``crs`` at map points (x, y) (PROJ's factors)."""
    if x.size == 0:  # a zone that misses the grid: PROJ refuses empty arrays
        return np.ones(0)
    lon, lat = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True).transform(x, y)
    scale = np.asarray(Proj(crs).get_factors(lon, lat).areal_scale, dtype=np.float64)
    return np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)


def cell_areas_m2(
    da: xr.DataArray, rows: NDArray[np.intp], cols: NDArray[np.intp]
) -> NDArray[np.float64]:
    """True (ground) area in m² of the cells at ``rows``/``cols``.

    A geographic grid: the exact ellipsoidal area of each cell. A projected grid: the cell's map
    area |dx·dy| (in metres) divided by the projection's areal scale at the cell centre, so a Web
    Mercator raster is not weighted by its inflated northern cells (UTM's scale is within 0.1 %,
    an equal-area projection's is 1).
    """
    crs = crs_of(da)
    dx, dy = cell_size(da)
    y = np.asarray(da["y"].values, dtype=float)[rows]
    if crs.is_geographic:
        return ellipsoid_band_area_m2(y - abs(dy) / 2, y + abs(dy) / 2, abs(dx), crs)
    x = np.asarray(da["x"].values, dtype=float)[cols]
    unit = _unit_m(crs)
    return abs(dx * dy) * unit * unit / _areal_scale(crs, x, y)


def _zone_area_m2(poly: shapely.Geometry, crs: CRS) -> float:
    """Ground area of a polygon given in ``crs`` (m²): geodesic on a geographic CRS; on a projected
    one its map area divided by the areal scale at its centroid."""
    if crs.is_geographic:
        geod = crs.get_geod()
        assert geod is not None
        return float(abs(geod.geometry_area_perimeter(poly)[0]))
    c = shapely.centroid(poly)
    unit = _unit_m(crs)
    scale = _areal_scale(crs, np.array([c.x]), np.array([c.y]))[0]
    return float(shapely.area(poly)) * unit * unit / float(scale)


def zone_cells(da: xr.DataArray, polygon: shapely.Geometry) -> ZoneCells:
    """The cells of ``da`` that ``polygon`` (in the grid's CRS) covers, with their covered areas."""
    crs = crs_of(da)
    empty = ZoneCells(
        np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0), np.zeros(0), float("nan")
    )
    if polygon is None or shapely.is_empty(polygon):
        return empty
    dx, dy = cell_size(da)
    if shapely.area(polygon) == 0:
        # a point (or line) zone: the cells its points lie in, each counted once, area 0
        pts = shapely.get_coordinates(polygon)
        x = np.asarray(da["x"].values, dtype=float)
        y = np.asarray(da["y"].values, dtype=float)
        c = np.floor((pts[:, 0] - (x[0] - dx / 2)) / dx).astype(np.intp)
        r = np.floor((pts[:, 1] - (y[0] - dy / 2)) / dy).astype(np.intp)
        on = (c >= 0) & (c < len(x)) & (r >= 0) & (r < len(y))
        rc = np.unique(np.stack([r[on], c[on]], axis=1), axis=0)
        n = len(rc)
        return ZoneCells(rc[:, 0], rc[:, 1], np.ones(n), np.zeros(n), 0.0)
    r, c, f = coverage_weights(da, polygon)
    areas = cell_areas_m2(da, r, c) * f
    return ZoneCells(r, c, f, areas, _zone_area_m2(polygon, crs))


def _stats(values: NDArray[np.float64], cells: ZoneCells) -> dict[str, NDArray[np.float64]]:
    """Statistics over the cells of one zone for each leading slice of ``values`` (k, ny, nx)."""
    k = values.shape[0]
    v = values[:, cells.rows, cells.cols]  # (k, cells)
    ok = ~np.isnan(v)
    v0 = np.where(ok, v, 0.0)
    frac = np.where(ok, cells.fraction, 0.0)
    area = np.where(ok, cells.area_m2, 0.0)
    area_sum = area.sum(axis=1)
    count = frac.sum(axis=1)
    any_ok = ok.any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if cells.zone_area_m2 > 0:
            mean = np.where(area_sum > 0, (v0 * area).sum(axis=1) / area_sum, np.nan)
        else:  # point zones: the plain mean of the cells they lie in
            mean = np.where(count > 0, (v0 * frac).sum(axis=1) / count, np.nan)
    vmin = np.where(any_ok, np.min(np.where(ok, v, np.inf), axis=1, initial=np.inf), np.nan)
    vmax = np.where(any_ok, np.max(np.where(ok, v, -np.inf), axis=1, initial=-np.inf), np.nan)
    zone_km2 = np.full(k, cells.zone_area_m2 / 1e6)
    covered = np.where(
        zone_km2 > 0,
        np.minimum(area_sum / 1e6 / np.where(zone_km2 > 0, zone_km2, 1.0), 1.0),
        np.nan,
    )
    return {
        "mean": mean,
        "min": vmin,
        "max": vmax,
        "sum": (v0 * frac).sum(axis=1),
        "count": count,
        "covered_area_km2": area_sum / 1e6,
        "zone_area_km2": zone_km2,
        "covered_fraction": covered,
        "n_cells": np.full(k, float(len(cells.rows))),
    }


def zonal_stats(
    da: xr.DataArray, zones: gpd.GeoDataFrame, *, id_column: str = "code"
) -> pd.DataFrame:
    """Per zone (and per ``time``/``band`` if the grid has one): the statistics of ``STAT_COLUMNS``.

    Over the valid (non-NaN) cells the zone covers, a cell's coverage fraction ``f`` and true
    covered area ``a = f × cell area``:

    - ``mean``: Σ a·v / Σ a, the area-weighted mean;
    - ``min``/``max``: over valid cells with any positive overlap;
    - ``sum``: Σ f·v — for a per-cell quantity (t/cell of an emission inventory, ship counts per
      cell) the amount inside the zone;
    - ``count``: Σ f, the number of valid cells' worth the zone covers;
    - ``covered_area_km2``: Σ a; ``zone_area_km2``: the zone's own area (geodesic on a
      longitude/latitude grid); ``covered_fraction``: their ratio, below 1 where the zone runs off
      the grid or over nodata;
    - ``n_cells``: cells with positive overlap, valid or not.

    A zone without area (a point) takes the cell it lies in: mean = min = max = its value, areas 0,
    ``covered_fraction`` NaN. Returns a long frame: ``zone``, [``time``|``band``], ``STAT_COLUMNS``.
    """
    grid = da.transpose(..., "y", "x")
    extra = grid.dims[0] if grid.ndim == 3 else None
    values = np.asarray(grid.values, dtype=np.float64)
    if extra is None:
        values = values[None]
    polys = zones.to_crs(crs_of(grid))
    labels = grid[extra].values if extra is not None else None
    frames = []
    for zid, poly in zip(polys[id_column], polys.geometry.to_numpy(), strict=True):
        stats = _stats(values, zone_cells(grid, poly))
        frame = pd.DataFrame({"zone": [zid] * values.shape[0]})
        if extra is not None:
            frame[str(extra)] = labels
        for col in STAT_COLUMNS:
            frame[col] = stats[col]
        frames.append(frame)
    if not frames:
        cols = ["zone", *([str(extra)] if extra is not None else []), *STAT_COLUMNS]
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    out["n_cells"] = out["n_cells"].astype(int)
    return out
