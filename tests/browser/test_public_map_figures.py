"""What a person sees on /maps/public equals what /api/v1 publishes: each district's fill colour and
its popup's 优良天数比例 percentage (real Chromium, every request outside 127.0.0.1 blocked)."""

from __future__ import annotations

import httpx
import pytest

from maps import palette
from tests.browser.conftest import ARTIFACTS, Envmon, Watched

pytestmark = pytest.mark.browser

READY = "window.envmonReady && Object.keys(window.envmonReady).length > 0"


def _css_rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r}, {g}, {b})"


def _loaded(w: Watched, url: str) -> None:
    w.page.goto(url)
    w.page.wait_for_function(READY)
    ok = w.page.evaluate(
        "Promise.all(Object.values(window.envmonReady)).then(v => v.every(Boolean))"
    )
    assert ok


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_district_colour_and_percentage_equal_the_api(
    envmon: Envmon, watched: Watched, lang: str
) -> None:
    api = httpx.get(f"{envmon.base}/api/v1/districts").json()["items"]
    districts = [d for d in api if d["code"] != "city"]
    # The seeded store has figures for the districts with stations, and none for the others.
    assert any(d["air"]["excellent_good_ratio"]["value"] is not None for d in districts)
    _loaded(watched, f"{envmon.base}/maps/public?basemap=offline&layers=districts&lang={lang}")
    page = watched.page
    seen = 0
    for d in districts:
        path = page.locator(f"path.envmon-district-{d['code']}")
        if path.count() == 0:
            continue  # a district without a boundary in the shipped file is not drawn
        seen += 1
        ratio = d["air"]["excellent_good_ratio"]
        status = palette.target_status(ratio["value"], d["air"]["target"])
        fill = path.first.evaluate("el => getComputedStyle(el).fill")
        assert fill == _css_rgb(palette.target_colour(status)), (d["code"], status)
        path.first.dispatch_event("click")
        shown = page.locator(
            ".leaflet-popup-content .envmon-ratio[data-indicator='excellent_good']"
        )
        shown.wait_for()
        expected = "—" if ratio["percent"] is None else f"{ratio['percent']}%"
        assert shown.inner_text() == expected, d["code"]
        page.keyboard.press("Escape")
        page.evaluate("window.envmonMap && window.envmonMap.closePopup()")
        # Leaflet fades a closed popup out for 200 ms before removing it: wait, so the next
        # district's popup is the only one on the page.
        page.locator(".leaflet-popup").wait_for(state="detached")
    assert seen == len(districts)
    page.screenshot(path=str(ARTIFACTS / f"public_districts_{lang}.png"))
    assert watched.outside == []
    assert watched.errors == []
