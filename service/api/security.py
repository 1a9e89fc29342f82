"""HTTP protection as small pure-ASGI middlewares: security headers and frame-ancestors, CORS,
a token-bucket rate limit per trusted client address shared by all workers, early upload-size refusal, and ETag / ``If-None-Match`` caching.

``install_security(app, settings)`` adds them in the one right order. Staff paths (``/api/v1/staff``,
``/maps/staff``, ``/staff/login``, ``/staff/logout``) are never cached publicly and may only be framed
by the service itself (the sign-in page sets its own stricter CSP: not framed at all).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from typing import Protocol
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.audit import presented_key_id, security_event
from service.api.client import TrustedProxies, client_address
from service.api.csp import ScriptNonceMiddleware, page_policy
from service.api.errors import PayloadTooLarge, RateLimited, Unauthorized, problem_response
from service.api.session import LOGIN_PATH, LOGOUT_PATH, load_session, request_cookie_token
from service.auth import authenticate
from service.settings import Settings
from service.shared_buckets import FILE_NAME as BUCKETS_FILE
from service.shared_buckets import SharedTokenBuckets
from service.store.files import make_data_dir

#: Staff-only paths; ``/staff/`` holds the browser sign-in and sign-out pages.
STAFF_PREFIXES = ("/api/v1/staff", "/maps/staff", "/staff/")
DEMO_HEADER = "X-Envmon-Demo"


def is_staff_path(path: str) -> bool:
    """Whether ``path`` serves staff-only content."""
    return path.startswith(STAFF_PREFIXES)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


# --- security headers -------------------------------------------------------------------------


class SecurityHeadersMiddleware:
    """Adds ``nosniff``, referrer policy, the demo flag and ``frame-ancestors`` on every response.

    HTML may be framed by the service itself and, for public pages, by the configured public sites;
    other content may not be framed at all.
    """

    def __init__(self, app: ASGIApp, public_sites: list[str], demo: bool) -> None:
        self.app = app
        self.public_ancestors = " ".join(["'self'", *public_sites])
        self.demo = demo

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        staff = is_staff_path(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if ctype.startswith(b"text/html"):
                    ancestors = "'self'" if staff else self.public_ancestors
                    csp = page_policy(ancestors)  # HTML normally has its policy already (csp.py)
                else:
                    csp = "default-src 'none'; frame-ancestors 'none'"
                # A 304 keeps the policy stored with the page (its nonce belongs to that body).
                if message["status"] != 304 and not any(
                    k.lower() == b"content-security-policy" for k, _ in headers
                ):
                    headers.append((b"content-security-policy", csp.encode()))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin"),
                    (DEMO_HEADER.lower().encode(), b"true" if self.demo else b"false"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- redirects --------------------------------------------------------------------------------


class RelativeRedirectMiddleware:
    """Redirects name a path on this site, never the request's ``Host``: Starlette's trailing-slash
    redirect builds ``http://<Host header>/path``, so a forged ``Host`` (or a cache keyed without
    it) sent visitors to another site. A ``Location`` on the request's own host becomes relative."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = (_header(scope, b"host") or "").lower()

        async def send_relative(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                headers = []
                for key, value in message.get("headers", []):
                    if key.lower() == b"location":
                        parts = urlsplit(value.decode("latin-1"))
                        if parts.scheme and parts.netloc.lower() in {host, ""}:
                            path = parts.path or "/"
                            if path.startswith("//"):
                                path = "/" + path.lstrip("/")  # never scheme-relative
                            value = (path + (f"?{parts.query}" if parts.query else "")).encode()
                    headers.append((key, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_relative)


# --- rate limit -------------------------------------------------------------------------------


class Buckets(Protocol):
    """What the rate limit takes tokens from (``service.shared_buckets.SharedTokenBuckets``)."""

    def take(self, key: str) -> float: ...


#: Longest a refusal of the rate limit is held back before it is sent (seconds).
TARPIT_MAX_S = 1.0


async def _hold_back(seconds: float) -> None:
    """Wait ``seconds`` before a refusal is sent (its own name, so a test can watch it)."""
    await asyncio.sleep(seconds)


class RateLimitMiddleware:
    """429 problem+json with ``Retry-After`` once a client has spent its bucket.

    The key is the trusted client address (``service.api.client``): the socket peer, or behind a
    proxy listed in ``ENVMON_FORWARDED_ALLOW_IPS`` the right-most untrusted ``X-Forwarded-For``
    hop; a forged header from anyone else is ignored. The buckets are shared by all worker
    processes. ``/healthz`` is exempt (container health checks). A refusal is held back for the
    client's wait (at most ``TARPIT_MAX_S``), which the connection cap bounds.
    """

    def __init__(self, app: ASGIApp, buckets: Buckets, proxies: TrustedProxies) -> None:
        self.app = app
        self.buckets = buckets
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(client_address(scope, self.proxies))
        if wait > 0:
            # A client past its limit gets its 429 only after the time it would wait for a token
            # (at most TARPIT_MAX_S): a refusal costs about a millisecond of the one event loop,
            # and four clients asking again at once kept every other client waiting behind theirs
            # (finding 9); held back, each client sends a few refusals a second, not hundreds.
            await _hold_back(min(wait, TARPIT_MAX_S))
            retry_after = max(1, math.ceil(wait))
            response = problem_response(Request(scope), RateLimited(retry_after))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


# --- upload size ------------------------------------------------------------------------------


class BodyLimitMiddleware:
    """413 before reading a body whose ``Content-Length`` exceeds the limit; a chunked body is
    counted as it streams and refused once it passes the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_json_bytes: int | None = None) -> None:
        self.app = app
        self.upload_bytes = max_bytes
        self.json_bytes = min(max_json_bytes or max_bytes, max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        # JSON bodies (subscriptions, keys, settings) are small; files are not.
        content_type = (_header(scope, b"content-type") or "").lower()
        json_body = "json" in content_type.split(";")[0]
        limit = self.json_bytes if json_body else self.upload_bytes
        length = _header(scope, b"content-length")
        if length is not None:
            try:
                too_large = int(length) > limit
            except ValueError:
                too_large = False
            if too_large:
                response = problem_response(Request(scope), PayloadTooLarge(limit))
                await response(scope, receive, send)
                return
        seen = 0
        exceeded = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise PayloadTooLarge(limit)
            return message

        replaced = False

        async def guarded_send(message: Message) -> None:
            # Body parsers may turn the error into their own 400; answer 413 instead.
            nonlocal replaced
            if exceeded:
                if not replaced and message["type"] == "http.response.start":
                    replaced = True
                    response = problem_response(Request(scope), PayloadTooLarge(limit))
                    await response(scope, receive, send)
                return
            await send(message)

        await self.app(scope, counting_receive, guarded_send)


# --- authentication before the body ------------------------------------------------------------


class AuthBeforeBodyMiddleware:
    """Staff writes (POST/PUT/PATCH/DELETE under the staff prefixes, sign-in and sign-out aside)
    are authenticated before their body is read: no credentials, an unknown or revoked key, or a
    dead session answer 401 at once, so an anonymous client cannot make the service receive and
    parse megabytes of JSON or a zone file. The route then checks role and CSRF as usual."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in {"POST", "PUT", "PATCH", "DELETE"}
            or not is_staff_path(scope["path"])
            or scope["path"] in {LOGIN_PATH, LOGOUT_PATH}
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if not await run_in_threadpool(_credentials_hold, request):
            response = problem_response(request, Unauthorized())
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _credentials_hold(request: Request) -> bool:
    """Whether the request's key header, or else its session cookie, is valid (a store lookup)."""
    state = request.app.state
    authorization = request.headers.get("authorization", "")
    key = authorization[7:].strip() if authorization[:7].lower() == "bearer " else ""
    key = key or request.headers.get("x-api-key", "").strip()
    if key:
        if authenticate(state.engine, key, None) is not None:
            return True
        security_event(request, "auth_failed", key_id=presented_key_id(key), reason="api_key")
        return False
    token = request_cookie_token(request, state.settings)
    if not token:
        return False
    now = state.clock.now()
    return load_session(state.engine, state.session_secret, token, now, state.settings) is not None


# --- ETag -------------------------------------------------------------------------------------


class ETagMiddleware:
    """Public GET responses get a strong ETag (SHA-256 of the body) and ``Cache-Control``;
    ``If-None-Match`` with the same tag answers 304. Staff responses are ``no-store``."""

    def __init__(self, app: ASGIApp, max_age: int) -> None:
        self.app = app
        self.cache_control = f"public, max-age={max_age}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"GET", "HEAD"}:
            await self.app(scope, receive, send)
            return
        if is_staff_path(scope["path"]) or scope["path"] == "/healthz":
            await self.app(scope, receive, _with_header(send, b"cache-control", b"no-store"))
            return
        start: Message | None = None
        chunks: list[bytes] = []
        passthrough = False

        async def buffering_send(message: Message) -> None:
            nonlocal start, passthrough
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    passthrough = True
                    await send(message)
                    return
                start = message
                return
            if passthrough or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._finish(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, buffering_send)

    async def _finish(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        tag = b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in {b"etag"}]
        if not any(k.lower() == b"cache-control" for k, _ in headers):
            headers.append((b"cache-control", self.cache_control))
        headers.append((b"etag", tag))
        headers.append((b"vary", b"Accept-Language"))
        match = _header(scope, b"if-none-match")
        if match is not None and _etag_matches(match, tag.decode()):
            kept = [
                (k, v) for k, v in headers if k.lower() not in {b"content-length", b"content-type"}
            ]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _etag_matches(header: str, tag: str) -> bool:
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    return "*" in candidates or tag in candidates


def _with_header(send: Send, name: bytes, value: bytes) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != name]
            message["headers"] = [*headers, (name, value)]
        await send(message)

    return wrapped


def install_security(app: FastAPI, settings: Settings) -> None:
    """Add the middlewares, innermost first: ETag, body limit, rate limit, CORS, script nonce
    and page policy (``service.api.csp``), headers."""
    app.add_middleware(ETagMiddleware, max_age=settings.http.cache_max_age)
    app.add_middleware(AuthBeforeBodyMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.http.max_upload_bytes,
        max_json_bytes=settings.http.max_json_bytes,
    )
    if settings.http.rate_limit_per_minute > 0:
        make_data_dir(settings.store.data_dir)
        buckets = SharedTokenBuckets(
            settings.store.data_dir / BUCKETS_FILE,
            settings.http.rate_limit_per_minute,
            settings.http.rate_limit_burst,
        )
        app.state.rate_limit = buckets
        app.add_middleware(
            RateLimitMiddleware,
            buckets=buckets,
            proxies=TrustedProxies(settings.http.forwarded_allow_ips),
        )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.http.public_sites,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["Accept-Language", "If-None-Match"],
        expose_headers=["ETag", "Retry-After", DEMO_HEADER, "Content-Language"],
        max_age=600,
    )
    app.add_middleware(
        ScriptNonceMiddleware,
        public_ancestors=" ".join(["'self'", *settings.http.public_sites]),
        staff_prefixes=STAFF_PREFIXES,
    )
    app.add_middleware(
        SecurityHeadersMiddleware,
        public_sites=settings.http.public_sites,
        demo=settings.feeds.demo_mode,
    )
    app.add_middleware(RelativeRedirectMiddleware)


__all__ = [
    "DEMO_HEADER",
    "AuthBeforeBodyMiddleware",
    "BodyLimitMiddleware",
    "ETagMiddleware",
    "RateLimitMiddleware",
    "RelativeRedirectMiddleware",
    "SecurityHeadersMiddleware",
    "install_security",
    "is_staff_path",
]
