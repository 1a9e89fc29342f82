"""The scheduled jobs: importable functions with plain arguments, and what they run on.

APScheduler keeps its jobs in the store (``apscheduler_jobs``: a function's import path and its
pickled arguments), so a job's arguments are plain JSON values that hold no secret: the settings
without their secrets and without a database password (``job_arguments``), plus the name of what
to run. The process that runs a job rebuilds what it works with from them (``runtime``): the
settings (secrets and the database password from its own environment), an engine, the
collectors with their HTTP client and post-ingest hooks, and the webhook delivery worker. They are
built once per process and settings, and released by ``stop_jobs``.

After anything that changes what the alert rules see, ``evaluate_and_nudge`` evaluates them and,
when messages were queued and this process runs the jobs of the same settings, starts one
delivery pass at once (else the delivery job sends them within ``DELIVERY_EVERY``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Mapping
from functools import cached_property
from typing import Any, Final

from sqlalchemy import Engine, make_url

from service.alerts.delivery import DeliveryPolicy, DeliveryWorker, RunReport
from service.alerts.evaluate import EnqueueReport, evaluate_now
from service.alerts.webhook_key import webhook_box
from service.clock import Clock, SystemClock
from service.collect import FileResult, RunResult
from service.compute import make_ingest_hook
from service.scheduler import Collection, JobScheduler, config_from_settings
from service.settings import SECRET_NAMES, Settings
from service.store.engine import make_engine

log = logging.getLogger(__name__)

#: How often the delivery job looks for due webhook messages (a new alert also nudges it).
DELIVERY_EVERY: Final = dt.timedelta(seconds=2)
#: The scheduler's ids of the jobs that are not collectors (those are ``collect:<name>``).
EVALUATION_JOB_ID: Final = "alert-evaluation"
DELIVERY_JOB_ID: Final = "webhook-delivery"
LAB_JOB_ID: Final = "lab-inbox"
#: Set in a job's arguments when the database URL (with its password) is read from the environment.
URL_FROM_ENVIRONMENT: Final = "database_url_from_environment"

JobArguments = dict[str, Any]


def job_arguments(settings: Settings) -> JobArguments:
    """The settings as plain JSON values for a job's arguments: every setting but the secrets, and
    the database URL only when it has no password (else the job reads ``ENVMON_DATABASE_URL``
    from its environment, as the process that started it did)."""
    values = {
        name: value
        for name, value in settings.flat_values(mode="json").items()
        if name not in SECRET_NAMES
    }
    url = settings.store.database_url
    if url and make_url(url).password is not None:
        del values["database_url"]
        values[URL_FROM_ENVIRONMENT] = True
    return values


def job_settings(arguments: Mapping[str, Any]) -> Settings:
    """The settings a job's ``arguments`` describe, completed from this process's environment."""
    settings = Settings(**{k: v for k, v in arguments.items() if k != URL_FROM_ENVIRONMENT})
    if arguments.get(URL_FROM_ENVIRONMENT) and not settings.store.database_url:
        raise RuntimeError(
            "the jobs' store is a PostgreSQL URL with a password, which a job's arguments never "
            "hold: set ENVMON_DATABASE_URL in the environment of the process that runs the jobs"
        )
    return settings


class JobRuntime:
    """What the jobs of one set of settings work with in this process, built from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clock: Clock = SystemClock()
        # The store was created and migrated by whoever started the jobs (init_store).
        self.engine: Engine = make_engine(settings.store.effective_database_url)

    @cached_property
    def collection(self) -> Collection:
        """The configured collectors, with the post-ingest hooks: recompute, then alerts."""
        engine, clock, settings = self.engine, self.clock, self.settings

        def alerts(_result: RunResult) -> None:
            evaluate_and_nudge(engine, clock, settings)

        hooks = [make_ingest_hook(engine, clock), alerts]
        return Collection(engine, config_from_settings(settings), clock, hooks=hooks)

    @cached_property
    def worker(self) -> DeliveryWorker:
        policy = DeliveryPolicy.from_settings(self.settings)
        return DeliveryWorker(self.engine, self.clock, policy, box=webhook_box(self.settings))

    def stop(self) -> None:
        """A running backfill ends after its current chunk."""
        if "collection" in self.__dict__:
            self.collection.stop()

    def close(self) -> None:
        if "collection" in self.__dict__:
            self.collection.close()
        if "worker" in self.__dict__:
            self.worker.close()
        self.engine.dispose()


#: This process's runtimes, by the canonical JSON of their job arguments (a cache: each is built
#: from the settings the key names, never handed in).
_RUNTIMES: dict[str, JobRuntime] = {}
_RUNTIMES_LOCK = threading.Lock()


def _key(arguments: Mapping[str, Any]) -> str:
    return json.dumps(arguments, sort_keys=True, default=str)


def runtime(arguments: Mapping[str, Any]) -> JobRuntime:
    """This process's runtime for ``arguments``, built on first use."""
    key = _key(arguments)
    with _RUNTIMES_LOCK:
        found = _RUNTIMES.get(key)
        if found is None:
            found = _RUNTIMES[key] = JobRuntime(job_settings(arguments))
    return found


def release(arguments: Mapping[str, Any]) -> None:
    """Close and forget this process's runtime for ``arguments``, if any."""
    with _RUNTIMES_LOCK:
        found = _RUNTIMES.pop(_key(arguments), None)
    if found is not None:
        found.close()


def running_here(settings: Settings) -> bool:
    """Whether this process has a runtime for ``settings`` (it runs their jobs)."""
    return _key(job_arguments(settings)) in _RUNTIMES


# ------------------------------------------------------------------------------------ the jobs


def collect_job(arguments: Mapping[str, Any], collector_name: str) -> list[RunResult]:
    """Run the collector ``collector_name`` over its due windows; never raises."""
    return runtime(arguments).collection.collect(collector_name)


def lab_job(arguments: Mapping[str, Any]) -> list[FileResult]:
    """Import new files from the lab inbox."""
    return runtime(arguments).collection.watch_lab()


def delivery_job(arguments: Mapping[str, Any]) -> RunReport:
    """One webhook delivery pass: claim the due messages and send them."""
    return runtime(arguments).worker.run_once()


def evaluation_job(arguments: Mapping[str, Any]) -> EnqueueReport:
    """Evaluate the alerts now against the wall clock (whether or not data arrived), and nudge
    delivery when messages were queued. Never raises."""
    found = runtime(arguments)
    return evaluate_and_nudge(found.engine, found.clock, found.settings)


def evaluate_and_nudge(engine: Engine, clock: Clock, settings: Settings) -> EnqueueReport:
    """``evaluate_now``, then one delivery pass at once when messages were queued (``nudge``)."""
    report = evaluate_now(engine, clock, settings)
    if report.messages:
        nudge(settings)
    return report


def nudge(settings: Settings) -> bool:
    """Run one delivery pass now in a background thread, if this process runs the jobs of
    ``settings`` (else their delivery job sends the messages within ``DELIVERY_EVERY``)."""
    with _RUNTIMES_LOCK:
        found = _RUNTIMES.get(_key(job_arguments(settings)))
    if found is None:
        return False
    threading.Thread(target=_deliver, args=(found,), name="webhook-nudge", daemon=True).start()
    return True


def _deliver(found: JobRuntime) -> None:
    try:
        found.worker.run_once()
    except Exception:  # a closing runtime, an unreachable store: the delivery job tries again
        log.exception("webhook delivery pass failed")


# ------------------------------------------------------------------------ start and stop


def evaluation_every(settings: Settings) -> dt.timedelta:
    """How often the evaluation job runs (``alert_evaluate_minutes``)."""
    return dt.timedelta(minutes=settings.alerts.alert_evaluate_minutes)


def start_jobs(engine: Engine, settings: Settings, *, run_now: bool = True) -> JobScheduler:
    """Start the scheduler of ``engine``'s store with the jobs ``settings`` ask for: one per
    collector and the lab inbox (first at once with ``run_now``: the backfill), webhook delivery
    every ``DELIVERY_EVERY`` and alert evaluation every ``alert_evaluate_minutes``. This process's
    runtime is built first, so that a wrong setting fails here and a nudge delivers at once."""
    arguments = job_arguments(settings)
    config = runtime(arguments).collection.config
    scheduler = JobScheduler(engine, misfire_grace=config.misfire_grace)
    first = dt.datetime.now(dt.UTC) if run_now else None
    for job in config.jobs:
        scheduler.add_interval_job(
            collect_job,
            job.interval,
            job_id=job.job_id,
            args=[arguments, job.collector.name],
            first_run=first,
        )
    if config.lab is not None:
        scheduler.add_interval_job(
            lab_job, config.lab.interval, job_id=LAB_JOB_ID, args=[arguments], first_run=first
        )
    scheduler.add_interval_job(
        delivery_job, DELIVERY_EVERY, job_id=DELIVERY_JOB_ID, args=[arguments]
    )
    # Alerts on their own clock: a target change or an upstream that stopped needs no new data.
    scheduler.add_interval_job(
        evaluation_job, evaluation_every(settings), job_id=EVALUATION_JOB_ID, args=[arguments]
    )
    scheduler.start()
    return scheduler


def stop_jobs(scheduler: JobScheduler, settings: Settings) -> None:
    """Stop the scheduler (a running backfill ends after its current chunk), then release this
    process's runtime of ``settings``."""
    arguments = job_arguments(settings)
    with _RUNTIMES_LOCK:
        found = _RUNTIMES.get(_key(arguments))
    if found is not None:
        found.stop()
    scheduler.shutdown(wait=False)
    release(arguments)


__all__ = [
    "DELIVERY_EVERY",
    "DELIVERY_JOB_ID",
    "EVALUATION_JOB_ID",
    "LAB_JOB_ID",
    "JobRuntime",
    "collect_job",
    "delivery_job",
    "evaluate_and_nudge",
    "evaluation_every",
    "evaluation_job",
    "job_arguments",
    "job_settings",
    "lab_job",
    "nudge",
    "release",
    "running_here",
    "runtime",
    "start_jobs",
    "stop_jobs",
]
