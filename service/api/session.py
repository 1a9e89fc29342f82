"""Staff browser sessions: server-side sessions behind an opaque cookie, its name and flags, and
safe ``next`` targets.

A browser cannot send the API-key header, so ``POST /staff/login`` trades a valid key for a session:
a row in ``staff_sessions`` (``service.store.sessions``) and a cookie holding a random 256-bit token
(the key itself never leaves the form). The store keeps only the token's HMAC-SHA256 under
``ENVMON_SESSION_SECRET`` (a random key per process when unset outside production, so sessions then
end at restart; ``envmon serve --workers`` sets one for all its workers). A session ends when
signed out (the row is deleted), after ``ENVMON_SESSION_HOURS``, after ``ENVMON_SESSION_IDLE_MINUTES``
without use, or when its key is revoked.

The cookie is ``__Host-envmon_staff`` (Secure, Path=/, no Domain: no other site or subdomain can set
or overwrite it) whenever it is ``Secure``; over plain http to a loopback host outside production
(a developer's ``envmon serve``) browsers refuse both ``Secure`` and the prefix, so it is plain
``envmon_staff`` there (``cookie_secure``). ``service.api.deps`` accepts it for GET/HEAD, and for
writes only with the session's CSRF token and a same-origin ``Origin`` (``service.api.csrf``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import Engine
from starlette.requests import HTTPConnection

from service.settings import Settings
from service.store.sessions import (
    create_session,
    end_session,
    find_session,
    purge_sessions,
    touch_session,
)

log = logging.getLogger("envmon.api")

#: The cookie's name over plain http to a loopback host (development only).
COOKIE_NAME = "envmon_staff"
#: The cookie's name everywhere else (``Secure``; the prefix makes browsers insist on it).
HOST_COOKIE_NAME = "__Host-envmon_staff"
LOGIN_PATH = "/staff/login"
LOGOUT_PATH = "/staff/logout"
#: Where a sign-in without (or with a refused) ``next`` goes.
DEFAULT_NEXT = "/maps/staff"
#: Longest ``next`` kept (characters); a longer one falls back to ``DEFAULT_NEXT``.
MAX_NEXT = 2048
#: Use of a session is written to the store at most this often (the idle timeout's resolution).
TOUCH_EVERY = dt.timedelta(minutes=1)
#: Domain separation: this key hashes session tokens and nothing else.
_PURPOSE = b"envmon-staff-session\x00"
#: ``secrets.token_urlsafe(32)``: 43 URL-safe base64 characters.
_TOKEN = re.compile(r"^[0-9A-Za-z_-]{43}$")


def session_secret(settings: Settings) -> bytes:
    """The token-hashing key: ``ENVMON_SESSION_SECRET``, else (never in production, the settings
    refuse that) a random one for this process, with a warning."""
    if settings.sessions.session_secret is not None:
        return settings.sessions.session_secret.get_secret_value().encode("utf-8")
    log.warning(
        "ENVMON_SESSION_SECRET is not set: staff sign-ins use a random key and end at restart"
    )
    return secrets.token_bytes(32)


def token_hash(secret: bytes, token: str) -> str:
    """What the store keeps of the cookie token ``token``: HMAC-SHA256 hex under ``secret``."""
    return hmac.new(secret, _PURPOSE + token.encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Session:
    """A live session: its row id, the key that signed in and the CSRF token of its pages."""

    id: int
    key_id: str
    csrf_token: str


def start_session(engine: Engine, secret: bytes, key_id: str, now: dt.datetime) -> str:
    """Store a new session for ``key_id`` and return the cookie token (shown to nobody else).

    Sessions past their lifetime or idle time are purged here, so the table stays small."""
    token = secrets.token_urlsafe(32)
    create_session(engine, token_hash(secret, token), secrets.token_urlsafe(32), key_id, now)
    return token


def purge_stale(engine: Engine, settings: Settings, now: dt.datetime) -> int:
    """Delete every session past ``ENVMON_SESSION_HOURS`` or idle past
    ``ENVMON_SESSION_IDLE_MINUTES`` at ``now``; returns how many."""
    return purge_sessions(
        engine,
        now - dt.timedelta(hours=settings.sessions.session_hours),
        now - dt.timedelta(minutes=settings.sessions.session_idle_minutes),
    )


def load_session(
    engine: Engine, secret: bytes, token: str, now: dt.datetime, settings: Settings
) -> Session | None:
    """The live session of cookie token ``token`` at ``now``, else ``None``.

    One that outlived ``ENVMON_SESSION_HOURS`` or sat unused for ``ENVMON_SESSION_IDLE_MINUTES``
    (both read now: a shortened setting applies at once) is deleted. Use is recorded at most once
    per ``TOUCH_EVERY``."""
    if not _TOKEN.match(token):
        return None
    stored = find_session(engine, token_hash(secret, token))
    if stored is None:
        return None
    lifetime = dt.timedelta(hours=settings.sessions.session_hours)
    idle = dt.timedelta(minutes=settings.sessions.session_idle_minutes)
    if now >= stored.created_at + lifetime or now >= stored.last_seen_at + idle:
        end_session(engine, stored.id)
        return None
    if now - stored.last_seen_at >= TOUCH_EVERY:
        touch_session(engine, stored.id, now)
    return Session(stored.id, stored.key_id, stored.csrf_token)


def find_cookie(cookies: dict[str, str], secure: bool) -> str | None:
    """The session token among ``cookies``: only ``__Host-envmon_staff`` where the cookie is
    ``Secure`` (an unprefixed one there may have been planted by another site or subdomain), only
    ``envmon_staff`` on development loopback http."""
    return cookies.get(cookie_name(secure)) or None


def request_cookie_secure(request: HTTPConnection, settings: Settings) -> bool:
    """``cookie_secure`` for this request's scheme and host."""
    return cookie_secure(settings.environment, request.url.scheme, request.url.hostname)


def request_cookie_token(request: HTTPConnection, settings: Settings) -> str | None:
    """The session token in the request's cookie of the name that applies to it."""
    return find_cookie(dict(request.cookies), request_cookie_secure(request, settings))


def cookie_name(secure: bool) -> str:
    """``__Host-envmon_staff`` for a ``Secure`` cookie, else ``envmon_staff``."""
    return HOST_COOKIE_NAME if secure else COOKIE_NAME


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
    "HOST_COOKIE_NAME",
    "LOGIN_PATH",
    "LOGOUT_PATH",
    "Session",
    "cookie_name",
    "cookie_secure",
    "end_session",
    "find_cookie",
    "load_session",
    "purge_stale",
    "request_cookie_secure",
    "request_cookie_token",
    "safe_next",
    "session_secret",
    "start_session",
    "token_hash",
]
