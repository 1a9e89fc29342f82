"""The report's words and tables in one language, from ``ReportData`` and the i18n catalogue.

HTML and PDF both lay out this one context, so the two formats always say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from service.figures.report_data import ReportData
from service.i18n import normalise_lang, t
from service.reports.chart import course_svg
from service.reports.sections import SECTIONS, Section
from stations.cst import format_cst
from stations.ratios import Ratio
from stations.standards import level_info
from stations.standards import tables as T


def _pct(value: Decimal | float) -> str:
    return f"{Decimal(str(value)) * 100:.1f}%".replace(".0%", "%") if value else "0%"


def _ratio_text(r: Ratio) -> str:
    return "—" if r.percent is None else f"{r.percent}%"


def _verdict(meets: bool | None, lang: str) -> str:
    key = {True: "meets", False: "misses", None: "undefined"}[meets]
    return t(f"report.verdict.{key}", lang)


def _class_text(cls: str | None, lang: str) -> str:
    if cls is None:
        return t("report.not_sampled", lang)
    zh = T.WATER_CLASS_ZH[cls]
    return f"{zh}类" if lang == "zh" else ("worse than V" if cls == "V+" else f"Class {cls}")


def _title(data: ReportData, lang: str) -> str:
    """The report's title; a running period says up to which day it runs."""
    name = data.name_zh if lang == "zh" else data.name_en
    title = t(
        f"report.title.{data.kind}",
        lang,
        name=name,
        year=data.start.year,
        month=data.start.month,
    )
    if not data.complete:
        title += t("report.running", lang, end=data.end.isoformat())
    return title


def _budget_lines(data: ReportData, lang: str) -> list[str]:
    """The air budget's lines: days still allowed below 良, or how far the target is missed."""
    b = data.budget
    if b.missed:
        return [t("report.budget_missed_by", lang, over=-b.budget)]
    # Never a negative count: an allowance below zero is said as the amount already missed.
    if not b.expected_invalid:
        key = "report.budget_line_all_valid"
    elif b.budget_if_invalid < 0:
        key = "report.budget_line_invalid_missed"
    else:
        key = "report.budget_line"
    lines = [
        t(
            key,
            lang,
            remaining=b.remaining_days,
            budget=b.budget,
            invalid=b.expected_invalid,
            budget_invalid=b.budget_if_invalid,
            over=-b.budget_if_invalid,
        )
    ]
    if b.exhausted_on is not None:
        lines.append(t("report.exhausted_on", lang, date=b.exhausted_on.isoformat()))
    return lines


def _projection_lines(data: ReportData, lang: str) -> list[str]:
    """The year-end projection, when there is one and days remain."""
    b = data.budget
    if b.projection is None or not b.remaining_days:
        return []
    p = b.projection
    return [
        t(
            "report.projection",
            lang,
            value=f"{p.value * 100:.1f}%",
            low=f"{p.low * 100:.1f}%",
            high=f"{p.high * 100:.1f}%",
            method=t(f"report.method.{p.method}", lang),
        )
    ]


def _air_lines(data: ReportData, lang: str) -> list[str]:
    """The air section's sentences: period and year-to-date ratios, budget, projection."""
    air, ytd = data.air, data.air_ytd
    return [
        t(
            "report.ratio_line",
            lang,
            valid=air.valid_days,
            good=air.excellent_good_days,
            excellent=air.excellent_days,
            percent=_ratio_text(data.ratio),
        ),
        t(
            "report.ytd_line",
            lang,
            end=data.end.isoformat(),
            percent=_ratio_text(data.ytd_ratio),
            good=ytd.excellent_good_days,
            valid=ytd.valid_days,
            target=_pct(data.air_target),
            verdict=_verdict(data.air_ytd_meets, lang),
        ),
        *_budget_lines(data, lang),
        *_projection_lines(data, lang),
        t("report.comparison", lang, mode=t(f"report.mode.{data.comparison}", lang)),
    ]


def _level_rows(data: ReportData, lang: str) -> list[dict[str, Any]]:
    """One row per AQI level: its category in ``lang``, its colour and its day count."""
    rows = []
    for lv, n in data.air.days_by_level.items():
        info = level_info(lv)
        rows.append(
            {
                "level": lv,
                "category": info.category_zh if lang == "zh" else info.category_en,
                "color": info.color,
                "days": n,
            }
        )
    return rows


def _primary_rows(data: ReportData, lang: str) -> list[dict[str, Any]]:
    """Days below 良 counted by primary pollutant group."""
    return [
        {"group": t(f"report.group.{g}", lang), "days": n}
        for g, n in data.air.primary_non_good.items()
    ]


def _water_lines(data: ReportData, lang: str) -> list[str]:
    """The water section's sentences: the ratio at or better than class III and its budget."""
    w, wb = data.water, data.water_budget
    lines = [
        t(
            "report.water_line",
            lang,
            evaluated=w.evaluated,
            good=w.at_or_better_than_iii,
            percent=_ratio_text(data.water_ratio),
            target=_pct(data.water_target),
            verdict=_verdict(data.water_meets, lang),
        )
    ]
    if w.evaluated and wb.missed:
        lines.append(t("report.water_missed_by", lang, over=-wb.budget))
    elif w.evaluated and wb.budget == 0:
        lines.append(t("report.water_budget_none", lang))
    elif w.evaluated:
        lines.append(t("report.water_budget", lang, budget=wb.budget))
    return lines


def _section_rows(data: ReportData, lang: str) -> list[dict[str, str]]:
    """One row per water section: its class and the parameters deciding it."""
    return [
        {
            "name": s.name if lang == "zh" else s.name_en,
            "code": s.section,
            "cls": _class_text(s.cls, lang),
            "deciding": ", ".join(s.deciding) or "—",
            "worse": ", ".join(s.worse_than_iii) or "—",
        }
        for s in data.water.sections
    ]


def _completeness_lines(data: ReportData, lang: str) -> list[str]:
    """Calendar and valid days, the days left out by reason, stations and standards used."""
    air = data.air
    left: dict[str, int] = {}
    for lo in air.left_out:
        left[lo.reason] = left.get(lo.reason, 0) + 1
    lines = [
        t(
            "report.completeness_line",
            lang,
            calendar=air.calendar_days,
            valid=air.valid_days,
            left=len(air.left_out),
        ),
        *[f"· {t(f'report.left_out.{k}', lang)}: {n}" for k, n in sorted(left.items())],
        f"{t('report.stations', lang)}: {', '.join(air.stations) or t('report.none', lang)}",
        f"{t('report.standards', lang)}: {', '.join(air.standards) or '—'}",
    ]
    if air.spans_standard_change:
        lines.append(t("report.spans_change", lang))
    return lines


def _chart_labels(data: ReportData, lang: str) -> dict[str, str]:
    """The course chart's titles, legend and axis labels in ``lang``."""
    year = data.start.year
    return {
        "title": t("report.chart.title", lang, year=year, end=data.end.isoformat()),
        "budget_title": t("report.chart.budget_title", lang),
        "ratio": t("report.chart.ratio", lang),
        "target": t("report.chart.target", lang),
        "budget": t("report.chart.budget", lang),
        "axis_date": t("report.chart.axis_date", lang, year=year),
        "axis_ratio": t("report.chart.axis_ratio", lang),
        "axis_days": t("report.chart.axis_days", lang),
        "missed_by": t("report.chart.missed_by", lang, over="{over}"),
    }


def _numbered_sections(
    data: ReportData, lang: str
) -> tuple[list[Section], list[Section], Callable[[int, str], str]]:
    """The opening and following sections with their headings numbered, and the numberer.

    The report's own four sections come after the opening ones, so the numberer is returned
    for them.
    """
    numbers = t("report.numbering", lang).split(",")
    sep = "、" if lang == "zh" else ". "

    def numbered(i: int, heading: str) -> str:
        return f"{numbers[min(i, len(numbers) - 1)]}{sep}{heading}"

    worded = [(s, s.words(data.extra.get(s.key), data, lang)) for s in SECTIONS]
    opening = [w for s, w in worded if w is not None and s.opens]
    following = [w for s, w in worded if w is not None and not s.opens]
    lead = [Section(numbered(i, w.heading), w.lines, w.tables) for i, w in enumerate(opening)]
    base = len(lead)
    extra = [
        Section(numbered(base + 4 + i, w.heading), w.lines, w.tables)
        for i, w in enumerate(following)
    ]
    return lead, extra, numbered


def context(data: ReportData, lang: str | None = None) -> dict[str, Any]:
    """Strings, rows and the chart SVG of a report in ``lang`` (``zh`` default, or ``en``)."""
    lang = normalise_lang(lang)
    air_lines, levels, primary = (
        _air_lines(data, lang),
        _level_rows(data, lang),
        _primary_rows(data, lang),
    )
    water_lines, sections = _water_lines(data, lang), _section_rows(data, lang)
    year = data.start.year
    chart_labels = _chart_labels(data, lang)
    svg = course_svg(data.course, year=year, target=data.air_target, labels=chart_labels)
    if data.air.valid_days == 0:
        air_lines, levels, primary = [t("report.air_empty", lang)], [], []
    if data.water.evaluated == 0:
        water_lines, sections = [t("report.water_empty", lang)], []
    lead, extra, numbered = _numbered_sections(data, lang)
    base = len(lead)
    return {
        "lang": lang,
        "title": _title(data, lang),
        "h_air": numbered(base, t("report.section.air", lang)),
        "h_water": numbered(base + 1, t("report.section.water", lang)),
        "h_completeness": numbered(base + 2, t("report.section.completeness", lang)),
        "h_chart": numbered(base + 3, t("report.section.chart", lang)),
        "h_levels": t("report.levels", lang),
        "h_primary": t("report.primary", lang),
        "col": {
            k: t(f"report.col.{k}", lang)
            for k in ("level", "category", "days", "section", "class", "deciding", "worse")
        },
        "air_lines": air_lines,
        "levels": levels,
        "primary": primary,
        "water_lines": water_lines,
        "sections": sections,
        "completeness": _completeness_lines(data, lang),
        "svg": svg,
        "generated": f"{t('report.generated', lang)}: {format_cst(data.generated_at)}",
        "course": data.course,
        "target": float(data.air_target),
        "year": year,
        "chart_labels": chart_labels,
        # A period with neither air days nor sections may still hold a following section's
        # figures (seawater points sampled in the period): then the report is shown.
        "empty": data.empty and not extra,
        "empty_line": t(
            "report.empty_period", lang, start=data.start.isoformat(), end=data.end.isoformat()
        ),
        "demo": data.demo,
        "demo_banner": t("report.demo_banner", lang),
        "lead_sections": lead,
        "extra_sections": extra,
        "page_label": t("report.page", lang, page="{page}"),
    }
