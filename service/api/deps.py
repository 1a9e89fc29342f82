"""``Annotated`` dependencies: settings, engine, clock, language and staff authentication.

Long-lived objects are built once in the app's lifespan and read from ``app.state`` here.
Staff routes declare ``_: StaffDep(Role.operator)`` (or the ``ViewerDep``/``OperatorDep``/``AdminDep``
aliases); a missing or unknown key answers 401, a role too low 403.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from service.api.errors import Forbidden, Unauthorized, request_lang
from service.auth import Principal, Role, authenticate
from service.clock import Clock
from service.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="Staff API key: `Authorization: Bearer <key>`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="Staff API key")


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


def get_lang(request: Request) -> str:
    """``zh`` or ``en`` for this request."""
    return request_lang(request)


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
ClockDep = Annotated[Clock, Depends(get_clock)]
LangDep = Annotated[str, Depends(get_lang)]


def get_principal(
    request: Request,
    engine: EngineDep,
    clock: ClockDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
    api_key: Annotated[str | None, Security(_api_key)] = None,
) -> Principal:
    """The staff principal of the request's API key; ``Unauthorized`` without a valid one."""
    key = bearer.credentials if bearer is not None else api_key
    if not key:
        raise Unauthorized()
    principal = authenticate(engine, key, clock)
    if principal is None:
        raise Unauthorized()
    request.state.principal = principal
    return principal


def require_role(role: Role) -> Any:
    """A dependency that admits principals whose role is at least ``role``."""

    def dependency(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
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

__all__ = [
    "AdminDep",
    "ClockDep",
    "EngineDep",
    "LangDep",
    "OperatorDep",
    "SettingsDep",
    "StaffDep",
    "ViewerDep",
    "get_principal",
    "require_role",
]
