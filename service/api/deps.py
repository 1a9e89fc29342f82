"""``Annotated`` dependencies: settings, engine, clock, language and staff authentication.

Long-lived objects are built once in the app's lifespan and read from ``app.state`` here.
Staff routes declare ``_: StaffDep(Role.operator)`` (or the ``ViewerDep``/``OperatorDep``/``AdminDep``
aliases); a missing or unknown key answers 401, a role too low 403. A signed-in browser's session
cookie (``service.api.session``) stands in for the key header: for GET/HEAD as it is, for
POST/PUT/PATCH/DELETE only with the session's CSRF token from this site (``service.api.csrf``).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from service.alerts.sealing import SecretBox
from service.api.audit import presented_key_id, security_event
from service.api.csrf import UNSAFE_METHODS, check_csrf, submitted_csrf
from service.api.errors import Forbidden, LoginRequired, Unauthorized, request_lang
from service.api.session import LOGIN_PATH, Session, load_session, request_cookie_token
from service.auth import Principal, Role, authenticate, principal_for_key_id
from service.clock import Clock
from service.i18n import LANGS
from service.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="Staff API key: `Authorization: Bearer <key>`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="Staff API key")
#: Methods for which the browser session cookie counts as it is (writes also need the CSRF token).
SESSION_METHODS = frozenset({"GET", "HEAD"})


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    """The store's engine, opened in the lifespan."""
    engine: Engine = request.app.state.engine
    return engine


def get_clock(request: Request) -> Clock:
    """The app's clock (a fixed one in tests)."""
    clock: Clock = request.app.state.clock
    return clock


def get_webhook_box(request: Request) -> SecretBox:
    """The key sealing the webhook secrets (``ENVMON_WEBHOOK_KEY`` or the key file)."""
    box: SecretBox = request.app.state.webhook_box
    return box


def get_lang(request: Request) -> str:
    """``zh`` or ``en`` for this request."""
    return request_lang(request)


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
ClockDep = Annotated[Clock, Depends(get_clock)]
LangDep = Annotated[str, Depends(get_lang)]
WebhookBoxDep = Annotated[SecretBox, Depends(get_webhook_box)]


def _session(request: Request, engine: Engine, clock: Clock) -> Session | None:
    """The live server-side session of the request's cookie, else ``None``."""
    settings: Settings = request.app.state.settings
    token = request_cookie_token(request, settings)
    if not token:
        return None
    secret: bytes = request.app.state.session_secret
    return load_session(engine, secret, token, clock.now(), settings)


def resolve_principal(
    request: Request,
    engine: EngineDep,
    clock: ClockDep,
    submitted: Annotated[str | None, Depends(submitted_csrf)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
    api_key: Annotated[str | None, Security(_api_key)] = None,
) -> Principal | None:
    """The principal of the request's API key header; without one, of the staff session cookie:
    for GET/HEAD, and for POST/PUT/PATCH/DELETE when ``check_csrf`` passes (else 403). A header,
    when sent, wins: a wrong header key is ``None`` even with a valid cookie. A wrong key is a
    security event."""
    key = bearer.credentials if bearer is not None else api_key
    principal: Principal | None = None
    if key:
        principal = authenticate(engine, key, clock)
        if principal is None:
            security_event(request, "auth_failed", key_id=presented_key_id(key), reason="api_key")
    elif request.method in SESSION_METHODS or request.method in UNSAFE_METHODS:
        session = _session(request, engine, clock)
        if session is not None:
            if request.method in UNSAFE_METHODS:
                check_csrf(request, session, submitted, request.app.state.settings)
            principal = principal_for_key_id(engine, session.key_id, clock)
            if principal is not None:
                request.state.session = True
                request.state.staff_session = session
    if principal is not None:
        request.state.principal = principal
    return principal


def get_principal(
    principal: Annotated[Principal | None, Depends(resolve_principal)],
) -> Principal:
    """The staff principal of the request (``resolve_principal``); ``Unauthorized`` without one."""
    if principal is None:
        raise Unauthorized()
    return principal


def _wants_login_page(request: Request) -> bool:
    """A browser navigating (GET of HTML, no API-key header) rather than an API client."""
    if request.method not in SESSION_METHODS:
        return False
    if request.headers.get("authorization") or request.headers.get("x-api-key"):
        return False
    return "text/html" in request.headers.get("accept", "").lower()


def _login_url(request: Request) -> str:
    """``/staff/login?next=<this path and query>``, keeping an explicit ``?lang=``."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    params = [("next", target)]
    lang = request.query_params.get("lang")
    if lang in LANGS:
        params.append(("lang", lang))
    return f"{LOGIN_PATH}?{urlencode(params, safe='/')}"


def require_role(role: Role, *, browser_login: bool = False) -> Any:
    """A dependency that admits principals whose role is at least ``role``.

    With ``browser_login``, a browser without valid credentials is sent to the sign-in page (303)
    instead of the 401 problem+json API clients get.
    """

    def dependency(
        request: Request,
        principal: Annotated[Principal | None, Depends(resolve_principal)],
    ) -> Principal:
        if principal is None:
            if browser_login and _wants_login_page(request):
                raise LoginRequired(_login_url(request))
            raise Unauthorized()
        if not principal.allows(role):
            raise Forbidden(role.name)
        return principal

    dependency.__name__ = f"require_{role.name}"
    return dependency


def StaffDep(role: Role) -> Any:
    """``Annotated[Principal, ...]`` requiring ``role``: ``staff: StaffDep(Role.operator)``."""
    return Annotated[Principal, Depends(require_role(role))]


ViewerDep = Annotated[Principal, Depends(require_role(Role.viewer))]
OperatorDep = Annotated[Principal, Depends(require_role(Role.operator))]
AdminDep = Annotated[Principal, Depends(require_role(Role.admin))]
#: A viewer page opened in a browser: without credentials, a 303 to the sign-in page.
ViewerPageDep = Annotated[Principal, Depends(require_role(Role.viewer, browser_login=True))]

__all__ = [
    "AdminDep",
    "ClockDep",
    "EngineDep",
    "LangDep",
    "OperatorDep",
    "SettingsDep",
    "StaffDep",
    "ViewerDep",
    "ViewerPageDep",
    "WebhookBoxDep",
    "get_principal",
    "require_role",
    "resolve_principal",
]
