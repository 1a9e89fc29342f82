"""``envmon import-lab``: sections by Chinese name, unknown sections quarantined, figures at once,
a file that is not a lab file refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from service.cli import app
from service.store.compute_tables import section_periods
from service.store.tables import quarantine, samples

LAB = """舟山市地表水手工监测结果（SYNTHETIC, written for this test）
断面名称,采样日期,pH(无量纲),溶解氧(mg/L),高锰酸盐指数(mg/L),氨氮(mg/L),总磷(mg/L)
虹桥水库,2026-11-05,7.6,9.1,2.3,0.12,0.021
城北水库,2026-11-05,7.8,8.7,2.9,0.21,0.035
不存在的断面,2026-11-05,7.8,8.7,2.9,0.21,0.035
"""


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENVMON_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ENVMON_DEMO", "false")
    return tmp_path / "data"


def test_lab_file_by_names_lands_under_codes_with_figures(data_dir: Path, tmp_path: Path) -> None:
    lab = tmp_path / "lab.csv"
    lab.write_text(LAB, encoding="utf-8")
    out = CliRunner().invoke(app, ["import-lab", str(lab)])
    assert out.exit_code == 0, out.output
    assert "inserted=10" in out.output and "quarantined=1" in out.output
    assert "unknown section '不存在的断面'" in out.output
    assert "section_periods=4" in out.output  # 2 sections x (month, year), no recompute asked
    engine = create_engine(f"sqlite:///{data_dir / 'envmon.sqlite3'}")
    with engine.connect() as conn:
        stored = {r[0] for r in conn.execute(select(samples.c.section).distinct())}
        reasons = [r[0] for r in conn.execute(select(quarantine.c.reason))]
        periods = {r[0] for r in conn.execute(select(section_periods.c.section).distinct())}
    engine.dispose()
    assert stored == {"WS-330902-01", "WS-330902-02"}  # never under a name
    assert periods == {"WS-330902-01", "WS-330902-02"}
    assert any("不存在的断面" in r for r in reasons)


def test_a_file_that_is_not_a_lab_file_exits_non_zero(data_dir: Path, tmp_path: Path) -> None:
    notlab = tmp_path / "notes.csv"
    notlab.write_text("hello,world\n1,2\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["import-lab", str(notlab)])
    assert out.exit_code == 1
    lines = [line for line in out.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error: notes.csv is not a usable lab file: header: no row")


def test_import_archive_recomputes_what_it_touched(data_dir: Path, tmp_path: Path) -> None:
    """Not on a terminal: no bar, one summary line per step, figures present without a recompute."""
    from tests.conftest import TEST_DATA

    folder = tmp_path / "archive"
    folder.mkdir()
    src = TEST_DATA / "national_archive" / "china_sites_20220101_excerpt_beijing_hour0.csv"
    (folder / "china_sites_20220101.csv").write_bytes(src.read_bytes())
    out = CliRunner().invoke(app, ["import-archive", str(folder)])
    assert out.exit_code == 0, out.output
    lines = out.output.strip().splitlines()
    assert lines[0].startswith("files=1 skipped=0 inserted=36")
    assert lines[1] == "recomputed: station_days=8 district_days=0 section_periods=0"
    assert lines[2].startswith("alerts: ")  # evaluated on the imported figures at once
    assert len(lines) == 3  # no progress bar off a terminal
