"""``GET /healthz``: liveness, the store backend, and whether the service runs on the demo feed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from service.api.deps import ClockDep, EngineDep, LangDep, SettingsDep
from service.api.errors import UpstreamUnavailable
from service.api.schemas import Health
from service.i18n import t

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, operation_id="getHealth")
def healthz(
    request: Request, settings: SettingsDep, engine: EngineDep, clock: ClockDep, lang: LangDep
) -> Health:
    """Report that the service is up, its store backend and whether it runs on the demo feed."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise UpstreamUnavailable(log_detail=f"store unreachable: {exc}") from exc
    from service.api.app import API_VERSION

    return Health(
        status="ok",
        store="postgresql" if engine.dialect.name == "postgresql" else "sqlite",
        demo=settings.demo_mode,
        notice=t("status.demo" if settings.demo_mode else "status.live", lang),
        version=API_VERSION,
        time=clock.now(),
        scheduler=getattr(request.app.state, "scheduler", None) is not None,
    )
