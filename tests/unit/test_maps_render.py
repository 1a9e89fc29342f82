"""maps/: palette derived from the standards, one label catalogue, GCJ-02 shift, pages with no CDN."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import xarray as xr

import geodata
from maps import basemaps, i18n, palette
from maps.assets import resolve_vendor_file, vendor_dirs
from maps.layers import stations_near_zones
from maps.public import parse_layers, public_map
from maps.render import page_html
from maps.staff import MapData, Surface, staff_map
from stations.standards import tables

CDN_HOSTS = ("jsdelivr", "cdnjs", "unpkg", "code.jquery", "bootstrapcdn", "d3js.org")


def test_aqi_palette_is_the_standards_table() -> None:
    swatches = palette.aqi_swatches()
    assert [s.colour for s in swatches] == [lv.color for lv in tables.AQI_LEVELS]
    assert [palette.aqi_level(v) for v in (0, 50, 51, 100, 101, 300, 301, 600)] == [
        1,
        1,
        2,
        2,
        3,
        5,
        6,
        6,
    ]
    assert palette.aqi_colour(None) == palette.NO_DATA


def test_water_groups_and_target_status() -> None:
    keys = [s.key for s in palette.water_swatches()]
    assert keys == ["I-II", "III", "IV", "V", "V+"]
    assert palette.water_class_label("V+") == "劣Ⅴ"
    assert palette.target_status(0.97, 0.97) == "meets"
    assert palette.target_status(0.961, 0.97) == "near"
    assert palette.target_status(0.959, 0.97) == "below"
    assert palette.target_status(None, 0.97) is None


def test_every_catalogue_entry_has_both_languages() -> None:
    for key, entry in i18n.MESSAGES.items():
        assert set(entry) == set(i18n.LANGS), key
    assert i18n.t("layer.stations", "fr") == i18n.t("layer.stations", "zh")


def test_gcj02_basemap_shifts_overlays() -> None:
    frame = gpd.GeoDataFrame({"code": ["a"]}, geometry=[shapely.Point(122.1, 30.0)], crs=4326)
    shifted = basemaps.to_display(frame, basemaps.autonavi())
    lon, lat = geodata.wgs84_to_gcj02(122.1, 30.0)
    assert shifted.geometry[0].x == pytest.approx(float(lon))
    assert shifted.geometry[0].y == pytest.approx(float(lat))
    assert basemaps.to_display(frame, basemaps.osm()) is frame


def test_vendor_files_resolve_and_refuse_escapes() -> None:
    dirs = vendor_dirs()
    assert resolve_vendor_file("leaflet", "leaflet.js", dirs) is not None
    assert resolve_vendor_file("leaflet", "../../../../etc/passwd", dirs) is None
    assert resolve_vendor_file("nope", "x.js", dirs) is None


def test_stations_near_zones_uses_route_corridor() -> None:
    stations = gpd.GeoDataFrame(
        {"code": ["near", "far"]},
        geometry=[shapely.Point(122.30, 29.95), shapely.Point(122.60, 30.60)],
        crs=4326,
    )
    zones = gpd.GeoDataFrame(
        {"code": ["r"], "name": ["route"], "kind": ["route"], "half_width_m": [500.0]},
        geometry=[shapely.LineString([(122.29, 29.95), (122.29, 30.00)])],
        crs=4326,
    )
    near = stations_near_zones(stations, zones, km=1.0)
    assert near["station"].tolist() == ["near"]
    # ~0.96 km to the axis, minus the 0.5 km half width
    assert near["distance_km"].iloc[0] == pytest.approx(0.46, abs=0.05)


def _toy_data() -> MapData:
    districts = geodata.load_districts()
    districts["excellent_good_ratio"] = [0.98, 0.965, 0.9, None]
    districts["excellent_good_target"] = 0.97
    stations = geodata.load_stations(include_demo=True)
    stations["aqi"] = 75
    days = pd.DataFrame(
        {"station": "1258A", "date": pd.date_range("2026-11-01", periods=30), "aqi": 60.0}
    )
    return MapData(districts, stations, geodata.load_sections(), geodata.load_zones(), days)


@pytest.mark.parametrize("bm", [basemaps.offline(), basemaps.osm(), basemaps.autonavi()])
def test_staff_page_names_no_cdn(bm: basemaps.Basemap) -> None:
    grid = xr.DataArray(
        np.arange(12.0).reshape(3, 4),
        dims=("y", "x"),
        coords={"y": [29.9, 30.0, 30.1], "x": [122.0, 122.1, 122.2, 122.3]},
    )
    html = staff_map(_toy_data(), basemap=bm, surfaces=[Surface(grid, "PM2.5", "µg/m³")])
    text = html.get_root().render()
    loaded = re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"([^\"]+)\"", text)
    assert loaded and all(u.startswith("/static/vendor/") for u in loaded)
    assert not any(h in text for h in CDN_HOSTS)
    assert "示例" in text  # demo stations are marked
    assert '"key": "aqi"' in text


def test_public_page_is_small_and_lists_requested_layers_only() -> None:
    text = public_map(layers=parse_layers("stations"), lang="en").get_root().render()
    assert len(text.encode()) < 60_000
    assert '"layers": ["stations"]' in text
    assert not any(h in text for h in CDN_HOSTS)
    with pytest.raises(ValueError, match="unknown layers"):
        parse_layers("stations,secret")


def test_pages_render_identically_and_keep_their_references() -> None:
    """Branca's ids are random per element: two builds of one map must still give one page (equal
    ETags across rebuilds and server processes), and every element name the scripts use resolves."""
    grid = xr.DataArray(
        np.arange(12.0).reshape(3, 4),
        dims=("y", "x"),
        coords={"y": [29.9, 30.0, 30.1], "x": [122.0, 122.1, 122.2, 122.3]},
    )

    def staff() -> str:
        return page_html(staff_map(_toy_data(), surfaces=[Surface(grid, "PM2.5", "µg/m³")]))

    for build in (staff, lambda: page_html(public_map(lang="en"))):
        first, second = build(), build()
        assert first == second
        # Only counter ids are left, and every `var x_<id>` a script declares is unique.
        ids = set(re.findall(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])", first))
        assert ids and all(int(i, 16) < 10_000 for i in ids)
        declared = re.findall(r"var (\w+_[0-9a-f]{32})\b", first)
        assert len(declared) == len(set(declared))
    # The raw render (random ids) really does differ between builds: the test above is not vacuous.
    assert staff_map(_toy_data()).get_root().render() != staff_map(_toy_data()).get_root().render()
