"""Report section: ports and ship-repair yards (issue 16).

For each supervised zone with monitors (of the report's district; imported zones without a district
appear in the city's report), the period's public zone figures (``service.figures.zone_supervision``):
the monitors' NMHC and NO2 means and 95th percentiles, the difference to the city background and
the exceedance hours. Monitor-level figures stay staff-only, as on the zone page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.figures.zone_supervision import (
    SupervisionOptions,
    ZoneSummary,
    monitored_zones,
    zone_summaries,
)
from service.i18n import t
from service.reports.sections import SECTIONS, Section, SectionTable
from service.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from service.clock import Clock
    from service.figures.report_data import ReportData


def _fmt(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


class SupervisionSection:
    """The yards-and-ports section of every report that has a zone with monitors."""

    key = "supervision"
    opens = False

    def gather(self, engine: Engine, clock: Clock, data: ReportData) -> list[ZoneSummary]:
        """One public zone summary per monitored zone of the report's district, over its period."""
        options = SupervisionOptions.from_settings(Settings())
        days = (data.end - data.start).days + 1
        codes = [
            code
            for code, district in monitored_zones(engine)
            if data.district == "city" or district == data.district
        ]
        if not codes:
            return []
        found = zone_summaries(engine, codes, data.end, days, options=options)
        return [found[c] for c in codes if c in found]

    def words(self, figures: object, data: ReportData, lang: str) -> Section | None:
        """A table of the zones in ``lang``; ``None`` when no zone has monitors."""
        if not isinstance(figures, list) or not figures:
            return None
        heading = t("report.supervision.title", lang)
        lines = [t("report.supervision.intro", lang)]
        if any(z.demo for z in figures):
            lines.append(t("zone.summary.demo", lang))
        header = [
            t("report.supervision.zone", lang),
            "NMHC " + t("zone.summary.mean", lang) + " (mg/m³)",
            "NMHC " + t("zone.summary.p95", lang),
            "NO2 " + t("zone.summary.mean", lang) + " (µg/m³)",
            "NO2 " + t("zone.summary.diff", lang),
            t("zone.summary.exceedance_hours", lang),
        ]
        rows = []
        for z in figures:
            stat = {(s.role, s.parameter): s for s in z.statistics}
            nmhc, no2 = stat.get(("monitor", "NMHC")), stat.get(("monitor", "NO2"))
            name = z.name if lang == "zh" or not z.name_en else z.name_en
            rows.append(
                [
                    name,
                    _fmt(nmhc.mean if nmhc else None, 2),
                    _fmt(nmhc.p95 if nmhc else None, 2),
                    _fmt(no2.mean if no2 else None, 1),
                    _fmt(no2.diff_to_background if no2 else None, 1),
                    str(z.exceedance_hours),
                ]
            )
        return Section(heading, lines, [SectionTable(header, rows)])


SECTIONS.append(SupervisionSection())
