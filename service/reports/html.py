"""HTML report from a Jinja2 template (autoescaped; the chart SVG is built from numbers and escaped
labels, so it is marked safe)."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from service.figures.report_data import ReportData
from service.reports.text import context


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("service.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(data: ReportData, lang: str | None = None) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG)."""
    return _env().get_template("report.html.j2").render(**context(data, lang))
