"""A real envmon server on 127.0.0.1 (uvicorn in a thread, real SQLite store with 30 days of hourly
readings for the three national stations) and Debian's Chromium driven by Playwright.

Two more tiny servers on other ports serve a parent page framing the public map: one is a
configured public site (allowed), the other is not (refused by ``frame-ancestors``).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 CST
STATIONS = ("1258A", "1259A", "1260A")


def _hourly(days: int = 30, seed: int = 6) -> pd.DataFrame:
    """Seeded hourly readings ending at ``NOW`` with a PM2.5/O3 episode every few days."""
    rng = np.random.default_rng(seed)
    times = pd.date_range(end=NOW, periods=24 * days, freq="h", tz="UTC")
    base = {"SO2": 6.0, "NO2": 22.0, "PM10": 55.0, "PM25": 32.0, "CO": 0.6, "O3": 90.0}
    frames = []
    for i, st in enumerate(STATIONS):
        episode = np.where((np.arange(len(times)) // 24) % 6 == i * 2, 3.0, 1.0)
        for p, b in base.items():
            value = np.round(b * episode * rng.uniform(0.7, 1.3, len(times)), 1 if p == "CO" else 0)
            frames.append(
                pd.DataFrame({"station": st, "time": times, "pollutant": p, "value": value})
            )
    out = pd.concat(frames, ignore_index=True)
    out["flag"] = None
    return out[["station", "time", "pollutant", "value", "flag"]]


def _sea_samples() -> pd.DataFrame:
    """The demo feed's seawater samples for the demo sea points, January to ``NOW``."""
    from geodata.sea_demo import load_demo_sea_points
    from stations.collectors.base import Window
    from stations.collectors.demo import simulate_sea_samples

    window = Window(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), NOW)
    return simulate_sea_samples(load_demo_sea_points()["code"].tolist(), window, seed=0)


def _seed_store(data_dir: Path) -> str:
    """Create the store, ingest readings, recompute days; return a viewer key."""
    from service.auth import Role, create_key
    from service.clock import FixedClock
    from service.compute import recompute
    from service.store.engine import init_store, writing
    from service.store.ingest import ingest_readings, ingest_samples
    from service.store.payloads import archive_payload
    from service.store.places import seed_places
    from stations.collectors.base import Payload

    clock = FixedClock(NOW)
    engine = init_store(f"sqlite:///{data_dir / 'envmon.sqlite3'}")
    try:
        with writing(engine) as conn:
            seed_places(conn, NOW, include_demo=True)
            archived = archive_payload(conn, Payload("test", "test://maps", b"maps"), NOW)
            ingest_readings(conn, _hourly(), "test", archived.id, NOW)
            ingest_samples(conn, _sea_samples(), "demo", archived.id, NOW)
        recompute(engine, clock, limit=None)
        _, key = create_key(engine, Role.viewer, "browser tests", clock)
    finally:
        engine.dispose()
    return key


class _Parent(BaseHTTPRequestHandler):
    target = ""

    def do_GET(self) -> None:
        body = (
            "<!doctype html><html><head><meta charset='utf-8'><title>parent</title></head><body>"
            f"<iframe id='map' src='{self.target}' width='800' height='560'></iframe>"
            "</body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _parent_server() -> ThreadingHTTPServer:
    handler = type("Parent", (_Parent,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class Envmon:
    """The running service and its two parent sites."""

    base: str
    key: str
    allowed_parent: str
    refused_parent: str
    extra: dict[str, object] = field(default_factory=dict)


@contextmanager
def served(app: object, limit: float = 60.0) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on 127.0.0.1 (ephemeral port); yields its base URL."""
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")  # type: ignore[arg-type]
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + limit
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def envmon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Envmon]:
    """envmon served by uvicorn on 127.0.0.1 (ephemeral port) with a fixed clock."""

    from service.api.app import create_app
    from service.clock import FixedClock
    from service.settings import Settings

    data_dir = tmp_path_factory.mktemp("envmon-browser")
    key = _seed_store(data_dir)
    allowed, refused = _parent_server(), _parent_server()
    allowed_origin = f"http://127.0.0.1:{allowed.server_address[1]}"
    settings = Settings(
        data_dir=data_dir,
        public_sites=[allowed_origin],
        scheduler_enabled=False,
        rate_limit_per_minute=100_000,
        rate_limit_burst=100_000,
    )
    app = create_app(settings, FixedClock(NOW))
    try:
        with served(app) as base:
            target = f"{base}/maps/public?basemap=offline"
            for parent in (allowed, refused):
                parent.RequestHandlerClass.target = target  # type: ignore[attr-defined]
            yield Envmon(
                base,
                key,
                allowed_origin + "/",
                f"http://127.0.0.1:{refused.server_address[1]}/",
                extra={"data_dir": data_dir},
            )
    finally:
        allowed.shutdown()
        refused.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Watched:
    """A page with its console errors and the requests that tried to leave 127.0.0.1."""

    page: object
    errors: list[str]
    outside: list[str]


@pytest.fixture
def watched(browser: object, request: pytest.FixtureRequest) -> Iterator[Watched]:
    """A fresh context where every request to a host other than 127.0.0.1 is aborted and recorded."""
    context = browser.new_context(viewport={"width": 1100, "height": 760})  # type: ignore[attr-defined]
    errors: list[str] = []
    outside: list[str] = []

    def guard(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:", "about:")) or host == "127.0.0.1":
            route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    yield Watched(page, errors, outside)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    finally:
        context.close()
