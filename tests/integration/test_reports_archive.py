"""Reports fit to archive: every font embedded (pdffonts), Chinese drawn on a machine without CJK
fonts (pdftoppm under an empty fontconfig), CST times, no negative counts, an empty month in one
line, demo data marked on every page, a chart with dated axes, titles and a legend."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from sqlalchemy import Engine

import geodata
from service.compute import recompute
from service.figures.report_data import ReportData
from service.reports import build_report, render_html, render_pdf
from service.reports.text import context
from service.store.engine import init_store, writing
from service.store.places import seed_places, upsert_places
from service.store.tables import stations
from stations.model import SAMPLE_COLUMNS
from tests.integration.test_compute_recompute import hourly, ingest
from tests.integration.test_reports_render import CLOCK

pytestmark = pytest.mark.skipif(
    shutil.which("pdffonts") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdffonts, pdftoppm) is not installed",
)

EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig></fontconfig>
"""


def _store(path: Path, demo_station: str | None) -> Engine:
    """Two weeks of readings from 2026-02-20 and two water samples (as the rendering tests), the
    registry seeded, and ``demo_station`` (if any) marked demo."""
    eng = init_store(f"sqlite:///{path}")
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
    with writing(eng) as conn:
        seed_places(conn, CLOCK.now(), include_demo=False)
        if demo_station is not None:
            frame = geodata.load_stations(include_demo=False)
            frame = frame[frame["code"] == demo_station].copy()
            frame["demo"] = True
            upsert_places(conn, stations, frame, CLOCK.now())
    return eng


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The store with station 1258A marked demo."""
    eng = _store(tmp_path_factory.mktemp("archive") / "envmon.sqlite3", "1258A")
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def feb(engine: Engine) -> ReportData:
    return build_report(engine, CLOCK, "330902", "2026-02")


def _pdffonts(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[1].startswith("----")
    return [line.split() for line in lines[2:]]


def test_pdffonts_lists_every_font_embedded(feb: ReportData, tmp_path: Path) -> None:
    rows = _pdffonts(render_pdf(feb), tmp_path)
    names = [r[0] for r in rows]
    # Text and headings, nothing else (no base-14 Helvetica); reportlab writes a font with more
    # than 256 distinct characters as several subsets (AAAAAA+, AAAAAB+, ...).
    assert len(rows) >= 2, names
    for row in rows:
        # name type encoding emb sub uni id gen: emb and sub are "yes" for every font
        assert row[-5:-3] == ["yes", "yes"], row
    assert {re.sub(r"^[A-Z]{6}\+", "", n) for n in names} == {
        "NotoSansSC-Regular",
        "NotoSansSC-Bold",
    }


def _ink(png: Path, box: tuple[float, float, float, float]) -> float:
    """Share of dark pixels in ``box`` (fractions of the page: left, top, right, bottom)."""
    image = Image.open(png).convert("L")
    w, h = image.size
    crop = image.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)))
    return float((np.asarray(crop) < 128).mean())


def test_page_one_draws_chinese_without_system_cjk_fonts(feb: ReportData, tmp_path: Path) -> None:
    """poppler with an empty fontconfig (no system font at all) still draws the title's glyphs:
    they come from the PDF. The title band (centred, 16 pt, below the demo banner) has ink."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(EMPTY_FONTCONFIG, encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(feb))
    env = {"FONTCONFIG_FILE": str(conf), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    subprocess.run(
        ["pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")],
        check=True,
        env=env,
        capture_output=True,
    )
    [png] = sorted(tmp_path.glob("p-*.png"))
    # A4 at 72 dpi: 595 x 842 pt. The title sits about 22-32 mm from the top, centred.
    title = _ink(png, (0.3, 0.07, 0.7, 0.12))
    margin = _ink(png, (0.02, 0.30, 0.08, 0.60))  # the left margin: blank paper
    assert title > 0.05, title
    assert margin == 0.0
    # The same machine draws nothing for a font the viewer must supply (what reports used to do).
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    old = Canvas(str(tmp_path / "old.pdf"), pagesize=A4)
    old.setFont("STSong-Light", 16)
    old.drawCentredString(A4[0] / 2, A4[1] - 75, "定海区2026年2月环境质量月报")
    old.save()
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", str(tmp_path / "old.pdf"), str(tmp_path / "old")],
        check=True,
        env=env,
        capture_output=True,
    )
    assert _ink(tmp_path / "old-1.png", (0.3, 0.07, 0.7, 0.12)) < 0.001
    # Chinese characters are what is drawn there: pypdf reads the title back from the page.
    from pypdf import PdfReader

    first = PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text()
    assert "定海区2026年2月环境质量月报" in first


def test_generated_time_is_cst_in_one_format(feb: ReportData) -> None:
    html = render_html(feb)
    assert "生成时间: 2026-03-06 10:00 CST" in html  # CLOCK is 02:00 UTC
    assert "2026-03-06T02:00" not in html and "+00:00" not in html
    assert "Generated: 2026-03-06 10:00 CST" in render_html(feb, "en")


def _no_negative_count(lines: list[str]) -> None:
    for line in lines:
        assert not re.search(r"(?<![\d\w])-\d", line), line


def test_missed_targets_are_said_as_missed_by_never_as_negative_counts(feb: ReportData) -> None:
    air_missed = dataclasses.replace(feb.budget, budget=-3, budget_if_invalid=-5)
    water_missed = dataclasses.replace(feb.water_budget, budget=-2)
    data = dataclasses.replace(feb, budget=air_missed, water_budget=water_missed)
    zh, en = context(data, "zh"), context(data, "en")
    assert "全年目标已落空：即使余下各天均为优良，仍差3天。" in zh["air_lines"]
    assert "The year's target is already missed by 3 day(s)" in " ".join(en["air_lines"])
    assert "Ⅰ～Ⅲ类断面比例目标已落空：还差2个断面。" in zh["water_lines"]
    assert "The Class I-III target is already missed by 2 section(s)." in en["water_lines"]
    # Still within the target, but not if the expected invalid days leave the denominator.
    invalid_missed = dataclasses.replace(feb.budget, budget=4, budget_if_invalid=-1)
    if feb.budget.expected_invalid:
        zh = context(dataclasses.replace(feb, budget=invalid_missed), "zh")
        assert any("目标将落空1天" in line for line in zh["air_lines"])
    for ctx in (zh, en, context(data, "zh")):
        _no_negative_count(ctx["air_lines"] + ctx["water_lines"])
    svg = context(data, "en")["svg"]
    assert "Budget left (days): -" not in svg


def test_a_month_without_data_says_so_in_one_line(engine: Engine, tmp_path: Path) -> None:
    data = build_report(engine, CLOCK, "city", "2026-01")  # the store starts on 2026-02-20
    assert data.empty
    html = render_html(data)
    assert html.count("2026-01-01至2026-01-31期间无监测数据，本期不作评价。") == 1
    assert "<table" not in html and "-1" not in html
    from pypdf import PdfReader

    pdf = render_pdf(data)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "期间无监测数据" in text and "优良天数比例为" not in text


def test_demo_data_are_marked_on_every_page(feb: ReportData, tmp_path: Path) -> None:
    from pypdf import PdfReader

    assert feb.demo  # 1258A contributes and the registry marks it demo
    reader = PdfReader(io.BytesIO(render_pdf(feb)))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert "演示数据 · 非真实监测结果" in page.extract_text()
    assert 'class="demo"' in render_html(feb)
    en = PdfReader(io.BytesIO(render_pdf(feb, "en")))
    assert all("DEMO DATA" in page.extract_text() for page in en.pages)


def test_live_data_carry_no_demo_banner(tmp_path: Path) -> None:
    live = _store(tmp_path / "live.sqlite3", None)  # no demo place, no demo feed
    try:
        data = build_report(live, CLOCK, "330902", "2026-02")
    finally:
        live.dispose()
    assert not data.demo
    assert 'class="demo"' not in render_html(data)


def test_chart_has_dated_axes_titles_and_a_legend(feb: ReportData) -> None:
    svg = context(feb, "zh")["svg"]
    for month in range(1, 13):
        assert f">{month:02d}-01</text>" in svg
    assert "日期（2026年）" in svg and "比例（%）" in svg and ">天</text>" in svg
    assert "2026年优良天数比例累计变化（截至2026-02-28）" in svg
    # Legend: a sample line and the name of each series.
    assert "累计优良天数比例" in svg and "目标 97.0%" in svg and "剩余余量（天）" in svg
    en = context(feb, "en")["svg"]
    assert "Date (2026)" in en and "Cumulative ratio" in en


def test_reports_one_after_another_and_at_once_keep_their_own_glyphs(feb: ReportData) -> None:
    """reportlab maps a face name to the first font registered with it: an English report's cut
    must never stand in for a Chinese one's, in turn or in parallel threads."""
    from concurrent.futures import ThreadPoolExecutor

    from pypdf import PdfReader

    def first_page(lang: str) -> str:
        return PdfReader(io.BytesIO(render_pdf(feb, lang))).pages[0].extract_text()

    assert "Dinghai District" in first_page("en")
    assert "定海区2026年2月环境质量月报" in first_page("zh")
    with ThreadPoolExecutor(max_workers=2) as pool:
        en, zh = pool.map(first_page, ["en", "zh"])
    assert "Dinghai District" in en and "定海区2026年2月环境质量月报" in zh
    assert "\x00" not in zh
