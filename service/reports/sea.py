"""Report section: nearshore seawater (GB 3097-1997) of the report's district or the city.

Gathers ``service.figures.sea.sea_figures`` for the report's period once and words it: the
优良（一、二类）比例 by points and by area against the ``sea`` target with its budget, a table of the
points (class, target, deciding items) and one of the bays / zones. Demo points say so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maps.sea_layer import sea_class_label
from service.figures.sea import sea_figures
from service.figures.sea_values import SeaFigures, SeaPoint, SeaRatio
from service.i18n import t
from service.reports.sections import SECTIONS, Section, SectionTable

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from service.clock import Clock
    from service.figures.report_data import ReportData


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _name(p: SeaPoint | SeaRatio, lang: str) -> str:
    return (p.name_en or p.name) if lang == "en" else p.name


def _ratio_lines(scope: SeaRatio, points: list[SeaPoint], lang: str) -> list[str]:
    """The ratio by points and by area against the target, the budget, the demo note."""
    verdict = (
        t("report.verdict.undefined", lang)
        if scope.meets is None
        else t("report.verdict.meets" if scope.meets else "report.verdict.misses", lang)
    )
    r = scope.by_points
    lines = [
        t(
            "sea.ratio_line",
            lang,
            ratio="—" if r.percent is None else f"{r.percent}%",
            good=r.numerator,
            points=r.denominator,
            area=_pct(scope.by_area),
            target=_pct(scope.target),
            verdict=verdict,
        )
    ]
    if scope.budget_points is not None:
        lines.append(
            t("sea.budget_line", lang, budget=scope.budget_points)
            if scope.budget_points >= 0
            else t("sea.budget_missed", lang, over=-scope.budget_points)
        )
    if any(p.demo for p in points):
        lines.append(t("sea.demo_line", lang))
    return lines


def _points_table(points: list[SeaPoint], lang: str) -> SectionTable:
    """The points: class, target, whether met, deciding items."""
    yes, no = t("sea.yes", lang), t("sea.no", lang)
    return SectionTable(
        [t(f"sea.col.{c}", lang) for c in ("point", "class", "target", "meets", "deciding")],
        [
            [
                _name(p, lang),
                sea_class_label(p.sea_class, lang),
                sea_class_label(p.target_class, lang),
                "—" if p.meets_target is None else (yes if p.meets_target else no),
                ", ".join(p.deciding_items) or "—",
            ]
            for p in points
        ],
    )


def _area_rows(figures: SeaFigures, points: list[SeaPoint], lang: str) -> list[list[str]]:
    """The bays / zones the points belong to: target and ratio by points and by area."""
    codes = {p.area_code for p in points}
    return [
        [
            _name(a, lang),
            sea_class_label(a.target_class, lang),
            "—" if a.by_points.percent is None else f"{a.by_points.percent}%",
            _pct(a.by_area),
        ]
        for a in figures.areas
        if a.code in codes
    ]


class SeaSection:
    """The seawater section of every monthly and yearly report (skipped when no point of the
    report's area was sampled in the period)."""

    key = "sea"
    opens = False

    def gather(self, engine: Engine, clock: Clock, data: ReportData) -> SeaFigures | None:
        """The period's seawater figures (``None`` if the period cannot be read)."""
        try:
            return sea_figures(engine, data.period)
        except ValueError:
            return None

    def words(self, figures: object, data: ReportData, lang: str) -> Section | None:
        """The ratio line, the points and the bays of the report's district (or the city)."""
        if not isinstance(figures, SeaFigures):
            return None
        city = data.district == "city"
        points = [p for p in figures.points if city or p.district_code == data.district]
        if not any(p.sea_class is not None for p in points):
            return None  # no point of this area was sampled in the period
        scope: SeaRatio = (
            figures.city if city else next(d for d in figures.districts if d.code == data.district)
        )
        tables = [_points_table(points, lang)]
        area_rows = _area_rows(figures, points, lang)
        if area_rows:
            tables.append(
                SectionTable(
                    [t(f"sea.col.{c}", lang) for c in ("area", "target", "ratio", "ratio_area")],
                    area_rows,
                )
            )
        return Section(t("sea.heading", lang), _ratio_lines(scope, points, lang), tables)


SECTIONS.append(SeaSection())
