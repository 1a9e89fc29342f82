"""The maps in real Chromium against a running envmon: offline, layers, popups, legends, framing."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.conftest import ARTIFACTS, Envmon, Watched

pytestmark = pytest.mark.browser

READY = "window.envmonReady && Object.keys(window.envmonReady).length > 0"


def _open_public(w: Watched, envmon: Envmon, query: str = "basemap=offline") -> dict[str, bool]:
    w.page.goto(f"{envmon.base}/maps/public?{query}")
    w.page.wait_for_function(READY)
    loaded = w.page.evaluate(
        "Promise.all(Object.entries(window.envmonReady).map("
        "([k, p]) => p.then(ok => [k, ok]))).then(Object.fromEntries)"
    )
    return loaded


def test_public_page_offline_stays_inside_the_service(envmon: Envmon, watched: Watched) -> None:
    loaded = _open_public(watched, envmon)
    assert loaded and all(loaded.values()), loaded
    assert watched.page.locator(".leaflet-overlay-pane path").count() >= 4  # districts drawn
    assert watched.outside == []
    assert watched.errors == []


def test_public_station_popup_shows_the_api_aqi(envmon: Envmon, watched: Watched) -> None:
    stations = httpx.get(f"{envmon.base}/api/v1/stations").json()
    items = stations if isinstance(stations, list) else stations["items"]
    api = {s["code"]: s for s in items}
    assert api["1258A"]["aqi"] is not None
    _open_public(watched, envmon, "basemap=offline&layers=stations")
    watched.page.locator(".envmon-station-1258A").first.click(force=True)
    popup = watched.page.locator(".leaflet-popup-content .envmon-station[data-code='1258A']")
    popup.wait_for()
    assert popup.locator(".envmon-aqi").inner_text() == str(api["1258A"]["aqi"])
    watched.page.screenshot(path=str(ARTIFACTS / "public_station_popup.png"))
    assert watched.errors == []


def test_public_legend_lists_all_six_levels(envmon: Envmon, watched: Watched) -> None:
    _open_public(watched, envmon, "basemap=offline&lang=en")
    rows = watched.page.locator(".envmon-legend[data-legend='aqi'] .envmon-legend-row")
    keys = [rows.nth(i).get_attribute("data-key") for i in range(rows.count())]
    assert keys[:6] == ["1", "2", "3", "4", "5", "6"]
    assert "Severely polluted" in rows.nth(5).inner_text()
    assert watched.errors == []


def test_public_layers_parameter_limits_the_layers(envmon: Envmon, watched: Watched) -> None:
    _open_public(watched, envmon, "basemap=offline&layers=stations,zones&district=330902")
    labels = watched.page.locator(".leaflet-control-layers-overlays label")
    assert labels.count() == 2
    # only 定海区 stations (1258A, 1260A) are drawn
    assert watched.page.locator(".envmon-station-1259A").count() == 0
    assert watched.page.locator(".envmon-station-1258A").count() == 1
    assert watched.errors == []


def _toggle_states(page: object) -> list[tuple[str, bool, bool]]:
    """For each declared layer's checkbox: (label, legend shown before, legend shown after the
    click). Surfaces (``.envmon-surface-label``) load their legend on demand:
    ``tests/browser/test_surfaces_browser.py``."""
    out = []
    inputs = page.locator(".leaflet-control-layers-overlays input")  # type: ignore[attr-defined]
    for i in range(inputs.count()):
        box = inputs.nth(i)
        if box.locator("xpath=..").locator(".envmon-surface-label").count():
            continue
        label = box.locator("xpath=..").inner_text().strip()
        before_paths = page.locator(".leaflet-interactive").count()  # type: ignore[attr-defined]
        before = page.locator(".envmon-legend").count()  # type: ignore[attr-defined]
        box.dispatch_event("click")
        after = page.locator(".envmon-legend").count()  # type: ignore[attr-defined]
        after_paths = page.locator(".leaflet-interactive").count()  # type: ignore[attr-defined]
        box.dispatch_event("click")
        restored = page.locator(".envmon-legend").count()  # type: ignore[attr-defined]
        assert restored == before, label
        out.append((label, before != after, before_paths != after_paths))
    return out


def _open_staff(w: Watched, envmon: Envmon, query: str = "basemap=offline") -> dict[str, bool]:
    """The staff map with every layer fetched; layer key -> loaded."""
    w.page.set_extra_http_headers({"Authorization": f"Bearer {envmon.key}"})  # type: ignore[attr-defined]
    w.page.goto(f"{envmon.base}/maps/staff?{query}")  # type: ignore[attr-defined]
    w.page.wait_for_function(READY)  # type: ignore[attr-defined]
    return w.page.evaluate(  # type: ignore[attr-defined,no-any-return]
        "Promise.all(Object.entries(window.envmonReady).map("
        "([k, p]) => p.then(ok => [k, ok]))).then(Object.fromEntries)"
    )


def test_staff_map_every_layer_present_and_toggling(envmon: Envmon, watched: Watched) -> None:
    page = watched.page
    loaded = _open_staff(watched, envmon)
    assert loaded and all(loaded.values()), loaded
    assert set(loaded) == {
        "base",
        "eg_ratio",
        "class_iii",
        "zones",
        "sea",
        "sections",
        "stations",
        "daily_aqi",
    }
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    for name in (
        "优良天数比例",
        "Ⅰ-Ⅲ类",
        "空气监测站点",
        "日AQI",
        "地表水断面",
        "港区",
        "近岸海域",
    ):
        assert any(name in x for x in labels), (name, labels)
    states = _toggle_states(page)
    assert all(legend for _, legend, _ in states), states
    assert page.locator(".leaflet-control-scale").count() == 1
    # Metres and kilometres only: one scale line, no miles or feet.
    assert page.locator(".leaflet-control-scale-line").count() == 1
    assert page.locator(".leaflet-control-zoom-fullscreen").count() == 1
    assert page.locator(".envmon-legend[data-legend='aqi'] .envmon-legend-row").count() == 7
    assert watched.outside == []
    assert watched.errors == []


def test_staff_popup_and_time_slider(envmon: Envmon, watched: Watched) -> None:
    page = watched.page
    page.set_extra_http_headers({"Authorization": f"Bearer {envmon.key}"})
    api = httpx.get(f"{envmon.base}/api/v1/stations").json()
    items = api if isinstance(api, list) else api["items"]
    aqi = {s["code"]: s["aqi"] for s in items}
    loaded = _open_staff(watched, envmon, "basemap=offline&lang=en")
    assert all(loaded.values()), loaded
    page.locator(".envmon-station-1259A").first.click(force=True)
    popup = page.locator(".leaflet-popup-content .envmon-station[data-code='1259A']")
    popup.wait_for()
    assert popup.locator(".envmon-aqi").inner_text() == str(aqi["1259A"])
    assert popup.locator("svg.envmon-spark rect").count() >= 20  # 30-day chart
    page.keyboard.press("Escape")
    # turn on the daily layer; the slider appears and recolours the markers
    page.locator(".leaflet-control-layers-overlays label", has_text="Daily AQI").locator(
        "input"
    ).dispatch_event("click")
    slider = page.locator(".envmon-slider input[type=range]")
    slider.wait_for()
    # the last day is shown first; its window of days is fetched when the layer is turned on
    page.locator(".envmon-slider[data-day='2026-11-20']").wait_for()
    dates = set()
    fills = set()
    for value, day in (("0", "2026-10-22"), ("10", "2026-11-01"), ("20", "2026-11-11")):
        slider.fill(value)
        page.locator(f".envmon-slider[data-day='{day}']").wait_for()  # fetched and recoloured
        dates.add(page.locator(".envmon-slider-date").inner_text())
        fills.add(page.locator(".envmon-daily-1259A").first.get_attribute("fill"))
    assert dates == {"Date 2026-10-22", "Date 2026-11-01", "Date 2026-11-11"}
    # each shown day's AQI, as the API's daily figures give it, colours the marker
    days = httpx.get(
        f"{envmon.base}/api/v1/stations/1259A/days?from=2026-10-22&to=2026-11-11"
    ).json()["items"]
    by_day = {d["day"]: d["aqi"] for d in days}
    want = {_level_colour(by_day.get(d)) for d in ("2026-10-22", "2026-11-01", "2026-11-11")}
    assert {f.lower() for f in fills if f} == {w.lower() for w in want}
    tip = page.evaluate(
        "window.envmonLayers.daily_aqi.getLayers().find(l => l.feature.properties.code === '1259A')"
        ".getTooltip().getContent().textContent"
    )
    shown = by_day.get("2026-11-11")
    assert tip.endswith(f": AQI {'—' if shown is None else shown}"), tip
    page.screenshot(path=str(ARTIFACTS / "staff_slider.png"))
    assert watched.errors == []


def _level_colour(aqi: int | None) -> str:
    """HJ 633 附录A colour of an AQI (the legend's scale), no-data grey when None."""
    from maps import palette

    return palette.aqi_colour(aqi)


def test_staff_map_needs_a_key(envmon: Envmon) -> None:
    assert httpx.get(f"{envmon.base}/maps/staff").status_code == 401
    # each layer and the slider's days are staff data too
    for path in ("/maps/staff/layers/stations.geojson", "/maps/staff/days.json"):
        assert httpx.get(f"{envmon.base}{path}").status_code == 401, path


def test_public_map_framed_by_allowed_site_only(envmon: Envmon, browser: object) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(envmon.allowed_parent)
        frame = page.frame_locator("#map")
        frame.locator(".leaflet-container").wait_for()
        frame.locator(".envmon-legend").first.wait_for()
        page.screenshot(path=str(ARTIFACTS / "iframe_allowed.png"))

        refused = context.new_page()
        messages: list[str] = []
        refused.on("console", lambda m: messages.append(m.text))
        refused.goto(envmon.refused_parent)
        refused.wait_for_function(
            "() => document.getElementById('map') && performance.getEntriesByType('resource')"
            ".some(e => e.name.includes('/maps/public'))"
        )
        child = next(f for f in refused.frames if f is not refused.main_frame)
        child.wait_for_load_state()
        assert "/maps/public" not in child.url or child.locator(".leaflet-container").count() == 0
        refused.screenshot(path=str(ARTIFACTS / "iframe_refused.png"))
    finally:
        context.close()


def test_public_page_is_small_and_names_no_cdn(envmon: Envmon) -> None:
    import gzip
    import re

    body = httpx.get(f"{envmon.base}/maps/public").content
    assert len(gzip.compress(body)) < 150 * 1024
    text = body.decode()
    loaded = re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"([^\"]+)\"", text)
    assert loaded and all(u.startswith("/static/vendor/") for u in loaded), loaded
    for host in ("cdn.jsdelivr", "cdnjs", "unpkg", "code.jquery", "bootstrapcdn", "d3js.org"):
        assert host not in text
