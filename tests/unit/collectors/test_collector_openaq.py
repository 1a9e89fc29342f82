"""OpenAQ v3 fetch against a real local HTTP server replaying recorded bodies: paging, 429, 5xx."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from stations.collectors.base import UpstreamError, Window
from stations.collectors.openaq import OpenAQCollector, parse_openaq, unit_factor
from tests.unit.collectors.golden import DATA

SENSORS = (DATA / "openaq/location_2178_sensors.json").read_bytes()
HOURS = json.loads((DATA / "openaq/hours_del_norte.json").read_bytes())
PM25_SENSOR = 3920


class Upstream:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, list[str]], str | None]] = []
        self.fail_429_once = True
        self.status_override: int | None = None


def make_handler(state: Upstream) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            q = parse_qs(url.query)
            state.requests.append((url.path, q, self.headers.get("X-API-Key")))
            if state.status_override:
                self._send(state.status_override, b'{"detail":"down"}')
                return
            if url.path == "/v3/locations/2178/sensors":
                self._send(200, SENSORS)
                return
            if url.path.startswith("/v3/sensors/") and url.path.endswith("/hours"):
                sid = int(url.path.split("/")[3])
                page, limit = int(q["page"][0]), int(q["limit"][0])
                results = HOURS["results"] if sid == PM25_SENSOR else []
                if sid == PM25_SENSOR and page == 2 and state.fail_429_once:
                    state.fail_429_once = False
                    self._send(429, b'{"detail":"slow down"}', {"Retry-After": "7"})
                    return
                chunk = results[(page - 1) * limit : page * limit]
                meta = {
                    "name": "openaq-api",
                    "website": "/",
                    "page": page,
                    "limit": limit,
                    "found": len(results),
                }
                self._send(200, json.dumps({"meta": meta, "results": chunk}).encode())
                return
            self._send(404, b'{"detail":"not found"}')

    return Handler


@pytest.fixture
def upstream() -> Iterator[tuple[str, Upstream]]:
    state = Upstream()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


WINDOW = Window(
    dt.datetime(2023, 10, 16, 13, tzinfo=dt.UTC), dt.datetime(2023, 10, 16, 15, tzinfo=dt.UTC)
)


def test_fetch_pages_and_429(upstream: tuple[str, Upstream]) -> None:
    base, state = upstream
    collector = OpenAQCollector(
        "secret-key", [2178], stations={2178: "ZS-OAQ"}, base_url=base, limit=1
    )
    with httpx.Client(timeout=5) as client:
        with pytest.raises(UpstreamError) as err:
            collector.fetch(client, WINDOW)
        assert err.value.retry_after == 7.0 and err.value.status == 429
        payloads = collector.fetch(client, WINDOW)
    assert all(key == "secret-key" for _, _, key in state.requests)
    pm_pages = [
        q["page"][0] for path, q, _ in state.requests if path == f"/v3/sensors/{PM25_SENSOR}/hours"
    ]
    assert pm_pages == [
        "1",
        "2",
        "1",
        "2",
    ]  # first run stopped at the 429, second run paged to the end
    parsed = [collector.parse(p.raw) for p in payloads]
    readings = [r for p in parsed for r in p.readings.itertuples(index=False)]
    assert [(r.station, r.pollutant, r.value, r.time.isoformat()) for r in readings] == [
        ("ZS-OAQ", "PM25", 6.0, "2023-10-16T13:00:00+00:00"),
        ("ZS-OAQ", "PM25", 7.5, "2023-10-16T14:00:00+00:00"),
    ]
    assert all(not p.rejected for p in parsed)


def test_5xx_is_upstream_error(upstream: tuple[str, Upstream]) -> None:
    base, state = upstream
    state.status_override = 503
    with httpx.Client(timeout=5) as client, pytest.raises(UpstreamError) as err:
        OpenAQCollector("k", [2178], base_url=base).fetch(client, WINDOW)
    assert err.value.status == 503 and err.value.retry_after is None


def test_unit_rule() -> None:
    assert unit_factor("NO2", "ppb") == pytest.approx(46.0055 / 24.45)
    assert unit_factor("CO", "ppm") == pytest.approx(28.010 / 24.45)
    assert unit_factor("O3", "ppm") == pytest.approx(47.997 / 24.45 * 1000)
    assert unit_factor("CO", "µg/m³") == 0.001
    assert unit_factor("PM25", "ppm") is None


def test_ppm_converted_and_unknown_units_rejected() -> None:
    body = {
        "meta": {"found": 3},
        "results": [
            {
                "value": 0.02,
                "parameter": {"name": "no2", "units": "ppm"},
                "period": {
                    "label": "1hour",
                    "interval": "01:00:00",
                    "datetimeTo": {"utc": "2024-01-01T01:00:00Z"},
                },
            },
            {
                "value": 3,
                "parameter": {"name": "pm25", "units": "particles/cm³"},
                "period": {
                    "label": "1hour",
                    "interval": "01:00:00",
                    "datetimeTo": {"utc": "2024-01-01T01:00:00Z"},
                },
            },
            {
                "value": 3,
                "parameter": {"name": "so2", "units": "µg/m³"},
                "period": {
                    "label": "1hour",
                    "interval": "01:00:00",
                    "datetimeTo": {"utc": "2024-01-01T01:00:00"},
                },
            },
        ],
    }
    env = {
        "envmon": "openaq/1",
        "kind": "hours",
        "url": "x",
        "station": "S",
        "sensor_id": 1,
        "body": json.dumps(body),
    }
    p = parse_openaq(json.dumps(env).encode())
    assert p.readings["value"].round(2).tolist() == [round(0.02 * 1000 * 46.0055 / 24.45, 2)]
    assert sorted(r.field or "" for r in p.rejected) == ["time", "units"]


def test_locations_land_on_registry_stations(upstream: tuple[str, Upstream]) -> None:
    """Mapped, matched by distance to the sensors' coordinates, or refused: never openaq-<id>."""
    from stations.collectors.base import ParseContext
    from stations.names import RegistryEntry, build_name_index

    base, state = upstream
    state.fail_429_once = False
    # location 2178's sensors sit at (-106.584702, 35.1353) (location_2178_sensors.json)
    near = {"NEAR-1": (-106.5900, 35.1400), "FAR-1": (-106.0, 35.9)}
    names = build_name_index([RegistryEntry(c) for c in (*near, "MAPPED")])

    def readings_with(collector: OpenAQCollector, points: dict) -> tuple[set, list]:
        with httpx.Client(timeout=5) as client:
            payloads = collector.fetch(client, WINDOW)
        ctx = ParseContext(stations=names, station_points=points)
        parsed = [collector.parse_with(p.raw, ctx) for p in payloads]
        stations = {s for p in parsed for s in p.readings["station"]}
        return stations, [r.reason for p in parsed for r in p.rejected]

    matched, refused = readings_with(OpenAQCollector("k", [2178], base_url=base), near)
    assert matched == {"NEAR-1"} and refused == []  # 0.85 km away, within the 2 km default
    mapped, _ = readings_with(
        OpenAQCollector("k", [2178], stations={2178: "MAPPED"}, base_url=base), near
    )
    assert mapped == {"MAPPED"}
    none, refused = readings_with(
        OpenAQCollector("k", [2178], base_url=base), {"FAR-1": near["FAR-1"]}
    )
    assert none == set() and refused
    assert all("ENVMON_OPENAQ_STATIONS=2178=<code>" in r for r in refused)


def test_a_key_without_locations_is_refused_naming_the_variable() -> None:
    from service.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="ENVMON_OPENAQ_LOCATIONS is empty"):
        load_settings(openaq_api_key="k" * 20, openaq_locations=[])
    settings = load_settings(
        openaq_api_key="k" * 20, openaq_locations="2178", openaq_stations="2178=1258A"
    )
    assert settings.feeds.openaq_stations == {2178: "1258A"} and settings.feeds.demo_mode is False
