"""Screenshots of the public map's sea layer (``make screenshots``): desktop 1280x800 and phone
390x844, Chinese and English, with a demo sea point's popup open (its class, target, deciding items
and the demo note). Same service and store as ``tests/screenshots/public.py`` (the browser tests'
seed, with the demo feed's seawater samples for the demo sea points)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from tests.screenshots.public import VIEWS, _serve

#: The demo point whose popup is shown (定海区, 3 km off the coast; synthetic position).
POINT = "DEMO-SEA-330902-1"


def main(out_dir: Path) -> list[Path]:
    """Write ``public-sea-<view>-<lang>.png`` for each view and language; return their paths."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="envmon-shots-") as tmp:
        server, base = _serve(Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for view, viewport, scale in VIEWS:
                    for lang in ("zh", "en"):
                        context = browser.new_context(viewport=viewport, device_scale_factor=scale)
                        context.route(
                            "**/*",
                            lambda route: (
                                route.continue_()
                                if urlsplit(route.request.url).hostname == "127.0.0.1"
                                else route.abort()
                            ),
                        )
                        page = context.new_page()
                        page.goto(f"{base}/maps/public?basemap=offline&lang={lang}&layers=sea")
                        page.wait_for_function("window.envmonReady && window.envmonReady.sea")
                        page.evaluate("window.envmonReady.sea")
                        page.locator(f".envmon-sea-{POINT}").first.dispatch_event("click")
                        page.locator(".leaflet-popup-content .envmon-sea-popup").wait_for()
                        page.wait_for_timeout(600)
                        path = out_dir / f"public-sea-{view}-{lang}.png"
                        page.screenshot(path=str(path))
                        written.append(path)
                        context.close()
                browser.close()
        finally:
            server.should_exit = True  # type: ignore[attr-defined]
    return written
