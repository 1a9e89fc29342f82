"""Zone files parsed in a child process, never in the server's own (issue 22, finding 3).

The child (``service.isolated_parse``: forkserver, memory cap, wall-time limit, ``stop``) checks
the limits on size, features and vertices (``geodata.zones_io.ZoneLimits``) and turns the zones
into the store's rows (``service.zone_rows``), so the server process only inserts them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geodata.zones_io import ZoneLimits, ZoneProblem, ZoneValidationError, read_zone_file
from service.isolated_parse import ChildFailed, ParseLimits, Refused, Wording, run_isolated
from service.zone_rows import zone_feature_rows

#: The refusals when the child fails, in the words zone-file users have always been shown.
WORDING = Wording(
    died=("parser_died", "the parser stopped (exit code {code}); the file is refused"),
    silent=("parser_died", "the parser stopped before answering; the file is refused"),
    too_slow=("too_slow", "parsing took longer than {seconds:g} s, the limit"),
    too_much_memory=("too_much_memory", "parsing the file needs more than {mib} MiB of memory"),
    unreadable=("unreadable", "the file could not be parsed ({error})"),
)


@dataclass(frozen=True, slots=True)
class WorkerLimits(ParseLimits[ZoneLimits]):
    """Limits of one parse: the file's content (``ZoneLimits``), wall time (s), memory (bytes)."""


def _parse(path: str, fmt: str, source: str, limits: ZoneLimits) -> list[dict[str, Any]]:
    """Runs in the child: the zones as the store's rows; a refusal's payload is its problems."""
    try:
        return zone_feature_rows(read_zone_file(path, fmt, source=source, limits=limits))
    except ZoneValidationError as exc:
        raise Refused(exc.problems) from None


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
    cap is passed) or ``service.isolated_parse.ParseStopped`` when ``stop()`` returns a reason.
    """
    try:
        rows: list[dict[str, Any]] = run_isolated(
            _parse,
            (str(path), fmt, source),
            limits,
            name="zone-parse",
            preload=["geodata.zones_io", "service.zone_rows", "service.zone_worker"],
            wording=WORDING,
            stop=stop,
        )
    except Refused as exc:
        raise ZoneValidationError(exc.payload, source) from None
    except ChildFailed as exc:
        raise ZoneValidationError([ZoneProblem("file", exc.rule, exc.message)], source) from None
    return rows


__all__ = ["WorkerLimits", "parse_isolated"]
