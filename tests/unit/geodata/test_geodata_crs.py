"""GCJ-02 <-> WGS-84: round trip over the Zhoushan bounding box and published reference pairs."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

import geodata
from geodata.crs import normalise_datum

GEOD = Geod(ellps="WGS84")


def _metres(lon1, lat1, lon2, lat2):  # type: ignore[no-untyped-def]
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def test_round_trip_under_half_metre_over_zhoushan_bbox() -> None:
    minx, miny, maxx, maxy = geodata.load_city().total_bounds
    lon, lat = np.meshgrid(
        np.linspace(minx - 0.2, maxx + 0.2, 60), np.linspace(miny - 0.2, maxy + 0.2, 60)
    )
    g_lon, g_lat = geodata.wgs84_to_gcj02(lon, lat)
    w_lon, w_lat = geodata.gcj02_to_wgs84(g_lon, g_lat)
    assert w_lon.shape == lon.shape
    assert np.max(_metres(lon.ravel(), lat.ravel(), w_lon.ravel(), w_lat.ravel())) < 0.5
    # and the other way: WGS-84 found by the inverse maps forward onto the GCJ-02 input
    f_lon, f_lat = geodata.wgs84_to_gcj02(*geodata.gcj02_to_wgs84(lon, lat))
    assert np.max(_metres(lon.ravel(), lat.ravel(), f_lon.ravel(), f_lat.ravel())) < 0.5


def test_offset_near_zhoushan_matches_the_documented_size() -> None:
    # ../shared/geodata-src/SOURCES.md: about +0.0042° lon / -0.0024° lat near Zhoushan
    g_lon, g_lat = geodata.wgs84_to_gcj02(122.2, 30.0)
    assert g_lon - 122.2 == pytest.approx(0.0042, abs=0.0003)
    assert g_lat - 30.0 == pytest.approx(-0.0024, abs=0.0003)


# Published pairs (WGS-84 -> GCJ-02):
# - github:wandergis/coordtransform test/app.js, "wgs84togcj02(116.404, 39.915)" ->
#   [116.41024449916938, 39.91640428150164] (the same pair is asserted in coordtransform_rs).
# - a Rust CLI test ("geotool transform ... crypto -f wgs84 -t gcj02"):
#   (121.0917077, 30.6107779) -> (121.09626935575027, 30.608604331756705) (Jiaxing, near Zhoushan).
# - a Python test ("geoToolbox"): (116.0, 40.0) -> (116.006141221789, 40.001213650174).
PAIRS = [
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
    ((121.0917077, 30.6107779), (121.09626935575027, 30.608604331756705)),
    ((116.0, 40.0), (116.006141221789, 40.001213650174)),
]


@pytest.mark.parametrize(("wgs", "gcj"), PAIRS)
def test_published_reference_pairs(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    lon, lat = geodata.wgs84_to_gcj02(*wgs)
    assert _metres(lon, lat, *gcj) < 0.05  # the implementations agree to centimetres
    back = geodata.gcj02_to_wgs84(*gcj)
    assert _metres(*back, *wgs) < 0.5


def test_wandergis_single_step_inverse_is_within_a_metre_of_ours() -> None:
    # coordtransform's gcj02towgs84(116.404, 39.915) = [116.39775550083061, 39.91359571849836] is a
    # one-step approximation; ours iterates, so the two agree to well under a metre, not exactly.
    lon, lat = geodata.gcj02_to_wgs84(116.404, 39.915)
    assert _metres(lon, lat, 116.39775550083061, 39.91359571849836) < 1.0


def test_outside_china_unchanged() -> None:
    lon = np.array([2.35, -74.0, 139.9])
    lat = np.array([48.85, 40.7, 35.7])
    for f in (geodata.wgs84_to_gcj02, geodata.gcj02_to_wgs84):
        out_lon, out_lat = f(lon, lat)
        np.testing.assert_array_equal(out_lon, lon)
        np.testing.assert_array_equal(out_lat, lat)


def test_datum_names() -> None:
    assert normalise_datum("CGCS2000 ") == "CGCS2000"
    assert normalise_datum("gcj-02") == "GCJ02"
    assert normalise_datum("WGS 84") == "WGS84"
    assert normalise_datum("Beijing 1954") is None
