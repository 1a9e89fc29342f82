"""The standards' calendar: China Standard Time days and the HJ 633-2026 switch day."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import pandas as pd

from service.clock import Clock
from stations.cst import CST

#: The day HJ 633-2026 took effect (docs/standards.md §0); a period spanning it mixes two rule sets.
HJ633_2026_EFFECTIVE: Final = dt.date(2026, 3, 1)


def cst_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """UTC ``[start, end)`` of end-of-hour labels that belong to CST ``day`` (01:00 .. 24:00)."""
    start = dt.datetime.combine(day, dt.time(1), CST).astimezone(dt.UTC)
    return start, start + dt.timedelta(hours=24)


def cst_today(clock: Clock) -> dt.date:
    """Today's date in China Standard Time."""
    return clock.now().astimezone(CST).date()


def ytd_as_of(clock: Clock) -> dt.date:
    """The last complete CST day (yesterday): year-to-date figures run through it."""
    return cst_today(clock) - dt.timedelta(days=1)


def as_date(value: Any) -> dt.date:
    """A day from a stored or queued value (``date``, ``datetime``, ``Timestamp`` or ISO text)."""
    return pd.Timestamp(value).date()
