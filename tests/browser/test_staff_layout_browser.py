"""The staff map's controls as a person sees them in real Chromium, on a desktop and a 390x844
phone: the data box (title, data time, notices) is in view and on top, no two controls cover each
other with the legend open, and on a phone opening the co-control table folds the legend."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, Envmon

pytestmark = pytest.mark.browser

#: Pairs of visible controls (Leaflet controls and the co-control panel) whose boxes intersect.
OVERLAPS_JS = """() => {
  const els = [...document.querySelectorAll('.leaflet-control, #envmon-cocontrol')]
    .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
  const name = e => e.id || e.className.split(' ')[0];
  const out = [];
  for (let i = 0; i < els.length; i++) for (let j = i + 1; j < els.length; j++) {
    const a = els[i].getBoundingClientRect(), b = els[j].getBoundingClientRect();
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
      out.push([name(els[i]), name(els[j])]);
  }
  return out;
}"""

#: Whether the element is the topmost thing at its centre (nothing drawn over it).
ON_TOP_JS = """(sel) => {
  const e = document.querySelector(sel), r = e.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return r.width > 0 && hit !== null && e.contains(hit);
}"""


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_staff_controls_do_not_cover_each_other(
    envmon: Envmon, browser: object, size: tuple[int, int]
) -> None:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_extra_http_headers({"Authorization": f"Bearer {envmon.key}"})
        page.goto(f"{envmon.base}/maps/staff?basemap=offline")
        page.wait_for_function("window.envmonReady && window.envmonReady.stations")
        page.evaluate("Promise.all(Object.values(window.envmonReady))")
        assert "舟山市生态环境质量监测" in page.locator(".envmon-info").inner_text()
        # the credit line, as on the public map: who measured, where the boundaries come from
        credit = page.locator(".leaflet-control-attribution .envmon-credit").inner_text()
        assert "舟山市生态环境局" in credit and "天地图" in credit
        assert page.evaluate(ON_TOP_JS, ".envmon-info")
        toggle = page.locator(".envmon-legend-toggle")
        if toggle.get_attribute("aria-expanded") == "false":  # folded on a phone
            toggle.click()
        assert page.locator(".envmon-legend").first.is_visible()
        assert page.evaluate(OVERLAPS_JS) == []
        page.screenshot(path=str(ARTIFACTS / f"staff_layout_{size[0]}x{size[1]}.png"))
        if size[0] < 600:
            page.locator("#envmon-cocontrol summary").click()
            # <details> fires "toggle" in a task of its own, after the click returns (polled from
            # here: the page's CSP forbids the string evaluation wait_for_function polls with)
            for _ in range(50):
                if toggle.get_attribute("aria-expanded") == "false":
                    break
                page.wait_for_timeout(100)
            assert toggle.get_attribute("aria-expanded") == "false"
            assert not page.locator(".envmon-legend").first.is_visible()
            assert page.evaluate(OVERLAPS_JS) == []
            toggle.click()  # and opening the legend folds the table
            assert page.evaluate("document.getElementById('envmon-cocontrol').open") is False
        assert errors == []
    finally:
        context.close()
