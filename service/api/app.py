"""Application factory: ``create_app(settings, clock)`` builds the FastAPI app; nothing runs on import.

The lifespan opens the store (``init_store``: creates it and migrates it to head), seeds the shipped
stations and sections, loads the district boundaries once, and starts the collection scheduler when
``settings.scheduler_enabled`` says so. Routes get these through ``service.api.deps``.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from service.api.errors import PROBLEM_JSON, add_exception_handlers
from service.api.routes import exports, geo, health, sections, staff, stations, zones
from service.api.schemas import Problem
from service.api.security import install_security
from service.clock import Clock, SystemClock
from service.settings import Settings

log = logging.getLogger("envmon.api")

API_VERSION = "0.1.0"

#: Routers other rooms add (ratios/districts, maps, webhooks); included when their module is present.
OPTIONAL_ROUTERS = (
    "service.api.routes.districts",
    "service.api.routes.maps",
    "service.api.routes.webhooks",
)

_PROBLEM = {"model": Problem, "content": {PROBLEM_JSON: {}}}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {**_PROBLEM, "description": "The request breaks a rule (field and rule named)"},
    429: {**_PROBLEM, "description": "Rate limited; see Retry-After"},
    500: {**_PROBLEM, "description": "Internal error (details in the log only)"},
}


def _seed(app: FastAPI, settings: Settings, clock: Clock) -> None:
    """Load the shipped stations and sections into the store (idempotent upsert)."""
    from service.store.engine import writing
    from service.store.places import seed_places

    with writing(app.state.engine) as conn:
        n_stations, n_sections = seed_places(conn, clock.now(), include_demo=settings.demo_mode)
    log.info("seeded %d stations and %d sections", n_stations, n_sections)


def _start_scheduler(app: FastAPI, settings: Settings, clock: Clock) -> Any:
    """Start the collection scheduler (``service.scheduler.CollectionScheduler``) in this process,
    with the post-ingest hooks: recompute the marked days, then evaluate alerts."""
    from service.compute import ingest_hook
    from service.scheduler import CollectionScheduler, config_from_settings

    engine = app.state.engine

    def recompute(result: Any) -> None:
        ingest_hook(engine, clock, result)

    def alerts(result: Any) -> None:
        from service.alerts.evaluate import evaluate_and_enqueue

        evaluate_and_enqueue(engine, clock, result, settings=settings)

    scheduler = CollectionScheduler(
        engine, config_from_settings(settings), clock, hooks=[recompute, alerts]
    )
    scheduler.start()
    return scheduler


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the store, seed places, load districts, start the scheduler; undo on shutdown."""
    import geodata
    from service.store.engine import init_store

    settings: Settings = app.state.settings
    clock: Clock = app.state.clock
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app.state.engine = init_store(settings.effective_database_url)
    app.state.scheduler = None
    try:
        _seed(app, settings, clock)
        app.state.districts = geodata.load_districts()
        if settings.scheduler_enabled:
            app.state.scheduler = _start_scheduler(app, settings, clock)
        log.info(
            "envmon up: store=%s demo=%s scheduler=%s",
            app.state.engine.dialect.name,
            settings.demo_mode,
            app.state.scheduler is not None,
        )
        yield
    finally:
        if app.state.scheduler is not None:
            app.state.scheduler.shutdown(wait=False)
        app.state.engine.dispose()


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """Build the HTTP application for ``settings`` (read from the environment when omitted)."""
    settings = settings or Settings()
    app = FastAPI(
        title="envmon",
        summary="舟山市环境质量监测服务 · Zhoushan environmental-quality monitoring",
        version=API_VERSION,
        lifespan=lifespan,
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url=None,
        responses=ERROR_RESPONSES,
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    add_exception_handlers(app)
    install_security(app, settings)
    for module in (health, stations, sections, zones, geo, exports, staff):
        app.include_router(module.router)
    for name in OPTIONAL_ROUTERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        app.include_router(module.router)
    return app


def uvicorn_config(app: FastAPI, host: str, port: int, **kwargs: Any) -> Any:
    """The uvicorn configuration envmon serves with: no ``server`` header, proxy headers trusted
    only from loopback."""
    import uvicorn

    return uvicorn.Config(
        app, host=host, port=port, server_header=False, proxy_headers=True, **kwargs
    )


__all__ = ["API_VERSION", "ERROR_RESPONSES", "create_app", "lifespan", "uvicorn_config"]
