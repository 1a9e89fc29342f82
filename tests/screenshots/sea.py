"""Screenshots of the public map's sea layer (``make screenshots``): desktop 1280x800 and phone
390x844, Chinese and English, with a demo sea point's popup open (its class, target, deciding items
and the demo note). Same service and store as ``tests/screenshots/public.py`` (the browser tests'
seed, with the demo feed's seawater samples for the demo sea points)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from tests.screenshots._shots import each_view_and_language

#: The demo point whose popup is shown (定海区, 3 km off the coast; synthetic position).
POINT = "DEMO-SEA-330902-1"


def _sea_popup(page: Page) -> None:
    page.wait_for_function("window.envmonReady && window.envmonReady.sea")
    page.evaluate("window.envmonReady.sea")
    page.locator(f".envmon-sea-{POINT}").first.dispatch_event("click")
    page.locator(".leaflet-popup-content .envmon-sea-popup").wait_for()
    page.wait_for_timeout(600)


def main(out_dir: Path) -> list[Path]:
    """Write ``public-sea-<view>-<lang>.png`` for each view and language; return their paths."""
    url = "/maps/public?basemap=offline&lang={lang}&layers=sea"
    return each_view_and_language(out_dir, "public-sea", url, _sea_popup)
