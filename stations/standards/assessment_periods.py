"""Assessment periods (评价时段): month, quarter, year to date, year, or any day range, and the
periods they are compared with: the same period last year (同比) and the period before (环比).

Pure: "today" is an argument (the service passes its clock's CST day). A period still running is
cut at the day before today and marked incomplete; its 同比 period is cut on the same calendar day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

PeriodKind = Literal["month", "quarter", "ytd", "year", "range"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YTD = re.compile(r"^(\d{4})-(?:ytd|YTD)$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
PERIOD_FORMS = "YYYY, YYYY-MM, YYYYQn, YYYY-ytd or YYYY-MM-DD..YYYY-MM-DD"


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _minus_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February -> 28 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True, slots=True)
class Period:
    """CST days ``start`` .. ``end`` inclusive. ``full_end`` is the end of the whole calendar
    period; ``end < full_end`` when the period is still running (``complete`` False)."""

    kind: PeriodKind
    start: dt.date
    end: dt.date
    full_end: dt.date
    label: str

    @property
    def days(self) -> int:
        """Number of days in ``start .. end``."""
        return (self.end - self.start).days + 1

    @property
    def complete(self) -> bool:
        """False while the calendar period is still running."""
        return self.end >= self.full_end

    @property
    def whole_year(self) -> bool:
        """A complete calendar year (the HJ 663 324-day rule applies)."""
        return self.start == dt.date(self.start.year, 1, 1) and self.end == dt.date(
            self.start.year, 12, 31
        )

    def year_ago(self) -> Period:
        """同比: the same days one year earlier (29 February -> 28 February)."""
        return Period(
            self.kind,
            _minus_year(self.start),
            _minus_year(self.end),
            _minus_year(self.full_end),
            _label(self.kind, _minus_year(self.start), _minus_year(self.full_end)),
        )

    def previous(self) -> Period | None:
        """环比: the whole month (quarter) before a month (quarter); the preceding days of the same
        length before a day range; None for a year or year to date (环比 of those is 同比)."""
        if self.kind in ("month", "quarter"):
            months = 1 if self.kind == "month" else 3
            first = self.start
            for _ in range(months):
                first = (first - dt.timedelta(days=1)).replace(day=1)
            last = self.start - dt.timedelta(days=1)
            return Period(self.kind, first, last, last, _label(self.kind, first, last))
        if self.kind == "range":
            last = self.start - dt.timedelta(days=1)
            first = last - dt.timedelta(days=self.days - 1)
            return Period("range", first, last, last, _label("range", first, last))
        return None


def _label(kind: PeriodKind, start: dt.date, full_end: dt.date) -> str:
    if kind == "year":
        return f"{start.year:04d}"
    if kind == "month":
        return f"{start.year:04d}-{start.month:02d}"
    if kind == "quarter":
        return f"{start.year:04d}Q{(start.month - 1) // 3 + 1}"
    if kind == "ytd":
        return f"{start.year:04d}-ytd"
    return f"{start.isoformat()}..{full_end.isoformat()}"


def period_of(kind: PeriodKind, start: dt.date, full_end: dt.date, today: dt.date) -> Period:
    """A period cut at the day before ``today`` when still running; ``ValueError`` when it has not
    started yet (no day of it is over)."""
    yesterday = today - dt.timedelta(days=1)
    end = min(full_end, yesterday)
    if end < start:
        raise ValueError(
            f"period: {_label(kind, start, full_end)} has no finished day before {today}"
        )
    return Period(kind, start, end, full_end, _label(kind, start, full_end))


def parse_period(text: str, today: dt.date) -> Period:
    """``2026`` (year), ``2026-03`` (month), ``2026Q1`` (quarter), ``2026-ytd`` (1 January to
    yesterday, or to 31 December of a past year) or ``2026-01-01..2026-06-30`` (day range).
    ``ValueError`` names the accepted forms."""
    t = text.strip()
    if m := _YEAR.match(t):
        y = int(m.group(1))
        return period_of("year", dt.date(y, 1, 1), dt.date(y, 12, 31), today)
    if m := _MONTH.match(t):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise ValueError(f"period: month {mo} is not 01..12")
        return period_of("month", dt.date(y, mo, 1), _month_end(y, mo), today)
    if m := _QUARTER.match(t):
        y, q = int(m.group(1)), int(m.group(2))
        return period_of("quarter", dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q), today)
    if m := _YTD.match(t):
        y = int(m.group(1))
        return period_of("ytd", dt.date(y, 1, 1), dt.date(y, 12, 31), today)
    if m := _RANGE.match(t):
        a, b = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
        if b < a:
            raise ValueError("period: the range ends before it starts")
        return period_of("range", a, b, today)
    raise ValueError(f"period: {text!r} is not one of {PERIOD_FORMS}")
