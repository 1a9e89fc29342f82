"""uvicorn's HTTP/1.1 protocol with a header-read deadline, and the server limits envmon runs with.

uvicorn (0.54, h11) has a keep-alive timeout but no header-read timeout: a connection that sends
nothing, or half a request line and then one byte a minute, is kept for ever (slowloris; issue 22
finding 4). ``HeaderDeadlineProtocol`` gives each request ``ENVMON_HTTP_HEADER_TIMEOUT_S`` from its
first byte (or from the connection's opening) to complete its request line and headers; later
bytes do not extend it. A request whose headers arrived is not limited here (the body limit and the
route decide). The reverse proxy in front adds per-client connection caps and body timeouts
(docs/security-hardening.md).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import resource
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

log = logging.getLogger("envmon.security")


class HeaderDeadlineProtocol(H11Protocol):
    """``H11Protocol`` closing a connection whose request headers are not complete within
    ``header_timeout_s`` seconds of the request's first byte (or of the connection opening)."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        header_timeout_s: float,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_timeout_s = header_timeout_s
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._header_deadline is None and self.conn.their_state is h11.IDLE:
            self._arm()  # the first byte of a kept-alive connection's next request
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()  # the request line and headers are in

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_deadline = self.loop.call_later(self.header_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _too_slow(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            # No 408: a slowloris client does not read it, and a real one just reconnects.
            self.transport.close()


def protocol_factory(header_timeout_s: float) -> Any:
    """What ``uvicorn.Config(http=...)`` takes: the protocol with its deadline bound (a picklable
    ``functools.partial``, so ``serve --workers`` can hand it to its worker processes)."""
    return functools.partial(HeaderDeadlineProtocol, header_timeout_s=header_timeout_s)


def raise_open_file_limit(wanted: int) -> int:
    """Raise this process's soft open-file limit towards ``wanted`` (never past the hard limit):
    every connection is a file descriptor, and a connection cap above the limit would fail with
    ``EMFILE`` instead of answering. Returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            log.warning("could not raise the open-file limit from %s to %s", soft, target)
    return int(soft)


__all__ = ["HeaderDeadlineProtocol", "protocol_factory", "raise_open_file_limit"]
