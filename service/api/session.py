"""Staff browser sessions: the signed ``envmon_staff`` cookie, its flags, and safe ``next`` targets.

A browser cannot send the API-key header, so ``POST /staff/login`` trades a valid key for a cookie
``<key_id>.<expires_unix>.<hmac-sha256 hex>``: the key itself never leaves the form. The HMAC is
keyed with ``ENVMON_SESSION_SECRET`` (a random key per process when unset outside production, so
sessions then end at restart; ``envmon serve --workers`` sets one for all its workers).
``service.api.deps`` accepts the cookie for GET/HEAD only, so a forged cross-site form can never
write with it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from service.settings import Settings

log = logging.getLogger("envmon.api")

COOKIE_NAME = "envmon_staff"
LOGIN_PATH = "/staff/login"
LOGOUT_PATH = "/staff/logout"
#: Where a sign-in without (or with a refused) ``next`` goes.
DEFAULT_NEXT = "/maps/staff"
#: Longest ``next`` kept (characters); a longer one falls back to ``DEFAULT_NEXT``.
MAX_NEXT = 2048
#: Domain separation: this key signs session cookies and nothing else.
_PURPOSE = b"envmon-staff-session\x00"
_TOKEN = re.compile(r"^([0-9A-Za-z]{1,64})\.([0-9]{1,12})\.([0-9a-f]{64})$")


def session_secret(settings: Settings) -> bytes:
    """The signing key: ``ENVMON_SESSION_SECRET``, else (never in production, the settings refuse
    that) a random one for this process, with a warning."""
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value().encode("utf-8")
    log.warning(
        "ENVMON_SESSION_SECRET is not set: staff sign-ins use a random key and end at restart"
    )
    return secrets.token_bytes(32)


def _signature(secret: bytes, key_id: str, expires: int) -> str:
    message = _PURPOSE + f"{key_id}.{expires}".encode("ascii")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def sign(secret: bytes, key_id: str, expires: int) -> str:
    """The cookie value for key ``key_id`` valid until ``expires`` (Unix seconds, UTC)."""
    return f"{key_id}.{expires}.{_signature(secret, key_id, expires)}"


@dataclass(frozen=True, slots=True)
class Session:
    """A verified cookie: which key signed in and until when (Unix seconds)."""

    key_id: str
    expires: int


def verify(secret: bytes, token: str, now: float, lifetime_s: int) -> Session | None:
    """The session in ``token`` when its signature is right (constant-time), it has not expired
    at ``now`` (Unix seconds) and it lasts no longer than ``lifetime_s`` from now (a lifetime
    shortened since sign-in applies at once); else ``None``."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    key_id, expires_text, signature = match.groups()
    expires = int(expires_text)
    if not hmac.compare_digest(signature, _signature(secret, key_id, expires)):
        return None
    if not now < expires <= now + lifetime_s:
        return None
    return Session(key_id, expires)


def safe_next(value: str | None) -> str:
    """``value`` when it is a path on this site (``/…``), else ``DEFAULT_NEXT``.

    Refused: absolute and scheme-relative URLs (``//host``), backslashes (browsers read ``/\\host``
    as ``//host``), and whitespace or control characters (browsers drop tabs and newlines, which
    would turn ``/\\t/host`` into ``//host``).
    """
    if not value or len(value) > MAX_NEXT or not value.startswith("/"):
        return DEFAULT_NEXT
    if value.startswith("//") or "\\" in value:
        return DEFAULT_NEXT
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in value):
        return DEFAULT_NEXT
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return DEFAULT_NEXT
    return value


def _loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cookie_secure(environment: str, scheme: str, host: str | None) -> bool:
    """Whether the cookie gets ``Secure``: always, except for plain http to a loopback host
    (``localhost``, 127.0.0.0/8, ``::1``) outside production, where a browser would otherwise
    drop it (a developer's ``envmon serve`` on 127.0.0.1). Behind the bureau's TLS proxy the scheme
    is https (uvicorn's proxy headers), so the flag is set."""
    if environment == "production" or scheme != "http":
        return True
    return not _loopback(host)


__all__ = [
    "COOKIE_NAME",
    "DEFAULT_NEXT",
    "LOGIN_PATH",
    "LOGOUT_PATH",
    "Session",
    "cookie_secure",
    "safe_next",
    "session_secret",
    "sign",
    "verify",
]
