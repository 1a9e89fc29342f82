"""A fake upstream served by a real local HTTP server, and a collector that reads it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pandas as pd

from stations.collectors._http import get_payload
from stations.collectors.base import Payload, Window
from stations.model import Parsed, Rejected, empty_readings


@dataclass
class Upstream:
    """Scripted answers, one per request (the last one repeats): ``ok``, ``500``, ``429:<seconds>``,
    ``timeout``, ``truncated``, ``garbage``, ``404``."""

    script: list[str] = field(default_factory=lambda: ["ok"])
    requests: list[str] = field(default_factory=list)
    url: str = ""
    value: float = 10.0
    hang: threading.Event = field(default_factory=threading.Event)

    def next(self) -> str:
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


def body_for(path: str, value: float) -> bytes:
    """Readings for the window in the query (?start=ISO&end=ISO), two stations, one pollutant."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
    times = pd.date_range(query["start"], query["end"], freq="h", inclusive="left")
    rows = [
        {"station": s, "time": t.isoformat(), "pollutant": "PM25", "value": value}
        for t in times
        for s in ("1258A", "1259A")
    ]
    return json.dumps(rows).encode()


@contextmanager
def serve(upstream: Upstream) -> Iterator[Upstream]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            upstream.requests.append(self.path)
            action = upstream.next()
            if action == "ok":
                return self._send(200, body_for(self.path, upstream.value))
            if action == "500":
                return self._send(500, b"oops")
            if action.startswith("429"):
                self.send_response(429)
                self.send_header("Retry-After", action.split(":")[1])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if action == "404":
                return self._send(404, b"no")
            if action == "garbage":
                return self._send(200, b"\x00\xffnot json at all")
            if action == "truncated":
                body = body_for(self.path, upstream.value)
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.connection.close()
                return None
            if action == "timeout":
                # Longer than the client's read timeout; released when the test ends.
                upstream.hang.wait(5)
                return None
            raise AssertionError(action)

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    upstream.url = f"http://127.0.0.1:{server.server_address[1]}/readings"
    try:
        yield upstream
    finally:
        upstream.hang.set()
        server.shutdown()
        server.server_close()
        time.sleep(0)


class FakeCollector:
    """Hourly readings from the fake upstream, one payload per window."""

    name: ClassVar[str] = "fake"

    def __init__(self, url: str) -> None:
        self.url = url

    def fetch(self, client: httpx.Client, window: Window) -> list[Payload]:
        params = {"start": window.start.isoformat(), "end": window.end.isoformat()}
        payload, _ = get_payload(client, self.name, self.url, params=params)
        return [payload]

    def parse(self, raw: bytes) -> Parsed:
        try:
            rows = json.loads(raw)
        except ValueError as exc:
            return Parsed(rejected=[Rejected(repr(raw[:40]), f"payload: {exc}", "payload")])
        if not rows:
            return Parsed(readings=empty_readings())
        frame = pd.DataFrame(rows)
        frame["time"] = pd.to_datetime(frame["time"], utc=True).astype("datetime64[ns, UTC]")
        frame["flag"] = None
        return Parsed(readings=frame[["station", "time", "pollutant", "value", "flag"]])
