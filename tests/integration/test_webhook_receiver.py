"""A real local webhook receiver (http.server on 127.0.0.1, ephemeral port, in a thread).

It verifies every request with the published ``standardwebhooks`` library, checks DingTalk's signed
URL when a robot secret is set, deduplicates by ``webhook-id`` and counts. The tests of this module
check the receiver itself (a tampered body is refused), so that the delivery tests can trust it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from service.alerts.signing import new_secret, webhook_headers


@dataclass
class Seen:
    """One request as the receiver saw it."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    verified: bool
    error: str | None
    status: int

    @property
    def msg_id(self) -> str:
        return self.headers.get("webhook-id", "")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook endpoint; ``mode`` decides the answer (``ok``, ``fail``, ``gone``, ``fail_once``)."""

    secret: str
    robot_secret: str | None = None
    mode: str = "ok"
    port: int = 0
    requests: list[Seen] = field(default_factory=list)
    processed: Counter[str] = field(default_factory=Counter)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _failed_once: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------------ life cycle

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                status = receiver._handle(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok":true}' if status < 300 else b'{"ok":false}')

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Take the receiver down (connections are refused until ``start`` again)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    # ------------------------------------------------------------------ checking

    def _verify(self, path: str, headers: dict[str, str], body: bytes) -> str | None:
        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError as exc:
            return f"standardwebhooks: {exc}"
        if self.robot_secret is not None:
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))
            ts = query.get("timestamp", "")
            if not ts.isdigit() or abs(int(ts) / 1000 - time.time()) > 3600:
                return "dingtalk: timestamp missing or older than one hour"
            digest = hmac.new(
                self.robot_secret.encode(), f"{ts}\n{self.robot_secret}".encode(), hashlib.sha256
            ).digest()
            if query.get("sign") != base64.b64encode(digest).decode():
                return "dingtalk: bad sign"
        return None

    def _handle(self, path: str, headers: dict[str, str], body: bytes) -> int:
        lower = {k.lower(): v for k, v in headers.items()}
        error = self._verify(path, lower, body)
        msg_id = lower.get("webhook-id", "")
        with self._lock:
            if error is not None:
                status = 401
            elif self.mode == "gone":
                status = 410
            elif self.mode == "fail":
                status = 503
            elif self.mode == "fail_once" and msg_id not in self._failed_once:
                # Processed, but the answer is lost: the sender must retry, we must dedup.
                self._failed_once.add(msg_id)
                self.processed[msg_id] += 1
                status = 500
            else:
                if msg_id not in self.processed:
                    self.processed[msg_id] += 1
                status = 200
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))
            self.requests.append(Seen(path, query, lower, body, error is None, error, status))
        return status

    # ------------------------------------------------------------------ views

    @property
    def verified_all(self) -> bool:
        return all(s.verified for s in self.requests)

    def delivered_ids(self) -> list[str]:
        return [s.msg_id for s in self.requests if s.status == 200]


@pytest.fixture
def receiver():
    r = Receiver(secret=new_secret()).start()
    try:
        yield r
    finally:
        r.stop()


class TestReceiver:
    def test_accepts_a_signed_request_and_counts_once(self, receiver: Receiver) -> None:
        body = b'{"a":1}'
        ts = int(time.time())
        headers = webhook_headers(receiver.secret, "msg_1", ts, body)
        for _ in range(2):
            assert httpx.post(receiver.url(), content=body, headers=headers).status_code == 200
        assert receiver.processed == Counter({"msg_1": 1})
        assert receiver.verified_all

    def test_refuses_a_tampered_body(self, receiver: Receiver) -> None:
        ts = int(time.time())
        headers = webhook_headers(receiver.secret, "msg_2", ts, b'{"a":1}')
        resp = httpx.post(receiver.url(), content=b'{"a":2}', headers=headers)
        assert resp.status_code == 401
        assert not receiver.verified_all
