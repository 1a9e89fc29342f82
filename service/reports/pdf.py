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

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from service.figures.report_data import ReportData
from service.reports.chart import Box, Label, Line, Poly, layout
from service.reports.fonts import ReportFonts, embedded_fonts
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


def _chart(ctx: dict[str, Any], width: float, fonts: ReportFonts) -> Any:
    """The chart layout scaled to ``width`` points, as a reportlab ``Drawing``."""
    # reportlab is imported only when a PDF is drawn (measured: about 0.3 s of every start).
    from reportlab.graphics.shapes import Drawing, Group

    chart = layout(
        ctx["course"], year=ctx["year"], target=ctx["target"], labels=ctx["chart_labels"]
    )
    scale = width / chart.width
    group = Group()
    for item in chart.items:
        shape = _shape(item, chart.height, fonts)
        if shape is not None:
            group.add(shape)
    group.scale(scale, scale)
    drawing = Drawing(width, chart.height * scale)
    # The renderer's starting state names a font too: the embedded one, not base-14 Helvetica.
    drawing.initialFontName = fonts.regular
    drawing.add(group)
    return drawing


def _shape(item: Any, h: float, fonts: ReportFonts) -> Any:
    """One chart item as a reportlab shape (y flipped: the layout's y grows downwards)."""
    from reportlab.graphics.shapes import Group, PolyLine, Rect, String
    from reportlab.graphics.shapes import Line as RLine
    from reportlab.lib.colors import HexColor

    if isinstance(item, Box):
        return Rect(
            item.x,
            h - item.y - item.h,
            item.w,
            item.h,
            strokeColor=HexColor("#bbbbbb"),
            fillColor=HexColor("#fafafa"),
        )
    if isinstance(item, Line):
        return RLine(
            item.x1,
            h - item.y1,
            item.x2,
            h - item.y2,
            strokeColor=HexColor(item.color),
            strokeWidth=item.width,
            strokeDashArray=list(item.dash) or None,
        )
    if isinstance(item, Poly):
        points = [v for px, py in item.points for v in (px, h - py)]
        return PolyLine(points, strokeColor=HexColor(item.color), strokeWidth=item.width)
    if isinstance(item, Label):
        label = String(
            0,
            0,
            item.text,
            fontName=fonts.bold if item.bold else fonts.regular,
            fontSize=item.size,
            fillColor=HexColor(item.color),
            textAnchor=item.anchor,
        )
        holder = Group(label)
        holder.translate(item.x, h - item.y)
        if item.rotate:
            holder.rotate(-item.rotate)
        return holder
    return None


def render_pdf(data: ReportData, lang: str | None = None) -> bytes:
    """The report as PDF bytes."""
    ctx = context(data, lang)
    with embedded_fonts("".join(_strings({k: v for k, v in ctx.items() if k != "svg"}))) as fonts:
        return _build(ctx, fonts)


@dataclass(frozen=True)
class _Styles:
    """The report's fonts, paragraph styles and table grid."""

    font: str
    bold: str
    body: Any
    h1: Any
    h2: Any
    small: Any
    cell: Any
    grid: Any

    def p(self, text: str, style: Any = None) -> Any:
        """``text`` escaped as a paragraph in ``style`` (body text by default)."""
        from xml.sax.saxutils import escape

        from reportlab.platypus import Paragraph

        return Paragraph(escape(text), self.body if style is None else style)


def _styles(fonts: ReportFonts) -> _Styles:
    """Paragraph styles and the table grid drawn with the registered ``fonts``."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import TableStyle

    font, bold = fonts.regular, fonts.bold
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    h1 = ParagraphStyle(
        "h1", parent=body, fontName=bold, fontSize=16, leading=22, alignment=1, spaceAfter=8
    )
    h2 = ParagraphStyle(
        "h2",
        parent=body,
        fontName=bold,
        fontSize=12,
        leading=18,
        spaceBefore=10,
        spaceAfter=4,
        textColor=colors.HexColor("#1f5fa8"),
    )
    small = ParagraphStyle("small", parent=body, fontSize=8, textColor=colors.HexColor("#666666"))
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=12)
    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, 9),
            ("FONT", (0, 0), (-1, 0), bold, 9),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#bbbbbb")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3fa")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )
    return _Styles(font, bold, body, h1, h2, small, cell, grid)


def _further(section: Any, st: _Styles) -> list[Any]:
    """A further section: its heading, lines and plain tables."""
    from reportlab.platypus import Table

    out: list[Any] = [st.p(section.heading, st.h2), *[st.p(line) for line in section.lines]]
    for table in section.tables:
        rows = [[st.p(v, st.cell) for v in table.header]]
        rows += [[st.p(v, st.cell) for v in row] for row in table.rows]
        extra = Table(rows, hAlign="LEFT", repeatRows=1)
        extra.setStyle(st.grid)
        out.append(extra)
    return out


def _level_table(ctx: dict[str, Any], st: _Styles) -> Any:
    """Days per AQI level, each level's cell in its colour."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    col = ctx["col"]
    level_rows: list[list[Any]] = [[col["level"], col["category"], col["days"]]]
    level_rows += [[str(r["level"]), r["category"], str(r["days"])] for r in ctx["levels"]]
    levels = Table(level_rows, colWidths=[25 * mm, 60 * mm, 25 * mm], hAlign="LEFT")
    style = TableStyle(st.grid.getCommands())
    for i, r in enumerate(ctx["levels"], start=1):
        style.add("BACKGROUND", (0, i), (0, i), colors.HexColor(r["color"]))
    levels.setStyle(style)
    return levels


def _primary_table(ctx: dict[str, Any], st: _Styles) -> Any:
    """Days below 良 by primary pollutant group."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    prim = Table(
        [[r["group"], str(r["days"])] for r in ctx["primary"]],
        colWidths=[60 * mm, 25 * mm],
        hAlign="LEFT",
    )
    prim.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), st.font, 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#bbbbbb")),
            ]
        )
    )
    return prim


def _section_table(ctx: dict[str, Any], st: _Styles) -> Any:
    """Water sections with their class and deciding parameters."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Table

    col = ctx["col"]
    sec_rows: list[list[Any]] = [[col["section"], col["class"], col["deciding"], col["worse"]]]
    sec_rows += [
        [st.p(f"{s['name']} {s['code']}", st.cell), s["cls"], st.p(s["deciding"], st.cell)]
        + [st.p(s["worse"], st.cell)]
        for s in ctx["sections"]
    ]
    sec = Table(
        sec_rows,
        colWidths=[60 * mm, 25 * mm, 45 * mm, 45 * mm],
        hAlign="LEFT",
        repeatRows=1,
    )
    sec.setStyle(st.grid)
    return sec


def _report_story(ctx: dict[str, Any], fonts: ReportFonts, st: _Styles) -> list[Any]:
    """The report's sections in order: opening, air, water, completeness, chart, following."""
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether

    story: list[Any] = []
    for section in ctx["lead_sections"]:
        story += _further(section, st)
    story.append(st.p(ctx["h_air"], st.h2))
    story += [st.p(line) for line in ctx["air_lines"]]
    if ctx["levels"]:
        story += [st.p(ctx["h_levels"], st.h2), _level_table(ctx, st)]
    if ctx["primary"]:
        story += [st.p(ctx["h_primary"], st.h2), _primary_table(ctx, st)]
    story += [st.p(ctx["h_water"], st.h2), *[st.p(line) for line in ctx["water_lines"]]]
    if ctx["sections"]:
        story.append(_section_table(ctx, st))
    story += [st.p(ctx["h_completeness"], st.h2), *[st.p(line) for line in ctx["completeness"]]]
    story.append(KeepTogether([st.p(ctx["h_chart"], st.h2), _chart(ctx, 174 * mm, fonts)]))
    for section in ctx["extra_sections"]:
        story += _further(section, st)
    return story


def _page_decoration(ctx: dict[str, Any], st: _Styles) -> Callable[[Any, Any], None]:
    """What every page draws: the demo banner (when demo), the title and the page number."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    page_w, page_h = A4

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        if ctx["demo"]:
            canvas.setFillColor(colors.HexColor("#fff3cd"))
            canvas.setStrokeColor(colors.HexColor("#c79100"))
            canvas.rect(18 * mm, page_h - 13 * mm, page_w - 36 * mm, 8 * mm, fill=1)
            canvas.setFillColor(colors.HexColor("#6b4e00"))
            canvas.setFont(st.bold, 10)
            canvas.drawCentredString(page_w / 2, page_h - 10.2 * mm, ctx["demo_banner"])
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.setFont(st.font, 8)
        canvas.drawString(18 * mm, 9 * mm, ctx["title"])
        canvas.drawRightString(page_w - 18 * mm, 9 * mm, ctx["page_label"].format(page=doc.page))
        canvas.restoreState()

    return decorate


def _build(ctx: dict[str, Any], fonts: ReportFonts) -> bytes:
    """Lay out ``ctx`` on A4 with the registered ``fonts``."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    st = _styles(fonts)
    story: list[Any] = [st.p(ctx["title"], st.h1)]
    if ctx["empty"]:
        story.append(st.p(ctx["empty_line"]))
    else:
        story += _report_story(ctx, fonts, st)
    story += [Spacer(1, 6), st.p(ctx["generated"], st.small)]
    decorate = _page_decoration(ctx, st)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=(20 if ctx["demo"] else 16) * mm,
        bottomMargin=16 * mm,
        title=ctx["title"],
        author="envmon",
        lang="zh-CN" if ctx["lang"] == "zh" else "en",
        # The page's first font operator names the embedded font, not a base-14 Helvetica.
        initialFontName=st.font,
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()
