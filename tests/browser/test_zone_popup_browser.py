"""The staff map's zone popup in Chromium: the demo yard (labelled demo) with the last 30 days of
its monitors, the same figures as the staff zone API."""

from __future__ import annotations

import datetime as dt

import httpx
import pandas as pd

from tests.browser.conftest import ARTIFACTS, NOW, Envmon, Watched
from tests.browser.test_maps_browser import _open_staff

YARD = "DEMO-YARD-330903"


def _ingest_demo_monitors(envmon: Envmon) -> None:
    """The demo feed's readings of the three demo monitors over the 30 days before ``NOW``."""
    from geodata.demo_yards import load_demo_monitors
    from service.store.engine import make_engine, writing
    from service.store.ingest import ingest_readings
    from service.store.payloads import archive_payload
    from stations.collectors.base import Payload, Window
    from stations.collectors.demo import simulate_monitor_hours

    siting = {"boundary_air": "boundary", "plant_air": "plant", "port_air": "port"}
    m = load_demo_monitors()
    monitors = [(str(c), siting[str(k)]) for c, k in zip(m["code"], m["kind"], strict=True)]
    frame = simulate_monitor_hours(monitors, Window(NOW - dt.timedelta(days=30), NOW), seed=0)
    engine = make_engine(f"sqlite:///{envmon.extra['data_dir']}/envmon.sqlite3")
    try:
        with writing(engine) as conn:
            archived = archive_payload(conn, Payload("demo", "test://yard", b"yard"), NOW)
            ingest_readings(conn, frame, "demo", archived.id, NOW)
    finally:
        engine.dispose()


def test_zone_popup_shows_the_last_30_days(envmon: Envmon, watched: Watched) -> None:
    _ingest_demo_monitors(envmon)
    page = watched.page
    staff = httpx.get(
        f"{envmon.base}/api/v1/staff/zones/{YARD}/summary?days=30",
        headers={"Authorization": f"Bearer {envmon.key}"},
    ).json()
    assert staff["demo"] is True and staff["end"] == "2026-11-19"  # yesterday of NOW (CST)
    loaded = _open_staff(watched, envmon, "basemap=offline&lang=en")
    assert all(loaded.values()), loaded
    # Zoomed to the yard (at the city's zoom it is smaller than its monitors' points), then
    # clicked off the centre, where the in-plant monitor's point sits above it.
    page.evaluate(
        "code => { const l = window.envmonLayers.zones.getLayers().find("
        "x => x.feature && x.feature.properties.code === code && x.getBounds);"
        " l._map.fitBounds(l.getBounds(), {animate: false}); }",
        YARD,
    )
    shape = page.locator(f".envmon-zone-{YARD}").first
    box = shape.bounding_box()
    assert box is not None
    shape.click(force=True, position={"x": box["width"] * 0.25, "y": box["height"] * 0.5})
    popup = page.locator(f".leaflet-popup-content .envmon-zone-supervision[data-zone='{YARD}']")
    popup.wait_for()
    text = popup.inner_text()
    assert "Zone supervision (last 30 days)" in text
    assert "Demo zone and monitors" in text  # labelled demo
    assert f"Exceedance hours: {staff['exceedance_hours']}" in text
    nmhc = next(
        s for s in staff["statistics"] if s["role"] == "monitor" and s["parameter"] == "NMHC"
    )
    row = popup.locator(".envmon-zone-stat[data-parameter='NMHC'][data-role='monitor']")
    assert row.locator("td").nth(2).inner_text() == f"{nmhc['mean']:.2f}"
    assert row.locator("td").nth(3).inner_text() == f"{nmhc['p95']:.2f}"
    monitors = popup.locator(".envmon-zone-monitor").all_inner_texts()
    assert len(monitors) == 2  # the boundary and the in-plant monitor
    for m, shown in zip(staff["monitors"], monitors, strict=True):
        assert shown.startswith(f"{m['name']} ({m['code']})"), shown
        assert shown.endswith(f"Exceedance hours {m['hours_above_any']}"), shown
    assert popup.locator("svg.envmon-zone-spark rect").count() == 30  # one bar per day
    red = sum(1 for d in staff["daily"] if d["exceedance_hours"])
    assert popup.locator("svg.envmon-zone-spark rect[fill='#D62728']").count() == red
    page.wait_for_timeout(300)  # Leaflet's popup fade-in, for the picture only
    page.screenshot(path=str(ARTIFACTS / "zone_popup.png"))
    # Each monitor is a point of its own, with its last data and hours above a limit.
    from stations.cst import format_cst

    page.evaluate("() => window.envmonLayers.zones.getLayers()[0]._map.closePopup()")
    p1 = next(m for m in staff["monitors"] if m["code"] == "DEMO-YARD-P1")
    page.locator(".envmon-monitor-DEMO-YARD-P1").first.click(force=True)
    mpop = page.locator(".leaflet-popup-content .envmon-monitor-popup[data-code='DEMO-YARD-P1']")
    mpop.wait_for()
    mtext = mpop.inner_text()
    assert "Demo ship-repair yard" in mtext
    assert f"Last data: {format_cst(pd.Timestamp(p1['last_time']))}" in mtext
    assert f"Exceedance hours: {p1['hours_above_any']}" in mtext
    assert watched.errors == []


MONITORS = ("DEMO-YARD-B1", "DEMO-YARD-P1", "DEMO-PORT-M1")


def test_public_embed_exposes_no_monitor(envmon: Envmon, watched: Watched) -> None:
    """The public map, as a framing site shows it, loads nothing of the yard and port monitors:
    no code, no name, no value in the page or in any response it fetches; their station routes
    answer 404 (their data are the zone's, staff-only when raw)."""
    from tests.browser.test_public_map_figures import _loaded

    _ingest_demo_monitors(envmon)  # idempotent: the same rows again change nothing
    bodies: list[str] = []
    watched.page.on(
        "response",
        lambda r: (
            bodies.append(r.text())
            if r.url.startswith(envmon.base)
            and r.request.resource_type in ("document", "fetch", "xhr")
            else None
        ),
    )
    _loaded(watched, f"{envmon.base}/maps/public?basemap=offline")
    assert len(bodies) >= 2  # the page and its data
    for body in bodies:
        for code in (*MONITORS, "示例厂界监测点", "示例港区监测点"):
            assert code not in body
    items = httpx.get(f"{envmon.base}/api/v1/stations").json()["items"]
    assert not {s["code"] for s in items} & set(MONITORS)
    for code in MONITORS:
        assert httpx.get(f"{envmon.base}/api/v1/stations/{code}").status_code == 404
        assert httpx.get(f"{envmon.base}/api/v1/stations/{code}/hours").status_code == 404
    assert watched.errors == []


def test_public_zone_summary_holds_no_monitor_data(envmon: Envmon) -> None:
    public = httpx.get(f"{envmon.base}/api/v1/zones/{YARD}/summary").json()
    assert public["monitors"] is None and public["exceedances"] is None
    assert public["demo"] is True
    assert httpx.get(f"{envmon.base}/api/v1/staff/zones/{YARD}/summary").status_code == 401
    frame = pd.DataFrame(public["statistics"])
    assert set(frame["role"]) <= {"monitor", "nearby", "background"}
