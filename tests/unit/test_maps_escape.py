"""The one escape (issue 22, finding 2): every hostile name comes out inert for HTML content, a
quoted attribute and a JavaScript template literal; JSON for a script cannot close the script."""

from __future__ import annotations

import html
import json

import pytest

from maps.escape import html_text, script_json

HOSTILE = (
    "</script><script>alert(1)</script>",
    "${alert(1)}",
    "`;alert(1);`",
    "\\`;alert(1)//",
    "<img src=x onerror='alert(1)'>",
    '" onmouseover="alert(1)',
    "普陀 & 岱山 <锚地>",
)


@pytest.mark.parametrize("name", HOSTILE)
def test_html_text_leaves_no_markup_or_template_syntax(name: str) -> None:
    out = html_text(name)
    for ch in "<>\"'`$\\":
        assert ch not in out
    assert html.unescape(out) == name  # a browser shows exactly what was written


def test_none_is_empty_and_numbers_are_text() -> None:
    assert html_text(None) == ""
    assert html_text(3.5) == "3.5"


@pytest.mark.parametrize("name", HOSTILE)
def test_script_json_cannot_end_the_script(name: str) -> None:
    out = script_json({"name": name, "line": "\u2028"})
    assert "</" not in out and "<" not in out and "\u2028" not in out
    assert json.loads(out) == {"name": name, "line": "\u2028"}


def test_zone_tooltip_and_popup_scripts_hold_no_raw_name() -> None:
    """The staff map's zone layer, rendered: the name appears only escaped inside its script."""
    import folium
    import geopandas as gpd
    from shapely.geometry import Point, Polygon

    from maps.basemaps import osm
    from maps.layers import zone_layer
    from maps.render import page_html

    names = list(HOSTILE)
    geoms = [Point(122.1 + i / 100, 30.0) for i in range(len(names) - 1)]
    geoms.append(Polygon([(122.2, 30.1), (122.21, 30.1), (122.21, 30.11)]))
    zones = gpd.GeoDataFrame(
        {"code": [f"Z{i}" for i in range(len(names))], "name": names, "kind": "anchorage"},
        geometry=geoms,
        crs=4326,
    )
    m = folium.Map(tiles=None)
    zone_layer(zones, "en", osm()).add_to(m)
    page = page_html(m)
    for name in names:
        assert name not in page
        assert html_text(name) in page
    assert "${alert" not in page and "`;alert" not in page and "<img" not in page
