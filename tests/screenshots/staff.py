"""Screenshots of the staff map (``python -m tests.screenshots staff``): desktop 1280x800 and phone
390x844 with every layer fetched and a station's popup open, and the desktop with the daily-AQI
time slider on.

A service on a fresh store seeded like the browser tests (30 days of hourly readings for the three
national stations, plus the registry's demo station), a fixed clock, the offline basemap, a viewer
key, and Debian's Chromium with every request outside 127.0.0.1 blocked.
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
ALL_READY = (
    "window.envmonReady && Object.keys(window.envmonReady).length > 0 && "
    "Promise.all(Object.values(window.envmonReady))"
)


def _serve(data_dir: Path) -> tuple[object, str, str]:
    import uvicorn

    from service.api.app import create_app
    from service.clock import FixedClock
    from service.settings import Settings
    from tests.browser.conftest import NOW, _seed_store

    key = _seed_store(data_dir)
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
    return server, f"http://127.0.0.1:{port}", key


def main(out_dir: Path) -> list[Path]:
    """Write ``staff-<view>-zh.png`` and ``staff-desktop-en-slider.png``; return their paths."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="envmon-shots-") as tmp:
        server, base, key = _serve(Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                shots = [(view, vp, scale, "zh", False) for view, vp, scale in VIEWS]
                shots.append(("desktop", VIEWS[0][1], 1, "en", True))
                for view, viewport, scale, lang, slider in shots:
                    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
                    context.set_extra_http_headers({"Authorization": f"Bearer {key}"})
                    context.route(
                        "**/*",
                        lambda route: (
                            route.continue_()
                            if urlsplit(route.request.url).hostname == "127.0.0.1"
                            else route.abort()
                        ),
                    )
                    page = context.new_page()
                    page.goto(f"{base}/maps/staff?basemap=offline&lang={lang}")
                    page.wait_for_function("window.envmonReady && window.envmonReady.stations")
                    page.evaluate("Promise.all(Object.values(window.envmonReady))")
                    if slider:
                        name = "Daily AQI"
                        box = page.locator(".leaflet-control-layers-overlays label", has_text=name)
                        box.locator("input").dispatch_event("click")
                        page.locator(".envmon-slider input[type=range]").fill("20")
                        page.locator(".envmon-slider[data-day]").wait_for()
                    else:
                        page.locator(".envmon-station-1258A").first.dispatch_event("click")
                        page.locator(".leaflet-popup .envmon-station").wait_for()
                    page.wait_for_timeout(400)
                    stem = f"staff-{view}-{lang}" + ("-slider" if slider else "")
                    path = out_dir / f"{stem}.png"
                    page.screenshot(path=str(path))
                    written.append(path)
                    context.close()
                browser.close()
        finally:
            server.should_exit = True  # type: ignore[attr-defined]
    return written
