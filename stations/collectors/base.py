"""The collector contract: a pure ``parse(raw) -> Parsed`` plus a thin HTTP ``fetch``.

The service decides when to run a collector, archives every raw payload before parsing, stores what
``parse`` accepted, quarantines what it rejected, and retries failed fetches. Collectors never touch
the store, the clock or the settings: the window and the HTTP client come in as arguments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, runtime_checkable

import httpx

from stations.model import Parsed


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open time window ``[start, end)`` of end-of-hour labels, aware UTC."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Window bounds must be timezone-aware")
        if self.end < self.start:
            raise ValueError("Window end precedes its start")


@dataclass(frozen=True, slots=True)
class Payload:
    """One raw upstream payload as fetched: the bytes are archived before anything else happens."""

    source: str
    url: str
    raw: bytes
    content_type: str = ""
    meta: dict[str, str] = field(default_factory=dict)


class UpstreamError(Exception):
    """An upstream answered with something unusable (timeout, 5xx, 429, truncated body)."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        #: The HTTP status when the upstream answered (None for timeouts and transport errors).
        self.status = status


class Collector(Protocol):
    """One upstream feed."""

    name: ClassVar[str]

    def parse(self, raw: bytes) -> Parsed:
        """Turn one raw payload into readings/samples and rejected rows; pure, never raises on bad data."""
        ...

    def fetch(self, client: httpx.Client, window: Window) -> list[Payload]:
        """Fetch the raw payloads covering ``window``; raises ``UpstreamError`` on an unusable answer."""
        ...


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What the service knows about a payload besides its bytes, for parsers that need it.

    ``fetched_at``: when the payload was fetched or the file imported (aware UTC); ``name``: the
    file name or URL; ``sections`` / ``stations``: the registry's names (code, name, name_en,
    aliases -> code, see ``stations.names.NameIndex``); None means "keep what the file says".
    ``station_points``: registry station code -> (lon, lat), WGS-84 degrees, for matching an
    upstream's own locations to the registry by distance.
    """

    fetched_at: dt.datetime | None = None
    name: str = ""
    sections: Mapping[str, str] | None = None
    stations: Mapping[str, str] | None = None
    station_points: Mapping[str, tuple[float, float]] | None = None


@runtime_checkable
class ContextParser(Protocol):
    """A collector whose parse needs the payload's context (registry names, fetch time)."""

    def parse_with(self, raw: bytes, ctx: ParseContext) -> Parsed:
        """``parse`` with the context; pure, never raises on bad data."""
        ...
