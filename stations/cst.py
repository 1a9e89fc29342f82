"""China Standard Time: the zone of the standards' natural days and the one format every displayed
time uses (stored times are UTC; GB 3095 and HJ 633 days are CST natural days, docs/standards.md).

The lowest room that needs a clock zone, so that stations, maps and service all import it from here.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import pandas as pd

#: China Standard Time, UTC+8, no daylight saving.
CST: Final = dt.timezone(dt.timedelta(hours=8), "CST")
#: The same offset as a timedelta (local wall time = UTC + ``CST_OFFSET``).
CST_OFFSET: Final = dt.timedelta(hours=8)
#: How every time is shown to a person: minutes, CST, labelled.
DISPLAY_FORMAT: Final = "%Y-%m-%d %H:%M CST"
#: What a missing time is shown as.
MISSING: Final = "—"


def to_cst(value: dt.datetime | pd.Timestamp) -> dt.datetime:
    """An aware time (or a naive one taken as UTC) as CST."""
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return ts.to_pydatetime().astimezone(CST)


def format_cst(value: dt.datetime | pd.Timestamp | None) -> str:
    """``value`` as shown to a person: ``YYYY-MM-DD HH:MM CST`` (naive values are UTC); missing
    values (None, NaT) as ``—``."""
    if value is None or pd.isna(value):
        return MISSING
    return to_cst(value).strftime(DISPLAY_FORMAT)


def cst_date(value: dt.datetime | pd.Timestamp) -> dt.date:
    """The CST calendar day of an aware time (naive: UTC)."""
    return to_cst(value).date()
