"""Report section: the HJ 663 assessment statistics and what ozone costs (issue 15).

Gathers ``service.figures.assessment.area_assessment`` for the report's district and period once,
and words it as three plain tables: the six statistics and the composite index with limits, days
and 同比/环比; the composite index's sub-indices and shares; the days lost per month.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.figures.assessment import AreaAssessment, area_assessment
from service.i18n import t
from service.reports.sections import SECTIONS, Section, SectionTable
from stations.standards import assessment_tables as AT

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from service.clock import Clock
    from service.figures.report_data import ReportData

_LOST = ("lost_PM25", "lost_O3", "lost_PM25_O3", "lost_other")


def _value(v: float | None, key: str) -> str:
    if v is None:
        return "—"
    if key == "composite_index":
        return f"{v:.2f}"
    return f"{v:.{AT.PUBLISH_DECIMALS[key] + 1}f}"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f} %"


def _change(cmp: dict[str, Any] | None, key: str) -> str:
    if cmp is None:
        return "—"
    c = cmp["statistics"][key]["change_percent"]
    return "—" if c is None else f"{c:+.1f} %"


def _statistic_row(figures: AreaAssessment, key: str, lang: str) -> list[str]:
    """One statistic (or the composite index): value, limit, verdict, days and changes."""
    cur = figures.current
    stats = cur["statistics"]
    if key == "composite_index":
        limit, meets, days = "—", "—", "—"
    else:
        yes, no = t("assessment.yes", lang), t("assessment.no", lang)
        lim = cur["limits"][key]
        limit = f"{lim['limit']:g}"
        meets = "—" if lim["meets"] is None else (yes if lim["meets"] else no)
        s = stats["sufficiency"][key]
        days = f"{s['days']}/{s['required']}" + (
            "" if s["sufficient"] else t("assessment.insufficient", lang)
        )
    return [
        t(f"assessment.stat.{key}", lang),
        _value(stats[key], key),
        limit,
        meets,
        days,
        _change(figures.compared_with_last_year, key),
        _change(figures.compared_with_previous, key),
    ]


def _statistics_table(figures: AreaAssessment, lang: str) -> SectionTable:
    """The six statistics and the composite index with limits, days and 同比/环比."""
    columns = ("statistic", "value", "limit", "meets", "days", "year_on_year", "previous")
    return SectionTable(
        [t(f"assessment.col.{c}", lang) for c in columns],
        [_statistic_row(figures, key, lang) for key in (*AT.STATISTICS, "composite_index")],
    )


def _shares_table(comp: dict[str, Any], lang: str) -> SectionTable:
    """The composite index's sub-indices and their shares."""
    return SectionTable(
        [t("assessment.col.statistic", lang), t("assessment.col.share", lang)],
        [
            [
                t(f"assessment.stat.{k}", lang),
                "—"
                if comp["sub_index"][k] is None
                else f"{comp['sub_index'][k]:.2f} ({_pct(comp['share'][k])})",
            ]
            for k in AT.COMPOSITE_ITEMS
        ],
    )


def _monthly_table(cur: dict[str, Any], lang: str) -> SectionTable:
    """Valid, excellent/good and lost days per month."""
    return SectionTable(
        [t(f"assessment.col.{c}", lang) for c in ("month", "valid", "good", *_LOST)],
        [
            [m["month"], str(m["valid"]), str(m["excellent_good"]), *[str(m[k]) for k in _LOST]]
            for m in cur["monthly"]
        ],
    )


def _summary_lines(cur: dict[str, Any], lang: str) -> list[str]:
    """The ratio with and without ozone, the limits' editions, the ozone season."""
    season = cur["ozone_season"]
    lines = [
        t(
            "assessment.ratio_line",
            lang,
            ratio=_pct(cur["days"]["excellent_good_ratio"]),
            without=_pct(cur["days"]["ratio_without_o3"]),
        ),
        t(
            "assessment.limits_line",
            lang,
            edition=cur["limit_edition"],
            composite=cur["composite"]["edition"],
        ),
    ]
    if season["days"]:
        lines.append(
            t(
                "assessment.season_line",
                lang,
                p90=_value(season["O3_8h_p90"], "O3_8h_p90"),
                exceed=season["O3_8h_exceedance_days"],
                lost=season["lost_to_O3"],
                both=season["lost_to_PM25_O3"],
            )
        )
    return lines


class CoControlSection:
    """The assessment section of every monthly and yearly report."""

    key = "cocontrol"
    #: The monthly and yearly reports open with the assessment tables (issue 15).
    opens = True

    def gather(self, engine: Engine, clock: Clock, data: ReportData) -> AreaAssessment | None:
        """The report's district and period (``None`` if the period cannot be assessed)."""
        try:
            return area_assessment(engine, clock, data.district, data.period)
        except (KeyError, ValueError):
            return None

    def words(self, figures: object, data: ReportData, lang: str) -> Section | None:
        """Three tables in ``lang``; one line when the period has no valid day."""
        if not isinstance(figures, AreaAssessment):
            return None
        cur = figures.current
        heading = t("assessment.heading", lang)
        if cur["days"]["valid"] == 0 and all(cur["statistics"][k] is None for k in AT.STATISTICS):
            return Section(heading, [t("assessment.no_data", lang)])
        tables = [
            _statistics_table(figures, lang),
            _shares_table(cur["composite"], lang),
            _monthly_table(cur, lang),
        ]
        return Section(heading, _summary_lines(cur, lang), tables)


SECTIONS.append(CoControlSection())
