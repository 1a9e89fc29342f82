"""Monthly and yearly reports: HTML and PDF produced from a real store, PDF text extractable."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from service.cli import app as cli_app
from service.clock import FixedClock
from service.compute import recompute
from service.reports import build_report, parse_period, render_html, render_pdf
from service.store.engine import init_store
from stations.model import SAMPLE_COLUMNS
from tests.integration.test_compute_recompute import hourly, ingest

CLOCK = FixedClock(dt.datetime(2026, 3, 6, 2, 0, tzinfo=dt.UTC))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = init_store(f"sqlite:///{tmp_path / 'envmon.sqlite3'}")
    ingest(eng, hourly(dt.date(2026, 2, 20), 14, seed=5), "r")
    t = pd.Timestamp("2026-02-10 09:00", tz="Asia/Shanghai").tz_convert("UTC")
    water = pd.DataFrame(
        [
            ("WS-330902-05", t, "TP", 0.35, np.nan, False, "manual"),
            ("WS-330902-01", t, "NH3N", 0.4, np.nan, False, "manual"),
        ],
        columns=list(SAMPLE_COLUMNS),
    )
    water["time"] = pd.to_datetime(water["time"], utc=True)
    ingest(eng, water, "w", samples=True)
    recompute(eng, CLOCK)
    yield eng
    eng.dispose()


def test_parse_period() -> None:
    assert parse_period("2026-02") == ("month", dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert parse_period("2028") == ("year", dt.date(2028, 1, 1), dt.date(2028, 12, 31))
    for bad in ("2026-13", "26", "2026-2"):
        with pytest.raises(ValueError):
            parse_period(bad)


def test_monthly_html(engine: Engine) -> None:
    data = build_report(engine, CLOCK, "330902", "2026-02")
    assert data.complete and data.end == dt.date(2026, 2, 28)
    assert data.air.valid_days + len(data.air.left_out) == 28
    html = render_html(data)
    assert "定海区2026年2月环境质量月报" in html
    assert "优良天数比例" in html and "<svg" in html and 'class="target"' in html
    assert "城关河" in html and "Ⅴ类" in html and "TP" in html
    assert "1258A" in html and "HJ633-2012" in html
    en = render_html(data, "en")
    assert "Dinghai District environmental quality, 2026-02" in en and "Chengguan River" in en


def test_yearly_running_report_spans_the_standard_change(engine: Engine) -> None:
    data = build_report(engine, CLOCK, "city", "2026")
    assert not data.complete and data.end == dt.date(2026, 3, 5)
    assert data.air.spans_standard_change
    assert len(data.course) == 64 and data.course["budget"].iloc[-1] == data.budget.budget
    html = render_html(data)
    assert "舟山市2026年环境质量年报" in html and "（统计至2026-03-05）" in html
    assert "HJ 633-2026" in html


def test_pdf_contains_the_text(engine: Engine) -> None:
    from pypdf import PdfReader

    data = build_report(engine, CLOCK, "330902", "2026-02")
    pdf = render_pdf(data)
    assert pdf.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "1258A" in text and "HJ633-2012" in text
    assert "优良天数比例" in text and "城关河" in text
    en = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(data, "en"))).pages)
    assert "Dinghai District" in en and "Excellent" in en


def test_bad_requests(engine: Engine) -> None:
    with pytest.raises(ValueError):
        build_report(engine, CLOCK, "999999", "2026-02")
    with pytest.raises(ValueError):
        build_report(engine, CLOCK, "city", "2026-04")  # not started yet


def test_report_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVMON_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ENVMON_ENVIRONMENT", "test")
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(
        cli_app,
        ["report", "--district", "city", "--year", "2025", "--format", "pdf", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    html = tmp_path / "r.html"
    result = CliRunner().invoke(
        cli_app,
        [
            "report",
            "--district",
            "330903",
            "--month",
            "2025-06",
            "--format",
            "html",
            "--out",
            str(html),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "普陀区2025年6月环境质量月报" in html.read_text(encoding="utf-8")
    bad = CliRunner().invoke(
        cli_app, ["report", "--district", "city", "--format", "pdf", "--out", str(out)]
    )
    assert bad.exit_code != 0
    rc = CliRunner().invoke(cli_app, ["recompute", "--full"])
    assert rc.exit_code == 0 and "station days 0" in rc.stdout
