"""Uploaded files parsed in a child process, never in the server's own (issue 22, finding 3).

A 10 MB GeoJSON once held the event loop for 150 s and a 4 MB shapefile zip hung the server for
20 minutes, deaf to SIGTERM. Here a parse runs in a process of its own (``forkserver``: started
from a small server process that has already imported the parsers, so a job does not pay the
imports and never inherits the web server's threads or sockets), at a lower priority, under a
memory cap (``RLIMIT_DATA``) and a wall-time limit; the caller's ``stop`` is asked a few times a
second, and the child is killed at once on timeout, cancellation or shutdown.

Each kind of file keeps what is its own in its worker module (``service.zone_worker``,
``service.surface_worker``): the parse function run in the child, its result, and the words of
its refusals (``Wording``).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

#: Scheduling priority the parse runs at, added to the server's (``os.nice``): a parse is background
#: work that takes a core for seconds, and on a two-core host it must not take CPU from the answers.
PARSE_NICENESS = 10
#: How often the parent looks at the child, the caller's ``stop`` and the clock (seconds).
POLL_SECONDS = 0.2

L = TypeVar("L")


@dataclass(frozen=True, slots=True)
class ParseLimits(Generic[L]):
    """Limits of one parse: the file's content (``content``, checked by the parse itself), wall
    time (s), memory (bytes; 0: none)."""

    content: L
    wall_seconds: float = 60.0
    memory_bytes: int = 2 * 1024**3


@dataclass(frozen=True, slots=True)
class Wording:
    """A kind of file's refusal ``(rule, message)`` for each way its child can fail; a message is
    formatted with ``code`` (the exit code), ``seconds`` (the wall-time limit), ``mib`` (the memory
    cap) or ``error`` (the exception's class name)."""

    died: tuple[str, str]
    silent: tuple[str, str]
    too_slow: tuple[str, str]
    too_much_memory: tuple[str, str]
    unreadable: tuple[str, str]

    def refusal(self, way: str, **values: object) -> tuple[str, str]:
        """The rule and the formatted message for the failure ``way`` (a field's name)."""
        rule, template = getattr(self, way)
        return rule, template.format(**values)


class ParseStopped(Exception):
    """The parse was stopped before it finished; ``reason`` is what ``stop`` returned."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Refused(Exception):
    """Raised by a parse to refuse the file; ``payload`` (picklable) reaches the parent as is."""

    def __init__(self, payload: Any) -> None:
        super().__init__(payload)
        self.payload = payload


class ChildFailed(Exception):
    """The child died, went silent, ran out of time or memory, or met a bug: ``rule`` and
    ``message`` in the words of the kind of file (``Wording``)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


#: Modules the forkserver imports before its first fork (one forkserver per process: the list is
#: read when it starts, so each worker adds its parsers before the first parse of any kind).
_PRELOAD: set[str] = set()


def _context(preload: Sequence[str]) -> Any:
    ctx = mp.get_context("forkserver")
    if not _PRELOAD.issuperset(preload):
        _PRELOAD.update(preload)
        ctx.set_forkserver_preload(sorted(_PRELOAD))
    return ctx


def _child(
    out: Connection,
    parse: Callable[..., Any],
    args: tuple[Any, ...],
    memory_bytes: int,
    wording: Wording,
) -> None:
    """Runs in the child: send ``("ok", result)``, ``("refused", payload)`` or
    ``("failed", (rule, message))``."""
    os.nice(PARSE_NICENESS)  # background work: the server's answers come first
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))
    try:
        message: tuple[str, Any] = ("ok", parse(*args))
    except Refused as exc:
        message = ("refused", exc.payload)
    except MemoryError:
        message = ("failed", wording.refusal("too_much_memory", mib=memory_bytes // 2**20))
    except Exception as exc:  # a parser bug: named, never a traceback or the file's text
        message = ("failed", wording.refusal("unreadable", error=type(exc).__name__))
    out.send(message)
    out.close()


def run_isolated(
    parse: Callable[..., Any],
    args: tuple[Any, ...],
    limits: ParseLimits[Any],
    *,
    name: str,
    preload: Sequence[str],
    wording: Wording,
    stop: Callable[[], str | None] = lambda: None,
) -> Any:
    """Return ``parse(*args, limits.content)`` run in a child process named ``name`` (``parse``: a
    module-level function of a module in ``preload``) within the wall time and memory of ``limits``.

    Raises ``Refused`` when the parse refused the file, ``ChildFailed`` when the child failed,
    ``ParseStopped`` when ``stop()`` returns a reason.
    """
    ctx = _context(preload)
    receive, send = ctx.Pipe(duplex=False)
    child_args = (send, parse, (*args, limits.content), limits.memory_bytes, wording)
    child = ctx.Process(target=_child, args=child_args, daemon=True, name=name)
    child.start()
    send.close()
    deadline = time.monotonic() + limits.wall_seconds
    try:
        while not receive.poll(POLL_SECONDS):
            if not child.is_alive() and not receive.poll(0):
                # killed by the kernel (memory) or crashed inside a C library
                raise ChildFailed(*wording.refusal("died", code=child.exitcode))
            reason = stop()
            if reason is not None:
                raise ParseStopped(reason)
            if time.monotonic() > deadline:
                raise ChildFailed(*wording.refusal("too_slow", seconds=limits.wall_seconds))
        try:
            kind, payload = receive.recv()
        except EOFError:
            raise ChildFailed(*wording.refusal("silent")) from None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
    if kind == "refused":
        raise Refused(payload)
    if kind == "failed":
        raise ChildFailed(*payload)
    return payload


__all__ = ["ChildFailed", "ParseLimits", "ParseStopped", "Refused", "Wording", "run_isolated"]
