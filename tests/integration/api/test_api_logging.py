"""Logs as an operator reads them with ENVMON_LOG_FORMAT=json: one JSON object per line, each line
of a request carrying the id the response returns in X-Request-ID."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.logs import HANDLER_NAME, configure_logging


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    out = io.StringIO()
    level = logging.getLogger().level
    configure_logging("json", "INFO", out)
    yield out
    root = logging.getLogger()
    root.setLevel(level)
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_json_lines_carry_the_request_id(client: TestClient, json_logs: io.StringIO) -> None:
    mine = client.get("/api/v1/no-such-thing", headers={"X-Request-ID": "req-42"})
    theirs = client.get("/api/v1/no-such-thing", headers={"X-Request-ID": "bad id with spaces"})
    assert mine.headers["X-Request-ID"] == "req-42"
    fresh = theirs.headers["X-Request-ID"]
    assert fresh != "bad id with spaces" and len(fresh) == 32
    lines = [line for line in json_logs.getvalue().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    ids = {r.get("request_id") for r in records if "/api/v1/no-such-thing" in r["message"]}
    assert ids == {"req-42", fresh}
    assert all({"time", "level", "logger", "message"} <= r.keys() for r in records)


def test_text_lines_name_level_logger_and_request() -> None:
    out = io.StringIO()
    level = logging.getLogger().level
    configure_logging("text", "WARNING", out)
    try:
        logging.getLogger("envmon.test").info("not shown")
        logging.getLogger("envmon.test").warning("shown")
    finally:
        root = logging.getLogger()
        root.setLevel(level)
        for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
            root.removeHandler(handler)
    err = out.getvalue()
    assert "not shown" not in err
    assert "WARNING envmon.test [-] shown" in err


@pytest.mark.parametrize(("level", "shown"), [("INFO", False), ("DEBUG", True)])
def test_routine_job_runs_and_access_lines_only_at_debug(level: str, shown: bool) -> None:
    """At INFO an operator sees envmon's lines, not two APScheduler lines per 2-second job run nor
    uvicorn's copy of each request line; at DEBUG both come back."""
    out = io.StringIO()
    before = logging.getLogger().level
    configure_logging("text", level, out)
    try:
        logging.getLogger("apscheduler.executors.default").info('Running job "webhook-delivery"')
        logging.getLogger("uvicorn.access").info('127.0.0.1:1 - "GET /healthz HTTP/1.1" 200')
        logging.getLogger("envmon.api").info("GET /healthz -> 200")
    finally:
        root = logging.getLogger()
        root.setLevel(before)
        for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
            root.removeHandler(handler)
        for name in ("apscheduler.executors.default", "uvicorn.access"):
            logging.getLogger(name).setLevel(logging.NOTSET)
    err = out.getvalue()
    assert "GET /healthz -> 200" in err
    assert ('Running job "webhook-delivery"' in err) is shown
    assert ('"GET /healthz HTTP/1.1" 200' in err) is shown
