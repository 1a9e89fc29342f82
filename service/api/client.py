"""The client address a request counts under (rate limit, security log).

uvicorn (``proxy_headers``, ``forwarded_allow_ips`` = ``ENVMON_FORWARDED_ALLOW_IPS``) has already
replaced the socket peer with the right-most ``X-Forwarded-For`` hop that is not a trusted proxy when
the peer is one; otherwise the peer stays, and a forged header from an untrusted peer is ignored.
"""

from __future__ import annotations

from starlette.types import Scope


def client_address(scope: Scope) -> str:
    """The request's trusted client address, ``unknown`` when the server gave none."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


__all__ = ["client_address"]
