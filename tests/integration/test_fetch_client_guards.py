"""Collectors' fetches against real local HTTP servers (issue 22 finding 15): a redirect to another
origin never carries the OpenAQ key (or any credential header), a same-origin redirect still works,
and an oversized answer is cut off while it streams."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import create_engine

from service.clock import FixedClock
from service.scheduler import Collection, SchedulerConfig
from stations.collectors._http import get_payload
from stations.collectors.base import UpstreamError

KEY = "openaq-key-0123456789abcdef"
SEEN: list[tuple[int, str, dict[str, str]]] = []  # (server port, path, headers)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        port = self.server.server_address[1]
        SEEN.append((port, self.path, {k.lower(): v for k, v in self.headers.items()}))
        target = self.server.routes.get(self.path)  # type: ignore[attr-defined]
        if isinstance(target, str) and not target.startswith("huge-"):
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if target == "huge-chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            block = b"x" * 65536
            try:
                for _ in range(64):  # 4 MiB, no length announced
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading: what the cap is for
            return
        if target == "huge-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(4 * 1024 * 1024))
            self.end_headers()
            return
        body = b'{"results": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _server() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.routes = {}  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def servers() -> Iterator[tuple[ThreadingHTTPServer, ThreadingHTTPServer]]:
    upstream, elsewhere = _server(), _server()
    SEEN.clear()
    yield upstream, elsewhere
    upstream.shutdown()
    elsewhere.shutdown()


@pytest.fixture
def client(tmp_path):  # type: ignore[no-untyped-def]
    """The client the running service's scheduler fetches with (1 MiB cap here)."""
    engine = create_engine(f"sqlite:///{tmp_path / 's.sqlite3'}")
    config = SchedulerConfig()
    if hasattr(config, "http_max_bytes"):
        config = SchedulerConfig(http_max_bytes=1024 * 1024)
    scheduler = Collection(engine, config, FixedClock.__new__(FixedClock))
    yield scheduler._client
    scheduler._client.close()
    engine.dispose()


def _url(server: ThreadingHTTPServer, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_a_cross_origin_redirect_never_carries_the_key(servers, client) -> None:  # type: ignore[no-untyped-def]
    upstream, elsewhere = servers
    upstream.routes["/v3/locations/1/sensors"] = _url(elsewhere, "/collect")
    with pytest.raises(UpstreamError, match="another origin.*x-api-key"):
        get_payload(
            client,
            "openaq",
            _url(upstream, "/v3/locations/1/sensors"),
            headers={"X-API-Key": KEY, "Accept": "application/json"},
        )
    assert [port for port, _, _ in SEEN] == [upstream.server_address[1]]  # never went there
    assert all(KEY not in str(headers) for port, _, headers in SEEN if port != SEEN[0][0])


def test_authorization_is_refused_across_origins_too(servers, client) -> None:  # type: ignore[no-untyped-def]
    upstream, elsewhere = servers
    upstream.routes["/feed"] = _url(elsewhere, "/feed")
    with pytest.raises(UpstreamError, match="authorization"):
        get_payload(client, "cnemc", _url(upstream, "/feed"), headers={"Authorization": "t"})
    assert len(SEEN) == 1


def test_a_same_origin_redirect_is_followed_with_the_key(servers, client) -> None:  # type: ignore[no-untyped-def]
    upstream, _ = servers
    upstream.routes["/v3/old"] = "/v3/new"
    payload, _ = get_payload(
        client, "openaq", _url(upstream, "/v3/old"), headers={"X-API-Key": KEY}
    )
    assert payload.raw == b'{"results": []}'
    assert [(path, headers.get("x-api-key")) for _, path, headers in SEEN] == [
        ("/v3/old", KEY),
        ("/v3/new", KEY),
    ]


def test_a_keyless_fetch_may_follow_a_cross_origin_redirect(servers, client) -> None:  # type: ignore[no-untyped-def]
    upstream, elsewhere = servers
    upstream.routes["/release"] = _url(elsewhere, "/release")
    payload, _ = get_payload(client, "cnemc", _url(upstream, "/release"))
    assert payload.raw == b'{"results": []}'
    assert [port for port, _, _ in SEEN] == [
        upstream.server_address[1],
        elsewhere.server_address[1],
    ]


@pytest.mark.parametrize("kind", ["huge-chunked", "huge-declared"])
def test_an_oversized_answer_is_cut_off(servers, client, kind: str) -> None:  # type: ignore[no-untyped-def]
    upstream, _ = servers
    upstream.routes["/big"] = kind
    with pytest.raises(UpstreamError, match="ENVMON_FETCH_MAX_BYTES"):
        get_payload(client, "cnemc", _url(upstream, "/big"))
