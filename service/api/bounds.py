"""The dates and times a request may name: 1900-01-01 to 2199-12-31 (issue 22, finding 10).

Python's dates end at years 1 and 9999; ``0001-01-01`` one day earlier, or a time there converted
to UTC, overflowed inside a route (500). Nothing envmon stores is outside this range, so a value
outside it is refused as a 422 naming the field and the rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from service.api.errors import ValidationFailed

#: First and last day a request may name.
FIRST_DAY: Final = dt.date(1900, 1, 1)
LAST_DAY: Final = dt.date(2199, 12, 31)
RULE: Final = f"between_{FIRST_DAY.isoformat()}_and_{LAST_DAY.isoformat()}"


def checked_day(value: dt.date | None, field: str) -> dt.date | None:
    """``value`` when it lies in ``FIRST_DAY``..``LAST_DAY`` (or is None), else 422."""
    if value is not None and not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationFailed(field, RULE, f"{field} must lie between {FIRST_DAY} and {LAST_DAY}")
    return value


def checked_time(value: dt.datetime | None, field: str) -> dt.datetime | None:
    """``value`` (aware) when its date lies in range in its own zone and in UTC, else 422."""
    if value is None:
        return None
    checked_day(value.date(), field)
    if value.tzinfo is not None:
        checked_day(value.astimezone(dt.UTC).date(), field)  # in range: cannot overflow here
    return value


__all__ = ["FIRST_DAY", "LAST_DAY", "checked_day", "checked_time"]
