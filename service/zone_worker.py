"""Zone files parsed in a child process, never in the server's own (issue 22, finding 3).

A 10 MB GeoJSON once held the event loop for 150 s and a 4 MB shapefile zip hung the server for
20 minutes, deaf to SIGTERM. Here the parse runs in a process of its own (``forkserver``: started
from a small server process that has already imported the parsers, so a job does not pay the
imports and never inherits the web server's threads or sockets), under a memory cap
(``RLIMIT_DATA``) and a wall-time limit; the caller's ``stop`` is asked a few times a second, and
the child is killed at once on timeout, cancellation or shutdown. Limits on size, features and
vertices are ``geodata.zones_io.ZoneLimits``, checked inside the child, which also turns the zones
into the store's rows (``service.zone_rows``) so the server process only inserts them.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from geodata.zones_io import ZoneLimits, ZoneProblem, ZoneValidationError

#: Scheduling priority the parse runs at, added to the server's (``os.nice``): a parse is background
#: work that takes a core for seconds, and on a two-core host it must not take CPU from the answers.
PARSE_NICENESS = 10
#: How often the parent looks at the child, the caller's ``stop`` and the clock (seconds).
POLL_SECONDS = 0.2


@dataclass(frozen=True, slots=True)
class WorkerLimits:
    """Limits of one parse: the file's content (``zone``), wall time (s), memory (bytes; 0: none)."""

    zone: ZoneLimits
    wall_seconds: float = 60.0
    memory_bytes: int = 2 * 1024**3


class ParseStopped(Exception):
    """The parse was stopped before it finished; ``reason`` is what ``stop`` returned."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_CONTEXT: Any = None


def _context() -> Any:
    global _CONTEXT
    if _CONTEXT is None:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["geodata.zones_io", "service.zone_rows", "service.zone_worker"])
        _CONTEXT = ctx
    return _CONTEXT


def _child(out: Connection, path: str, fmt: str, source: str, limits: WorkerLimits) -> None:
    """Runs in the child: parse, send ``("ok", rows)`` or ``("refused", problems)``."""
    import resource

    from geodata.zones_io import read_zone_file
    from service.zone_rows import zone_feature_rows

    os.nice(PARSE_NICENESS)
    if limits.memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_DATA, (limits.memory_bytes, limits.memory_bytes))
    try:
        frame = read_zone_file(path, fmt, source=source, limits=limits.zone)
        message: tuple[str, Any] = ("ok", zone_feature_rows(frame))
    except ZoneValidationError as exc:
        message = ("refused", exc.problems)
    except MemoryError:
        mib = limits.memory_bytes // 2**20
        msg = f"parsing the file needs more than {mib} MiB of memory"
        message = ("refused", [ZoneProblem("file", "too_much_memory", msg)])
    except Exception as exc:  # a parser bug: named, never a traceback or the file's text
        msg = f"the file could not be parsed ({type(exc).__name__})"
        message = ("refused", [ZoneProblem("file", "unreadable", msg)])
    out.send(message)
    out.close()


def parse_isolated(
    path: Path,
    fmt: str,
    source: str,
    limits: WorkerLimits,
    stop: Callable[[], str | None] = lambda: None,
) -> list[dict[str, Any]]:
    """Parse and validate the zone file at ``path`` in a child process; return its zones as the
    store's rows (``service.zone_rows.zone_feature_rows``).

    Raises ``ZoneValidationError`` (refused, with the rule; also when the wall time or the memory
    cap is passed) or ``ParseStopped`` when ``stop()`` returns a reason.
    """
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_child, args=(send, str(path), fmt, source, limits), daemon=True, name="zone-parse"
    )
    child.start()
    send.close()
    deadline = time.monotonic() + limits.wall_seconds
    try:
        while not receive.poll(POLL_SECONDS):
            if not child.is_alive() and not receive.poll(0):
                # killed by the kernel (memory) or crashed inside a C library
                msg = f"the parser stopped (exit code {child.exitcode}); the file is refused"
                raise ZoneValidationError([ZoneProblem("file", "parser_died", msg)], source)
            reason = stop()
            if reason is not None:
                raise ParseStopped(reason)
            if time.monotonic() > deadline:
                msg = f"parsing took longer than {limits.wall_seconds:g} s, the limit"
                raise ZoneValidationError([ZoneProblem("file", "too_slow", msg)], source)
        try:
            kind, payload = receive.recv()
        except EOFError:
            msg = "the parser stopped before answering; the file is refused"
            raise ZoneValidationError([ZoneProblem("file", "parser_died", msg)], source) from None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
    if kind == "refused":
        raise ZoneValidationError(payload, source)
    rows: list[dict[str, Any]] = payload
    return rows


__all__ = ["ParseStopped", "WorkerLimits", "parse_isolated"]
