"""The PDF report's layout with reportlab: styles, tables, the chart, page decoration.

Imported only when a PDF is built (``service.reports.pdf``): reportlab costs about 0.3 s of every
start otherwise.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Group, PolyLine, Rect, String
from reportlab.graphics.shapes import Line as RLine
from reportlab.lib import colors
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from service.reports.chart import Box, Label, Line, Poly, layout
from service.reports.fonts import ReportFonts


def _chart(ctx: dict[str, Any], width: float, fonts: ReportFonts) -> Any:
    """The chart layout scaled to ``width`` points, as a reportlab ``Drawing``."""

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

        return Paragraph(escape(text), self.body if style is None else style)


def _styles(fonts: ReportFonts) -> _Styles:
    """Paragraph styles and the table grid drawn with the registered ``fonts``."""

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


def build_pdf(ctx: dict[str, Any], fonts: ReportFonts) -> bytes:
    """Lay out ``ctx`` on A4 with the registered ``fonts``."""

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
