"""Monthly and yearly reports per district and for the city, as HTML (Jinja2) and PDF (reportlab).

``build_report(engine, clock, district, period)`` gathers the figures once (``ReportData``);
``render_html`` and ``render_pdf`` lay them out as the bureau publishes them: ratio and target, days by
level, primary pollutants, section classes with deciding items, data completeness, and a chart of the
ratio's course through the year against its target and budget.
"""

from service.figures.report_data import ReportData, build_report, parse_period
from service.reports import cocontrol as _cocontrol  # noqa: F401  (adds its report section)
from service.reports import sea as _sea  # noqa: F401  (adds its report section)
from service.reports import supervision as _supervision  # noqa: F401  (adds its section)
from service.reports.html import render_html
from service.reports.pdf import render_pdf

__all__ = ["ReportData", "build_report", "parse_period", "render_html", "render_pdf"]
