"""Point zones on the staff map (issue 22, finding 7): distances from stations to Point zones are
real distances, not NaN from a zero buffer, whatever the mix of zone geometries."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from maps.layers import stations_near_zones


def _stations() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["S1", "S2"]}, geometry=[Point(122.10, 30.00), Point(122.50, 30.50)], crs=4326
    )


def test_only_point_zones() -> None:
    zones = gpd.GeoDataFrame(
        {"code": ["P1"], "name": ["锚位"], "kind": ["anchorage"]},
        geometry=[Point(122.11, 30.00)],  # about 0.96 km east of S1 at 30°N
        crs=4326,
    )
    near = stations_near_zones(_stations(), zones, km=2.0)
    assert list(near["station"]) == ["S1"]
    assert near["distance_km"].iloc[0] == pytest.approx(0.964, abs=0.01)


def test_points_beside_a_route_corridor() -> None:
    zones = gpd.GeoDataFrame(
        {
            "code": ["P1", "R1"],
            "name": ["锚位", "航路"],
            "kind": ["anchorage", "route"],
            "half_width_m": [None, 500.0],
        },
        geometry=[Point(122.11, 30.00), LineString([(122.49, 30.40), (122.49, 30.60)])],
        crs=4326,
    )
    near = stations_near_zones(_stations(), zones, km=1.0).set_index("station")
    assert near.loc["S1", "zone"] == "P1"
    # S2 is about 0.96 km from the route's axis, inside 1 km once the 500 m corridor counts
    assert near.loc["S2", "zone"] == "R1"
    assert near.loc["S2", "distance_km"] == pytest.approx(0.964 - 0.5, abs=0.01)
