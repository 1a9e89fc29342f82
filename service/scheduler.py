"""Collection: the collectors run over due windows, and the job scheduler that runs them.

``Collection`` does the work: one interval job (``service.jobs``) per configured collector (hourly
air, 4-hourly automatic water) and one lab-folder watcher call it. Every run computes its own
window from the store, not from the trigger: it starts where the
collector's last successful run ended (minus a small overlap that catches upstream revisions),
bounded by ``backfill_max``. A failed run therefore needs no bookkeeping: the next run, or the first
run after a restart (jobs fire at once on start), fetches the gap again. After each run that stored
something, the ``hooks`` (recompute, alert evaluation) are called with the run's result.

A job marked ``history_from_year_start`` (the demo feed) also reaches back to 1 January (CST) of the
current year: first the bounded recent windows (so the maps show current data within seconds), then
the older history newest first, in ``history_chunk`` steps with the hooks run once at the end (one
recompute of the whole history is far cheaper than one per chunk). Going backwards keeps the stored
history contiguous, so an interrupted backfill resumes from its oldest run on the next start.

``JobScheduler`` is APScheduler 3.x with its job table in the store. APScheduler pickles a job's
function reference and arguments into that table, so a job is an importable function with plain
arguments (``service.jobs``), never a live object.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from apscheduler.events import (
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobSubmissionEvent,
)
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

import geodata
from geodata.demo_yards import load_demo_monitors
from geodata.sea_demo import load_demo_sea_points
from service.clock import Clock
from service.collect import (
    FileResult,
    Parser,
    RetryPolicy,
    RunResult,
    import_file,
    run_collector,
)
from service.fetch_client import fetch_client
from service.metrics import SCHEDULER_MISSED, observe_lag
from service.settings import Settings
from service.store.runs import first_completed_start, last_success
from stations.collectors.base import Collector, Window
from stations.collectors.cnemc_realtime import CnemcRealtimeCollector
from stations.collectors.demo import DemoCollector
from stations.collectors.lab_files import LabFilesCollector
from stations.collectors.openaq import OpenAQCollector
from stations.collectors.water_auto import WaterAutoCollector
from stations.cst import CST

log = logging.getLogger(__name__)

Hook = Callable[[RunResult], None]

#: Lab file types the watcher picks up.
LAB_SUFFIXES = frozenset({".csv", ".xlsx", ".xls", ".txt"})


class _StoppingRace(logging.Filter):
    """APScheduler's loop can hand a due job to an executor that ``shutdown()`` has just closed
    ("cannot schedule new futures after shutdown"): that is the stop itself, not a fault, so it is
    logged as one INFO line instead of an error with a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, RuntimeError) and "after shutdown" in str(exc):
            record.msg = f"{record.getMessage()} (the scheduler is stopping)"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


logging.getLogger("apscheduler.scheduler").addFilter(_StoppingRace())


@dataclass(frozen=True, slots=True)
class CollectorJob:
    """A collector and how often it runs."""

    collector: Collector
    interval: dt.timedelta
    #: Also backfill from 1 January (CST) of the current year (the demo feed's year-to-date).
    history_from_year_start: bool = False

    @property
    def job_id(self) -> str:
        return f"collect:{self.collector.name}"


@dataclass(frozen=True, slots=True)
class LabInbox:
    """A watched folder of lab files; imported files move to ``processed/`` or ``quarantine/``."""

    inbox: Path
    #: ``parse(raw)`` or a collector; one with ``parse_with`` reads the store's section names.
    parse: Parser
    source: str = "lab_files"
    interval: dt.timedelta = dt.timedelta(minutes=1)
    settle: dt.timedelta = dt.timedelta(seconds=5)  # skip files still being written

    @property
    def processed(self) -> Path:
        return self.inbox.parent / "processed"

    @property
    def quarantined(self) -> Path:
        return self.inbox.parent / "quarantine"


@dataclass(slots=True)
class SchedulerConfig:
    """What the scheduler runs and how far back it reaches."""

    jobs: Sequence[CollectorJob] = ()
    lab: LabInbox | None = None
    backfill_max: dt.timedelta = dt.timedelta(hours=72)
    overlap: dt.timedelta = dt.timedelta(hours=3)
    chunk: dt.timedelta = dt.timedelta(hours=24)  # one recorded run per chunk of a long backfill
    misfire_grace: dt.timedelta = dt.timedelta(minutes=15)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    http_timeout: float = 30.0
    http_max_bytes: int = 64 * 1024 * 1024  # ENVMON_FETCH_MAX_BYTES
    history_chunk: dt.timedelta = dt.timedelta(days=7)  # one recorded run per week of history
    history_max: dt.timedelta = dt.timedelta(
        days=366
    )  # a year-to-date backfill never reaches further


def floor_hour(t: dt.datetime) -> dt.datetime:
    """The end-of-hour label at or before ``t``."""
    return t.replace(minute=0, second=0, microsecond=0)


def year_start(now: dt.datetime) -> dt.datetime:
    """The first end-of-hour label of 1 January (CST) of ``now``'s CST year, as aware UTC."""
    jan1 = dt.datetime(now.astimezone(CST).year, 1, 1, tzinfo=CST)
    return (jan1 + dt.timedelta(hours=1)).astimezone(dt.UTC)


def due_windows(
    last_end: dt.datetime | None,
    now: dt.datetime,
    config: SchedulerConfig,
    *,
    since: dt.datetime | None = None,
) -> list[Window]:
    """Windows to fetch now: from the last success (less the overlap) to the current hour label.

    Pure: the same inputs give the same windows. Bounded by ``backfill_max``, split into ``chunk``s;
    with ``since`` (a year-to-date job), a gap after an earlier success is filled back to ``since``.
    """
    end = floor_hour(now) + dt.timedelta(hours=1)  # half-open: includes the label of this hour
    earliest = end - config.backfill_max
    if since is not None and last_end is not None:
        earliest = min(earliest, max(since, end - config.history_max))
    start = earliest if last_end is None else max(earliest, last_end - config.overlap)
    start = floor_hour(min(start, end - dt.timedelta(hours=1)))
    windows = []
    while start < end:
        stop = min(end, start + config.chunk)
        windows.append(Window(start, stop))
        start = stop
    return windows


def history_windows(
    first_start: dt.datetime | None, now: dt.datetime, config: SchedulerConfig
) -> list[Window]:
    """The year-to-date history still missing before ``first_start`` (the start of the oldest
    successful run), newest first, in ``history_chunk`` steps; never before 1 January (CST) of
    ``now``'s year nor further back than ``history_max``. Pure."""
    if first_start is None:
        return []
    end = floor_hour(now) + dt.timedelta(hours=1)
    since = max(year_start(now), floor_hour(end - config.history_max))
    windows = []
    stop = first_start
    while stop > since:
        start = max(since, stop - config.history_chunk)
        windows.append(Window(start, stop))
        stop = start
    return windows


class JobScheduler:
    """APScheduler's ``BackgroundScheduler`` with its job table (``apscheduler_jobs``) in the store.

    One per store: two schedulers on one job table would each run every job. A job is an
    importable function with picklable arguments (the table stores both).
    """

    def __init__(self, engine: Engine, *, misfire_grace: dt.timedelta = dt.timedelta(minutes=15)):
        # The job store shares the store's engine: same database, same SQLite pragmas and pool.
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(misfire_grace.total_seconds()),
            },
            timezone=dt.UTC,
        )
        self.scheduler.add_listener(_observe, EVENT_JOB_SUBMITTED | EVENT_JOB_MISSED)

    def add_interval_job(
        self,
        func: Callable[..., object],
        every: dt.timedelta,
        *,
        job_id: str,
        args: Sequence[object] = (),
        first_run: dt.datetime | None = None,
    ) -> None:
        """Run ``func(*args)`` every ``every`` (first at ``first_run``, else after one interval),
        before or after ``start``; a job of the same id is replaced."""
        self.scheduler.add_job(
            func,
            "interval",
            seconds=every.total_seconds(),
            args=list(args),
            id=job_id,
            name=job_id,
            replace_existing=True,
            **({} if first_run is None else {"next_run_time": first_run}),
        )

    def start(self) -> None:
        self.scheduler.start()

    def shutdown(self, wait: bool = True) -> None:
        """Stop handing out jobs and stop the scheduler (``wait``: for the running jobs)."""
        if self.scheduler.running:
            self.scheduler.pause()  # no new job handed out while the executors close
            self.scheduler.shutdown(wait=wait)

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)


def _observe(event: JobEvent) -> None:
    """Scheduler metrics: how late a job's run was handed out, and runs skipped as too late."""
    if event.code == EVENT_JOB_MISSED:
        SCHEDULER_MISSED.labels(event.job_id).inc()
    elif isinstance(event, JobSubmissionEvent) and event.scheduled_run_times:
        observe_lag(event.job_id, max(event.scheduled_run_times), dt.datetime.now(dt.UTC))


class Collection:
    """The collectors of ``config`` run against one store: due windows, backfill, hooks, lab folder.

    Callable directly (``envmon collect``, tests) and by the scheduled jobs (``service.jobs``).
    """

    def __init__(
        self,
        engine: Engine,
        config: SchedulerConfig,
        clock: Clock,
        *,
        hooks: Sequence[Hook] = (),
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock
        self.hooks = list(hooks)
        self._sleep = sleep
        self._client = client or fetch_client(config.http_timeout, config.http_max_bytes)
        self._own_client = client is None
        self._jobs = {job.job_id: job for job in config.jobs}
        self._stopping = threading.Event()  # set on stop: a long backfill stops between chunks

    def stop(self) -> None:
        """Do no more work: a running backfill ends after its current chunk."""
        self._stopping.set()

    def close(self) -> None:
        """Stop, and release the HTTP client."""
        self.stop()
        if self._own_client:
            self._client.close()

    # --- the work (callable directly; jobs call these) ---
    def collect(self, collector_name: str, *, trigger: str | None = None) -> list[RunResult]:
        """Run one collector over every due window (since its last success); never raises."""
        job = self._jobs[f"collect:{collector_name}"]
        try:
            with self.engine.connect() as conn:
                last = last_success(conn, collector_name)
            now = self.clock.now()
            since = year_start(now) if job.history_from_year_start else None
            windows = due_windows(last, now, self.config, since=since)
        except Exception:  # the store is unreachable: log, and let the next tick try again
            log.exception("scheduler could not plan %s", collector_name)
            return []
        label = trigger or ("backfill" if len(windows) > 1 else "schedule")
        results = self._run(collector_name, windows, label)
        if job.history_from_year_start and all(r.completed for r in results):
            results += self.collect_history(collector_name, trigger=trigger)
        return results

    def collect_history(
        self, collector_name: str, *, trigger: str | None = None
    ) -> list[RunResult]:
        """Backfill the year-to-date history before the oldest successful run, newest first, with
        the hooks run once at the end; never raises. Nothing to do once 1 January is reached."""
        try:
            with self.engine.connect() as conn:
                first = first_completed_start(conn, collector_name)
            windows = history_windows(first, self.clock.now(), self.config)
        except Exception:
            log.exception("scheduler could not plan the history of %s", collector_name)
            return []
        if not windows:
            return []
        log.info(
            "%s: backfilling %s .. %s (%d runs)",
            collector_name,
            windows[-1].start.isoformat(),
            windows[0].end.isoformat(),
            len(windows),
        )
        return self._run(collector_name, windows, trigger or "backfill", hooks_each=False)

    def collect_window(
        self, collector_name: str, window: Window, *, trigger: str = "cli"
    ) -> list[RunResult]:
        """Run one collector over an explicit window (split into chunks); never raises."""
        windows, start = [], window.start
        while start < window.end:
            stop = min(window.end, start + self.config.chunk)
            windows.append(Window(start, stop))
            start = stop
        return self._run(collector_name, windows, trigger)

    def _run(
        self,
        collector_name: str,
        windows: list[Window],
        trigger: str,
        *,
        hooks_each: bool = True,
    ) -> list[RunResult]:
        job = self._jobs[f"collect:{collector_name}"]
        results: list[RunResult] = []
        for window in windows:
            if self._stopping.is_set():
                break  # shutting down; the next start resumes from the store
            result = run_collector(
                self.engine,
                job.collector,
                window,
                self.clock,
                self._client,
                retry=self.config.retry,
                trigger=trigger,
                sleep=self._sleep,
            )
            results.append(result)
            if hooks_each:
                self._after(result)
            if not result.completed:
                break  # later chunks would fail alike; the next run starts from here
        stored = [r for r in results if r.counts.inserted or r.counts.revised]
        if not hooks_each and stored and not self._stopping.is_set():
            # The hooks read the dirty-day queue, not the result: the last stored run stands for all.
            # (Shutting down, the queue waits in the store for the next run's hooks.)
            self._after(stored[-1])
        return results

    def watch_lab(self) -> list[FileResult]:
        """Import new files from the lab inbox, moving each to processed/ or quarantine/."""
        lab = self.config.lab
        if lab is None:
            return []
        lab.inbox.mkdir(parents=True, exist_ok=True)
        results: list[FileResult] = []
        for path in sorted(lab.inbox.iterdir()):
            if not _ready(path, lab.settle):
                continue
            try:
                result = import_file(self.engine, lab.parse, lab.source, path, self.clock)
            except Exception:
                log.exception("lab file %s could not be imported", path)
                continue
            results.append(result)
            c = result.counts
            rejected_whole = (
                not result.skipped
                and c.quarantined > 0
                and c.inserted + c.revised + c.unchanged == 0
            )
            _move(path, lab.quarantined if rejected_whole else lab.processed, self.clock)
            if c.inserted or c.revised:
                self._after(
                    RunResult(
                        collector=lab.source,
                        window=Window(self.clock.now(), self.clock.now()),
                        status="ok",
                        fetched=1,
                        counts=c,
                        payload_ids=(result.payload_id,),
                    )
                )
        return results

    def _after(self, result: RunResult) -> None:
        if not (result.counts.inserted or result.counts.revised):
            return
        for hook in self.hooks:
            try:
                hook(result)
            except Exception:  # a failing hook must not stop collection or the other hooks
                log.exception("post-ingest hook %r failed", hook)


def _ready(path: Path, settle: dt.timedelta) -> bool:
    if not path.is_file() or path.name.startswith((".", "~$")):
        return False
    if path.suffix.lower() not in LAB_SUFFIXES:
        return False
    # File modification times are wall-clock times; compare them with the wall clock.
    return time.time() - path.stat().st_mtime >= settle.total_seconds()


def _move(path: Path, folder: Path, clock: Clock) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{clock.now():%Y%m%dT%H%M%S}-{path.name}"
    shutil.move(str(path), target)
    return target


def configured_jobs(settings: Settings) -> list[CollectorJob]:
    """The collectors the settings ask for; the demo feed when no upstream is configured."""
    air = dt.timedelta(minutes=settings.collection.air_interval_minutes)
    water = dt.timedelta(hours=settings.collection.water_interval_hours)
    jobs: list[CollectorJob] = []
    if settings.feeds.realtime_feed_url:
        keep = settings.feeds.realtime_stations.strip() or "registry"
        codes = None if keep in ("registry", "all") else [c.strip() for c in keep.split(",")]
        release = CnemcRealtimeCollector(
            settings.feeds.realtime_feed_url, stations=codes, registry_only=keep != "all"
        )
        jobs.append(CollectorJob(release, air))
    if settings.feeds.openaq_api_key and settings.feeds.openaq_locations:
        key = settings.feeds.openaq_api_key.get_secret_value()
        openaq = OpenAQCollector(
            key,
            settings.feeds.openaq_locations,
            stations=settings.feeds.openaq_stations,
            match_km=settings.feeds.openaq_match_km,
        )
        jobs.append(CollectorJob(openaq, air))
    if settings.feeds.water_auto_url:
        jobs.append(CollectorJob(WaterAutoCollector(settings.feeds.water_auto_url), water))
    if settings.feeds.demo_mode:
        jobs += _demo_jobs(air)
    return jobs


def _demo_jobs(air: dt.timedelta) -> list[CollectorJob]:
    """The deterministic demo feed for the real and demo stations, every section and the demo sea
    points (hourly)."""

    stations = geodata.load_stations(include_demo=True)["code"].tolist()
    sections = geodata.load_sections()
    pairs = list(zip(sections["code"], sections["waterbody"].fillna(""), strict=True))

    sea = load_demo_sea_points()["code"].tolist()
    siting = {"boundary_air": "boundary", "plant_air": "plant", "port_air": "port"}
    monitors = load_demo_monitors()
    demo_monitors = [
        (str(c), siting[str(k)]) for c, k in zip(monitors["code"], monitors["kind"], strict=True)
    ]
    # Year to date, so that the demo's ratios and budgets mean something on the first start.
    collector = DemoCollector(stations, pairs, sea_points=sea, monitors=demo_monitors)
    return [CollectorJob(collector, air, history_from_year_start=True)]


def config_from_settings(settings: Settings) -> SchedulerConfig:
    """A scheduler configuration from ``ENVMON_*`` settings."""

    inbox = settings.collection.lab_inbox or settings.store.data_dir / "lab" / "inbox"
    return SchedulerConfig(
        jobs=configured_jobs(settings),
        lab=LabInbox(
            inbox,
            LabFilesCollector(),
            interval=dt.timedelta(seconds=settings.collection.lab_watch_s),
        ),
        backfill_max=dt.timedelta(hours=settings.collection.backfill_max_hours),
        overlap=dt.timedelta(hours=settings.collection.backfill_overlap_hours),
        misfire_grace=dt.timedelta(seconds=settings.collection.misfire_grace_s),
        retry=RetryPolicy(
            attempts=settings.collection.fetch_attempts,
            cap=settings.collection.fetch_backoff_max_s,
            max_retry_after=settings.collection.fetch_retry_after_max_s,
        ),
        http_timeout=settings.collection.fetch_timeout_s,
        http_max_bytes=settings.collection.fetch_max_bytes,
    )
