"""Application factory: ``create_app(settings, clock)`` builds the FastAPI app; nothing runs on import.

The lifespan opens the store (``init_store``: creates it and migrates it to head), seeds the shipped
stations and sections and the default targets, loads the district boundaries once, and starts the
collection scheduler when ``settings.scheduler_enabled`` says so: the collectors (the demo feed when no
upstream is configured, backfilled year to date in the scheduler's threads, not in the start-up
path), the post-ingest hooks (recompute, then alerts) and the webhook delivery worker's interval job.
Routes get these through ``service.api.deps``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from service.api.errors import PROBLEM_JSON, add_exception_handlers
from service.api.routes import exports, geo, health, login, sections, staff, stations, zones
from service.api.schemas import Problem
from service.api.security import install_security
from service.api.session import session_secret
from service.clock import Clock, SystemClock
from service.settings import Settings

log = logging.getLogger("envmon.api")

API_VERSION = "0.1.0"
#: Name of the live scheduler and of its webhook delivery worker (their registries are by name).
LIVE_NAME = "envmon"
#: How often the delivery worker looks for due webhook messages (a new alert also nudges it).
DELIVERY_EVERY = dt.timedelta(seconds=2)

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
    """Load the shipped stations and sections and the default targets (both idempotent)."""
    from service.store.engine import writing
    from service.store.places import seed_places
    from service.targets import seed_default_targets

    with writing(app.state.engine) as conn:
        n_stations, n_sections = seed_places(conn, clock.now(), include_demo=settings.demo_mode)
    n_targets = seed_default_targets(app.state.engine, clock)
    log.info(
        "seeded %d stations, %d sections, %d default targets", n_stations, n_sections, n_targets
    )


def _start_scheduler(app: FastAPI, settings: Settings, clock: Clock) -> Any:
    """Start the collection scheduler (``service.scheduler.CollectionScheduler``) in this process,
    with the post-ingest hooks (recompute the marked days, then evaluate alerts and nudge delivery)
    and the webhook delivery worker, registered as ``LIVE_NAME`` and ticked every
    ``DELIVERY_EVERY``. Returns at once: the first runs and the backfill happen in its threads."""
    from service.alerts.delivery import (
        DeliveryPolicy,
        DeliveryWorker,
        delivery_tick,
        register_worker,
    )
    from service.alerts.evaluate import alerts_hook
    from service.compute import make_ingest_hook
    from service.scheduler import CollectionScheduler, config_from_settings

    engine = app.state.engine
    evaluate = alerts_hook(engine, clock, settings, worker_name=LIVE_NAME)

    def alerts(result: Any) -> None:
        evaluate(result)

    hooks = [make_ingest_hook(engine, clock), alerts]
    scheduler = CollectionScheduler(
        engine, config_from_settings(settings), clock, hooks=hooks, name=LIVE_NAME
    )
    register_worker(
        LIVE_NAME, DeliveryWorker(engine, clock, DeliveryPolicy.from_settings(settings))
    )
    scheduler.add_interval_job(
        delivery_tick, DELIVERY_EVERY, job_id="webhook-delivery", args=[LIVE_NAME]
    )
    scheduler.start()
    return scheduler


def _stop_scheduler(scheduler: Any) -> None:
    """Stop the scheduler (a backfill stops after its current chunk), then the delivery worker."""
    from service.alerts.delivery import unregister_worker

    scheduler.shutdown(wait=False)
    worker = unregister_worker(LIVE_NAME)
    if worker is not None:
        worker.close()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the store, seed places and targets, load districts, start the scheduler; undo on
    shutdown."""
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
            _stop_scheduler(app.state.scheduler)
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
    app.state.session_secret = session_secret(settings)
    add_exception_handlers(app)
    install_security(app, settings)
    for module in (health, stations, sections, zones, geo, exports, staff, login):
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


def uvicorn_config(
    app: FastAPI, host: str, port: int, *, forwarded_allow_ips: str = "127.0.0.1", **kwargs: Any
) -> Any:
    """The uvicorn configuration envmon serves with: no ``server`` header, proxy headers trusted
    only from ``forwarded_allow_ips`` (``ENVMON_FORWARDED_ALLOW_IPS``; loopback by default)."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        # uvicorn's 5 s default closes a kept-alive connection while a busy event loop has not yet
        # read the client's next request ("Server disconnected without sending a response" at 256
        # connections in the load tests); proxies and browsers expect a longer idle window.
        **{"timeout_keep_alive": 75, **kwargs},
    )


__all__ = [
    "API_VERSION",
    "DELIVERY_EVERY",
    "LIVE_NAME",
    "ERROR_RESPONSES",
    "create_app",
    "lifespan",
    "uvicorn_config",
]
