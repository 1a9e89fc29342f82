"""Surfaces on the staff map in Chromium (issue 16 item 4): off by default, switched on from the
layer control, the image overlay fetched by URL and loaded, the zonal statistics shown beside the
legend with the derived emission control area marked derived; desktop and phone screenshots."""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np
import pytest
import xarray as xr

from geodata.grids import attach_crs
from geodata.rasters import write_geotiff
from tests.browser.conftest import ARTIFACTS, Envmon, Watched

READY = "window.envmonReady && Object.keys(window.envmonReady).length > 0"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
RASTER_NAME = "AIS 船舶密度 <b>测试</b>"


@pytest.fixture(scope="module")
def raster(envmon: Envmon, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An imported raster: a constant 12.5 over Zhoushan, Web Mercator, 2 km cells."""
    from service.settings import Settings
    from service.store.engine import init_store
    from service.surfaces import import_surface

    data_dir = Path(str(envmon.extra["data_dir"]))
    x = 13_540_000.0 + 2000 * np.arange(90)
    y = 3_620_000.0 - 2000 * np.arange(100)
    da = attach_crs(
        xr.DataArray(np.full((100, 90), 12.5), dims=("y", "x"), coords={"y": y, "x": x}),
        "EPSG:3857",
    )
    tif = write_geotiff(da, tmp_path_factory.mktemp("raster") / "ais.tif")
    engine = init_store(f"sqlite:///{data_dir / 'envmon.sqlite3'}")
    try:
        row = import_surface(
            engine,
            Settings(data_dir=data_dir),
            tif.read_bytes(),
            "ais.tif",
            name=RASTER_NAME,
            units="ships/km²",
            who="browser test",
        )
    finally:
        engine.dispose()
    return f"raster-{row['id']}"


def _open(w: Watched, envmon: Envmon, lang: str = "zh") -> None:
    w.page.set_extra_http_headers({"Authorization": f"Bearer {envmon.key}"})  # type: ignore[attr-defined]
    w.page.goto(f"{envmon.base}/maps/staff?basemap=offline&lang={lang}")  # type: ignore[attr-defined]
    w.page.wait_for_function(READY)  # type: ignore[attr-defined]
    w.page.evaluate("Promise.all(Object.values(window.envmonReady))")  # type: ignore[attr-defined]


def _switch_on(page: object, label: str, key: str) -> None:
    box = page.locator(".leaflet-control-layers-overlays label", has_text=label)  # type: ignore[attr-defined]
    box.locator("input").dispatch_event("click")
    page.wait_for_function(f"window.envmonSurfaces && window.envmonSurfaces['{key}']")  # type: ignore[attr-defined]
    assert page.evaluate(f"window.envmonSurfaces['{key}']") is True  # type: ignore[attr-defined]


def _zonal(envmon: Envmon, surface_id: str) -> dict[str, dict[str, object]]:
    body = httpx.get(
        f"{envmon.base}/api/v1/surfaces/{surface_id}/zonal",
        headers={"Authorization": f"Bearer {envmon.key}"},
        timeout=60,
    ).json()
    return {z["zone"]: z for z in body["zones"]}


def test_idw_surface_layer_loads_its_image_and_shows_zonal_figures(
    envmon: Envmon, watched: Watched, raster: str
) -> None:
    page = watched.page
    _open(watched, envmon)
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()  # type: ignore[attr-defined]
    # the clock stands at 2026-11-20 10:00 CST: that day has 10 hours, too few for a valid
    # 24-h mean (GB 3095 表4 needs 20), so the latest IDW day is the 19th
    assert any("PM2.5 日均值插值面（IDW）（2026-11-19）" in x for x in labels), labels
    # off by default: no image, no zonal table until switched on
    assert page.locator("img.envmon-surface-image").count() == 0  # type: ignore[attr-defined]
    assert page.locator(".envmon-zonal").count() == 0  # type: ignore[attr-defined]
    _switch_on(page, "PM2.5 日均值插值面", "idw-pm25")
    img = page.locator("img.envmon-surface-image")  # type: ignore[attr-defined]
    assert img.count() == 1
    src = img.get_attribute("src")
    assert src == "/api/v1/surfaces/idw-pm25/image.png?day=2026-11-19"
    assert page.evaluate(  # type: ignore[attr-defined]
        "(() => { const i = document.querySelector('img.envmon-surface-image');"
        " return i.complete && i.naturalWidth > 0; })()"
    )
    legend = page.locator(".envmon-legend[data-legend='idw-pm25']")  # type: ignore[attr-defined]
    assert "分区统计（面积加权）" in legend.inner_text()
    # the derived control area's row: its mean as the API computes it, to the table's 3 digits
    eca = _zonal(envmon, "idw-pm25")["eca_zhoushan_derived"]
    row = legend.locator("tr", has_text="舟山港船舶大气污染物排放控制区（推导）")
    assert row.locator(".envmon-zonal-mean").inner_text() == f"{eca['mean']:.3g}"
    assert "非官方边界" in legend.inner_text()
    page.screenshot(path=str(ARTIFACTS / "staff_surface_idw.png"))  # type: ignore[attr-defined]
    # switched off: the legend and its table go with it
    page.locator(".leaflet-control-layers-overlays label", has_text="PM2.5 日均值插值面").locator(  # type: ignore[attr-defined]
        "input"
    ).dispatch_event("click")
    assert page.locator(".envmon-zonal").count() == 0  # type: ignore[attr-defined]
    assert watched.outside == []
    assert watched.errors == []


def test_imported_raster_layer_in_english(envmon: Envmon, watched: Watched, raster: str) -> None:
    page = watched.page
    _open(watched, envmon, "en")
    label = f"Imported raster: {RASTER_NAME} (v1)"
    texts = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()  # type: ignore[attr-defined]
    assert any(label in x for x in texts), texts  # the name shown as written, not as markup
    assert page.locator(".leaflet-control-layers-overlays label b").count() == 0  # type: ignore[attr-defined]
    _switch_on(page, "Imported raster", raster)
    assert page.locator("img.envmon-surface-image").get_attribute("src") == (  # type: ignore[attr-defined]
        f"/api/v1/surfaces/{raster}/image.png"
    )
    legend = page.locator(f".envmon-legend[data-legend='{raster}']")  # type: ignore[attr-defined]
    text = legend.inner_text()
    assert "Zonal statistics (area-weighted)" in text and "ships/km²" in text
    row = legend.locator("tr", has_text="CRSBG (Zhoushan) heavy-lift wharf front")
    assert row.locator(".envmon-zonal-mean").inner_text() == "12.5"
    assert watched.errors == []


@pytest.mark.parametrize(
    ("view", "viewport", "scale"),
    [("desktop", {"width": 1280, "height": 800}, 1), ("phone", {"width": 390, "height": 844}, 2)],
)
def test_surface_screenshots(
    envmon: Envmon, browser: object, raster: str, view: str, viewport: dict[str, int], scale: int
) -> None:
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        w = Watched(page, [], [])
        _open(w, envmon)
        _switch_on(page, "PM2.5 日均值插值面", "idw-pm25")
        if view == "phone":  # the legend panel is folded on a phone: unfold it
            page.locator(".envmon-legend-toggle").click()
        page.locator(".envmon-zonal").wait_for()
        page.wait_for_timeout(300)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"staff-surface-{view}-zh.png"))
    finally:
        context.close()
