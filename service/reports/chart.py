"""The ratio's course through the year against its target and budget, as an SVG (no plotting library).

Upper panel: cumulative 优良天数比例 day by day (line) and the target (dashed). Lower panel: the budget
left after each day (days that may still be non-excellent/good), with zero marked: below zero the
target can no longer be met.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from xml.sax.saxutils import escape

import pandas as pd

WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP = 56, 16, 24
RATIO_H, GAP, BUDGET_H = 180, 36, 90
TARGET_COLOR, RATIO_COLOR, BUDGET_COLOR, MISSED_COLOR = "#d9534f", "#1f77b4", "#2ca02c", "#d9534f"


def _x(day_index: int, n_days: int) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * day_index / max(n_days - 1, 1)


def course_svg(
    course: pd.DataFrame,
    *,
    year: int,
    target: Decimal | float,
    labels: dict[str, str],
) -> str:
    """SVG text. ``course``: ``stations.targets.budget_course`` rows (index: days from 1 January).

    ``labels``: ``title``, ``ratio``, ``target``, ``budget`` captions in the report's language.
    """
    n_days = 366 if (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days == 365 else 365
    t = float(target)
    ratio = course["ratio"].astype("float64")
    budgets = course["budget"].astype("float64")
    lo = min(
        0.8, math.floor((min(ratio.min(skipna=True), t) if ratio.notna().any() else t) * 20) / 20
    )
    lo = max(0.0, min(lo, t - 0.05))

    def y_ratio(v: float) -> float:
        return TOP + RATIO_H * (1 - (v - lo) / (1 - lo))

    b_top = TOP + RATIO_H + GAP
    b_max = max(1.0, float(budgets.max()) if len(budgets) else 1.0)
    b_min = min(0.0, float(budgets.min()) if len(budgets) else 0.0)

    def y_budget(v: float) -> float:
        return b_top + BUDGET_H * (b_max - v) / (b_max - b_min)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{escape(labels["title"])}" '
        'font-family="sans-serif" font-size="11">',
        f"<title>{escape(labels['title'])}</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" height="{RATIO_H}" fill="#fafafa" stroke="#ccc"/>',
        f'<rect x="{LEFT}" y="{b_top}" width="{WIDTH - LEFT - RIGHT}" height="{BUDGET_H}" fill="#fafafa" stroke="#ccc"/>',
    ]
    for v in (lo, (lo + 1) / 2, 1.0):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y_ratio(v) + 4:.1f}" text-anchor="end">{v * 100:.0f}%</text>'
        )
    for month in range(1, 13):
        i = (dt.date(year, month, 1) - dt.date(year, 1, 1)).days
        x = _x(i, n_days)
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{b_top + BUDGET_H}" stroke="#eee"/>'
        )
        parts.append(f'<text x="{x + 2:.1f}" y="{HEIGHT - 6}">{month}</text>')
    yt = y_ratio(t)
    parts.append(
        f'<line class="target" x1="{LEFT}" y1="{yt:.1f}" x2="{WIDTH - RIGHT}" y2="{yt:.1f}" '
        f'stroke="{TARGET_COLOR}" stroke-dasharray="6 4"/>'
    )
    parts.append(
        f'<text x="{WIDTH - RIGHT - 4}" y="{yt - 4:.1f}" text-anchor="end" fill="{TARGET_COLOR}">'
        f"{escape(labels['target'])} {t * 100:.1f}%</text>"
    )
    pts = [
        f"{_x(i, n_days):.1f},{y_ratio(max(lo, float(v))):.1f}"
        for i, v in enumerate(ratio.to_numpy())
        if not math.isnan(v)
    ]
    if pts:
        parts.append(
            f'<polyline class="ratio" fill="none" stroke="{RATIO_COLOR}" stroke-width="2" points="{" ".join(pts)}"/>'
        )
    parts.append(
        f'<text x="{LEFT + 4}" y="{TOP + 14}" fill="{RATIO_COLOR}">{escape(labels["ratio"])}</text>'
    )
    y0 = y_budget(0)
    parts.append(
        f'<line x1="{LEFT}" y1="{y0:.1f}" x2="{WIDTH - RIGHT}" y2="{y0:.1f}" stroke="#888"/>'
    )
    bpts = [
        f"{_x(i, n_days):.1f},{y_budget(float(v)):.1f}" for i, v in enumerate(budgets.to_numpy())
    ]
    if bpts:
        color = MISSED_COLOR if len(budgets) and budgets.iloc[-1] < 0 else BUDGET_COLOR
        parts.append(
            f'<polyline class="budget" fill="none" stroke="{color}" stroke-width="2" points="{" ".join(bpts)}"/>'
        )
        parts.append(
            f'<text x="{LEFT + 4}" y="{b_top + 14}" fill="{color}">{escape(labels["budget"])}: '
            f"{int(budgets.iloc[-1])}</text>"
        )
    parts.append(
        f'<text x="{LEFT - 6}" y="{y_budget(b_max) + 10:.1f}" text-anchor="end">{b_max:.0f}</text>'
    )
    parts.append(f'<text x="{LEFT - 6}" y="{y0 + 4:.1f}" text-anchor="end">0</text>')
    parts.append("</svg>")
    return "\n".join(parts)
