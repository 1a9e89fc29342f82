"""``Annotated`` dependencies: settings, engine, clock, language and staff authentication.

Long-lived objects are built once in the app's lifespan and read from ``app.state`` here.
Staff routes declare ``_: StaffDep(Role.operator)`` (or the ``ViewerDep``/``OperatorDep``/``AdminDep``
aliases); a missing or unknown key answers 401, a role too low 403. For GET/HEAD a signed-in
browser's ``envmon_staff`` cookie (``service.api.session``) stands in for the key header.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from service.alerts.sealing import SecretBox
from service.api.errors import Forbidden, LoginRequired, Unauthorized, request_lang
from service.api.session import COOKIE_NAME, LOGIN_PATH, verify
from service.auth import Principal, Role, authenticate, principal_for_key_id
from service.clock import Clock
from service.i18n import LANGS
from service.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="Staff API key: `Authorization: Bearer <key>`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="Staff API key")
#: Methods for which the browser session cookie counts (never writes).
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


def _session_principal(request: Request, engine: Engine, clock: Clock) -> Principal | None:
    """The principal of a valid ``envmon_staff`` cookie whose key is still active, else ``None``."""
    token = request.cookies.get(COOKIE_NAME)
    if not token:
        return None
    settings: Settings = request.app.state.settings
    session = verify(
        request.app.state.session_secret,
        token,
        clock.now().timestamp(),
        settings.session_hours * 3600,
    )
    if session is None:
        return None
    return principal_for_key_id(engine, session.key_id, clock)


def resolve_principal(
    request: Request,
    engine: EngineDep,
    clock: ClockDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
    api_key: Annotated[str | None, Security(_api_key)] = None,
) -> Principal | None:
    """The principal of the request's API key header; without one, of the staff session cookie,
    for GET/HEAD only (writes need the header, so a cross-site form can never use the cookie).
    A header, when sent, wins: a wrong header key is ``None`` even with a valid cookie."""
    key = bearer.credentials if bearer is not None else api_key
    if key:
        principal = authenticate(engine, key, clock)
    elif request.method in SESSION_METHODS:
        principal = _session_principal(request, engine, clock)
        request.state.session = principal is not None
    else:
        principal = None
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
