"""``envmon serve --workers N``: N uvicorn worker processes sharing one socket, and, with the
scheduler, one scheduler process beside them (never one per worker: APScheduler keeps its jobs in
the store, and two schedulers on one job store would each run every job).

Each worker builds its app with ``create_app()`` from the environment, so what the command line
decided is handed on as ``ENVMON_*`` variables. Metrics: every process writes its samples to the
folder ``PROMETHEUS_MULTIPROC_DIR`` (a fresh temporary one unless set), which any worker's
``/metrics`` adds up (``service.metrics``). Per process, not shared: the public-figures cache
(each is invalidated by the store's data version, so all serve the same figures) and the per-IP
rate-limit buckets (the effective limit is N times the setting; a proxy in front should limit).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import secrets
import shutil
import tempfile

from uvicorn.supervisors import Multiprocess

from service.api.app import uvicorn_config
from service.metrics import MULTIPROC_ENV
from service.runtime import scheduler_main
from service.settings import Settings

log = logging.getLogger("envmon.serve")

#: The app factory each worker imports.
APP_FACTORY = "service.api.app:create_app"
#: Seconds the scheduler process is given to finish its current chunk on shutdown.
SCHEDULER_STOP_S = 30.0


def serve_workers(
    settings: Settings, host: str, port: int, workers: int, *, scheduler: bool
) -> None:
    """Serve with ``workers`` processes until SIGINT/SIGTERM; then stop the scheduler process."""
    own_metrics_dir = None
    if not os.environ.get(MULTIPROC_ENV):
        own_metrics_dir = tempfile.mkdtemp(prefix="envmon-metrics-")
        os.environ[MULTIPROC_ENV] = own_metrics_dir  # before any worker imports prometheus_client
    os.environ["ENVMON_SCHEDULER_ENABLED"] = "false"
    os.environ["ENVMON_FORWARDED_ALLOW_IPS"] = settings.http.forwarded_allow_ips
    # One secret for every worker: a staff session cookie signed by one must open pages on another.
    # (Production requires ENVMON_SESSION_SECRET; elsewhere a random one lives as long as this run.)
    if not os.environ.get("ENVMON_SESSION_SECRET"):
        os.environ["ENVMON_SESSION_SECRET"] = secrets.token_urlsafe(32)
    config = uvicorn_config(
        APP_FACTORY,
        host,
        port,
        forwarded_allow_ips=settings.http.forwarded_allow_ips,
        settings=settings,
        factory=True,
        workers=workers,
    )
    child = None
    if scheduler:
        child = multiprocessing.get_context("spawn").Process(
            target=scheduler_main, name="envmon-scheduler"
        )
        child.start()
        log.info("scheduler process %s started beside %d web workers", child.pid, workers)
    try:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    finally:
        if child is not None:
            child.terminate()  # SIGTERM: the scheduler stops after its current chunk
            child.join(SCHEDULER_STOP_S)
            if child.is_alive():
                child.kill()
                child.join()
        if own_metrics_dir is not None:
            shutil.rmtree(own_metrics_dir, ignore_errors=True)
