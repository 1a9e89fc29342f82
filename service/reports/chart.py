"""The ratio's course through the year against its target and budget, laid out once (``layout``)
and drawn as SVG for the HTML report (``course_svg``) and with reportlab for the PDF (``pdf.py``).

Upper panel: cumulative 优良天数比例 day by day (line) and the target (dashed), y axis in percent.
Lower panel: the budget left after each day (non-excellent/good days still allowed), with zero
marked: below zero the target can no longer be met. Both panels share a dated x axis (the first of
each month, ``MM-01``), and the chart carries its title, axis titles and a legend.
Coordinates are in points with y growing downwards (SVG's way); the PDF renderer flips them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

WIDTH, HEIGHT = 720.0, 408.0
LEFT, RIGHT, TOP = 64.0, 16.0, 58.0
RATIO_H, GAP, BUDGET_H = 170.0, 44.0, 90.0
TARGET_COLOR, RATIO_COLOR, BUDGET_COLOR, MISSED_COLOR = "#d9534f", "#1f77b4", "#2ca02c", "#d9534f"
GRID, FRAME, TEXT, ZERO = "#e6e6e6", "#bbbbbb", "#333333", "#888888"


@dataclass(frozen=True, slots=True)
class Line:
    """A straight line (``dash``: on/off lengths, empty for solid)."""

    x1: float
    y1: float
    x2: float
    y2: float
    color: str
    width: float = 1.0
    dash: tuple[float, ...] = ()
    css: str = ""


@dataclass(frozen=True, slots=True)
class Poly:
    """A polyline through ``points``."""

    points: tuple[tuple[float, float], ...]
    color: str
    width: float = 2.0
    css: str = ""


@dataclass(frozen=True, slots=True)
class Label:
    """Text at (x, y) baseline; ``anchor``: start, middle or end; ``rotate``: -90 for a y title."""

    x: float
    y: float
    text: str
    size: float = 10.0
    anchor: str = "start"
    color: str = TEXT
    bold: bool = False
    rotate: int = 0


@dataclass(frozen=True, slots=True)
class Box:
    """A plot frame."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True, slots=True)
class Layout:
    """Everything the chart draws, in order."""

    title: str
    width: float = WIDTH
    height: float = HEIGHT
    items: list[Line | Poly | Label | Box] = field(default_factory=list)


def _days_in_year(year: int) -> int:
    return (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days


Item = Line | Poly | Label | Box


@dataclass(frozen=True, slots=True)
class _Scales:
    """Day index and values -> chart points for the two panels."""

    n_days: int
    lo: float  # the ratio panel's lowest value (fraction)
    b_max: float  # the budget panel's range (days)
    b_min: float
    plot_w: float = WIDTH - LEFT - RIGHT
    b_top: float = TOP + RATIO_H + GAP

    def x(self, i: int) -> float:
        return LEFT + self.plot_w * i / max(self.n_days - 1, 1)

    def y_ratio(self, v: float) -> float:
        return TOP + RATIO_H * (1 - (v - self.lo) / (1 - self.lo))

    def y_budget(self, v: float) -> float:
        return self.b_top + BUDGET_H * (self.b_max - v) / (self.b_max - self.b_min)


def _scales(year: int, ratio: np.ndarray, budgets: np.ndarray, t: float) -> _Scales:
    """The ratio axis starts at 80 % or lower (a step of 5 % under the lowest value and the
    target); the budget axis spans at least 0..1 day."""
    finite = [float(v) for v in ratio if not math.isnan(v)]
    lo = min(0.8, math.floor(min([*finite, t]) * 20) / 20)
    lo = max(0.0, min(lo, t - 0.05))
    b_max = max(1.0, float(budgets.max()) if len(budgets) else 1.0)
    b_min = min(0.0, float(budgets.min()) if len(budgets) else 0.0)
    return _Scales(_days_in_year(year), lo, b_max, b_min)


def _legend(labels: dict[str, str], t: float, budget_color: str) -> list[Item]:
    """Legend under the title: a sample of each line with its name."""
    items: list[Item] = []
    legend_y = 38.0
    lx = LEFT
    for name, color, dash in (
        (labels["ratio"], RATIO_COLOR, ()),
        (f"{labels['target']} {t * 100:.1f}%", TARGET_COLOR, (6.0, 4.0)),
        (labels["budget"], budget_color, ()),
    ):
        items.append(Line(lx, legend_y - 4, lx + 24, legend_y - 4, color, 2.0, dash))
        items.append(Label(lx + 30, legend_y, name, size=10))
        lx += 30 + 11 * len(name) * (1.0 if any(ord(c) > 0x2E80 for c in name) else 0.6) + 24
    return items


def _month_axis(sc: _Scales, year: int, labels: dict[str, str]) -> list[Item]:
    """Dated x axis: a grid line at the first of each month, labelled MM-01 under the lower panel."""
    items: list[Item] = []
    b_top = sc.b_top
    for month in range(1, 13):
        xm = sc.x((dt.date(year, month, 1) - dt.date(year, 1, 1)).days)
        items.append(Line(xm, TOP, xm, TOP + RATIO_H, GRID))
        items.append(Line(xm, b_top, xm, b_top + BUDGET_H, GRID))
        items.append(Line(xm, b_top + BUDGET_H, xm, b_top + BUDGET_H + 4, FRAME))
        items.append(Label(xm, b_top + BUDGET_H + 15, f"{month:02d}-01", size=9, anchor="middle"))
    items.append(
        Label(LEFT + sc.plot_w / 2, HEIGHT - 4, labels["axis_date"], size=10, anchor="middle")
    )
    return items


def _ratio_panel(sc: _Scales, ratio: np.ndarray, t: float, labels: dict[str, str]) -> list[Item]:
    """Upper panel: percent ticks, axis title, target and ratio."""
    items: list[Item] = []
    lo, plot_w = sc.lo, sc.plot_w
    for v in (lo, (lo + 1) / 2, 1.0):
        items.append(Line(LEFT, sc.y_ratio(v), LEFT + plot_w, sc.y_ratio(v), GRID))
        items.append(Label(LEFT - 6, sc.y_ratio(v) + 3.5, f"{v * 100:.0f}%", size=9, anchor="end"))
    items.append(
        Label(16, TOP + RATIO_H / 2, labels["axis_ratio"], size=10, anchor="middle", rotate=-90)
    )
    yt = sc.y_ratio(t)
    items.append(Line(LEFT, yt, LEFT + plot_w, yt, TARGET_COLOR, 1.5, (6.0, 4.0), "target"))
    pts = tuple(
        (sc.x(i), sc.y_ratio(max(lo, float(v)))) for i, v in enumerate(ratio) if not math.isnan(v)
    )
    if len(pts) >= 2:
        items.append(Poly(pts, RATIO_COLOR, 2.0, "ratio"))
    return items


def _budget_panel(
    sc: _Scales, budgets: np.ndarray, budget_color: str, labels: dict[str, str]
) -> list[Item]:
    """Lower panel: day ticks, zero line, budget; its own title; the last value (or the miss)."""
    items: list[Item] = []
    b_top, plot_w, y_budget = sc.b_top, sc.plot_w, sc.y_budget
    items.append(Label(LEFT, b_top - 8, labels["budget_title"], size=10, bold=True))
    items.append(Line(LEFT, y_budget(0), LEFT + plot_w, y_budget(0), ZERO))
    items.append(Label(LEFT - 6, y_budget(0) + 3.5, "0", size=9, anchor="end"))
    items.append(Label(LEFT - 6, y_budget(sc.b_max) + 9, f"{sc.b_max:.0f}", size=9, anchor="end"))
    if sc.b_min < 0:
        items.append(
            Label(LEFT - 6, y_budget(sc.b_min) - 2, f"{sc.b_min:.0f}", size=9, anchor="end")
        )
    items.append(
        Label(16, b_top + BUDGET_H / 2, labels["axis_days"], size=10, anchor="middle", rotate=-90)
    )
    bpts = tuple((sc.x(i), y_budget(float(v))) for i, v in enumerate(budgets))
    if len(bpts) >= 2:
        items.append(Poly(bpts, budget_color, 2.0, "budget"))
    if len(budgets):
        last = int(budgets[-1])
        text = labels["missed_by"].format(over=-last) if last < 0 else f"{labels['budget']}: {last}"
        items.append(
            Label(LEFT + plot_w - 4, b_top + 14, text, size=10, anchor="end", color=budget_color)
        )
    return items


def layout(
    course: pd.DataFrame,
    *,
    year: int,
    target: Decimal | float,
    labels: dict[str, str],
) -> Layout:
    """The chart of ``course`` (``stations.targets.budget_course`` rows, one per day from
    1 January). ``labels``: ``title``, ``budget_title``, ``ratio``, ``target``, ``budget``,
    ``axis_date``, ``axis_ratio``, ``axis_days``, ``missed_by`` (with ``{over}``) in the
    report's language."""
    t = float(target)
    ratio = course["ratio"].astype("float64").to_numpy()
    budgets = course["budget"].astype("float64").to_numpy()
    sc = _scales(year, ratio, budgets, t)
    missed = bool(len(budgets)) and budgets[-1] < 0
    budget_color = MISSED_COLOR if missed else BUDGET_COLOR
    out = Layout(title=labels["title"])
    out.items.append(Label(WIDTH / 2, 18, labels["title"], size=13, anchor="middle", bold=True))
    out.items.extend(_legend(labels, t, budget_color))
    out.items.append(Box(LEFT, TOP, sc.plot_w, RATIO_H))
    out.items.append(Box(LEFT, sc.b_top, sc.plot_w, BUDGET_H))
    out.items.extend(_month_axis(sc, year, labels))
    out.items.extend(_ratio_panel(sc, ratio, t, labels))
    out.items.extend(_budget_panel(sc, budgets, budget_color, labels))
    return out


def course_svg(
    course: pd.DataFrame,
    *,
    year: int,
    target: Decimal | float,
    labels: dict[str, str],
) -> str:
    """The chart as SVG text (labels escaped; numbers formatted here)."""
    chart = layout(course, year=year, target=target, labels=labels)
    title = escape(chart.title, {'"': "&quot;"})
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {chart.width:.0f} '
        f'{chart.height:.0f}" width="100%" role="img" aria-label="{title}" '
        'font-family="sans-serif">',
        f"<title>{title}</title>",
    ]
    for item in chart.items:
        if isinstance(item, Box):
            parts.append(
                f'<rect x="{item.x:.1f}" y="{item.y:.1f}" width="{item.w:.1f}" '
                f'height="{item.h:.1f}" fill="#fafafa" stroke="{FRAME}"/>'
            )
        elif isinstance(item, Line):
            dash = (
                f' stroke-dasharray="{" ".join(f"{d:g}" for d in item.dash)}"' if item.dash else ""
            )
            css = f' class="{item.css}"' if item.css else ""
            parts.append(
                f'<line{css} x1="{item.x1:.1f}" y1="{item.y1:.1f}" x2="{item.x2:.1f}" '
                f'y2="{item.y2:.1f}" stroke="{item.color}" stroke-width="{item.width:g}"{dash}/>'
            )
        elif isinstance(item, Poly):
            pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in item.points)
            parts.append(
                f'<polyline class="{item.css}" fill="none" stroke="{item.color}" '
                f'stroke-width="{item.width:g}" points="{pts}"/>'
            )
        else:
            weight = ' font-weight="bold"' if item.bold else ""
            rotate = (
                f' transform="rotate({item.rotate} {item.x:.1f} {item.y:.1f})"'
                if item.rotate
                else ""
            )
            parts.append(
                f'<text x="{item.x:.1f}" y="{item.y:.1f}" font-size="{item.size:g}" '
                f'text-anchor="{item.anchor}" fill="{item.color}"{weight}{rotate}>'
                f"{escape(item.text)}</text>"
            )
    parts.append("</svg>")
    return "\n".join(parts)


__all__ = ["Box", "Label", "Layout", "Line", "Poly", "course_svg", "layout"]
