"""Security events: failed authentication (bad API key, refused sign-in, CSRF refusal) and other
refusals worth an operator's attention, on the ``envmon.security`` logger.

One line per event, ``security <event> ip=<client> key_id=<id or -> method path reason=<rule>``: the
client address is the trusted one (``service.api.client``), the key id is the public part of a
presented key (``envmon_<key_id>_…``), never the key or its secret.
"""

from __future__ import annotations

import logging
import re

from starlette.requests import HTTPConnection

from service.api.client import client_address

log = logging.getLogger("envmon.security")

#: A key id as ``service.auth`` makes them; anything else in a presented key is logged as ``-``.
_KEY_ID = re.compile(r"^[0-9a-f]{1,16}$")


def presented_key_id(key: str | None) -> str | None:
    """The key id of a presented key ``envmon_<key_id>_<secret>`` when well formed, else ``None``."""
    if not key:
        return None
    parts = key.strip().split("_", 2)
    if len(parts) == 3 and parts[0] == "envmon" and _KEY_ID.match(parts[1]):
        return parts[1]
    return None


def _printable(text: str, limit: int = 200) -> str:
    # Paths and reasons come from the client: no newlines or control characters in the log.
    return "".join(ch if ch.isprintable() and ch != " " else "_" for ch in text[:limit])


def security_event(
    conn: HTTPConnection, event: str, *, key_id: str | None = None, reason: str = ""
) -> None:
    """Log ``event`` (``auth_failed``, ``sign_in_failed``, ``csrf_refused``…) for request ``conn``
    with its client address and ``key_id``; ``reason`` names the rule that refused it."""
    log.warning(
        "security %s ip=%s key_id=%s %s %s reason=%s",
        event,
        client_address(conn.scope),
        key_id if key_id and _KEY_ID.match(key_id) else "-",
        conn.scope.get("method", "-"),
        _printable(conn.url.path),
        _printable(reason) or "-",
    )


__all__ = ["presented_key_id", "security_event"]
