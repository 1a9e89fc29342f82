"""The demo yard, port and monitors: labelled demo everywhere, placed only where derived."""

from __future__ import annotations

import pytest

from geodata import METRIC
from geodata.demo_yards import DEMO_PORT, DEMO_YARD, load_demo_monitors, load_demo_zones
from geodata.places import load_districts


def test_every_demo_place_says_demo_and_not_real() -> None:
    zones, monitors = load_demo_zones(), load_demo_monitors()
    for frame in (zones, monitors):
        assert frame["demo"].all()
        assert frame["name"].str.contains("示例").all() and frame["name"].str.contains("demo").all()
        assert frame["source"].str.contains("NOT a real").all()
    assert set(monitors["zone"]) == {DEMO_YARD, DEMO_PORT}
    assert sorted(monitors["kind"]) == ["boundary_air", "plant_air", "port_air"]


def test_positions_are_derived_from_the_district_label_points() -> None:
    d = load_districts().set_index("code")
    zones = load_demo_zones().set_index("code").to_crs(METRIC)
    monitors = load_demo_monitors().set_index("code").to_crs(METRIC)
    label = load_districts().set_index("code")
    from geopandas import GeoSeries, points_from_xy

    pts = GeoSeries(
        points_from_xy(label["label_lon"], label["label_lat"]), index=d.index, crs="EPSG:4326"
    ).to_crs(METRIC)
    yard_centre, port_centre = pts["330903"], pts["330902"]
    # The in-plant monitor sits on the yard's centre, the boundary one 600 m east of it, the port
    # monitor on the port's centre; the circles have radii 600 m and 900 m.
    assert monitors.geometry["DEMO-YARD-P1"].distance(yard_centre) == pytest.approx(0, abs=1e-6)
    assert monitors.geometry["DEMO-YARD-B1"].x - yard_centre.x == pytest.approx(600.0, abs=1e-6)
    assert monitors.geometry["DEMO-PORT-M1"].distance(port_centre) == pytest.approx(0, abs=1e-6)
    assert zones.geometry[DEMO_YARD].centroid.distance(yard_centre) < 1.0
    assert zones.geometry[DEMO_PORT].area == pytest.approx(3.1416 * 900**2, rel=0.01)
