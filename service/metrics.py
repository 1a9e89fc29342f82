"""The service's Prometheus metrics, served at ``GET /metrics`` (``service.api.metrics``).

One process (``envmon serve``): the samples live in this process's memory. Several processes
(``envmon serve --workers N``, whose scheduler runs in a process of its own): each process writes
its samples to files in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode,
set up by ``service.serve_workers`` before any worker starts), and ``/metrics`` of any worker adds
up every process's files. The variable must be set before this module is first imported.

Labels stay few and bounded: a route's template (never its raw path), a collector's name, an
outcome from a fixed list, a scheduler job's id.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Final

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from service.store.ingest import IngestCounts

#: Set (to an empty folder) in every process of one service: multiprocess mode.
MULTIPROC_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"

HTTP_LATENCY = Histogram(
    "envmon_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer (s), by route template.",
    ["method", "route", "status"],
)
COLLECTOR_RUNS = Counter(
    "envmon_collector_runs",
    "Collector runs by source (collector) and outcome (ok, degraded, failed).",
    ["source", "outcome"],
)
INGESTED_ROWS = Counter(
    "envmon_ingested_rows",
    "Rows (readings and samples) of ingested payloads by source and outcome "
    "(inserted, revised, unchanged, quarantined).",
    ["source", "outcome"],
)
QUARANTINED_ROWS = Counter(
    "envmon_quarantined_rows",
    "Rows set aside in quarantine with their reason, by source.",
    ["source"],
)
ALERT_DELIVERIES = Counter(
    "envmon_alert_deliveries",
    "Webhook delivery attempts by outcome (delivered, retry, failed, gone, cancelled).",
    ["outcome"],
)
SCHEDULER_LAG = Gauge(
    "envmon_scheduler_lag_seconds",
    "How late the scheduler started a job's latest run after its scheduled time (s), by job.",
    ["job"],
    multiprocess_mode="mostrecent",
)
SCHEDULER_MISSED = Counter(
    "envmon_scheduler_missed_runs",
    "Job runs skipped because they were later than the misfire grace time, by job.",
    ["job"],
)


def observe_ingest(source: str, counts: IngestCounts) -> None:
    """Count what one ingest did."""
    for outcome in ("inserted", "revised", "unchanged", "quarantined"):
        value = getattr(counts, outcome)
        if value:
            INGESTED_ROWS.labels(source, outcome).inc(value)
    if counts.quarantined:
        QUARANTINED_ROWS.labels(source).inc(counts.quarantined)


def observe_lag(job: str, scheduled: dt.datetime, started: dt.datetime) -> None:
    """Record how late ``job`` started (never below 0)."""
    SCHEDULER_LAG.labels(job).set(max(0.0, (started - scheduled).total_seconds()))


def exposition() -> tuple[bytes, str]:
    """Every metric in the Prometheus text format (all processes' in multiprocess mode), and its
    content type."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


__all__ = [
    "ALERT_DELIVERIES",
    "COLLECTOR_RUNS",
    "HTTP_LATENCY",
    "INGESTED_ROWS",
    "MULTIPROC_ENV",
    "QUARANTINED_ROWS",
    "SCHEDULER_LAG",
    "SCHEDULER_MISSED",
    "exposition",
    "observe_ingest",
    "observe_lag",
]
