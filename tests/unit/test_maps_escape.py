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


def test_zone_popups_hold_no_raw_name_and_tooltips_are_plain_text() -> None:
    """The staff map's zone layer body: popups (inserted as HTML) hold each name only escaped;
    tooltips carry the name as written, which ``staff.js`` inserts as text."""
    import geopandas as gpd
    from shapely.geometry import Point, Polygon

    from maps.basemaps import osm
    from maps.staff_features import zone_features

    names = list(HOSTILE)
    geoms = [Point(122.1 + i / 100, 30.0) for i in range(len(names) - 1)]
    geoms.append(Polygon([(122.2, 30.1), (122.21, 30.1), (122.21, 30.11)]))
    zones = gpd.GeoDataFrame(
        {"code": [f"Z{i}" for i in range(len(names))], "name": names, "kind": "anchorage"},
        geometry=geoms,
        crs=4326,
    )
    features = zone_features(zones, "en", osm())["features"]
    assert len(features) == len(names)
    for name, feature in zip(names, features, strict=True):
        popup = feature["properties"]["popup"]
        assert name not in popup and html_text(name) in popup
        assert "<img" not in popup and "${alert" not in popup
        assert feature["properties"]["tooltip"] == f"{name} (Anchorage)"
