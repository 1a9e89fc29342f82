"""Zone-file uploads as jobs: accepted at once, parsed in a worker process, polled and cancelled.

``ZoneImportJobs.submit`` writes the upload beside the store, records a queued job and returns its
id; a thread of this process (``settings``-bounded, one by default) runs it: the parse in a child
process (``service.zone_worker``), then one store transaction (``service.zones.store_zones``). The
job row says how it went (succeeded with the version, refused with every problem, cancelled,
failed). Any server process answers for any job: the state is in the store, and a running job
whose process stopped refreshing ``heartbeat_at`` is reported ``failed`` (``worker_lost``).
``shutdown`` kills running parses and fails queued jobs, so SIGTERM stops the server at once.
"""

from __future__ import annotations

import logging
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from geodata.zones_io import ZoneLimits, ZoneValidationError, detect_format
from service.clock import Clock
from service.isolated_parse import ParseStopped
from service.settings import Settings
from service.store import zone_jobs as store
from service.zone_worker import WorkerLimits, parse_isolated
from service.zones import store_zones

log = logging.getLogger("envmon.zones")

#: A running job whose heartbeat is older than this is reported lost (seconds).
LOST_AFTER_SECONDS = 30.0
#: How often a running job refreshes its heartbeat and reads the cancel flag (seconds).
HEARTBEAT_SECONDS = 1.0
#: Settings that bound each limit, named in refusals (rule -> environment variable).
LIMIT_SETTINGS = {
    "too_many_features": "ENVMON_ZONE_MAX_FEATURES",
    "too_many_vertices": "ENVMON_ZONE_MAX_VERTICES",
    "zip_too_large": "ENVMON_ZONE_MAX_UNZIPPED_BYTES",
    "too_slow": "ENVMON_ZONE_PARSE_SECONDS",
    "too_much_memory": "ENVMON_ZONE_PARSE_MEMORY_MB",
}


def worker_limits(settings: Settings) -> WorkerLimits:
    """The parse limits ``settings`` set (``ENVMON_ZONE_*``)."""
    return WorkerLimits(
        content=ZoneLimits(
            max_features=settings.zones.zone_max_features,
            max_vertices=settings.zones.zone_max_vertices,
            max_unzipped_bytes=settings.zones.zone_max_unzipped_bytes,
        ),
        wall_seconds=settings.zones.zone_parse_seconds,
        memory_bytes=settings.zones.zone_parse_memory_mb * 1024 * 1024,
    )


def problem_dicts(exc: ZoneValidationError) -> list[dict[str, str]]:
    """The refusal's problems as ``{field, rule, message}``, a limit's setting named."""
    out = []
    for p in exc.problems:
        message = p.message
        if p.rule in LIMIT_SETTINGS:
            message = f"{message} ({LIMIT_SETTINGS[p.rule]})"
        out.append({"field": p.row, "rule": p.rule, "message": message})
    return out


def job_view(row: dict[str, Any], now: Any) -> dict[str, Any]:
    """A job row as its caller sees it: a running job without a recent heartbeat is lost."""
    view = dict(row)
    beat = row.get("heartbeat_at")
    if row["state"] == "running" and beat is not None:
        if (now - beat).total_seconds() > LOST_AFTER_SECONDS:
            view["state"] = "failed"
            msg = "the server process running the job stopped; upload the file again"
            view["problems"] = [{"field": "file", "rule": "worker_lost", "message": msg}]
    return view


class Heartbeat:
    """Refreshes a running job's heartbeat from a thread of this process every
    ``HEARTBEAT_SECONDS`` whatever the job is doing, and notes a cancel request in ``cancelled``.

    A beat taken only between the parse's polls stopped while the child process started: the
    first start of the forkserver imports its parsers (geopandas), tens of seconds on a loaded
    machine, and the job was reported lost while it ran."""

    def __init__(self, engine: Engine, job_id: str, clock: Clock) -> None:
        self.engine, self.job_id, self.clock = engine, job_id, clock
        self.cancelled = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="zone-heartbeat", daemon=True)

    def _beat(self) -> None:
        while not self._done.wait(HEARTBEAT_SECONDS):
            try:
                if store.heartbeat(self.engine, self.job_id, self.clock.now()):
                    self.cancelled.set()
            except SQLAlchemyError:  # the store's lock held past its timeout: beat again next time
                log.warning("zone import job %s: heartbeat not written", self.job_id)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=LOST_AFTER_SECONDS)


class ZoneImportJobs:
    """The zone-import jobs this server process runs."""

    def __init__(self, engine: Engine, settings: Settings, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        self.limits = worker_limits(settings)
        self.upload_dir = settings.store.data_dir / "uploads"
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zone-import")
        self._stopping = threading.Event()
        self._queued: set[str] = set()
        self._lock = threading.Lock()

    def submit(self, data: bytes, file_name: str, who: str) -> str:
        """Record a queued job for the upload ``data`` named ``file_name``; return its id.

        Raises ``ZoneValidationError`` at once for a name whose suffix is not a zone format.
        """
        name = Path(file_name).name[:255]
        fmt = detect_format(name)
        job_id = secrets.token_hex(16)
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        path = self.upload_dir / f"{job_id}{Path(name).suffix.lower()}"
        path.write_bytes(data)
        store.create_job(
            self.engine,
            job_id,
            who=who,
            file_name=name,
            file_format=fmt,
            size_bytes=len(data),
            now=self.clock.now(),
        )
        with self._lock:
            self._queued.add(job_id)
        self._pool.submit(self._run, job_id, path, fmt, name, who)
        return job_id

    def _run(self, job_id: str, path: Path, fmt: str, name: str, who: str) -> None:
        with self._lock:
            self._queued.discard(job_id)
        try:
            if self._stopping.is_set() or not store.start_job(
                self.engine, job_id, self.clock.now()
            ):
                return
            beat = Heartbeat(self.engine, job_id, self.clock)

            def stop() -> str | None:
                if self._stopping.is_set():
                    return "shutdown"
                return "cancelled" if beat.cancelled.is_set() else None

            try:
                with beat:
                    rows = parse_isolated(path, fmt, name, self.limits, stop)
                    # a cancel asked while the last answer arrived: read the flag itself
                    if self._stopping.is_set() or store.heartbeat(
                        self.engine, job_id, self.clock.now()
                    ):
                        raise ParseStopped("shutdown" if self._stopping.is_set() else "cancelled")
                    result = store_zones(
                        self.engine, rows, path.read_bytes(), name, fmt, who=who, clock=self.clock
                    )
            except ZoneValidationError as exc:
                store.finish_job(
                    self.engine, job_id, "refused", self.clock.now(), problems=problem_dicts(exc)
                )
            except ParseStopped as exc:
                state = "cancelled" if exc.reason == "cancelled" else "failed"
                msg = "the server stopped while the file was parsed; upload it again"
                problems = None if state == "cancelled" else [_problem("service_stopped", msg)]
                store.finish_job(self.engine, job_id, state, self.clock.now(), problems=problems)
            else:
                store.finish_job(
                    self.engine,
                    job_id,
                    "succeeded",
                    self.clock.now(),
                    version_id=result.version_id,
                    imported=result.imported,
                )
        except Exception:  # never leave a job running silently
            log.exception("zone import job %s failed", job_id)
            msg = "the import failed inside the service (logged)"
            store.finish_job(
                self.engine,
                job_id,
                "failed",
                self.clock.now(),
                problems=[_problem("internal", msg)],
            )
        finally:
            path.unlink(missing_ok=True)

    def shutdown(self) -> None:
        """Stop now: running parses are killed, queued jobs are failed (the caller uploads again)."""
        self._stopping.set()
        with self._lock:
            queued = list(self._queued)
        msg = "the server stopped before the file was parsed; upload it again"
        for job_id in queued:
            store.finish_job(
                self.engine,
                job_id,
                "failed",
                self.clock.now(),
                problems=[_problem("service_stopped", msg)],
            )
        self._pool.shutdown(wait=True, cancel_futures=True)


def _problem(rule: str, message: str) -> dict[str, str]:
    return {"field": "file", "rule": rule, "message": message}


__all__ = ["ZoneImportJobs", "job_view", "problem_dicts", "worker_limits"]
