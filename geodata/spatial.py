"""Spatial joins on places: district assignment, route corridors, distances to harbour zones.

Distances and buffers are computed in UTM zone 51N (``geodata.crs.METRIC``, metres); inputs may be
in any CRS and come back in their own CRS.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.crs import METRIC
from geodata.places import load_districts

#: ``district_match`` values.
INSIDE: Final = "inside"
NEAREST: Final = "nearest"
UNASSIGNED: Final = "unassigned"


def assign_district(
    points: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame | None = None,
    max_distance_m: float = 5000.0,
) -> gpd.GeoDataFrame:
    """Add ``district_code``, ``district_match`` and ``district_distance_m`` to a copy of ``points``.

    A point inside a district polygon gets that district (``inside``, distance 0). A point outside
    every polygon (at sea, or on a coast the simplified outline misses) gets the nearest district if it
    lies within ``max_distance_m`` metres (``nearest``, with the distance); farther points, and rows
    without a geometry, are ``unassigned``. Rows without a geometry keep any ``district_code`` they
    already carry (for example a section whose district is published but whose position is not).
    """
    if max_distance_m < 0:
        raise ValueError(f"max_distance_m must be >= 0, got {max_distance_m}")
    dist = load_districts() if districts is None else districts
    out = points.copy()
    n = len(out)
    pts = out.geometry.to_crs(METRIC).to_numpy() if out.crs is not None else out.geometry.to_numpy()
    polys = dist.to_crs(METRIC)
    codes = polys["code"].astype(str).to_numpy()
    tree = shapely.STRtree(polys.geometry.to_numpy())

    has_geom = ~(shapely.is_missing(pts) | shapely.is_empty(pts))
    code = np.full(n, None, dtype=object)
    match = np.full(n, UNASSIGNED, dtype=object)
    distance = np.full(n, np.nan)

    idx = np.flatnonzero(has_geom)
    # "intersects" (not "within") so that a point exactly on a boundary is still inside; ties between
    # two districts keep the first polygon in file order.
    pairs = tree.query(pts[idx], predicate="intersects")
    first_pt, first_at = np.unique(pairs[0], return_index=True)
    hit = idx[first_pt]
    code[hit] = codes[pairs[1][first_at]]
    match[hit] = INSIDE
    distance[hit] = 0.0

    rest = np.setdiff1d(idx, hit)
    if rest.size:
        near_pairs, near_d = tree.query_nearest(
            pts[rest], max_distance=max_distance_m, return_distance=True, all_matches=False
        )
        got = rest[near_pairs[0]]
        code[got] = codes[near_pairs[1]]
        match[got] = NEAREST
        distance[got] = near_d

    if "district_code" in out.columns:
        keep = ~has_geom
        code[keep] = out["district_code"].to_numpy()[keep]
    # object dtype keeps None (not NaN) for "no district": callers test ``is None``.
    out["district_code"] = pd.Series(code, index=out.index, dtype=object)
    out["district_match"] = pd.Series(match, index=out.index, dtype=object)
    out["district_distance_m"] = distance
    return out


def route_corridors(
    zones: gpd.GeoDataFrame, default_half_width_m: float = 500.0
) -> gpd.GeoDataFrame:
    """Replace each ``route`` axis by its corridor polygon: ``half_width_m`` either side (metres).

    Flat ends: the notices define width across the axis, not beyond its end points. Other kinds are
    returned unchanged. Output in the input's CRS.
    """
    out = zones.copy()
    is_route = (out["kind"] == "route").to_numpy()
    if not is_route.any():
        return out
    half = (
        pd.to_numeric(out["half_width_m"], errors="coerce")
        if "half_width_m" in out.columns
        else pd.Series(np.nan, index=out.index)
    )
    half = half.fillna(default_half_width_m).to_numpy()
    metric = out.geometry.to_crs(METRIC).to_numpy()
    buffered = shapely.buffer(
        metric[is_route], half[is_route], cap_style="flat", join_style="round"
    )
    back = gpd.GeoSeries(buffered, crs=METRIC).to_crs(out.crs).to_numpy()
    geoms = out.geometry.to_numpy().copy()
    geoms[is_route] = back
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=out.crs))
    return out


def distance_to_zone_kinds(
    points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, *, corridors: bool = True
) -> pd.DataFrame:
    """Distance (metres) from each point to the nearest zone of each kind.

    Returns a frame indexed like ``points`` with one float column per zone kind present in ``zones``
    (0 inside a zone; NaN for a point without a geometry). With ``corridors=True`` route axes are first
    widened to their corridors (``route_corridors``).
    """
    z = route_corridors(zones) if corridors else zones
    z_m = z.to_crs(METRIC)
    pts = points.geometry.to_crs(METRIC).to_numpy()
    ok = ~(shapely.is_missing(pts) | shapely.is_empty(pts))
    result = pd.DataFrame(index=points.index)
    kinds = list(dict.fromkeys(z_m["kind"].astype(str)))
    for kind in kinds:  # one vectorised nearest query per kind (a handful of kinds)
        geoms = z_m.geometry[z_m["kind"] == kind].to_numpy()
        col = np.full(len(pts), np.nan)
        if ok.any():
            tree = shapely.STRtree(geoms)
            pairs, d = tree.query_nearest(pts[ok], return_distance=True, all_matches=False)
            vals = np.full(int(ok.sum()), np.nan)
            vals[pairs[0]] = d
            col[ok] = vals
        result[kind] = col
    return result


def within_km_of_zone_kinds(
    points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, km: float, *, corridors: bool = True
) -> pd.DataFrame:
    """Boolean frame: does each point lie within ``km`` kilometres of some zone of each kind?"""
    dist = distance_to_zone_kinds(points, zones, corridors=corridors)
    return dist.le(km * 1000.0)


def point_zone_distances_km(
    points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, *, corridors: bool = True
) -> pd.DataFrame:
    """Distance (km, UTM 51N) from every point to every zone: rows ``points['code']``, columns
    ``zones['code']``; 0 inside a zone, NaN for a point without a geometry. Routes are their
    corridors when ``corridors`` (``route_corridors``). One broadcast distance call."""
    z = route_corridors(zones) if corridors else zones
    pts = points.geometry.to_crs(METRIC).to_numpy()
    geoms = z.geometry.to_crs(METRIC).to_numpy()
    km = (
        shapely.distance(pts[:, None], geoms[None, :]) / 1000.0
        if len(pts) and len(geoms)
        else (np.zeros((len(pts), len(geoms))))
    )
    return pd.DataFrame(
        km,
        index=points["code"].astype(str).to_numpy(),
        columns=z["code"].astype(str).to_numpy(),
    )
