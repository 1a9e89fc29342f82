"""Slowloris (issue 22 finding 4) against a real ``envmon serve``: a connection that never finishes
its request headers is closed after ENVMON_HTTP_HEADER_TIMEOUT_S however it trickles, while
ordinary requests and kept-alive connections go on being served; oversized headers are refused."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.test_wiring_serve import ENVMON, _free_port, _poll

#: Long enough that a closed connection cannot be the keep-alive timeout (set to 60 s here).
WAIT_S = 8.0


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    tmp = tmp_path_factory.mktemp("limits")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVMON_")}
    env.update(
        ENVMON_DATA_DIR=str(tmp / "data"),
        ENVMON_ENVIRONMENT="test",
        ENVMON_RATE_LIMIT_PER_MINUTE="0",
        ENVMON_SCHEDULER_ENABLED="false",
        ENVMON_HTTP_HEADER_TIMEOUT_S="1",
        ENVMON_HTTP_KEEP_ALIVE_S="60",
        ENVMON_HTTP_MAX_HEADER_BYTES="4096",
    )
    port = _free_port()
    log = (tmp / "serve.log").open("wb")
    proc = subprocess.Popen(
        [str(ENVMON), "serve", "--port", str(port), "--no-scheduler"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _poll(
            lambda: httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200,
            "healthz",
            proc,
            90,
        )
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def _closed_by_server(sock: socket.socket, trickle: bytes = b"") -> bool:
    """Whether the server closes ``sock`` within ``WAIT_S`` (sending ``trickle`` one byte every
    0.25 s meanwhile); answers received are read and skipped."""
    sock.settimeout(0.25)
    deadline = time.monotonic() + WAIT_S
    sent = 0
    while time.monotonic() < deadline:
        try:
            if sent < len(trickle):
                sock.send(trickle[sent : sent + 1])
                sent += 1
            if sock.recv(65536) == b"":
                return True
        except TimeoutError:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return True
    return False


def test_half_sent_and_silent_connections_are_closed(served: tuple[str, int]) -> None:
    silent = socket.create_connection(served)
    half = socket.create_connection(served)
    half.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: b\r\n")  # no blank line
    try:
        assert _closed_by_server(half)
        assert _closed_by_server(silent)
    finally:
        silent.close()
        half.close()


def test_trickled_headers_do_not_extend_the_deadline(served: tuple[str, int]) -> None:
    with socket.create_connection(served) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        # One header byte every 0.25 s: 32 bytes would take 8 s, the deadline is 1 s.
        assert _closed_by_server(sock, trickle=b"X-Slow: " + b"a" * 24)


def test_ordinary_and_kept_alive_requests_are_served(served: tuple[str, int]) -> None:
    with httpx.Client(base_url=f"http://{served[0]}:{served[1]}") as client:
        for _ in range(3):  # one kept-alive connection, spaced past the header deadline
            assert client.get("/healthz").status_code == 200
            time.sleep(1.5)
        assert client.get("/api/v1/stations").status_code == 200
    with socket.create_connection(served) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.settimeout(10)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        # Then half of a second request on the same connection: closed like any other.
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        assert _closed_by_server(sock)


def test_oversized_unfinished_headers_are_refused(served: tuple[str, int]) -> None:
    """More than ENVMON_HTTP_MAX_HEADER_BYTES of headers still waiting for their end: 400, not
    buffered on (h11 bounds what it holds of an incomplete request)."""
    with socket.create_connection(served) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 8000)
        sock.settimeout(10)
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:80]


def test_the_limits_are_settings(tmp_path: Path) -> None:
    from service.api.app import uvicorn_config
    from service.settings import Settings

    settings = Settings(
        data_dir=tmp_path,
        environment="test",
        http_max_connections=1000,
        http_keep_alive_s=30,
        http_header_timeout_s=5,
        http_max_header_bytes=8192,
    )
    config = uvicorn_config("service.api.app:create_app", "127.0.0.1", 0, settings=settings)
    assert config.limit_concurrency == 1000
    assert config.timeout_keep_alive == 30
    assert config.h11_max_incomplete_event_size == 8192
    assert config.http.keywords == {"header_timeout_s": 5.0}
