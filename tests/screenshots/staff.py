"""Screenshots of the staff map (``python -m tests.screenshots staff``): desktop 1280x800 and phone
390x844 with every layer fetched and a station's popup open, and the desktop with the daily-AQI
time slider on.

A service on a fresh store seeded like the browser tests, a fixed clock, the offline basemap, a viewer
key, and Debian's Chromium with every request outside 127.0.0.1 blocked (``tests.screenshots._shots``).
"""

from __future__ import annotations

from pathlib import Path

from tests.screenshots._shots import LOCALES, VIEWS, chromium, local_context, seeded_service


def main(out_dir: Path) -> list[Path]:
    """Write ``staff-<view>-zh.png`` and ``staff-desktop-en-slider.png``; return their paths."""
    written: list[Path] = []
    with seeded_service() as (base, key), chromium() as browser:
        shots = [(view, vp, scale, "zh", False) for view, vp, scale in VIEWS]
        shots.append(("desktop", VIEWS[0][1], 1, "en", True))
        for view, viewport, scale, lang, slider in shots:
            context = local_context(
                browser,
                viewport,
                scale,
                locale=LOCALES[lang],
                extra_http_headers={"Authorization": f"Bearer {key}"},
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
    return written
