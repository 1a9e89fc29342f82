"""One exception hierarchy, one ``{exception: status}`` table, one installer.

Routes raise ``EnvmonError`` subclasses and never build error responses. Every error answers as
``application/problem+json`` (RFC 9457) naming the field and the rule, in Chinese or English
(``?lang=`` or ``Accept-Language``). 4xx are logged at INFO; 5xx bodies are generic and the
detail goes to the log only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from service.i18n import negotiate, t

log = logging.getLogger("envmon.api")

PROBLEM_JSON = "application/problem+json"


class EnvmonError(Exception):
    """Base of every error the API answers with; ``log_detail`` is for the log, never the body."""

    slug = "internal"
    title_key = "error.internal"
    detail_key: str | None = "error.internal.detail"

    def __init__(
        self,
        detail: str | None = None,
        *,
        field: str | None = None,
        rule: str | None = None,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        log_detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(log_detail or detail or self.slug)
        self.errors = errors
        self.detail = detail
        self.field = field
        self.rule = rule
        self.params = dict(params or {})
        self.headers = dict(headers or {})
        self.log_detail = log_detail

    def detail_for(self, lang: str) -> str:
        """The user-facing detail in ``lang``."""
        if self.detail is not None:
            return self.detail
        if self.detail_key is None:
            return t(self.title_key, lang)
        params = {
            k: t(v, lang) if isinstance(v, str) and v.startswith("thing.") else v
            for k, v in self.params.items()
        }
        params.setdefault("field", self.field or "")
        params.setdefault("rule", self.rule or "")
        return t(self.detail_key, lang, **params)


class NotFound(EnvmonError):
    """A named thing does not exist: ``NotFound("thing.station", ident="X")``."""

    slug = "not-found"
    title_key = "error.not_found"
    detail_key = "error.not_found.detail"

    def __init__(self, thing: str = "thing.resource", ident: str | None = None, **kw: Any) -> None:
        super().__init__(params={"what": thing}, **kw)
        self.ident = ident

    def detail_for(self, lang: str) -> str:
        what = t(str(self.params["what"]), lang)
        if self.ident is not None:
            what = f"{what} {self.ident}"
        return t(self.detail_key or "", lang, what=what)


class ValidationFailed(EnvmonError):
    """A value breaks a rule: ``ValidationFailed("from", "before_to")``."""

    slug = "validation-failed"
    title_key = "error.validation"
    detail_key = "error.validation.detail"

    def __init__(self, field: str, rule: str, detail: str | None = None, **kw: Any) -> None:
        super().__init__(detail, field=field, rule=rule, **kw)


class Unauthorized(EnvmonError):
    """No API key, or one that is unknown or revoked."""

    slug = "unauthorized"
    title_key = "error.unauthorized"
    detail_key = "error.unauthorized.detail"

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="envmon"'})
        kw.setdefault("field", "Authorization")
        kw.setdefault("rule", "api_key")
        super().__init__(**kw)


class LoginRequired(EnvmonError):
    """A browser opened a staff page without a valid sign-in: answered by a 303 to ``location``
    (the sign-in page), not problem+json."""

    slug = "login-required"
    title_key = "error.unauthorized"
    detail_key = None

    def __init__(self, location: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.location = location


class Forbidden(EnvmonError):
    """The key's role is below the one the route needs."""

    slug = "forbidden"
    title_key = "error.forbidden"
    detail_key = "error.forbidden.detail"

    def __init__(self, role: str, **kw: Any) -> None:
        kw.setdefault("field", "Authorization")
        kw.setdefault("rule", f"role>={role}")
        super().__init__(params={"role": role}, **kw)


class CsrfRefused(EnvmonError):
    """A write with the session cookie lacks the session's CSRF token or comes from another site
    (``service.api.csrf``); ``rule`` says which: ``token``, ``origin`` or ``sec_fetch_site``."""

    slug = "csrf-refused"
    title_key = "error.csrf"
    detail_key = "error.csrf.detail"

    def __init__(self, rule: str, **kw: Any) -> None:
        kw.setdefault("field", "csrf_token")
        kw.setdefault("rule", rule)
        super().__init__(**kw)


class NetworkNotAllowed(EnvmonError):
    """The client's address is outside the networks a route is served to (``/metrics``:
    ``ENVMON_METRICS_ALLOW``)."""

    slug = "network-not-allowed"
    title_key = "error.network"
    detail_key = "error.network.detail"

    def __init__(self, setting: str, **kw: Any) -> None:
        kw.setdefault("field", "client address")
        kw.setdefault("rule", f"in {setting}")
        super().__init__(params={"setting": setting}, **kw)


class Conflict(EnvmonError):
    """The request conflicts with stored data."""

    slug = "conflict"
    title_key = "error.conflict"
    detail_key = None


class PayloadTooLarge(EnvmonError):
    """The request body exceeds the configured limit (refused before reading it when possible)."""

    slug = "payload-too-large"
    title_key = "error.payload_too_large"
    detail_key = "error.payload_too_large.detail"

    def __init__(self, limit: int, **kw: Any) -> None:
        kw.setdefault("field", "Content-Length")
        kw.setdefault("rule", f"max_bytes={limit}")
        super().__init__(params={"limit": limit}, **kw)


class UnsupportedMediaType(EnvmonError):
    """The body's content type is not one the route accepts."""

    slug = "unsupported-media-type"
    title_key = "error.unsupported_media_type"
    detail_key = None


class RateLimited(EnvmonError):
    """The client spent its token bucket; ``Retry-After`` says when to come back."""

    slug = "rate-limited"
    title_key = "error.rate_limited"
    detail_key = "error.rate_limited.detail"

    def __init__(self, retry_after: int, **kw: Any) -> None:
        kw.setdefault("headers", {"Retry-After": str(retry_after)})
        kw.setdefault("rule", "rate_limit")
        super().__init__(params={"retry_after": retry_after}, **kw)


class UpstreamUnavailable(EnvmonError):
    """An upstream feed needed for the answer did not respond usefully."""

    slug = "upstream-unavailable"
    title_key = "error.upstream_unavailable"
    detail_key = None


#: The one table from exception class to HTTP status; subclasses inherit their parent's entry.
STATUS_CODES: dict[type[Exception], int] = {
    NotFound: 404,
    ValidationFailed: 422,
    LoginRequired: 303,
    Unauthorized: 401,
    Forbidden: 403,
    CsrfRefused: 403,
    NetworkNotAllowed: 403,
    Conflict: 409,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    RateLimited: 429,
    UpstreamUnavailable: 503,
    EnvmonError: 500,
}


def status_for(exc: Exception) -> int:
    """The status for ``exc`` from ``STATUS_CODES``, walking its class hierarchy."""
    for cls in type(exc).__mro__:
        if cls in STATUS_CODES:
            return STATUS_CODES[cls]
    return 500


def request_lang(request: Request) -> str:
    """``zh`` or ``en`` for this request (``?lang=`` first, then ``Accept-Language``)."""
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))


def problem_body(
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    field: str | None = None,
    rule: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A problem+json body (the ``Problem`` schema in ``service.api.schemas``)."""
    body: dict[str, Any] = {
        "type": f"urn:envmon:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "field": field,
        "rule": rule,
    }
    if errors:
        body["errors"] = errors
    return body


def _problem_json(
    body: dict[str, Any], lang: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """``body`` sent as problem+json with its status, saying which language its text is in."""
    return JSONResponse(
        body,
        status_code=body["status"],
        media_type=PROBLEM_JSON,
        headers={"Content-Language": lang, **(headers or {})},
    )


def problem_response(
    request: Request, exc: EnvmonError, errors: list[dict[str, Any]] | None = None
) -> JSONResponse:
    """The problem+json response for ``exc``; logs 4xx at INFO and 5xx with its log detail."""
    status = status_for(exc)
    lang = request_lang(request)
    if status >= 500:
        log.error(
            "%s %s -> %s: %s", request.method, request.url.path, status, exc.log_detail or exc
        )
    else:
        log.info(
            "%s %s -> %s %s (%s)", request.method, request.url.path, status, exc.slug, exc.field
        )
    body = problem_body(
        status,
        exc.slug,
        t(exc.title_key, lang),
        exc.detail_for(lang),
        instance=request.url.path,
        field=exc.field,
        rule=exc.rule,
        errors=errors if errors is not None else exc.errors,
    )
    return _problem_json(body, lang, exc.headers)


async def _envmon_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, EnvmonError)
    return problem_response(request, exc)


async def _login_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    log.info("%s %s -> 303 sign-in", request.method, request.url.path)
    return RedirectResponse(exc.location, status_code=303, headers={"Vary": "Accept"})


def _loc_to_field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"query", "path", "header", "body", "cookie"}:
        parts = parts[1:] or parts
    return ".".join(parts)


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": _loc_to_field(e.get("loc", ())),
            "rule": e.get("type", "invalid"),
            "message": e.get("msg", ""),
        }
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"field": "request", "rule": "invalid"}
    return problem_response(
        request, ValidationFailed(str(first["field"]), str(first["rule"])), errors
    )


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    lang = request_lang(request)
    slug, key = {
        404: ("not-found", "error.not_found"),
        405: ("method-not-allowed", "error.method_not_allowed"),
        401: ("unauthorized", "error.unauthorized"),
        403: ("forbidden", "error.forbidden"),
    }.get(exc.status_code, ("http-error", "error.validation"))
    if exc.status_code >= 500:
        log.error("%s %s -> %s: %s", request.method, request.url.path, exc.status_code, exc.detail)
        slug, key = "internal", "error.internal"
    else:
        log.info("%s %s -> %s", request.method, request.url.path, exc.status_code)
    title = t(key, lang)
    body = problem_body(
        exc.status_code,
        slug,
        title,
        title,
        instance=request.url.path,
        field="path" if exc.status_code == 404 else None,
        rule="route_exists" if exc.status_code == 404 else None,
    )
    return _problem_json(body, lang, exc.headers)


async def _unhandled_handler(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s -> 500 unhandled", request.method, request.url.path, exc_info=exc)
    lang = request_lang(request)
    body = problem_body(
        500,
        "internal",
        t("error.internal", lang),
        t("error.internal.detail", lang),
        instance=request.url.path,
    )
    return _problem_json(body, lang)


def add_exception_handlers(app: FastAPI) -> None:
    """Install the handlers: envmon errors (sign-in redirects apart), request validation, routing
    errors, and the catch-all."""
    app.add_exception_handler(EnvmonError, _envmon_handler)
    app.add_exception_handler(LoginRequired, _login_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(Exception, _unhandled_handler)


__all__ = [
    "PROBLEM_JSON",
    "STATUS_CODES",
    "Conflict",
    "CsrfRefused",
    "EnvmonError",
    "Forbidden",
    "LoginRequired",
    "NetworkNotAllowed",
    "NotFound",
    "PayloadTooLarge",
    "RateLimited",
    "UnsupportedMediaType",
    "Unauthorized",
    "UpstreamUnavailable",
    "ValidationFailed",
    "add_exception_handlers",
    "problem_body",
    "problem_response",
    "request_lang",
    "status_for",
]
