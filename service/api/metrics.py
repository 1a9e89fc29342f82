"""``GET /metrics`` for the networks of ``ENVMON_METRICS_ALLOW``, and every request's latency.

The outermost middleware: it times each request to the end of its answer and counts it under its
route's template (``/api/v1/stations/{code}``, never the raw path; ``(unmatched)`` when no route
took it, e.g. a 404 or a rate-limit refusal). ``/metrics`` itself is answered here, before the
other middlewares, and is not timed. The client address is the trusted one
(``service.api.client``: behind the reverse proxy, the right-most untrusted ``X-Forwarded-For``
hop), so a request relayed by a proxy on the same host does not count as loopback; anyone else
gets 403.
"""

from __future__ import annotations

import ipaddress
import time

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.client import TrustedProxies, client_address
from service.api.errors import NetworkNotAllowed, problem_response
from service.metrics import HTTP_LATENCY, exposition
from service.settings import Settings

METRICS_PATH = "/metrics"
#: The route label of a request that no route took.
UNMATCHED = "(unmatched)"


def _route_path(scope: Scope) -> str:
    """The request's path below the app's root path (a proxy may mount envmon under a prefix)."""
    path, root = str(scope["path"]), str(scope.get("root_path", ""))
    return path[len(root) :] if root and path.startswith(root) else path


class MetricsMiddleware:
    """Times every request by route template; serves ``/metrics`` to the allowed networks."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.proxies = TrustedProxies(settings.http.forwarded_allow_ips)
        self.allowed = settings.http.metrics_networks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _route_path(scope) == METRICS_PATH:
            await self._metrics(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # an exception before the answer started is answered 500 further out

        async def send_timed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_timed)
        finally:
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            HTTP_LATENCY.labels(scope["method"], route, str(status)).observe(
                time.perf_counter() - start
            )

    def _allows(self, scope: Scope) -> bool:
        try:
            address = ipaddress.ip_address(client_address(scope, self.proxies).strip("[]"))
        except ValueError:
            return False
        if address.version == 6 and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.allowed)

    async def _metrics(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._allows(scope):
            response = problem_response(Request(scope), NetworkNotAllowed("ENVMON_METRICS_ALLOW"))
            await response(scope, receive, send)
            return
        body, content_type = exposition()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", content_type.encode("latin-1")),
                    (b"content-length", str(len(body)).encode("latin-1")),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


__all__ = ["METRICS_PATH", "MetricsMiddleware"]
