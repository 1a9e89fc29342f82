"""The staff map's PM2.5-O3 co-control panel in real Chromium, on a desktop and a phone screen:
folded at first, it opens to every district and the city, the city's numbers equal to
/api/v1/city/assessment."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.conftest import ARTIFACTS, Envmon

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("size", "lang"), [((1280, 800), "zh"), ((390, 844), "en")], ids=["desktop", "phone"]
)
def test_cocontrol_panel(envmon: Envmon, browser: object, size: tuple[int, int], lang: str) -> None:
    api = httpx.get(f"{envmon.base}/api/v1/city/assessment").json()
    city = api["current"]
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_extra_http_headers({"Authorization": f"Bearer {envmon.key}"})
        page.goto(f"{envmon.base}/maps/staff?basemap=offline&lang={lang}")
        panel = page.locator("#envmon-cocontrol")
        panel.wait_for()
        title = "PM2.5—O3 协同控制" if lang == "zh" else "PM2.5-O3 co-control"
        assert title in panel.locator("summary").inner_text()
        assert api["period"]["label"] in panel.locator("summary").inner_text()
        rows = panel.locator("tbody tr")
        assert not rows.first.is_visible()  # folded: the map stays clickable
        panel.locator("summary").click()
        assert rows.count() == 5  # four districts and the city
        last = rows.nth(4)
        assert last.locator("th").inner_text() == ("舟山市" if lang == "zh" else "Zhoushan City")
        cells = last.locator("td").all_inner_texts()
        pm25 = city["statistics"]["PM25"]
        assert cells[0].rstrip("*") == f"{pm25:.1f}"
        assert cells[3] == f"{city['statistics']['composite_index']:.2f}"
        ratio = city["days"]["excellent_good_ratio"]
        assert cells[4] == ("—" if ratio is None else f"{ratio * 100:.1f}%")
        d = city["days"]
        assert cells[6] == f"{d['lost_PM25']}/{d['lost_O3']}/{d['lost_PM25_O3']}"
        box = panel.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= size[0] + 1
        page.screenshot(path=str(ARTIFACTS / f"cocontrol_{size[0]}x{size[1]}.png"))
        panel.locator("summary").click()  # folds away again
        assert not rows.first.is_visible()
        assert errors == []
    finally:
        context.close()
