"""Logging as ``envmon serve`` and ``envmon schedule`` configure it: one handler on stderr, text or
one JSON object per line (``ENVMON_LOG_FORMAT``), at ``ENVMON_LOG_LEVEL``; every record made while
an HTTP request is handled carries that request's id (``X-Request-ID``, echoed in the response)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from typing import Any, Final, TextIO

#: The id of the HTTP request being handled in this context (None outside a request).
REQUEST_ID: ContextVar[str | None] = ContextVar("envmon_request_id", default=None)
#: A client's own ``X-Request-ID`` is kept when it looks like an id; anything else is replaced.
_CLIENT_ID: Final = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
#: The name that marks envmon's handler on the root logger (so a second call replaces it).
HANDLER_NAME: Final = "envmon"
TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
#: Loggers whose INFO lines repeat what envmon already logs, shown from DEBUG on: APScheduler's
#: executor writes two lines per job run (webhook delivery runs every 2 s: 86,400 lines a day) and
#: uvicorn's access line repeats ``envmon.api``'s request line.
ROUTINE_LOGGERS: Final = ("apscheduler.executors.default", "uvicorn.access")


def request_id_for(header: str | None) -> str:
    """The id of a request: the client's ``X-Request-ID`` when it is a plain id, else a new one."""
    if header and _CLIENT_ID.match(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, and the
    exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id and request_id != "-":
            out["request_id"] = request_id
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(
    fmt: str = "text", level: str = "INFO", stream: TextIO | None = None
) -> logging.Handler:
    """Send every logger's records (envmon's, uvicorn's, APScheduler's) to ``stream`` (stderr) in
    ``fmt`` (``text`` or ``json``) at ``level``; calling it again replaces envmon's handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        # uvicorn's own handlers would print a second, differently formatted line.
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    quiet = logging.DEBUG if root.level <= logging.DEBUG else logging.WARNING
    for name in ROUTINE_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    return handler


class RequestIdMiddleware:
    """ASGI middleware: each HTTP request gets an id (the client's ``X-Request-ID`` or a new one),
    set in ``REQUEST_ID`` while it is handled and returned in the ``X-Request-ID`` header."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"x-request-id")
        rid = request_id_for(header.decode("latin-1") if header else None)
        token = REQUEST_ID.set(rid)

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                headers.append((b"x-request-id", rid.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
