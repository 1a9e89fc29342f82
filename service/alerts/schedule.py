"""The alert evaluation job: alerts evaluated on their own clock, not only after collection.

Every ``alert_evaluate_minutes`` the scheduler calls ``evaluation_job(fields)``, which rebuilds its
settings, engine and clock from plain values and runs ``service.alerts.evaluate.evaluate_now``. So a
target raised out of reach alerts within one period with no new data, and an upstream that stops
(no run stores anything, no post-ingest hook runs) is judged silent against the clock.

The job's arguments are kept in the scheduler's job table, so they are plain JSON values and never a
secret: the settings the evaluation reads (``JOB_SETTINGS``), and the database URL only when it has
no password (else the job reads ``ENVMON_DATABASE_URL`` from its environment, as the process did).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import Engine, make_url

from service.alerts.evaluate import EnqueueReport, evaluate_now
from service.clock import SystemClock
from service.settings import Settings

#: The scheduler's id of the job.
JOB_ID: Final = "alert-evaluation"

#: Settings an evaluation reads, passed to the job as plain values.
JOB_SETTINGS: Final = frozenset(
    {
        "data_dir",
        "demo",
        "environment",
        "alert_rules_file",
        "alert_external_url",
        "alert_silent_hourly_hours",
        "alert_silent_auto_water_hours",
        "alert_silent_monthly_grace_days",
        "webhook_retry_hours",
        "webhook_max_payload_bytes",
    }
)


def job_every(settings: Settings) -> dt.timedelta:
    """How often the job runs (``alert_evaluate_minutes``)."""
    return dt.timedelta(minutes=settings.alerts.alert_evaluate_minutes)


def job_arguments(settings: Settings) -> dict[str, Any]:
    """The job's plain arguments: ``JOB_SETTINGS`` as JSON values, plus a password-free
    ``database_url``."""
    values = settings.flat_values(mode="json")
    fields: dict[str, Any] = {name: values[name] for name in JOB_SETTINGS}
    url = settings.store.database_url
    if url and make_url(url).password is None:
        fields["database_url"] = url
    return fields


@functools.lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    """One engine (connection pool) per store for the job's runs in this process."""
    from service.store.engine import make_engine

    return make_engine(url)


def evaluation_job(fields: Mapping[str, Any], worker_name: str | None = "envmon") -> EnqueueReport:
    """The scheduler job (importable by reference, plain arguments): evaluate the alerts now,
    against the wall clock, and nudge the delivery worker ``worker_name`` when messages were
    queued. Never raises."""
    settings = Settings(**dict(fields))
    return evaluate_now(
        _engine(settings.store.effective_database_url),
        SystemClock(),
        settings,
        worker_name=worker_name,
    )


__all__ = ["JOB_ID", "JOB_SETTINGS", "evaluation_job", "job_arguments", "job_every"]
