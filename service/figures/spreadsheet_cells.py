"""Cells of the CSV and XLSX files envmon hands out, safe to open in a spreadsheet (issue 22,
finding 6; OWASP "CSV Injection").

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula
by Excel, WPS and LibreOffice; station, section and zone names come from files people import, so
such a cell gets a leading apostrophe, which the spreadsheet shows as text and does not display.

Numbers stay numbers: a value that is a number (int, float) is never touched, and a text cell that
is exactly a signed decimal number (``-3.5``, ``+12``, ``-1e-3``) is left as it is too -- the
spreadsheet reads it as that number, which runs nothing -- so negative values keep sorting and
summing as numbers. Anything else after the sign (``-2+3``, ``-A1``) is escaped.
"""

from __future__ import annotations

import re
from typing import Any, Final

#: Characters that make a spreadsheet treat a text cell as a formula.
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
#: A signed decimal number, nothing else (read as a number, never as a formula).
_SIGNED_NUMBER: Final = re.compile(r"[+-](?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """``value`` unchanged, except text a spreadsheet would evaluate, which gets a leading ``'``."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _SIGNED_NUMBER.fullmatch(value):
        return value
    return "'" + value


__all__ = ["FORMULA_START", "safe_cell"]
