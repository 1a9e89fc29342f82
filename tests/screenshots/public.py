"""Screenshots of the public map (``make screenshots``): desktop 1280x800 and phone 390x844, in Chinese
and English, each with a station's popup open (health advice, 24-hour and 30-day charts, calendar).

A service on a fresh store seeded like the browser tests (30 days of hourly readings for the three
national stations, plus the registry's demo station), a fixed clock, the offline basemap, and
Debian's Chromium with every request outside 127.0.0.1 blocked.
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

VIEWS = (
    ("desktop", {"width": 1280, "height": 800}, 1),
    ("phone", {"width": 390, "height": 844}, 2),
)


def _serve(data_dir: Path) -> tuple[object, str]:
    import uvicorn

    from service.api.app import create_app
    from service.clock import FixedClock
    from service.settings import Settings
    from tests.browser.conftest import NOW, _seed_store

    _seed_store(data_dir)
    settings = Settings(data_dir=data_dir, scheduler_enabled=False, rate_limit_per_minute=0)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, FixedClock(NOW)), host="127.0.0.1", port=0, log_level="warning"
        )  # fmt: skip
    )
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the service did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


def main(out_dir: Path) -> list[Path]:
    """Write ``public-<view>-<lang>.png`` for each view and language; return their paths."""
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
                        page.goto(f"{base}/maps/public?basemap=offline&lang={lang}")
                        page.wait_for_function(
                            "window.envmonReady && Object.keys(window.envmonReady).length > 0"
                        )
                        page.evaluate("Promise.all(Object.values(window.envmonReady))")
                        page.locator(".envmon-station-1258A").first.dispatch_event("click")
                        page.locator(".leaflet-popup[data-charts-ready='1']").wait_for(
                            timeout=30_000
                        )
                        page.wait_for_timeout(300)
                        path = out_dir / f"public-{view}-{lang}.png"
                        page.screenshot(path=str(path))
                        written.append(path)
                        context.close()
                browser.close()
        finally:
            server.should_exit = True  # type: ignore[attr-defined]
    return written
