"""PDF report with reportlab: the same context as the HTML, laid out on A4.

Chinese text uses reportlab's built-in CID font ``STSong-Light`` (Adobe-GB1; the PDF viewer supplies
the glyphs), so no font file has to be shipped or found on the machine. The chart is drawn with
reportlab's own vector graphics from the same daily course as the HTML's SVG.
"""

from __future__ import annotations

import io
import math
from typing import Any

from service.reports.build import ReportData
from service.reports.text import context

FONT = "STSong-Light"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _chart(ctx: dict[str, Any], width: float) -> Any:
    from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
    from reportlab.lib import colors

    course = ctx["course"]
    target = float(ctx["target"])
    h_ratio, h_budget, gap, left = 140.0, 70.0, 24.0, 40.0
    height = h_ratio + h_budget + gap + 20
    d = Drawing(width, height)
    plot_w = width - left - 10
    n = 366 if len(course) and course.index[0].year % 4 == 0 else 365
    ratio = course["ratio"].astype("float64").to_numpy()
    budget = course["budget"].astype("float64").to_numpy()
    finite = [v for v in ratio if not math.isnan(v)]
    lo = float(max(0.0, min(0.8, math.floor(min([*finite, target]) * 20) / 20, target - 0.05)))
    top = height - 10

    def x(i: int) -> float:
        return left + plot_w * i / max(n - 1, 1)

    def yr(v: float) -> float:
        return top - h_ratio * (1 - (v - lo) / (1 - lo))

    b_max = max(1.0, float(budget.max()) if len(budget) else 1.0)
    b_min = min(0.0, float(budget.min()) if len(budget) else 0.0)
    b_top = top - h_ratio - gap

    def yb(v: float) -> float:
        return b_top - h_budget * (b_max - v) / (b_max - b_min)

    grey = colors.HexColor("#cccccc")
    d.add(Rect(left, top - h_ratio, plot_w, h_ratio, strokeColor=grey, fillColor=None))
    d.add(Rect(left, b_top - h_budget, plot_w, h_budget, strokeColor=grey, fillColor=None))
    for v in (lo, 1.0):
        d.add(String(left - 4, yr(v) - 3, f"{v * 100:.0f}%", fontSize=7, textAnchor="end"))
    red = colors.HexColor("#d9534f")
    d.add(
        Line(left, yr(target), left + plot_w, yr(target), strokeColor=red, strokeDashArray=[4, 3])
    )
    d.add(
        String(
            left + plot_w - 2,
            yr(target) + 3,
            f"{target * 100:.1f}%",
            fontSize=7,
            fillColor=red,
            textAnchor="end",
        )
    )
    pts: list[float] = []
    for i, v in enumerate(ratio):
        if not math.isnan(v):
            pts += [x(i), yr(max(lo, v))]
    if len(pts) >= 4:
        d.add(PolyLine(pts, strokeColor=colors.HexColor("#1f77b4"), strokeWidth=1.5))
    d.add(Line(left, yb(0), left + plot_w, yb(0), strokeColor=colors.HexColor("#888888")))
    bpts: list[float] = []
    for i, v in enumerate(budget):
        bpts += [x(i), yb(v)]
    if len(bpts) >= 4:
        color = red if budget[-1] < 0 else colors.HexColor("#2ca02c")
        d.add(PolyLine(bpts, strokeColor=color, strokeWidth=1.5))
    d.add(String(left - 4, yb(0) - 3, "0", fontSize=7, textAnchor="end"))
    d.add(String(left - 4, yb(b_max) - 3, f"{b_max:.0f}", fontSize=7, textAnchor="end"))
    return d


def render_pdf(data: ReportData, lang: str | None = None) -> bytes:
    """The report as PDF bytes."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    ctx = context(data, lang)
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=22, alignment=1, spaceAfter=8)
    h2 = ParagraphStyle(
        "h2",
        parent=body,
        fontSize=12,
        leading=18,
        spaceBefore=10,
        spaceAfter=4,
        textColor=colors.HexColor("#1f5fa8"),
    )
    small = ParagraphStyle("small", parent=body, fontSize=8, textColor=colors.HexColor("#666666"))

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 9),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#bbbbbb")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3fa")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )
    col = ctx["col"]
    story: list[Any] = [p(ctx["title"], h1), p(ctx["h_air"], h2)]
    story += [p(line) for line in ctx["air_lines"]]
    story.append(p(ctx["h_levels"], h2))
    level_rows: list[list[Any]] = [[col["level"], col["category"], col["days"]]]
    level_rows += [[str(r["level"]), r["category"], str(r["days"])] for r in ctx["levels"]]
    levels = Table(level_rows, colWidths=[25 * mm, 60 * mm, 25 * mm], hAlign="LEFT")
    style = TableStyle(grid.getCommands())
    for i, r in enumerate(ctx["levels"], start=1):
        style.add("BACKGROUND", (0, i), (0, i), colors.HexColor(r["color"]))
    levels.setStyle(style)
    story.append(levels)
    story.append(p(ctx["h_primary"], h2))
    prim = Table(
        [[r["group"], str(r["days"])] for r in ctx["primary"]],
        colWidths=[60 * mm, 25 * mm],
        hAlign="LEFT",
    )
    prim.setStyle(TableStyle([c for c in grid.getCommands() if c[0] != "BACKGROUND"]))
    story.append(prim)
    story += [p(ctx["h_water"], h2), *[p(line) for line in ctx["water_lines"]]]
    sec_rows: list[list[Any]] = [[col["section"], col["class"], col["deciding"], col["worse"]]]
    sec_rows += [
        [p(f"{s['name']} {s['code']}"), s["cls"], p(s["deciding"]), p(s["worse"])]
        for s in ctx["sections"]
    ]
    sec = Table(
        sec_rows, colWidths=[60 * mm, 25 * mm, 45 * mm, 45 * mm], hAlign="LEFT", repeatRows=1
    )
    sec.setStyle(grid)
    story.append(sec)
    story += [p(ctx["h_completeness"], h2), *[p(line) for line in ctx["completeness"]]]
    story += [
        p(ctx["h_chart"], h2),
        _chart(ctx, 170 * mm),
        Spacer(1, 6),
        p(ctx["generated"], small),
    ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=ctx["title"],
        author="envmon",
    )
    doc.build(story)
    return buf.getvalue()
