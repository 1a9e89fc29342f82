"""`make screenshots` kept from rotting: every screenshot module imports and has ``main``, and the
steps the public and sea shots take before their picture (a station's popup with its charts drawn,
a demo sea point's popup) succeed on the browser tests' service, in real Chromium."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import tests.screenshots as package
from tests.browser.conftest import Envmon, Watched
from tests.screenshots import _shots
from tests.screenshots.public import open_station_popup
from tests.screenshots.sea import _sea_popup

pytestmark = pytest.mark.browser


def test_every_screenshot_module_imports_and_has_main() -> None:
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name[0] != "_")
    assert {"console", "public", "sea", "staff"} <= set(names)
    for name in names:
        assert callable(importlib.import_module(f"{package.__name__}.{name}").main), name


def test_missing_front_end_packages_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_shots, "vendor_dirs", lambda: {"leaflet.fullscreen": None})
    with pytest.raises(RuntimeError, match="lacks uplot: run `npm ci`"):
        _shots.require_front_end_packages()


def test_public_shot_opens_a_station_popup_with_its_charts(
    envmon: Envmon, watched: Watched
) -> None:
    _shots.require_front_end_packages()
    page = watched.page
    page.goto(f"{envmon.base}/maps/public?basemap=offline&lang=zh")  # type: ignore[attr-defined]
    open_station_popup(page)  # type: ignore[arg-type]
    popup = page.locator(".leaflet-popup[data-charts-ready='1']")  # type: ignore[attr-defined]
    assert popup.locator(".envmon-chart-hours canvas").count() == 1
    assert watched.outside == [] and watched.errors == []


def test_sea_shot_opens_a_demo_point_popup(envmon: Envmon, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{envmon.base}/maps/public?basemap=offline&lang=zh&layers=sea")  # type: ignore[attr-defined]
    _sea_popup(page)  # type: ignore[arg-type]
    assert watched.outside == [] and watched.errors == []
