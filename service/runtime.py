"""What a running envmon process starts besides HTTP: the seeded store and the collection scheduler.

Used by the app's lifespan (one process: ``envmon serve``) and by the scheduler's own process
(``envmon schedule``, or the one ``envmon serve --workers N`` starts beside its web workers). One
scheduler per store: APScheduler keeps its jobs in the store, and two schedulers on one job store
would each run every job.
"""

from __future__ import annotations

import logging
import signal
import threading

from sqlalchemy import Engine

from service.alerts.sealing import SecretBox
from service.alerts.webhook_key import webhook_box
from service.clock import Clock, SystemClock
from service.demo_guard import refuse_live_on_demo_store
from service.jobs import start_jobs, stop_jobs
from service.scheduler import JobScheduler
from service.settings import Settings, load_settings
from service.store import alert_repo as repo
from service.store.engine import init_store, writing
from service.store.files import make_data_dir
from service.store.places import seed_places
from service.targets import seed_default_targets

log = logging.getLogger("envmon.runtime")


def seed_store(
    engine: Engine, settings: Settings, clock: Clock, box: SecretBox | None = None
) -> None:
    """Load the shipped stations and sections and the default targets, and seal webhook secrets
    still stored as plaintext (all idempotent). Live mode on a store holding demo data raises
    ``service.demo_guard.DemoDataInLiveStore`` (naming ``envmon demo purge``) before anything."""

    refuse_live_on_demo_store(engine, settings.feeds.demo_mode)
    if settings.feeds.demo_mode:
        log.warning(
            "DEMO MODE: envmon runs on the simulated demo feed; every figure, map, report and "
            "export says so. Configure an upstream or import your own data to leave it "
            "(README, 'Connect your own data')."
        )
    with writing(engine) as conn:
        n_stations, n_sections = seed_places(
            conn, clock.now(), include_demo=settings.feeds.demo_mode
        )
    n_targets = seed_default_targets(engine, clock)
    log.info(
        "seeded %d stations, %d sections, %d default targets", n_stations, n_sections, n_targets
    )
    seal_webhook_secrets(engine, box or webhook_box(settings))


def seal_webhook_secrets(engine: Engine, box: SecretBox) -> int:
    """Encrypt the webhook secrets stored as plaintext (rows older than encryption at rest), and
    log an error naming the subscriptions whose secrets the current key cannot decrypt. Returns
    the rows sealed."""

    with writing(engine) as conn:
        sealed = repo.seal_plaintext_secrets(conn, box)
    if sealed:
        log.info("encrypted the plaintext webhook secrets of %d subscriptions", sealed)
    with engine.connect() as conn:
        bad = repo.undecryptable_subscriptions(conn, box)
    if bad:
        log.error(
            "webhook subscriptions %s: their secrets do not decrypt with this ENVMON_WEBHOOK_KEY "
            "(or key file); their messages will fail until the right key is set",
            ", ".join(map(str, bad)),
        )
    return sealed


def start_scheduler(engine: Engine, settings: Settings) -> JobScheduler:
    """Start the collection scheduler in this process with the jobs of ``settings``
    (``service.jobs.start_jobs``: collectors, lab inbox, webhook delivery, alert evaluation).
    Returns at once: the first runs and the backfill happen in its threads."""
    return start_jobs(engine, settings)


def stop_scheduler(scheduler: JobScheduler, settings: Settings) -> None:
    """Stop the scheduler (a backfill stops after its current chunk) and release what its jobs
    built in this process (engine, HTTP clients, delivery worker)."""
    stop_jobs(scheduler, settings)


def run_scheduler_process(
    settings: Settings, clock: Clock, stop: threading.Event | None = None
) -> None:
    """Open and seed the store, run the scheduler until SIGTERM/SIGINT (or ``stop``), then stop it.

    Blocks; meant to be a process of its own (no HTTP). Signal handlers are installed only when
    called from the main thread.
    """

    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    make_data_dir(settings.store.data_dir)
    engine = init_store(settings.store.effective_database_url)
    scheduler = None
    try:
        seed_store(engine, settings, clock)
        scheduler = start_scheduler(engine, settings)
        log.info(
            "envmon scheduler up: store=%s demo=%s", engine.dialect.name, settings.feeds.demo_mode
        )
        stop.wait()
    finally:
        if scheduler is not None:
            stop_scheduler(scheduler, settings)
        engine.dispose()
        log.info("envmon scheduler stopped")


def scheduler_main() -> None:
    """Entry point of ``serve --workers``' scheduler process (spawned: a fresh interpreter that
    imports this module, not the app; settings from the environment)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     [scheduler] %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not every 2 s delivery tick
    run_scheduler_process(load_settings(scheduler_enabled=True), SystemClock())


__all__ = [
    "run_scheduler_process",
    "scheduler_main",
    "seal_webhook_secrets",
    "seed_store",
    "start_scheduler",
    "stop_scheduler",
]
