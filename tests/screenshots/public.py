"""Screenshots of the public map (``make screenshots``): desktop 1280x800 and phone 390x844, in Chinese
and English, each with a station's popup open (health advice, 24-hour and 30-day charts, calendar).

A service on a fresh store seeded like the browser tests, a fixed clock, the offline basemap, and
Debian's Chromium with every request outside 127.0.0.1 blocked (``tests.screenshots._shots``).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from tests.screenshots._shots import each_view_and_language


def open_station_popup(page: Page, code: str = "1258A") -> None:
    """Click station ``code`` once the layers are in, and wait until its popup's charts are drawn
    (``data-charts-ready`` is "1"; "error" when the API or uPlot failed, raised at once)."""
    page.wait_for_function("window.envmonReady && Object.keys(window.envmonReady).length > 0")
    page.evaluate("Promise.all(Object.values(window.envmonReady))")
    page.locator(f".envmon-station-{code}").first.dispatch_event("click")
    popup = page.locator(".leaflet-popup[data-charts-ready]")
    popup.wait_for(timeout=30_000)
    state = popup.get_attribute("data-charts-ready")
    if state != "1":
        raise RuntimeError(f"station {code}'s popup charts: data-charts-ready={state!r}")


def _station_popup(page: Page) -> None:
    open_station_popup(page)
    page.wait_for_timeout(300)


def main(out_dir: Path) -> list[Path]:
    """Write ``public-<view>-<lang>.png`` for each view and language; return their paths."""
    url = "/maps/public?basemap=offline&lang={lang}"
    return each_view_and_language(out_dir, "public", url, _station_popup)
