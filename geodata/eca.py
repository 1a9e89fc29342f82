"""The harbour's domestic emission control area, derived from its published definition.

The 2015 Yangtze River Delta ship emission control area (交海发〔2015〕177号) has a sea boundary
defined in words: its vertices lie "12 nautical miles away from" the territorial-sea basepoints
佘山岛 (11), 海礁 (12), 东南礁 (13), 两兄弟屿 (14) and 渔山列岛 (15) of the 1996 baselines
declaration; the vertices themselves are not published as numbers, and the 2018 domestic area's
Table 1 was not available (``geodata/data/SOURCES.md``). So envmon derives an outline and labels
it derived (推导) until the bureau imports the official one:

1. the baseline: straight segments joining basepoints 11-12-13-14-15 in order (as the declaration
   joins consecutive basepoints), in UTM zone 51N (metres; scale error under 0.04 % here);
2. the seaward band: a one-sided 12 nmi (22,224 m) buffer on the seaward (east) side of that line,
   round joins, so its outer edge is everywhere 12 nmi from the nearest baseline point;
3. the waters landward of the baseline (the internal waters holding the archipelago);
4. both cut to the harbour window: the latitudes of the city's outline widened by 12 nmi north and
   south, west to 12 nmi beyond the city's western edge. The window's edges are NOT boundaries of
   the control area; only the eastern edge (the 12 nmi line) follows the definition. Islands and
   the mainland shore inside the window are included (no coastline data is shipped).
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike

from geodata.crs import METRIC, WGS84

#: One nautical mile (metres), by the international definition (1929).
NAUTICAL_MILE_M: Final = 1852.0
#: The control area's seaward distance from the basepoints (交海发〔2015〕177号): 12 nmi.
ECA_DISTANCE_M: Final = 12 * NAUTICAL_MILE_M
#: Basepoints of the Zhoushan stretch of the baseline, in the declaration's order.
BASEPOINTS: Final = (11, 12, 13, 14, 15)


def derive_eca(
    basepoint_lon: ArrayLike,
    basepoint_lat: ArrayLike,
    city: shapely.Geometry,
    *,
    distance_m: float = ECA_DISTANCE_M,
) -> shapely.Geometry:
    """The derived control area (EPSG:4326 polygon) from basepoints running north to south.

    ``basepoint_lon``/``basepoint_lat``: degrees, in baseline order (north to south, so the sea is
    on the left); ``city``: the city outline (EPSG:4326) that sets the harbour window.
    """
    to_m = gpd.GeoSeries(
        gpd.points_from_xy(np.asarray(basepoint_lon, float), np.asarray(basepoint_lat, float)),
        crs=WGS84,
    ).to_crs(METRIC)
    xy = np.column_stack([to_m.x.to_numpy(), to_m.y.to_numpy()])
    baseline = shapely.LineString(xy)
    # Left of a line run north to south is east: the seaward side.
    band = shapely.buffer(baseline, distance_m, single_sided=True, join_style="round")
    cminx, cminy, cmaxx, cmaxy = gpd.GeoSeries([city], crs=WGS84).to_crs(METRIC).total_bounds
    west = min(cminx, float(xy[:, 0].min())) - distance_m
    landward = shapely.Polygon([*xy.tolist(), (west, xy[-1, 1]), (west, xy[0, 1])])
    east = float(shapely.bounds(band)[2])
    window = shapely.box(west, cminy - distance_m, east, cmaxy + distance_m)
    area = shapely.intersection(shapely.union(band, shapely.make_valid(landward)), window)
    area = shapely.make_valid(shapely.simplify(area, 1.0))
    out = gpd.GeoSeries([area], crs=METRIC).to_crs(WGS84).iloc[0]
    return shapely.set_precision(out, 1e-6)


__all__ = ["BASEPOINTS", "ECA_DISTANCE_M", "NAUTICAL_MILE_M", "derive_eca"]
