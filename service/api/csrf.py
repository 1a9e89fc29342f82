"""CSRF protection for writes made with the staff session cookie (the one helper every console
write uses).

How a route uses it: nothing beyond its usual role dependency. A write route declares
``staff: OperatorDep`` (or ``StaffDep(Role.admin)``…) as before; ``service.api.deps`` then accepts
the session cookie on POST/PUT/PATCH/DELETE only when ``check_csrf`` passes, and an API-key header
(which no other site can make a browser send) needs no token. The page that makes the write puts
the session's token in it:

- an HTML form: ``csrf_field(request)`` inside the ``<form method="post">`` (a hidden
  ``csrf_token`` field);
- ``fetch()`` from a static script: ``csrf_meta(request)`` in the page's ``<head>``, and the script
  sends ``X-CSRF-Token: <meta name="csrf-token" content>`` with each write.

``check_csrf`` wants (1) the token of the request's own server-side session (synchronizer token,
compared in constant time) and (2) an ``Origin`` that is this site's and a ``Sec-Fetch-Site`` that is not
``cross-site``/``same-site`` (``origin_refusal``). A refusal
is a 403 problem (field ``csrf_token``) and a ``csrf_refused`` security event.
"""

from __future__ import annotations

import hmac
from html import escape
from urllib.parse import urlsplit

from starlette.requests import Request

from service.api.audit import security_event
from service.api.errors import CsrfRefused
from service.api.session import Session
from service.settings import Settings

#: The hidden form field carrying the token.
CSRF_FIELD = "csrf_token"
#: The header ``fetch()`` writes carry the token in.
CSRF_HEADER = "X-CSRF-Token"
#: Methods that need the token when authenticated by the cookie.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: ``Sec-Fetch-Site`` values of a request this site's own pages made (``none``: typed or bookmarked).
SAME_SITE_FETCH = frozenset({"same-origin", "none"})


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's session (``request.state.staff_session``); ``""`` when the
    request was not authenticated by a session (header-key pages need none)."""
    session: Session | None = getattr(request.state, "staff_session", None)
    return session.csrf_token if session is not None else ""


def csrf_field(request: Request) -> str:
    """``<input type="hidden" name="csrf_token" value="…">`` for a form of this session's page."""
    return f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token(request))}">'


def csrf_meta(request: Request) -> str:
    """``<meta name="csrf-token" content="…">`` for a page whose static script writes with fetch."""
    return f'<meta name="csrf-token" content="{escape(csrf_token(request))}">'


def own_origins(request: Request, settings: Settings) -> set[str]:
    """This site's origins: the one the request was addressed to (scheme from the trusted proxy
    headers) and that of ``ENVMON_ALERT_EXTERNAL_URL`` when set."""
    origins = {f"{request.url.scheme}://{request.url.netloc}".lower()}
    external = urlsplit(settings.alerts.alert_external_url)
    if external.scheme and external.netloc:
        origins.add(f"{external.scheme}://{external.netloc}".lower())
    return origins


def origin_refusal(request: Request, settings: Settings) -> str | None:
    """Why the request does not come from this site's own pages, else ``None``: ``origin`` when
    an ``Origin`` header names another origin, ``sec_fetch_site`` when the browser says
    ``cross-site`` or ``same-site``. ``Origin: null`` (what Chromium sends for a form posted from
    a ``no-referrer`` page such as the staff map, and what sandboxed frames send) passes only with
    ``Sec-Fetch-Site: same-origin``. A request with neither header (not a browser) passes: only a
    browser carries the victim's cookie."""
    origin = request.headers.get("origin")
    fetch_site = request.headers.get("sec-fetch-site")
    if origin is not None:
        if origin == "null":
            if fetch_site != "same-origin":
                return "origin"
        elif origin.lower() not in own_origins(request, settings):
            return "origin"
    if fetch_site is not None and fetch_site not in SAME_SITE_FETCH:
        return "sec_fetch_site"
    return None


async def submitted_csrf(request: Request) -> str | None:
    """The token a write carries: the ``X-CSRF-Token`` header, else the ``csrf_token`` form field
    (form bodies only; FastAPI caches the parsed form for the route). ``None`` for reads."""
    if request.method not in UNSAFE_METHODS:
        return None
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith(_FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def check_csrf(
    request: Request, session: Session, submitted: str | None, settings: Settings
) -> None:
    """Raise ``CsrfRefused`` unless ``submitted`` is ``session``'s token and the request comes
    from this site (``origin_refusal``)."""
    reason = origin_refusal(request, settings)
    if reason is None and not (
        submitted and hmac.compare_digest(submitted.encode(), session.csrf_token.encode())
    ):
        reason = "token"
    if reason is not None:
        security_event(request, "csrf_refused", key_id=session.key_id, reason=reason)
        raise CsrfRefused(reason)


__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "UNSAFE_METHODS",
    "check_csrf",
    "csrf_field",
    "csrf_meta",
    "csrf_token",
    "origin_refusal",
    "own_origins",
    "submitted_csrf",
]
