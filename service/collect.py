"""Running a collector: fetch with bounded retries, archive raw first, parse, ingest, quarantine, record.

``run_collector`` never raises for an upstream or data fault: a run that could not complete is stored
as a failed run with its reason, and the next run (or a backfill) fetches the window again; ingest
is idempotent, so fetching twice counts nothing twice.

A payload is *malformed* when it yields no rows and its parser rejected it as a whole (a rejection
with ``field == "payload"``, the collectors' convention): it is archived and quarantined, then the
fetch is retried like a 5xx, because a truncated or garbled answer is usually transient.

A payload whose ingest never committed (the process or the connection died between the archive's
commit and the ingest's) is an *orphan*: ``raw_payloads.ingested_at`` stays NULL. Each run first
re-ingests up to ``ORPHAN_BATCH`` orphans of its source from the archive, oldest first, before it
fetches; an orphan met again by its bytes is ingested then. Either way each payload is ingested once
(``claim_ingest``), and a late orphan never reverts values a later payload brought (``newer_wins``).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from service.clock import Clock
from service.metrics import COLLECTOR_RUNS, observe_ingest
from service.store.engine import writing
from service.store.ingest import IngestCounts, ingest_readings, ingest_samples, quarantine_rows
from service.store.payloads import (
    Archived,
    archive_payload,
    claim_ingest,
    find_payload,
    ingested_count,
    load_payload,
    mark_ingested,
    orphaned_payloads,
    quarantined_whole,
    sha256_of,
)
from service.store.registry import name_index, station_points
from service.store.runs import RunRecord, record_run
from stations.collectors.base import (
    Collector,
    ContextParser,
    ParseContext,
    Payload,
    UpstreamError,
    Window,
)
from stations.model import Parsed, Rejected

#: What the ingest functions accept as a parser: ``parse(raw)``, or a collector (``parse_with``
#: when it needs the registry and fetch time, else its ``parse``).
Parser = Callable[[bytes], Parsed] | ContextParser | Collector

log = logging.getLogger(__name__)

#: HTTP statuses worth retrying; other 4xx (bad key, moved endpoint) fail at once.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

#: A run that quarantined more than this share of the rows it read (accepted + quarantined) is
#: recorded as ``degraded``, not ``ok``: it completed, but most of what the upstream sent is unusable
#: (a changed format, an unknown section, a missing year). ``/healthz`` and the alert rules read it.
RUN_DEGRADED_SHARE = 0.5

#: Orphaned payloads re-ingested at the start of one run at most (the rest in the next runs), so a
#: long-broken store does not turn the first run after recovery into an unbounded one.
ORPHAN_BATCH = 20


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter; a server's Retry-After is honoured up to a limit."""

    attempts: int = 4
    base: float = 1.0  # seconds before the 2nd attempt (before jitter)
    cap: float = 60.0  # longest backoff between two attempts
    max_retry_after: float = 300.0  # a longer Retry-After ends the run (next run backfills)

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``; None when the run should give up."""
        if attempt >= self.attempts:
            return None
        backoff = min(self.cap, self.base * 2 ** (attempt - 1))
        # "Equal jitter": at least half the backoff, so retries never bunch up at zero.
        backoff = backoff / 2 + rng.uniform(0, backoff / 2)
        if retry_after is None:
            return float(backoff)
        if retry_after > self.max_retry_after:
            return None
        return float(max(retry_after, backoff))


@dataclass(frozen=True, slots=True)
class RunResult:
    """The outcome of one collector run, as recorded in ``collector_runs``."""

    collector: str
    window: Window
    status: str  # "ok" | "degraded" | "failed"
    run_id: int | None = None
    fetched: int = 0
    counts: IngestCounts = IngestCounts()
    attempts: int = 0
    error: str | None = None
    payload_ids: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def completed(self) -> bool:
        """The run fetched and stored what it could (``ok`` or ``degraded``): the window is done."""
        return self.status in ("ok", "degraded")


def run_status(
    error: str | None, counts: IngestCounts, rejected: int | None = None
) -> tuple[str, str | None]:
    """(status, error) of a run: ``failed`` with an error; ``degraded`` when more than
    ``RUN_DEGRADED_SHARE`` of the rows read were refused (``rejected``: the rows its payloads'
    parses refused, counting payloads ingested before; default ``counts.quarantined``); else ``ok``.
    """
    if error is not None:
        return "failed", error
    refused = counts.quarantined if rejected is None else rejected
    accepted = counts.inserted + counts.revised + counts.unchanged
    seen = accepted + refused
    if seen and refused > RUN_DEGRADED_SHARE * seen:
        return "degraded", (
            f"degraded: {refused} of {seen} rows quarantined "
            f"(more than {RUN_DEGRADED_SHARE:.0%}); see the quarantine table for each reason"
        )
    return "ok", None


@dataclass(slots=True)
class _Attempt:
    counts: IngestCounts = IngestCounts()
    payload_ids: list[int] = field(default_factory=list)  # orphans re-ingested, then those fetched
    fetched: int = 0
    malformed: str | None = None
    rejected: int = 0  # rows the payloads' parses refused (also for payloads ingested before)


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def run_collector(
    engine: Engine,
    collector: Collector,
    window: Window,
    clock: Clock,
    client: httpx.Client,
    *,
    retry: RetryPolicy = RetryPolicy(),
    trigger: str = "schedule",
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> RunResult:
    """Fetch ``window`` from ``collector`` and store it; the run is recorded whatever happens."""
    rng = rng or random.Random()
    started = clock.now()
    attempts, error, done = 0, None, _Attempt()
    while True:
        attempts += 1
        try:
            done = _attempt(engine, collector, window, clock, client)
            if done.malformed is None:
                error = None
                break
            raise _Retryable(done.malformed)
        except _Retryable as exc:
            error, retry_after = str(exc), exc.retry_after
        except UpstreamError as exc:
            error, retry_after = str(exc), exc.retry_after
            status = getattr(exc, "status", None)
            if status is not None and status not in RETRY_STATUSES:
                break
        except httpx.HTTPError as exc:
            error, retry_after = f"{type(exc).__name__}: {exc}", None
        except Exception as exc:  # a collector bug must not kill the scheduler either
            log.exception("collector %s failed", collector.name)
            error = f"{type(exc).__name__}: {exc}"
            break
        wait = retry.delay(attempts, retry_after, rng)
        if wait is None:
            break
        log.info("collector %s: %s; retrying in %.1f s", collector.name, error, wait)
        sleep(wait)

    status, error = run_status(error, done.counts, done.rejected)
    COLLECTOR_RUNS.labels(collector.name, status).inc()
    result = RunResult(
        collector=collector.name,
        window=window,
        status=status,
        fetched=done.fetched,
        counts=done.counts,
        attempts=attempts,
        error=error,
        payload_ids=tuple(done.payload_ids),
    )
    return _record(engine, result, started, clock.now(), trigger)


def _attempt(
    engine: Engine, collector: Collector, window: Window, clock: Clock, client: httpx.Client
) -> _Attempt:
    out = _Attempt()
    # Before fetching, so that an orphan's rows go in before the newer rows of this run's payloads.
    out.counts, out.payload_ids = ingest_orphans(engine, collector.name, collector, clock)
    out.rejected = out.counts.quarantined
    payloads = collector.fetch(client, window)
    out.fetched = len(payloads)
    fetched_at = clock.now()
    archived = [_archive(engine, p, clock) for p in payloads]
    for payload, arch in zip(payloads, archived, strict=True):
        out.payload_ids.append(arch.id)
        parse = bound_parse(engine, collector, payload, fetched_at)
        counts, malformed = ingest_payload(engine, parse, payload, arch, clock)
        out.rejected += arch.rejected if arch.ingested else counts.quarantined
        out.counts += counts
        out.malformed = out.malformed or malformed
    return out


def _archive(engine: Engine, payload: Payload, clock: Clock) -> Archived:
    # Committed on its own, before parsing: whatever happens next, the bytes are kept.
    with writing(engine) as conn:
        return archive_payload(conn, payload, clock.now())


def bound_parse(
    engine: Engine, parser: Parser, payload: Payload, fetched_at: dt.datetime | None
) -> Callable[[bytes], Parsed]:
    """``parser`` as a plain ``parse(raw)``: a collector with ``parse_with`` gets its context (the
    store's current station and section names, the fetch time, the file name or URL)."""
    if isinstance(parser, ContextParser):
        with engine.connect() as conn:
            ctx = ParseContext(
                fetched_at=fetched_at,
                name=payload.meta.get("name") or payload.url,
                sections=name_index(conn, "sections"),
                stations=name_index(conn, "stations"),
                station_points=station_points(conn),
            )
        return functools.partial(parser.parse_with, ctx=ctx)
    if callable(parser):
        return parser
    return parser.parse


def ingest_orphans(
    engine: Engine,
    source: str,
    parse: Parser,
    clock: Clock,
    *,
    limit: int = ORPHAN_BATCH,
) -> tuple[IngestCounts, list[int]]:
    """Re-ingest up to ``limit`` archived, never-ingested payloads of ``source`` from the archive,
    oldest first; returns their counts and ids. A malformed orphan is quarantined, not retried."""
    with engine.connect() as conn:
        orphans = orphaned_payloads(conn, source, limit)
    counts, ids = IngestCounts(), []
    for orphan in orphans:
        with engine.connect() as conn:
            raw = load_payload(conn, orphan.archived.id)
        payload = Payload(orphan.source, orphan.url, raw, orphan.content_type, orphan.meta)
        log.info(
            "%s: re-ingesting orphaned payload %d from the archive", source, orphan.archived.id
        )
        bound = bound_parse(engine, parse, payload, orphan.fetched_at)
        done, _ = ingest_payload(engine, bound, payload, orphan.archived, clock)
        counts += done
        ids.append(orphan.archived.id)
    return counts, ids


def ingest_payload(
    engine: Engine,
    parse: Callable[[bytes], Parsed],
    payload: Payload,
    archived: Archived,
    clock: Clock,
) -> tuple[IngestCounts, str | None]:
    """Parse an archived payload and store its rows, rejections and "ingested" mark in one transaction.

    Returns the counts and, for a malformed payload, why. A payload already ingested is not parsed
    again (its rows are in; its rejections are already quarantined), nor is one another ingest
    claimed meanwhile. A stored value from a later-archived payload is kept (``newer_wins``).
    """
    if archived.ingested:
        return IngestCounts(unchanged=archived.accepted), _known_malformed(engine, archived.id)
    try:
        parsed = parse(payload.raw)
    except Exception as exc:  # parsers must not raise on data; if one does, quarantine, not crash
        log.exception("parser for %s raised", payload.source)
        parsed = Parsed(
            rejected=[Rejected(repr(payload.raw[:80]), f"parser error: {exc!r}", "payload")]
        )
    now, source, pid = clock.now(), payload.source, archived.id
    with writing(engine) as conn:
        if not claim_ingest(conn, pid, now):  # a concurrent ingest of the same payload committed
            return IngestCounts(unchanged=ingested_count(conn, pid)), None
        counts = IngestCounts(quarantined=quarantine_rows(conn, source, pid, parsed.rejected, now))
        if not parsed.readings.empty:
            counts += ingest_readings(conn, parsed.readings, source, pid, now, newer_wins=True)
        if not parsed.samples.empty:
            counts += ingest_samples(conn, parsed.samples, source, pid, now, newer_wins=True)
        accepted = len(parsed.readings) + len(parsed.samples)
        mark_ingested(conn, pid, now, accepted, len(parsed.rejected))
    observe_ingest(source, counts)
    whole = [r for r in parsed.rejected if r.field == "payload"]
    malformed = f"malformed payload from {payload.url}: {whole[0].reason}" if whole else None
    return counts, malformed if accepted == 0 else None


def _known_malformed(engine: Engine, payload_id: int) -> str | None:
    with engine.connect() as conn:
        bad = quarantined_whole(conn, payload_id)
    return f"malformed payload (archived as {payload_id}) again" if bad else None


def _record(
    engine: Engine, result: RunResult, started: dt.datetime, finished: dt.datetime, trigger: str
) -> RunResult:
    record = RunRecord(
        collector=result.collector,
        started_at=started,
        finished_at=finished,
        status=result.status,
        window_start=result.window.start,
        window_end=result.window.end,
        trigger=trigger,
        fetched=result.fetched,
        counts=result.counts,
        attempts=result.attempts,
        error=result.error,
    )
    try:
        with writing(engine) as conn:
            run_id = record_run(conn, record)
    except Exception:  # the store itself is down: say so in the log, keep the scheduler alive
        log.exception("could not record run of %s", result.collector)
        return result
    return RunResult(**{**_fields(result), "run_id": run_id})


def _fields(result: RunResult) -> dict[str, Any]:
    return {name: getattr(result, name) for name in RunResult.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class FileResult:
    """One imported file: skipped when the same bytes were fully imported before."""

    path: Path
    payload_id: int
    skipped: bool
    counts: IngestCounts


def import_file(
    engine: Engine,
    parse: Parser,
    source: str,
    path: Path,
    clock: Clock,
) -> FileResult:
    """Import one file (archive first, then all its rows in one transaction); safe to repeat.

    Files are tracked by sha256: a file whose bytes were imported before is skipped, and a file whose
    import was interrupted after archiving is parsed again from the same bytes.
    """
    raw = path.read_bytes()
    known = find_payload_by_bytes(engine, raw)
    if known is not None and known.ingested:
        return FileResult(path, known.id, True, IngestCounts())
    payload = Payload(source=source, url=path.resolve().as_uri(), raw=raw, meta={"name": path.name})
    archived = known or _archive(engine, payload, clock)
    bound = bound_parse(engine, parse, payload, clock.now())
    counts, _ = ingest_payload(engine, bound, payload, archived, clock)
    return FileResult(path, archived.id, False, counts)


def import_upload(
    engine: Engine,
    parse: Parser,
    source: str,
    name: str,
    raw: bytes,
    clock: Clock,
) -> tuple[int, bool, IngestCounts]:
    """Import an uploaded file's bytes like ``import_file`` (archived first, skipped when the same
    bytes were imported before); returns (payload id, skipped, counts). ``name`` is the name the
    uploader gave, kept in the payload's metadata."""
    known = find_payload_by_bytes(engine, raw)
    if known is not None and known.ingested:
        return known.id, True, IngestCounts()
    payload = Payload(source=source, url=f"upload:{name}", raw=raw, meta={"name": name})
    archived = known or _archive(engine, payload, clock)
    bound = bound_parse(engine, parse, payload, clock.now())
    counts, _ = ingest_payload(engine, bound, payload, archived, clock)
    return archived.id, False, counts


def find_payload_by_bytes(engine: Engine, raw: bytes) -> Archived | None:
    """The archived payload holding exactly these bytes, if any."""
    with engine.connect() as conn:
        return find_payload(conn, sha256_of(raw))
