"""The client address a request counts under (rate limit, security log).

Only a peer listed in ``ENVMON_FORWARDED_ALLOW_IPS`` (the bureau's reverse proxy) may name the
client: then the ``X-Forwarded-For`` hops are read right to left, trusted proxies skipped, and the
first untrusted hop is the client (a client can prepend anything, but not what the proxy appends).
From any other peer the header is ignored. uvicorn's ``proxy_headers`` applies the same rule to
``scope["client"]`` under ``envmon serve``; doing it here too keeps the limiter right however the app
is served, and is idempotent (the rewritten address is untrusted, so it stands).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """The networks of ``ENVMON_FORWARDED_ALLOW_IPS`` (``*``: every peer)."""

    def __init__(self, spec: str) -> None:
        items = [part.strip() for part in spec.split(",") if part.strip()]
        self.everyone = "*" in items
        self.networks: list[Network] = [
            ipaddress.ip_network(item, strict=False) for item in items if item != "*"
        ]

    def trusts(self, host: str) -> bool:
        """Whether ``host`` (an address; anything else is untrusted) is a listed proxy."""
        if self.everyone:
            return True
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return False
        return any(address in network for network in self.networks)


def _hops(values: Iterable[str]) -> list[str]:
    hops: list[str] = []
    for value in values:
        hops.extend(part.strip() for part in value.split(","))
    return [hop for hop in hops if hop]


def client_address(scope: Scope, proxies: TrustedProxies | None = None) -> str:
    """The request's trusted client address: the socket peer, or, when the peer is a trusted
    proxy, the right-most ``X-Forwarded-For`` hop that is not one; ``unknown`` without a peer."""
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    if proxies is None or not proxies.trusts(peer):
        return peer
    forwarded = _hops(
        value.decode("latin-1")
        for key, value in scope.get("headers", [])
        if key == b"x-forwarded-for"
    )
    for hop in reversed(forwarded):
        if not proxies.trusts(hop):
            return hop
    # Every hop is a proxy of ours (or there is no header): the left-most one is the client.
    return forwarded[0] if forwarded else peer


__all__ = ["TrustedProxies", "client_address"]
