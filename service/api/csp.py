"""Content-Security-Policy for every HTML page: scripts only from this origin or carrying this
response's nonce, no plugins, no ``<base>`` (issue 22, findings 2 and 8).

Pages mark their inline scripts with ``maps.render.NONCE_ATTR``; ``ScriptNonceMiddleware`` replaces
the placeholder by a fresh random nonce per response and sends the policy naming it. It sits
outside the ETag middleware, so the tag is computed over the placeholder page and stays stable; a
304 carries no policy, so the browser keeps the one stored with the page (and its nonce). A page
that sets its own policy (the sign-in page) keeps it. ``frame-ancestors`` is the caller's
(``service.api.security``): the service itself for staff pages, plus the public sites for the rest.

Page JavaScript belongs in files served by envmon (``script-src 'self'``); the nonce is for the
inline scripts folium writes.
"""

from __future__ import annotations

import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from maps.render import NONCE_ATTR

#: Bytes of randomness in a nonce (128 bits, CSP Level 3 asks for at least that).
NONCE_BYTES = 16


def page_policy(frame_ancestors: str, nonce: str | None = None) -> str:
    """The policy of an HTML page: ``script-src 'self'`` (and ``'nonce-…'``), no objects, no base."""
    script = "script-src 'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return f"{script}; object-src 'none'; base-uri 'none'; frame-ancestors {frame_ancestors}"


class ScriptNonceMiddleware:
    """Sets ``page_policy`` on HTML answers, with a per-response nonce where the page has scripts;
    pages under ``staff_prefixes`` may be framed by ``staff_ancestors``, the others by
    ``public_ancestors``."""

    def __init__(
        self,
        app: ASGIApp,
        public_ancestors: str,
        staff_prefixes: tuple[str, ...],
        staff_ancestors: str = "'self'",
    ) -> None:
        self.app = app
        self.staff_prefixes = staff_prefixes
        self.public_ancestors = public_ancestors
        self.staff_ancestors = staff_ancestors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        staff = scope["path"].startswith(self.staff_prefixes)
        ancestors = self.staff_ancestors if staff else self.public_ancestors
        head_only = scope["method"] == "HEAD"
        start: Message | None = None
        chunks: list[bytes] = []

        async def policy_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                own = any(k.lower() == b"content-security-policy" for k, _ in headers)
                if not ctype.startswith(b"text/html") or own:
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            nonce = None
            if NONCE_ATTR.encode() in body or head_only:
                nonce = secrets.token_urlsafe(NONCE_BYTES)
                body = body.replace(NONCE_ATTR.encode(), f'nonce="{nonce}"'.encode())
            headers = [
                (k, v)
                for k, v in start.get("headers", [])
                if head_only or k.lower() != b"content-length"
            ]
            if not head_only:
                headers.append((b"content-length", str(len(body)).encode()))
            policy = page_policy(ancestors, nonce)
            headers.append((b"content-security-policy", policy.encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, policy_send)


__all__ = ["NONCE_BYTES", "ScriptNonceMiddleware", "page_policy"]
