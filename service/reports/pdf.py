"""PDF report with reportlab: the same context as the HTML, laid out on A4.

Every glyph is drawn with Noto Sans SC embedded in the file (``service.reports.fonts``, cut to the
report's characters), Latin text and figures included, so the PDF shows the same on any machine,
with or without Chinese fonts, and no base-14 font is referenced. Each page carries the report's
title and page number, and the demo banner when the data are demo. The chart is the HTML chart's
layout (``service.reports.chart.layout``) drawn with reportlab's vector graphics.

PDF/A: reportlab's open-source toolkit writes no PDF/A (no XMP metadata or output intent, and its
TrueType subsets use custom encodings), so the file is an ordinary PDF 1.4 with every font embedded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from service.figures.report_data import ReportData
from service.reports.fonts import embedded_fonts
from service.reports.pdf_layout import build_pdf
from service.reports.text import context


def _strings(value: Any) -> Iterable[str]:
    """Every piece of text in the context (for the font cut)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            yield from _strings(getattr(value, name))


def render_pdf(data: ReportData, lang: str | None = None) -> bytes:
    """The report as PDF bytes."""
    ctx = context(data, lang)
    with embedded_fonts("".join(_strings({k: v for k, v in ctx.items() if k != "svg"}))) as fonts:
        return build_pdf(ctx, fonts)
