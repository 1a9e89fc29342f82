"""What a running envmon process starts besides HTTP: the seeded store and the collection scheduler.

Used by the app's lifespan (one process: ``envmon serve``) and by the scheduler's own process
(``envmon schedule``, or the one ``envmon serve --workers N`` starts beside its web workers). One
scheduler per store: APScheduler keeps its jobs in the store, and two schedulers on one job store
would each run every job.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from typing import Any

from sqlalchemy import Engine

from service.alerts.sealing import SecretBox
from service.alerts.webhook_key import webhook_box
from service.clock import Clock
from service.settings import Settings
from service.store.files import make_data_dir

log = logging.getLogger("envmon.runtime")

#: Name of the live scheduler and of its webhook delivery worker (their registries are by name).
LIVE_NAME = "envmon"
#: How often the delivery worker looks for due webhook messages (a new alert also nudges it).
DELIVERY_EVERY = dt.timedelta(seconds=2)


def seed_store(
    engine: Engine, settings: Settings, clock: Clock, box: SecretBox | None = None
) -> None:
    """Load the shipped stations and sections and the default targets, and seal webhook secrets
    still stored as plaintext (all idempotent). Live mode on a store holding demo data raises
    ``service.demo_guard.DemoDataInLiveStore`` (naming ``envmon demo purge``) before anything."""
    from service.demo_guard import refuse_live_on_demo_store
    from service.store.engine import writing
    from service.store.places import seed_places
    from service.targets import seed_default_targets

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
    from service.alerts import repo
    from service.store.engine import writing

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


def start_scheduler(
    engine: Engine, settings: Settings, clock: Clock, box: SecretBox | None = None
) -> Any:
    """Start the collection scheduler (``service.scheduler.CollectionScheduler``) in this process,
    with the post-ingest hooks (recompute the marked days, then evaluate alerts and nudge delivery),
    the alert evaluation job (every ``alert_evaluate_minutes``, whether or not data arrived) and
    the webhook delivery worker, registered as ``LIVE_NAME`` and ticked every ``DELIVERY_EVERY``. Returns at once: the first runs and the backfill happen in its threads."""
    from service.alerts.delivery import (
        DeliveryPolicy,
        DeliveryWorker,
        delivery_tick,
        register_worker,
    )
    from service.alerts.evaluate import alerts_hook
    from service.alerts.schedule import JOB_ID as EVALUATION_JOB_ID
    from service.alerts.schedule import evaluation_job, job_arguments, job_every
    from service.compute import make_ingest_hook
    from service.scheduler import CollectionScheduler, config_from_settings

    evaluate = alerts_hook(engine, clock, settings, worker_name=LIVE_NAME)

    def alerts(result: Any) -> None:
        evaluate(result)

    hooks = [make_ingest_hook(engine, clock), alerts]
    scheduler = CollectionScheduler(
        engine, config_from_settings(settings), clock, hooks=hooks, name=LIVE_NAME
    )
    policy = DeliveryPolicy.from_settings(settings)
    register_worker(
        LIVE_NAME, DeliveryWorker(engine, clock, policy, box=box or webhook_box(settings))
    )
    scheduler.add_interval_job(
        delivery_tick, DELIVERY_EVERY, job_id="webhook-delivery", args=[LIVE_NAME]
    )
    # Alerts on their own clock: a target change or an upstream that stopped needs no new data.
    scheduler.add_interval_job(
        evaluation_job,
        job_every(settings),
        job_id=EVALUATION_JOB_ID,
        args=[job_arguments(settings), LIVE_NAME],
    )
    scheduler.start()
    return scheduler


def stop_scheduler(scheduler: Any) -> None:
    """Stop the scheduler (a backfill stops after its current chunk), then the delivery worker."""
    from service.alerts.delivery import unregister_worker

    scheduler.shutdown(wait=False)
    worker = unregister_worker(LIVE_NAME)
    if worker is not None:
        worker.close()


def run_scheduler_process(
    settings: Settings, clock: Clock, stop: threading.Event | None = None
) -> None:
    """Open and seed the store, run the scheduler until SIGTERM/SIGINT (or ``stop``), then stop it.

    Blocks; meant to be a process of its own (no HTTP). Signal handlers are installed only when
    called from the main thread.
    """
    from service.store.engine import init_store

    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    make_data_dir(settings.store.data_dir)
    engine = init_store(settings.store.effective_database_url)
    scheduler = None
    try:
        box = webhook_box(settings)  # read (or create) the key once for both
        seed_store(engine, settings, clock, box)
        scheduler = start_scheduler(engine, settings, clock, box)
        log.info(
            "envmon scheduler up: store=%s demo=%s", engine.dialect.name, settings.feeds.demo_mode
        )
        stop.wait()
    finally:
        if scheduler is not None:
            stop_scheduler(scheduler)
        engine.dispose()
        log.info("envmon scheduler stopped")


__all__ = [
    "DELIVERY_EVERY",
    "LIVE_NAME",
    "run_scheduler_process",
    "seal_webhook_secrets",
    "seed_store",
    "start_scheduler",
    "stop_scheduler",
]
