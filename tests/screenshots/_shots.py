"""What every screenshot module shares: the viewports, envmon on a fresh store seeded like the
browser tests (fixed clock), Debian's Chromium, and browser contexts that reach only 127.0.0.1."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

from maps.assets import NPM_PACKAGES, vendor_dirs
from service.api.app import create_app
from service.clock import FixedClock
from service.settings import Settings
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, NOW, _seed_store, served

#: (name, viewport in CSS pixels, device scale factor) of each screenshot size.
VIEWS: tuple[tuple[str, dict[str, int], int], ...] = (
    ("desktop", {"width": 1280, "height": 800}, 1),
    ("phone", {"width": 390, "height": 844}, 2),
)


def require_front_end_packages() -> None:
    """Raise unless every npm package the maps serve is installed (``npm ci``, run by ``make
    install``): without uPlot the public popup's charts end in ``data-charts-ready="error"``."""
    missing = sorted(set(NPM_PACKAGES) - set(vendor_dirs()))
    if missing:
        raise RuntimeError(f"node_modules lacks {', '.join(missing)}: run `npm ci` (make install)")


#: Browser locale of each shot language (Accept-Language and the browser's own widgets).
LOCALES = {"zh": "zh-CN", "en": "en-US"}


@contextmanager
def seeded_service() -> Iterator[tuple[str, str]]:
    """envmon on 127.0.0.1 over a fresh store seeded like the browser tests (30 days of hourly
    readings for the three national stations, plus the registry's demo station), no scheduler, no
    rate limit; yields its base URL and a viewer key."""
    require_front_end_packages()
    with tempfile.TemporaryDirectory(prefix="envmon-shots-") as tmp:
        data_dir = Path(tmp)
        key = _seed_store(data_dir)
        settings = Settings(data_dir=data_dir, scheduler_enabled=False, rate_limit_per_minute=0)
        with served(create_app(settings, FixedClock(NOW))) as base:
            yield base, key


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, through Playwright."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _local_only(route: Route) -> None:
    if urlsplit(route.request.url).hostname == "127.0.0.1":
        route.continue_()
    else:
        route.abort()


def local_context(
    browser: Browser, viewport: dict[str, int], scale: int, **options: Any
) -> BrowserContext:
    """A context at ``viewport`` and device ``scale`` where every request outside 127.0.0.1 is
    aborted (the shots show only what envmon serves)."""
    context = browser.new_context(viewport=viewport, device_scale_factor=scale, **options)
    context.route("**/*", _local_only)
    return context


def each_view_and_language(
    out_dir: Path, name: str, url: str, show: Callable[[Page], None]
) -> list[Path]:
    """``<name>-<view>-<lang>.png`` for each view and language (zh, en): ``url`` (its ``{lang}``
    filled) on a fresh seeded service, once ``show(page)`` has opened what the shot is of."""
    written: list[Path] = []
    with seeded_service() as (base, _), chromium() as browser:
        for view, viewport, scale in VIEWS:
            for lang in ("zh", "en"):
                context = local_context(browser, viewport, scale, locale=LOCALES[lang])
                page = context.new_page()
                page.goto(base + url.format(lang=lang))
                show(page)
                path = out_dir / f"{name}-{view}-{lang}.png"
                page.screenshot(path=str(path))
                written.append(path)
                context.close()
    return written
