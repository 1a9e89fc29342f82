"""Issue 22 in real Chromium: hostile zone names run no script on the staff map and are shown as
written (finding 2); Point zones -- ordinary notice positions -- are drawn (finding 7); every page
runs under ``script-src 'self'`` with a nonce and no policy violation (findings 2 and 8).

The zone file holds Points (as most notices do) and one area; before the fix their names ran as
script inside folium's tooltips and popups. (A file of Points only made the staff map answer 500:
``tests/integration/api/test_api_zone_upload_security.py``.)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.browser.conftest import ARTIFACTS, NOW, Watched

pytestmark = pytest.mark.browser

#: Names that broke out of folium's template literal or script in the red team's run, one per
#: escape route: a closing script tag, ``${...}``, a backtick, a backslash before a backtick, and
#: an event handler set through Leaflet's innerHTML.
HOSTILE_NAMES = (
    "</script><script>window.__pwned=1</script>",
    "${window.__pwned=2}",
    "`;window.__pwned=3;`",
    "\\`;window.__pwned=4;//",
    '<img src=x onerror="window.__pwned=5">',
    "${window.__pwned=6}</script><script>window.__pwned=7</script>",
)
#: Positions inside the Zhoushan sea area (degrees, WGS-84), one per Point name; the last name is
#: the dredging area of the shipped test data (a polygon).
POINTS = ((122.10, 30.02), (122.20, 29.95), (122.30, 30.05), (122.40, 30.10), (122.25, 30.20))
AREA = [
    [122.211389, 30.111111],
    [122.211389, 30.109444],
    [122.213611, 30.109444],
    [122.213611, 30.111111],
    [122.211389, 30.111111],
]

#: Counts Content-Security-Policy violations from the first byte of every page.
VIOLATION_COUNTER = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@dataclass
class Served:
    base: str
    key: str


def _zone_file() -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": {"name": name, "kind": "anchorage", "code": f"H{i}"},
            "geometry": {"type": "Point", "coordinates": list(xy)},
        }
        for i, (name, xy) in enumerate(zip(HOSTILE_NAMES, POINTS, strict=False), start=1)
    ]
    features.append(
        {
            "type": "Feature",
            "properties": {"name": HOSTILE_NAMES[-1], "kind": "other", "code": "AREA"},
            "geometry": {"type": "Polygon", "coordinates": [AREA]},
        }
    )
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """envmon on 127.0.0.1 with the hostile Point zones imported as the current version."""
    import uvicorn

    from service.api.app import create_app
    from service.auth import Role, create_key
    from service.clock import FixedClock
    from service.settings import Settings
    from service.store.engine import init_store, writing
    from service.store.places import seed_places
    from service.zones import import_zone_file

    data_dir = tmp_path_factory.mktemp("envmon-xss")
    engine = init_store(f"sqlite:///{data_dir / 'envmon.sqlite3'}")
    try:
        with writing(engine) as conn:
            seed_places(conn, NOW, include_demo=True)
        import_zone_file(engine, _zone_file(), "notices.geojson", who="red team")
        _, key = create_key(engine, Role.viewer, "xss test", FixedClock(NOW))
    finally:
        engine.dispose()
    settings = Settings(
        data_dir=data_dir,
        scheduler_enabled=False,
        rate_limit_per_minute=100_000,
        rate_limit_burst=100_000,
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, FixedClock(NOW)), host="127.0.0.1", port=0, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Served(f"http://127.0.0.1:{port}", key)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _open(watched: Watched, url: str, key: str | None = None) -> tuple[object, dict[str, str]]:
    page = watched.page
    page.add_init_script(VIOLATION_COUNTER)  # type: ignore[attr-defined]
    if key:
        page.set_extra_http_headers({"Authorization": f"Bearer {key}"})  # type: ignore[attr-defined]
    response = page.goto(url)  # type: ignore[attr-defined]
    assert response is not None and response.status == 200, url
    return page, response.headers


#: Every zone on the map: its position (Points), and its popup's and tooltip's text as shown.
ZONE_MARKERS = """
() => {
  const mapName = Object.keys(window).find(k => k.startsWith('map_') && window[k].eachLayer);
  const out = [];
  window[mapName].eachLayer(l => {
    if (!l.getPopup || !l.getPopup() || !l.getTooltip || !l.getTooltip()) return;
    const popup = l.getPopup().getContent();
    if (!(popup instanceof Element) || !popup.querySelector('.envmon-zone')) return;
    const point = l instanceof L.CircleMarker;
    if (!point && !(l instanceof L.GeoJSON)) return;
    l.openTooltip(point ? l.getLatLng() : l.getBounds().getCenter());
    const paths = point ? [l._path] : l.getLayers().map(c => c._path);
    out.push({
      point: point,
      lat: point ? l.getLatLng().lat : null, lon: point ? l.getLatLng().lng : null,
      drawn: paths.every(p => p && p.isConnected),
      title: popup.querySelector('b').textContent,
      tooltip: l.getTooltip().getElement().textContent.trim(),
    });
    l.closeTooltip();
  });
  return out;
}
"""


def test_hostile_zone_names_run_nothing_and_show_as_written(
    served: Served, watched: Watched
) -> None:
    page, _ = _open(watched, f"{served.base}/maps/staff?basemap=offline&lang=en", served.key)
    page.locator(".leaflet-control-layers-overlays").wait_for()  # type: ignore[attr-defined]
    page.wait_for_function("window.envmonReady && window.envmonReady.zones")  # type: ignore[attr-defined]
    assert page.evaluate("window.envmonReady.zones") is True  # fetched and drawn  # type: ignore[attr-defined]
    markers = page.evaluate(ZONE_MARKERS)  # type: ignore[attr-defined]
    assert page.evaluate("window.__pwned") is None  # type: ignore[attr-defined]
    # the derived emission control area (an outline, named derived) is drawn beside them
    derived = "Zhoushan port ship emission control area (derived)"
    assert [m["title"] for m in markers].count(derived) == 1
    markers = [m for m in markers if m["title"] != derived]
    assert sorted(m["title"] for m in markers) == sorted(HOSTILE_NAMES)
    for m in markers:
        assert m["tooltip"] == f"{m['title']} ({'Anchorage' if m['point'] else 'Other'})"
        assert m["drawn"]  # finding 7: the Point zone is on the map
    shown = {(round(m["lon"], 6), round(m["lat"], 6)) for m in markers if m["point"]}
    assert shown == {(x, y) for x, y in POINTS}
    # A person opening a zone sees its name as written, and still nothing ran.
    page.evaluate(  # type: ignore[attr-defined]
        """() => { const k = Object.keys(window).find(k => k.startsWith('map_') && window[k].eachLayer);
        window[k].eachLayer(l => { if (l instanceof L.CircleMarker && l.getPopup()
          && l.getPopup().getContent().textContent.includes('onerror')) l.openPopup(); }); }"""
    )
    title = page.locator(".leaflet-popup-content b").first  # type: ignore[attr-defined]
    assert title.inner_text() == HOSTILE_NAMES[4]
    page.screenshot(path=str(ARTIFACTS / "staff_hostile_zone_names.png"))  # type: ignore[attr-defined]
    assert page.evaluate("window.__pwned") is None  # type: ignore[attr-defined]
    assert page.evaluate("window.__violations") == []  # type: ignore[attr-defined]
    assert watched.errors == []


@pytest.mark.parametrize(
    ("path", "staff"),
    [
        ("/maps/public?basemap=offline", False),
        ("/maps/staff?basemap=offline", True),
        ("/staff/login", False),
    ],
)
def test_pages_work_under_the_script_policy(
    served: Served, watched: Watched, path: str, staff: bool
) -> None:
    page, headers = _open(watched, served.base + path, served.key if staff else None)
    if path.startswith("/maps/"):
        page.locator(".leaflet-container").wait_for()  # type: ignore[attr-defined]
        page.locator(".leaflet-control-scale").wait_for()  # type: ignore[attr-defined]
    else:
        page.locator("form input[name=key]").wait_for()  # type: ignore[attr-defined]
    policy = headers["content-security-policy"]
    if path.startswith("/maps/"):
        assert "script-src 'self' 'nonce-" in policy
        assert "object-src 'none'" in policy and "base-uri 'none'" in policy
    else:
        assert "default-src 'none'" in policy and "base-uri 'none'" in policy
    assert page.evaluate("window.__violations") == []  # type: ignore[attr-defined]
    assert watched.errors == []
    assert watched.outside == []


def test_an_injected_inline_script_is_blocked_by_the_policy(
    served: Served, watched: Watched
) -> None:
    """The policy itself, apart from escaping: a script element without the nonce does not run."""
    page, _ = _open(watched, f"{served.base}/maps/public?basemap=offline")
    page.locator(".leaflet-container").wait_for()  # type: ignore[attr-defined]
    page.evaluate(  # type: ignore[attr-defined]
        """() => { const s = document.createElement('script');
        s.textContent = 'window.__pwned = 9'; document.body.appendChild(s); }"""
    )
    assert page.evaluate("window.__pwned") is None  # type: ignore[attr-defined]
    assert any("script-src" in v for v in page.evaluate("window.__violations"))  # type: ignore[attr-defined]
    watched.errors.clear()  # the refusal is logged as a console error, as it should be


def test_staff_map_html_is_not_reused_with_an_old_nonce(served: Served) -> None:
    """Two answers carry two nonces, each matching its own policy; a 304 carries no policy."""
    import httpx

    headers = {"Authorization": f"Bearer {served.key}"}
    answers = [httpx.get(f"{served.base}/maps/public?basemap=offline") for _ in range(2)]
    nonces = []
    for r in answers:
        nonce = r.headers["content-security-policy"].split("'nonce-", 1)[1].split("'", 1)[0]
        assert f'nonce="{nonce}"' in r.text and "envmon-csp-nonce" not in r.text
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    again = httpx.get(
        f"{served.base}/maps/public?basemap=offline",
        headers={"If-None-Match": answers[0].headers["etag"]},
    )
    assert again.status_code == 304
    assert "content-security-policy" not in again.headers
    staff = httpx.get(f"{served.base}/maps/staff?basemap=offline", headers=headers)
    assert "frame-ancestors 'self'" in staff.headers["content-security-policy"]
