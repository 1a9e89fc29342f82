"""The sea layer on /maps/public, in real Chromium: each point's fill is its GB 3097 class colour and
its popup names the class the API publishes, says the point is a demo point, and the bay's popup
shows the 优良（一、二类）比例 the API publishes (every request outside 127.0.0.1 blocked)."""

from __future__ import annotations

import httpx
import pytest

from maps import palette
from stations.standards.tables import SEA_CLASS_ZH
from tests.browser.conftest import ARTIFACTS, Envmon, Watched

pytestmark = pytest.mark.browser

READY = "window.envmonReady && window.envmonReady.sea"
EN = {
    "I": "Class I",
    "II": "Class II",
    "III": "Class III",
    "IV": "Class IV",
    "IV+": "Worse than IV",
}


def _css_rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r}, {g}, {b})"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sea_points_show_their_class_and_demo_label(
    envmon: Envmon, watched: Watched, lang: str
) -> None:
    points = httpx.get(f"{envmon.base}/api/v1/sea/points.geojson").json()["features"]
    classed = [f for f in points if f["properties"]["sea_class"] is not None]
    assert len(classed) == 8 and all(f["properties"]["demo"] for f in classed)
    page = watched.page
    page.goto(f"{envmon.base}/maps/public?basemap=offline&layers=sea&lang={lang}")
    page.wait_for_function(READY)
    assert page.evaluate("window.envmonReady.sea")
    for f in classed:
        p = f["properties"]
        marker = page.locator(f"path.envmon-sea-{p['code']}")
        assert marker.count() == 1
        fill = marker.evaluate("el => getComputedStyle(el).fill")
        assert fill == _css_rgb(palette.SEA_CLASS_COLOURS[p["sea_class"]]), p["code"]
    first = classed[0]["properties"]
    page.locator(f"path.envmon-sea-{first['code']}").dispatch_event("click")
    popup = page.locator(".leaflet-popup-content .envmon-sea-popup")
    popup.wait_for()
    text = popup.inner_text()
    label = SEA_CLASS_ZH[first["sea_class"]] if lang == "zh" else EN[first["sea_class"]]
    assert page.locator(".leaflet-popup-content .envmon-sea-class").inner_text() == label
    if lang == "zh":
        assert first["name"] in text and "示例点位" in text and "不是真实监测点位" in text
    else:
        assert first["name_en"] in text and "Demo point" in text and "not a real" in text
    page.evaluate("window.envmonMap.closePopup()")
    page.locator(".leaflet-popup").wait_for(state="detached")
    page.screenshot(path=str(ARTIFACTS / f"public_sea_{lang}.png"))
    assert watched.outside == []
    assert watched.errors == []


def test_a_bay_popup_shows_the_ratio_the_api_publishes(envmon: Envmon, watched: Watched) -> None:
    areas = httpx.get(f"{envmon.base}/api/v1/sea/areas.geojson").json()["features"]
    bay = next(f["properties"] for f in areas if f["properties"]["by_points"]["denominator"])
    page = watched.page
    page.goto(f"{envmon.base}/maps/public?basemap=offline&layers=sea&lang=zh")
    page.wait_for_function(READY)
    assert page.evaluate("window.envmonReady.sea")
    # the polygon's centre may hold a point: open the bay's popup through its layer
    page.evaluate(
        "code => { var hit; window.envmonLayers.sea.eachLayer(g => g.eachLayer && g.eachLayer(l => {"
        " if (l.feature && l.feature.id === code) hit = l; })); hit.openPopup(); }",
        bay["code"],
    )
    popup = page.locator(".leaflet-popup-content .envmon-sea-popup")
    popup.wait_for()
    by = bay["by_points"]
    assert f"{by['percent']}% ({by['numerator']}/{by['denominator']})" in popup.inner_text()
    assert "示例海域" in popup.inner_text()
    assert watched.errors == []
