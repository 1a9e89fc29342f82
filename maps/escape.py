"""The one escape for text that reaches an HTML page: element content, a quoted attribute, and the
JavaScript template literals folium wraps tooltips and popups in.

Folium writes ``bindTooltip(`<div>TEXT</div>`)`` and ``$(`POPUP HTML`)`` inside an inline
``<script>``, and Leaflet later inserts the same text as HTML. So one escape must make a zone or
station name inert in all three readings: ``& < > " '`` as HTML entities (no tag, no attribute
break-out, no ``</script>``), and the template literal's own syntax -- backtick, ``$`` (``${...}``)
and backslash -- as numeric entities too, which HTML then shows as the characters they were
(issue 22, finding 2). Data handed to a script as JSON goes through ``script_json``.
"""

from __future__ import annotations

import html
import json
from typing import Any, Final

#: Characters ``html.escape`` leaves alone that are syntax inside a JS template literal.
_TEMPLATE_LITERAL: Final = {ord("`"): "&#96;", ord("$"): "&#36;", ord("\\"): "&#92;"}
#: Characters escaped inside JSON placed in an inline script (no ``</script>``, no ``<!--``).
_SCRIPT_JSON: Final = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    ord("'"): "\\u0027",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def html_text(value: object) -> str:
    """``value`` as text that is inert in HTML content, a quoted attribute and a template literal.

    ``None`` is the empty string. Use it for every text from data or users that reaches a page.
    """
    text = "" if value is None else str(value)
    return html.escape(text, quote=True).translate(_TEMPLATE_LITERAL)


def script_json(value: Any) -> str:
    """``value`` as JSON safe to place inside an inline ``<script>`` (no tag can end it early)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_JSON)


__all__ = ["html_text", "script_json"]
