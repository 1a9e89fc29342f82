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
from maps.staff import Surface, staff_map
from maps.staff_features import daily_window, station_features
from maps.staff_layers import LEGENDS, STAFF_LAYERS, layers_json, slider_windows
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


def _toy_stations() -> gpd.GeoDataFrame:
    stations = geodata.load_stations(include_demo=True)
    stations["aqi"] = 75
    return stations


def _grid() -> xr.DataArray:
    return xr.DataArray(
        np.arange(12.0).reshape(3, 4),
        dims=("y", "x"),
        coords={"y": [29.9, 30.0, 30.1], "x": [122.0, 122.1, 122.2, 122.3]},
    )


@pytest.mark.parametrize("bm", [basemaps.offline(), basemaps.osm(), basemaps.autonavi()])
def test_staff_page_names_no_cdn_and_fetches_every_layer(bm: basemaps.Basemap) -> None:
    html = staff_map(basemap=bm, surfaces=[Surface(_grid(), "PM2.5", "µg/m³")])
    text = html.get_root().render()
    loaded = re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"([^\"]+)\"", text)
    assert loaded and all(u.startswith("/static/vendor/") for u in loaded)
    assert "/static/vendor/envmon/staff.js" in loaded
    assert not any(h in text for h in CDN_HOSTS)
    assert '"key": "aqi"' in text  # the stations layer's legend
    for layer in STAFF_LAYERS:
        shown = not layer.offline_only or bm.offline
        assert (f'"/maps/staff/layers/{layer.key}.geojson"' in text) is shown, layer.key
    # the slider's windows, "&" escaped in the page's JSON
    assert '"/maps/staff/days.json?from={from}\\u0026to={to}"' in text


def test_staff_page_size_does_not_depend_on_the_period() -> None:
    """The shell holds configuration only: a decade's slider is as small as a month's."""
    month = page_html(staff_map(period=("2026-10-22", "2026-11-20")))
    decade = page_html(staff_map(period=("2016-11-21", "2026-11-20")))
    assert len(decade) == len(month) < 40_000


def test_every_declared_layer_has_a_builder_and_a_label() -> None:
    from service.figures.staff_layers import BUILDERS

    assert set(BUILDERS) == {layer.key for layer in STAFF_LAYERS}
    for layer in STAFF_LAYERS:
        assert set(i18n.MESSAGES[layer.label]) == set(i18n.LANGS)
        assert layer.legend is None or layer.legend in LEGENDS
    json = layers_json("/maps/staff", "en", offline=False, highlight_km=2.0)
    assert [x["key"] for x in json] == [x.key for x in STAFF_LAYERS if not x.offline_only]
    daily = next(x for x in json if x["key"] == "daily_aqi")
    assert daily["name"] == "Daily AQI (time slider)" and daily["show"] is False
    aqi = next(x for x in json if x["key"] == "stations")["legend"]
    assert len(aqi["rows"]) == 7 and aqi["rows"][-1][2] == "no_data"  # six levels and no data


def test_station_features_mark_demo_stations_and_ring_near_zones() -> None:
    stations = _toy_stations()
    demo = str(stations[stations["demo"].astype(bool)]["code"].iloc[0])
    real = "1258A"
    days = pd.DataFrame(
        {"station": real, "date": pd.date_range("2026-10-22", periods=30), "aqi": 60.0}
    )
    body = station_features(stations, "zh", basemaps.osm(), days=days, near={real: "锚地 (1.2 km)"})
    props = {f["properties"]["code"]: f["properties"] for f in body["features"]}
    assert props[demo]["tooltip"].endswith("[示例]") and props[demo]["permanent"] is True
    assert props[demo]["style"]["dashArray"] == "4 3"
    assert "envmon-demo" in props[demo]["style"]["className"]
    assert props[real]["style"]["color"] == palette.HIGHLIGHT  # ringed: near a zone
    assert props[real]["style"]["fillColor"] == palette.aqi_colour(75)  # AQI 75: level 2
    assert "锚地 (1.2 km)" in props[real]["popup"]
    assert props[real]["popup"].count("<rect ") == 30  # the 30-day chart


def test_daily_window_lists_every_day_of_the_window() -> None:
    days = pd.DataFrame(
        {
            "station": ["A", "A", "B"],
            "date": pd.to_datetime(["2026-11-01", "2026-11-03", "2026-11-02"]),
            "aqi": [41.4, 150.5, None],
        }
    )
    out = daily_window(days, ["A", "B"], "2026-11-01", "2026-11-03")
    assert out == {
        "dates": ["2026-11-01", "2026-11-02", "2026-11-03"],
        # 41.4 -> 41, 150.5 -> 150 (round half to even), a missing AQI stays None
        "values": {"A": [41, None, 150], "B": [None, None, None]},
    }


def test_slider_windows_cover_the_period_in_weeks() -> None:
    import datetime as dt

    windows = slider_windows(dt.date(2026, 10, 22), dt.date(2026, 11, 20))
    assert windows[0] == (dt.date(2026, 10, 22), dt.date(2026, 10, 28))
    assert windows[-1] == (dt.date(2026, 11, 19), dt.date(2026, 11, 20))
    assert len(windows) == 5  # 30 days: four weeks and two days


def test_single_pattern_id_rewrite_gives_the_alternations_page() -> None:
    """The ids rewritten by one pattern equal the old alternation of every id, byte for byte."""
    import folium

    from maps.render import _element_ids, numbered_ids

    m = folium.Map(tiles=None)
    for i in range(60):
        folium.CircleMarker((30.0 + i / 100, 122.0), popup=f"p{i}", tooltip=f"t{i}").add_to(m)
    pages = [m, staff_map(surfaces=[Surface(_grid(), "PM2.5", "µg/m³")]), public_map(lang="en")]
    for element in pages:
        root = element.get_root()
        html = root.render()
        ids = list(dict.fromkeys(_element_ids(root)))
        mapping = {old: f"{n:032x}" for n, old in enumerate(ids, start=1)}
        alternation = re.compile("|".join(re.escape(old) for old in ids))
        want = alternation.sub(lambda match, m=mapping: m[match.group(0)], html)
        assert numbered_ids(html, ids) == want
        assert len(ids) > 3


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
        return page_html(staff_map(surfaces=[Surface(grid, "PM2.5", "µg/m³")]))

    for build in (staff, lambda: page_html(public_map(lang="en"))):
        first, second = build(), build()
        assert first == second
        # Only counter ids are left, and every `var x_<id>` a script declares is unique.
        ids = set(re.findall(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])", first))
        assert ids and all(int(i, 16) < 10_000 for i in ids)
        declared = re.findall(r"var (\w+_[0-9a-f]{32})\b", first)
        assert len(declared) == len(set(declared))
    # The raw render (random ids) really does differ between builds: the test above is not vacuous.
    assert staff_map().get_root().render() != staff_map().get_root().render()
