"""Application factory: ``create_app(settings, clock)`` builds the FastAPI app; nothing runs on import.

The lifespan opens the store (``init_store``: creates it and migrates it to head), seeds the shipped
stations and sections and the default targets (and seals plaintext webhook secrets with the webhook
key, ``service.alerts.webhook_key``), loads the district boundaries once, and starts the
collection scheduler when ``settings.collection.scheduler_enabled`` says so: the collectors (the demo feed when no
upstream is configured, backfilled year to date in the scheduler's threads, not in the start-up
path), the post-ingest hooks (recompute, then alerts) and the webhook delivery worker's interval job.
Routes get these through ``service.api.deps``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI

import geodata
from service.alerts.webhook_key import webhook_box
from service.api.console import router as console_router
from service.api.errors import PROBLEM_JSON, add_exception_handlers
from service.api.metrics import MetricsMiddleware
from service.api.routes import (
    assessment,
    districts,
    docs,
    exports,
    geo,
    health,
    icon,
    login,
    maps,
    registry,
    sea,
    sections,
    staff,
    station_series,
    stations,
    surfaces,
    webhooks,
    zone_jobs,
    zone_summary,
    zones,
)
from service.api.schemas import Problem
from service.api.security import install_security
from service.api.session import session_secret
from service.api.version import API_VERSION
from service.clock import Clock, SystemClock
from service.http_server import protocol_factory, raise_open_file_limit
from service.logs import RequestIdMiddleware
from service.runtime import seed_store, start_scheduler, stop_scheduler
from service.settings import Settings
from service.store.engine import init_store
from service.store.files import make_data_dir
from service.zone_jobs import ZoneImportJobs

log = logging.getLogger("envmon.api")

#: Seconds a ``serve --workers`` worker has to answer its supervisor's health ping.
WORKER_HEALTHCHECK_S = 60

_PROBLEM = {"model": Problem, "content": {PROBLEM_JSON: {}}}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {**_PROBLEM, "description": "The request breaks a rule (field and rule named)"},
    429: {**_PROBLEM, "description": "Rate limited; see Retry-After"},
    500: {**_PROBLEM, "description": "Internal error (details in the log only)"},
}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the store, seed places and targets, load districts, start the scheduler; undo on
    shutdown."""

    settings: Settings = app.state.settings
    clock: Clock = app.state.clock
    make_data_dir(settings.store.data_dir)
    app.state.webhook_box = webhook_box(settings)
    app.state.engine = init_store(settings.store.effective_database_url)
    app.state.scheduler = None
    # zone uploads parse in worker processes (service.zone_jobs); shut down first on SIGTERM
    app.state.zone_jobs = ZoneImportJobs(app.state.engine, settings, clock)
    try:
        seed_store(app.state.engine, settings, clock, app.state.webhook_box)
        app.state.districts = geodata.load_districts()
        if settings.collection.scheduler_enabled:
            app.state.scheduler = start_scheduler(app.state.engine, settings)
        log.info(
            "envmon up: store=%s demo=%s scheduler=%s",
            app.state.engine.dialect.name,
            settings.feeds.demo_mode,
            app.state.scheduler is not None,
        )
        yield
    finally:
        app.state.zone_jobs.shutdown()
        if app.state.scheduler is not None:
            stop_scheduler(app.state.scheduler, settings)
        app.state.engine.dispose()


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """Build the HTTP application for ``settings`` (read from the environment when omitted)."""
    settings = settings or Settings()
    app = FastAPI(
        title="envmon",
        summary="舟山市环境质量监测服务 · Zhoushan environmental-quality monitoring",
        version=API_VERSION,
        lifespan=lifespan,
        # /docs and /redoc are envmon's own pages (service.api.routes.docs: no CDN).
        docs_url=None,
        redoc_url=None,
        responses=ERROR_RESPONSES,
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.session_secret = session_secret(settings)
    add_exception_handlers(app)
    install_security(app, settings)
    # Every log line of a request, security's included, carries its id.
    app.add_middleware(RequestIdMiddleware)
    # Outermost: each request timed by route template; /metrics for ENVMON_METRICS_ALLOW only.
    app.add_middleware(MetricsMiddleware, settings=settings)
    for module in (health, icon, stations, sections, zones, geo, exports, staff, zone_jobs, login):
        app.include_router(module.router)
    if settings.http.docs_enabled:
        app.include_router(docs.router)
    app.include_router(console_router)
    for module in (
        districts,
        assessment,
        maps,
        station_series,
        webhooks,
        registry,
        surfaces,
        sea,
        zone_summary,
    ):
        app.include_router(module.router)
    return app


def uvicorn_config(
    app: FastAPI | str,
    host: str,
    port: int,
    *,
    forwarded_allow_ips: str = "127.0.0.1",
    settings: Settings | None = None,
    **kwargs: Any,
) -> Any:
    """The uvicorn configuration envmon serves with: no ``server`` header, proxy headers trusted
    only from ``forwarded_allow_ips`` (``ENVMON_FORWARDED_ALLOW_IPS``; loopback by default), and
    the server limits of ``settings`` (``ENVMON_HTTP_*``): a header-read deadline
    (``service.http_server``), the keep-alive timeout, a connection cap and a header size cap.

    ``app`` is the app itself (one process) or an import string (with ``factory=True`` and
    ``workers``, as ``envmon serve --workers`` does)."""

    limits = settings or Settings()
    # Each connection is a file descriptor; leave room for the store, the archive and logs.
    raise_open_file_limit(limits.http.http_max_connections + 256)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        http=protocol_factory(limits.http.http_header_timeout_s),
        limit_concurrency=limits.http.http_max_connections,
        h11_max_incomplete_event_size=limits.http.http_max_header_bytes,
        # serve --workers: uvicorn kills a worker that does not answer its supervisor's ping
        # within this many seconds (5 by default). A worker importing pandas and GDAL, or one
        # whose event loop is busy under load, can take longer on a loaded 2-core host; it was
        # killed and restarted in a loop and the service never came up.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        # uvicorn's 5 s default closes a kept-alive connection while a busy event loop has not yet
        # read the client's next request ("Server disconnected without sending a response" at 256
        # connections in the load tests); proxies and browsers expect a longer idle window.
        **{"timeout_keep_alive": limits.http.http_keep_alive_s, **kwargs},
    )


__all__ = [
    "API_VERSION",
    "ERROR_RESPONSES",
    "create_app",
    "lifespan",
    "seed_store",
    "start_scheduler",
    "stop_scheduler",
    "uvicorn_config",
]
