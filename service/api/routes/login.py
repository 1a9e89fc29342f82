"""Staff browser sign-in: ``GET``/``POST /staff/login`` and ``POST /staff/logout``.

A browser cannot send the API-key header, so the sign-in form trades a valid key for a server-side
session and its cookie (``service.api.session``). Sign-in is refused from another site (``Origin``
not this site's, or ``Sec-Fetch-Site`` cross-site: login CSRF); sign-out is a POST carrying the
session's CSRF token (``service.api.csrf``) and deletes the session in the store. The page is
self-contained (no external files) under its own strict CSP. The routes are left out of the OpenAPI
document: they are pages for people, not API operations.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from maps.escape import html_text
from service.api.audit import presented_key_id, security_event
from service.api.csrf import CSRF_FIELD, check_csrf, origin_refusal
from service.api.deps import ClockDep, EngineDep, LangDep, SettingsDep
from service.api.session import (
    LOGIN_PATH,
    LOGOUT_PATH,
    cookie_name,
    end_session,
    load_session,
    purge_stale,
    request_cookie_secure,
    request_cookie_token,
    safe_next,
    start_session,
)
from service.auth import Principal, authenticate
from service.i18n import t

log = logging.getLogger("envmon.api")

router = APIRouter(tags=["staff sign-in"], include_in_schema=False)

#: Longest key accepted from the form (a real key is about 70 characters).
MAX_KEY = 256
HTML_LANG = {"zh": "zh-CN", "en": "en"}
#: POST answers carry it too (the middleware sets it on staff GETs): a cookie must never be cached.
NO_STORE = {"Cache-Control": "no-store"}

_CSS = (
    "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1a1a1a}"
    "main{max-width:26rem;margin:12vh auto;padding:1.5rem 2rem;background:#fff;"
    "border:1px solid #c5ced8;border-radius:6px}"
    "h1{font-size:1.4rem;margin:0 0 .5rem}"
    "label{display:block;font-weight:600;margin-top:1rem}"
    "input{box-sizing:border-box;width:100%;font:inherit;padding:.5rem;"
    "border:1px solid #6b7785;border-radius:4px}"
    "input:focus,button:focus,a:focus{outline:3px solid #1565c0;outline-offset:2px}"
    ".hint{font-size:.875rem;color:#4a5561;margin:.25rem 0 0}"
    ".error{color:#a30000;background:#fdeaea;border:1px solid #a30000;padding:.5rem;"
    "border-radius:4px}"
    "button{margin-top:1rem;font:inherit;padding:.5rem 1.25rem;background:#1565c0;color:#fff;"
    "border:0;border-radius:4px;cursor:pointer}"
    "nav{margin-top:1.5rem;font-size:.875rem}"
)
_CSS_HASH = base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()
#: The sign-in page's own policy: nothing loads but its one inline style sheet, the form posts only
#: here, and no site (this one included) may frame it (clickjacking of the key field).
LOGIN_CSP = (
    f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def _query(lang: str, target: str | None = None) -> str:
    params = [("lang", lang)] + ([("next", target)] if target else [])
    return urlencode(params, safe="/")


def login_page(lang: str, target: str, error: str | None = None, status: int = 200) -> HTMLResponse:
    """The sign-in form in ``lang`` (``next`` = ``target``), with the catalogue message ``error``."""
    other = "en" if lang == "zh" else "zh"
    alert = ""
    described = "key-hint"
    if error is not None:
        alert = f'<p id="login-error" class="error" role="alert">{html_text(t(error, lang))}</p>'
        described = "login-error key-hint"
    invalid = ' aria-invalid="true"' if error is not None else ""
    title = html_text(t("staff.login.title", lang))
    body = f"""<!doctype html>
<html lang="{HTML_LANG[lang]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title} · envmon</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p>{html_text(t("staff.login.intro", lang))}</p>
{alert}
<form method="post" action="{LOGIN_PATH}?{html_text(_query(lang))}">
<input type="hidden" name="next" value="{html_text(target)}">
<label for="key">{html_text(t("staff.login.key", lang))}</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus
 spellcheck="false" autocapitalize="off" maxlength="{MAX_KEY}" aria-describedby="{described}"{
        invalid
    }>
<p id="key-hint" class="hint">{html_text(t("staff.login.key_hint", lang))}</p>
<button type="submit">{html_text(t("staff.login.submit", lang))}</button>
</form>
<nav aria-label="{html_text(t("staff.login.language", lang))}">
<a href="{LOGIN_PATH}?{html_text(_query(other, target))}" lang="{HTML_LANG[other]}" hreflang="{
        other
    }">{html_text(t("staff.login.other_lang", lang))}</a>
</nav>
</main>
</body>
</html>
"""
    headers = {"Content-Security-Policy": LOGIN_CSP, "Content-Language": lang, **NO_STORE}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="envmon"'
    return HTMLResponse(body, status_code=status, headers=headers)


@router.get(LOGIN_PATH, response_class=HTMLResponse)
def sign_in_page(
    lang: LangDep,
    next_: Annotated[str | None, Query(alias="next", max_length=4096)] = None,
) -> HTMLResponse:
    """The sign-in form; ``next`` is where a successful sign-in goes (a path on this site)."""
    return login_page(lang, safe_next(next_))


@router.post(LOGIN_PATH)
def sign_in(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    clock: ClockDep,
    lang: LangDep,
    key: Annotated[str, Form()] = "",
    next_: Annotated[str, Form(alias="next")] = "",
) -> Response:
    """A valid, unrevoked key: 303 to ``next`` with the session cookie; else 401 and the form
    again, the same for unknown, revoked and malformed keys."""
    target = safe_next(next_)
    refusal = origin_refusal(request, settings)
    if refusal is not None:
        security_event(request, "sign_in_refused", key_id=presented_key_id(key), reason=refusal)
        return login_page(lang, target, "staff.login.cross_site", 403)
    key = key.strip()
    principal = authenticate(engine, key, clock) if len(key) <= MAX_KEY else None
    if principal is None:
        security_event(
            request, "sign_in_failed", key_id=presented_key_id(key[:MAX_KEY]), reason="api_key"
        )
        return login_page(lang, target, "staff.login.failed", 401)
    now = clock.now()
    purge_stale(engine, settings, now)
    token = start_session(engine, request.app.state.session_secret, principal.key_id, now)
    secure = request_cookie_secure(request, settings)
    response = RedirectResponse(target, status_code=303, headers=NO_STORE)
    # Max-Age only bounds the cookie; the store decides when the session ends (lifetime, idle
    # time, sign-out, key revoked).
    response.set_cookie(
        cookie_name(secure),
        token,
        max_age=settings.sessions.session_hours * 3600,
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )
    log.info("staff sign-in: key %s (%s)", principal.key_id, principal.role.name)
    return response


@router.post(LOGOUT_PATH)
def sign_out(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    clock: ClockDep,
    csrf: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> RedirectResponse:
    """End the session in the store (it needs the session's CSRF token from this site: 403
    otherwise, the session kept), clear the cookie and go back to the sign-in page (keeping an
    explicit ``?lang=``). Without a live session there is nothing to end: only the cookie goes."""
    token = request_cookie_token(request, settings)
    session = None
    if token:
        secret: bytes = request.app.state.session_secret
        session = load_session(engine, secret, token, clock.now(), settings)
    if session is not None:
        check_csrf(request, session, csrf or request.headers.get("x-csrf-token"), settings)
        end_session(engine, session.id)
        log.info("staff sign-out: key %s", session.key_id)
    lang = request.query_params.get("lang")
    location = LOGIN_PATH
    if lang is not None and lang in HTML_LANG:
        location = f"{LOGIN_PATH}?{_query(lang)}"
    response = RedirectResponse(location, status_code=303, headers=NO_STORE)
    secure = request_cookie_secure(request, settings)
    response.delete_cookie(
        cookie_name(secure),
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )
    return response


def session_control(principal: Principal, lang: str, csrf: str) -> str:
    """A small fixed sign-out form naming the signed-in key and role, with a link to the staff
    console, for staff pages; ``csrf`` is the session's token (``service.api.csrf.csrf_token``)."""
    role = t(f"staff.role.{principal.role.name}", lang)
    who = t("staff.session.signed_in", lang, name=principal.name or principal.key_id, role=role)
    style = (
        "position:fixed;top:10px;left:50%;transform:translateX(-50%);z-index:1000;"
        "background:#fff;padding:4px 8px;border:1px solid #888;border-radius:4px;"
        "font:13px/1.6 system-ui,sans-serif"
    )
    return (
        f'<form id="envmon-session" method="post" action="{LOGOUT_PATH}?{_query(lang)}" '
        f'style="{style}" aria-label="{html_text(t("staff.session.label", lang))}">'
        f'<input type="hidden" name="{CSRF_FIELD}" value="{html_text(csrf)}">'
        f'<span class="envmon-session-who">{html_text(who)}</span> '
        f'<a href="/staff/?{_query(lang)}">{html_text(t("console.link", lang))}</a> '
        f'<button type="submit">{html_text(t("staff.session.logout", lang))}</button></form>'
    )


__all__ = ["LOGIN_CSP", "login_page", "router", "session_control"]
