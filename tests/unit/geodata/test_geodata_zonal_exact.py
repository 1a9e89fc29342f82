"""Area-weighted zonal statistics against answers worked by hand (issue 16 item 4), to 1e-9.

Every oracle here is computed without ``geodata.zonal``: polygon areas by the shoelace formula
written out, integrals of linear fields by calculus, partial-cell areas by a polygon clip written
in this file, ellipsoidal cell areas by a formula written in this file.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
import xarray as xr
from pyproj import CRS, Transformer

import geodata
from geodata.grids import attach_crs
from geodata.zonal import zonal_stats

#: A projected equal-area CRS centred on Zhoushan (its areal scale is 1): the analytic integrals
#: below are then the ground integrals.
LAEA = "+proj=laea +lat_0=30 +lon_0=122.2 +datum=WGS84 +units=m +no_defs"
X0, Y0 = 10_000.0, 20_000.0
CELL = 100.0
TOL = 1e-9


def _grid(values: np.ndarray, crs: str = LAEA, x0: float = X0, y0: float = Y0) -> xr.DataArray:
    """``values`` (ny, nx) on 100 m cells whose south-west corner is (x0, y0); row 0 is north."""
    ny, nx = values.shape
    x = x0 + CELL / 2 + CELL * np.arange(nx)
    y = y0 + ny * CELL - CELL / 2 - CELL * np.arange(ny)
    da = xr.DataArray(values, dims=("y", "x"), coords={"y": y, "x": x}, name="v")
    return attach_crs(da, crs)


def _ramp(a: float, b: float, c: float, ny: int = 10, nx: int = 10) -> xr.DataArray:
    """v = a + b·(x − X0) + c·(y − Y0) at cell centres (x, y in metres)."""
    x = CELL / 2 + CELL * np.arange(nx)
    y = ny * CELL - CELL / 2 - CELL * np.arange(ny)
    return _grid(a + b * x[None, :] + c * y[:, None])


def _zones(*geoms: shapely.Geometry, crs: str = LAEA) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": [f"z{i}" for i in range(len(geoms))]}, geometry=list(geoms), crs=crs
    )


def _shifted(coords: list[tuple[float, float]]) -> shapely.Polygon:
    return shapely.Polygon([(X0 + x, Y0 + y) for x, y in coords])


def _shoelace(coords: list[tuple[float, float]]) -> float:
    n = len(coords)
    return (
        abs(
            sum(
                coords[i][0] * coords[(i + 1) % n][1] - coords[(i + 1) % n][0] * coords[i][1]
                for i in range(n)
            )
        )
        / 2
    )


def _clip(
    poly: list[tuple[float, float]], x0: float, y0: float, x1: float, y1: float
) -> list[tuple[float, float]]:
    """Sutherland–Hodgman clip of a convex polygon to the box [x0, x1] × [y0, y1]."""

    def cut(pts: list[tuple[float, float]], inside, cross) -> list[tuple[float, float]]:  # type: ignore[no-untyped-def]
        out: list[tuple[float, float]] = []
        for i, p in enumerate(pts):
            q = pts[i - 1]
            if inside(p):
                if not inside(q):
                    out.append(cross(q, p))
                out.append(p)
            elif inside(q):
                out.append(cross(q, p))
        return out

    def at_x(xc: float):  # type: ignore[no-untyped-def]
        return lambda q, p: (xc, q[1] + (p[1] - q[1]) * (xc - q[0]) / (p[0] - q[0]))

    def at_y(yc: float):  # type: ignore[no-untyped-def]
        return lambda q, p: (q[0] + (p[0] - q[0]) * (yc - q[1]) / (p[1] - q[1]), yc)

    pts = poly
    for inside, cross in (
        (lambda p: p[0] >= x0, at_x(x0)),
        (lambda p: p[0] <= x1, at_x(x1)),
        (lambda p: p[1] >= y0, at_y(y0)),
        (lambda p: p[1] <= y1, at_y(y1)),
    ):
        pts = cut(pts, inside, cross) if pts else []
    return pts


def test_constant_field_over_a_triangle() -> None:
    # triangle (130,120) (870,260) (410,930) m from the grid's corner; area by hand:
    # |130·(260−930) + 870·(930−120) + 410·(120−260)| / 2 = |−87,100 + 704,700 − 57,400| / 2
    # = 280,100 m² = 28.01 cells of 10,000 m²
    tri = [(130.0, 120.0), (870.0, 260.0), (410.0, 930.0)]
    assert _shoelace(tri) == 280_100.0
    s = zonal_stats(_grid(np.full((10, 10), 3.7)), _zones(_shifted(tri))).iloc[0]
    assert s["mean"] == pytest.approx(3.7, abs=TOL)
    assert s["min"] == 3.7 and s["max"] == 3.7
    assert s["count"] == pytest.approx(28.01, rel=TOL)
    assert s["sum"] == pytest.approx(3.7 * 28.01, rel=TOL)
    assert s["covered_area_km2"] == pytest.approx(0.2801, rel=TOL)
    assert s["zone_area_km2"] == pytest.approx(0.2801, rel=TOL)
    assert s["covered_fraction"] == pytest.approx(1.0, abs=TOL)


def test_linear_ramp_analytic_integral_over_a_rectangle() -> None:
    # v = 2 + 0.01·x (x metres east of the corner); rectangle x 100..700 (cell edges),
    # y 130..870 (cutting rows). ∫∫ v dA = 740 · [2x + 0.005x²]_100^700 = 740 · (1200 + 2400)
    # = 2,664,000; area 444,000 m²; mean 6.0 (the value at the centroid x = 400).
    rect = [(100.0, 130.0), (700.0, 130.0), (700.0, 870.0), (100.0, 870.0)]
    s = zonal_stats(_ramp(2.0, 0.01, 0.0), _zones(_shifted(rect))).iloc[0]
    assert s["mean"] == pytest.approx(2_664_000 / 444_000, abs=TOL)
    assert s["sum"] == pytest.approx(2_664_000 / 10_000, rel=TOL)  # Σ f·v = ∫v dA / cell area
    assert s["count"] == pytest.approx(44.4, rel=TOL)
    assert s["min"] == pytest.approx(2.0 + 0.01 * 150, abs=TOL)  # first covered column, centre 150
    assert s["max"] == pytest.approx(2.0 + 0.01 * 650, abs=TOL)


def test_linear_ramp_over_a_triangle_against_an_independent_clip() -> None:
    # v = 1 + 0.003·x − 0.002·y, a slanted triangle: each cell's covered area by the clip above,
    # times its centre value; the continuous integral (area × value at the centroid) differs only
    # by the cell-sampling of the ramp, and is checked to that order.
    a, b, c = 1.0, 0.003, -0.002
    tri = [(130.0, 120.0), (870.0, 260.0), (410.0, 930.0)]
    num = area = 0.0
    vmin, vmax = math.inf, -math.inf
    for i in range(10):
        for j in range(10):
            piece = _clip(tri, j * CELL, i * CELL, (j + 1) * CELL, (i + 1) * CELL)
            part = _shoelace(piece) if len(piece) >= 3 else 0.0
            if part > 0:
                v = a + b * (j + 0.5) * CELL + c * (i + 0.5) * CELL
                num += v * part
                area += part
                vmin, vmax = min(vmin, v), max(vmax, v)
    assert area == pytest.approx(280_100.0, rel=1e-12)
    s = zonal_stats(_ramp(a, b, c), _zones(_shifted(tri))).iloc[0]
    assert s["mean"] == pytest.approx(num / area, abs=TOL)
    assert s["sum"] == pytest.approx(num / 10_000, rel=TOL)
    assert s["min"] == pytest.approx(vmin, abs=TOL) and s["max"] == pytest.approx(vmax, abs=TOL)
    cx, cy = (130 + 870 + 410) / 3, (120 + 260 + 930) / 3
    assert s["mean"] == pytest.approx(a + b * cx + c * cy, abs=0.05)


def test_polygon_crossing_the_raster_edge() -> None:
    # the rectangle runs 300 m past the grid's east edge (x = 1000): covered x 700..1000.
    # ∫∫ v dA = 740 · [2x + 0.005x²]_700^1000 = 740 · (600 + 2550) = 2,331,000 over 222,000 m²
    rect = [(700.0, 130.0), (1300.0, 130.0), (1300.0, 870.0), (700.0, 870.0)]
    s = zonal_stats(_ramp(2.0, 0.01, 0.0), _zones(_shifted(rect))).iloc[0]
    assert s["mean"] == pytest.approx(2_331_000 / 222_000, abs=TOL)  # 10.5
    assert s["count"] == pytest.approx(22.2, rel=TOL)
    assert s["covered_area_km2"] == pytest.approx(0.222, rel=TOL)
    assert s["zone_area_km2"] == pytest.approx(0.444, rel=TOL)
    assert s["covered_fraction"] == pytest.approx(0.5, abs=TOL)


def test_nodata_cell_is_left_out() -> None:
    # the cell of column 3 (x 300..400, centre value 5.5) and row 4 from the north (y 500..600),
    # wholly inside the rectangle, is nodata: 2,664,000 − 5.5·10,000 over 444,000 − 10,000 m²
    grid = _ramp(2.0, 0.01, 0.0)
    grid[4, 3] = np.nan
    rect = [(100.0, 130.0), (700.0, 130.0), (700.0, 870.0), (100.0, 870.0)]
    s = zonal_stats(grid, _zones(_shifted(rect))).iloc[0]
    assert s["mean"] == pytest.approx(2_609_000 / 434_000, abs=TOL)
    assert s["count"] == pytest.approx(43.4, rel=TOL)
    assert s["covered_fraction"] == pytest.approx(434_000 / 444_000, abs=TOL)
    assert s["n_cells"] == 6 * 8


def test_projected_raster_with_zones_in_longitude_latitude() -> None:
    # the zone arrives in EPSG:4326 (as zone files do) and is carried into the raster's CRS;
    # its vertices were made from the rectangle, so the answer is the rectangle's.
    rect = [(100.0, 130.0), (700.0, 130.0), (700.0, 870.0), (100.0, 870.0)]
    to_ll = Transformer.from_crs(CRS(LAEA), "EPSG:4326", always_xy=True)
    ll = [to_ll.transform(X0 + x, Y0 + y) for x, y in rect]
    zones = _zones(shapely.Polygon(ll), crs="EPSG:4326")
    s = zonal_stats(_ramp(2.0, 0.01, 0.0), zones).iloc[0]
    # the vertices went through PROJ twice (there and back): they come back within micrometres,
    # which moves the answer in the 8th digit, not the 6th
    assert s["mean"] == pytest.approx(6.0, rel=1e-7)
    assert s["sum"] == pytest.approx(266.4, rel=1e-7)
    assert s["count"] == pytest.approx(44.4, rel=1e-7)


def test_utm_raster_constant_field_and_counts() -> None:
    # the same triangle on a UTM 51N grid (the service's metric CRS): counts and sums are map
    # quantities, exact; the area-weighted mean of a constant is the constant.
    tri = [(130.0, 120.0), (870.0, 260.0), (410.0, 930.0)]
    x0, y0 = 380_000.0, 3_300_000.0
    grid = _grid(np.full((10, 10), 42.0), geodata.METRIC, x0, y0)
    zone = shapely.Polygon([(x0 + x, y0 + y) for x, y in tri])
    s = zonal_stats(grid, _zones(zone, crs=geodata.METRIC)).iloc[0]
    assert s["mean"] == pytest.approx(42.0, abs=TOL)
    assert s["count"] == pytest.approx(28.01, rel=TOL)
    assert s["sum"] == pytest.approx(42.0 * 28.01, rel=TOL)
    # ground area = map area / UTM's areal scale k², k = 0.9996·(1 + d²/2R²) at d = 120 km west
    # of the central meridian (the series' first term, good to 1e-5 here)
    k = 0.9996 * (1 + 120_000.0**2 / (2 * 6_371_000.0**2))
    assert s["covered_area_km2"] == pytest.approx(0.2801 / k**2, rel=2e-5)


def _band_area_m2(lat1: float, lat2: float, dlon: float) -> float:
    """Area between two parallels over dlon degrees on WGS 84, by the series of the authalic
    latitude written out independently: A = 2π·R_q²·(sin β2 − sin β1)·dlon/360."""
    a, f = 6_378_137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    e = math.sqrt(e2)

    def q(phi: float) -> float:
        s = math.sin(math.radians(phi))
        return (1 - e2) * (s / (1 - e2 * s * s) - math.log((1 - e * s) / (1 + e * s)) / (2 * e))

    qp = q(90.0)
    rq2 = a * a * qp / 2
    return 2 * math.pi * rq2 * (q(lat2) / qp - q(lat1) / qp) * dlon / 360.0


def test_geographic_grid_weights_cells_by_their_ellipsoidal_area() -> None:
    # a 1° grid from 0° to 60° N, one column; v = the row's latitude band index from the south.
    # The whole column's mean is Σ A_j·j / Σ A_j with A_j worked out above.
    lats = np.arange(59.5, 0, -1.0)  # centres, north first
    v = (lats - 0.5)[:, None] * np.ones((1, 2))
    da = attach_crs(
        xr.DataArray(v, dims=("y", "x"), coords={"y": lats, "x": [120.5, 121.5]}, name="v"),
        geodata.WGS84,
    )
    zone = shapely.box(120.0, 0.0, 121.0, 60.0)
    s = zonal_stats(da, _zones(zone, crs=geodata.WGS84)).iloc[0]
    areas = [_band_area_m2(j, j + 1, 1.0) for j in range(60)]
    assert s["mean"] == pytest.approx(sum(a * j for j, a in enumerate(areas)) / sum(areas), abs=TOL)
    assert s["covered_area_km2"] == pytest.approx(sum(areas) / 1e6, rel=TOL)
    # the plain cell mean (29.5) would overweight the small northern cells
    assert s["mean"] < 29.0
    # the whole ellipsoid by the same cell formula: WGS 84's surface, 510,065,621.72 km²
    whole = sum(_band_area_m2(-90 + k, -89 + k, 360.0) for k in range(180))
    assert whole / 1e6 == pytest.approx(510_065_621.72, rel=1e-10)


def test_a_zone_off_the_grid_has_no_values() -> None:
    far = _shifted([(5000.0, 5000.0), (5300.0, 5000.0), (5300.0, 5300.0)])
    s = zonal_stats(_grid(np.full((10, 10), 1.0), geodata.METRIC), _zones(far, crs=geodata.METRIC))
    row = s.iloc[0]
    assert row["n_cells"] == 0 and row["count"] == 0.0 and math.isnan(row["mean"])
    assert row["covered_fraction"] == 0.0
