"""``GET /healthz``: liveness, the store backend, whether the service runs on the demo feed, and when
the latest collector run finished (so a monitor sees collection stall whichever process runs it)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.exc import SQLAlchemyError

from service.api.deps import ClockDep, EngineDep, LangDep, SettingsDep
from service.api.errors import UpstreamUnavailable
from service.api.schemas import CollectorRun, Health
from service.api.version import API_VERSION
from service.figures.collection_health import collector_health
from service.i18n import t
from service.store.staff_pages import latest_finished_run

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, operation_id="getHealth")
def healthz(
    request: Request, settings: SettingsDep, engine: EngineDep, clock: ClockDep, lang: LangDep
) -> Health:
    """Report that the service is up, its store backend and whether it runs on the demo feed."""
    try:
        last = latest_finished_run(engine)
        runs = collector_health(engine)
    except SQLAlchemyError as exc:
        raise UpstreamUnavailable(log_detail=f"store unreachable: {exc}") from exc
    degraded = any(r.status == "degraded" for r in runs)
    return Health(
        status="degraded" if degraded else "ok",
        store="postgresql" if engine.dialect.name == "postgresql" else "sqlite",
        demo=settings.feeds.demo_mode,
        notice=t("status.demo" if settings.feeds.demo_mode else "status.live", lang),
        version=API_VERSION,
        time=clock.now(),
        scheduler=getattr(request.app.state, "scheduler", None) is not None,
        last_collection=None if last is None else last[0],
        last_collection_ok=None if last is None else last[1] == "ok",
        collectors=[
            CollectorRun(
                collector=r.collector,
                status=r.status,  # type: ignore[arg-type]
                finished_at=r.finished_at,
                accepted=r.accepted,
                quarantined=r.quarantined,
                error=r.error,
            )
            for r in runs
        ],
    )
