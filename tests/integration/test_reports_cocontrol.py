"""The reports carry the assessment section: the statistics, the composite index and what ozone
costs, in Chinese and English, in HTML and in the PDF's text."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine

from service.clock import FixedClock
from service.compute import recompute_all
from service.figures.assessment import area_assessment
from service.reports import build_report, render_html, render_pdf
from service.reports.sections import SECTIONS
from service.store.engine import init_store
from tests.integration.test_compute_recompute import hourly, ingest

CLOCK = FixedClock(dt.datetime(2026, 3, 6, 2, 0, tzinfo=dt.UTC))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = init_store(f"sqlite:///{tmp_path / 'envmon.sqlite3'}")
    ingest(eng, hourly(dt.date(2026, 2, 1), 33, seed=7), "r")
    recompute_all(eng, CLOCK)
    yield eng
    eng.dispose()


def test_month_report_has_the_assessment_tables(engine: Engine) -> None:
    data = build_report(engine, CLOCK, "city", "2026-02")
    figures = area_assessment(engine, CLOCK, "city", "2026-02")
    pm25 = figures.current["statistics"]["PM25"]
    composite = figures.current["statistics"]["composite_index"]
    html = render_html(data, "zh")
    assert "环境空气质量评价（HJ 663）与PM2.5—O3协同控制" in html
    assert "PM2.5 平均浓度（µg/m³）" in html and f"{pm25:.1f}" in html
    assert "综合指数" in html and f"{composite:.2f}" in html
    assert "双超标" in html and "2026-02" in html
    en = render_html(data, "en")
    assert "Air quality assessment (HJ 663) and PM2.5-O3 co-control" in en
    assert "Lost to both" in en and "without ozone" in en
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(data, "zh"))).pages)
    assert "协同控制" in text and "双超标" in text and f"{pm25:.1f}" in text


def test_empty_month_stays_one_line(engine: Engine) -> None:
    data = build_report(engine, CLOCK, "city", "2025-06")
    html = render_html(data, "en")
    assert "nothing to assess for this period" in html and "co-control" not in html
    # The section's own words for a period without a valid day, when a report does show it:
    section = next(s for s in SECTIONS if s.key == "cocontrol")
    figures = section.gather(engine, CLOCK, data)
    assert section.words(figures, data, "en").lines == ["No valid day in this period"]


def test_second_report_in_a_process_keeps_its_chinese(engine: Engine) -> None:
    # Two reports with different characters in one process (a server answering two downloads):
    # each PDF draws with its own font cut, so the Chinese of the second is still there.
    data = build_report(engine, CLOCK, "city", "2026-02")
    render_pdf(data, "en")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(data, "zh"))).pages)
    assert "优良天数比例" in text and "双超标" in text


def test_the_reports_open_with_the_assessment_tables(engine: Engine) -> None:
    """Issue 15: the monthly and yearly reports open with the co-control tables, numbered first,
    and the report's own sections follow, renumbered (HTML and the PDF's text)."""
    for period in ("2026-02", "2026"):
        data = build_report(engine, CLOCK, "city", period)
        html = render_html(data, "zh")
        first = html.index("一、环境空气质量评价（HJ 663）")
        assert first < html.index("二、环境空气质量</h2>") < html.index("三、地表水水质")
        en = render_html(data, "en")
        assert en.index("1. Air quality assessment (HJ 663)") < en.index("2. Ambient air quality")
    pdf = PdfReader(io.BytesIO(render_pdf(data, "en")))
    text = "".join(page.extract_text() or "" for page in pdf.pages).replace("\n", " ")
    assert text.index("1. Air quality assessment") < text.index("2. Ambient air quality")
