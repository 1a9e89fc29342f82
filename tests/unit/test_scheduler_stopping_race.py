"""The scheduler's stop race ("cannot schedule new futures after shutdown") is one INFO line."""

from __future__ import annotations

import logging
import sys

import service.scheduler  # noqa: F401  (installs the filter on apscheduler's logger)


def _record(exc: BaseException) -> logging.LogRecord:
    try:
        raise exc
    except BaseException:
        info = sys.exc_info()
    return logging.LogRecord(
        "apscheduler.scheduler",
        logging.ERROR,
        __file__,
        1,
        'Error submitting job "%s"',
        ("x",),
        info,
    )


def test_the_stop_race_is_logged_without_a_traceback() -> None:
    logger = logging.getLogger("apscheduler.scheduler")
    record = _record(RuntimeError("cannot schedule new futures after shutdown"))
    assert all(f.filter(record) for f in logger.filters)
    assert record.levelno == logging.INFO and record.exc_info is None
    assert record.getMessage() == 'Error submitting job "x" (the scheduler is stopping)'


def test_any_other_error_keeps_its_traceback() -> None:
    logger = logging.getLogger("apscheduler.scheduler")
    record = _record(RuntimeError("database is locked"))
    assert all(f.filter(record) for f in logger.filters)
    assert record.levelno == logging.ERROR and record.exc_info is not None
