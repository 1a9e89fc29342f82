"""``envmon assess`` on a hand-made archive folder: what a person reads, and the errors it names."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from service.cli import app

TYPES = {"PM2.5": 50, "PM10": 80, "SO2": 10, "NO2": 30, "O3": 100, "CO": 0.8}


def write_days(folder: Path, days: list[str]) -> None:
    """Two stations, every hour of each day at the same values (station B at double PM2.5)."""
    for d in days:
        lines = ["date,hour,type,9001A,9002A"]
        for hour in range(24):
            for typ, v in TYPES.items():
                b = v * 2 if typ == "PM2.5" else v
                lines.append(f"{d},{hour},{typ},{v},{b}")
        (folder / f"china_sites_{d}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_assess_text_and_json(tmp_path: Path) -> None:
    # 2025-03-02..04 complete (hours 1..24 need the next file's hour 0): the city PM2.5 is the mean
    # of 50 and 100 = 75 on each full day; 3 valid days of 324 required -> flagged insufficient.
    write_days(tmp_path, ["20250302", "20250303", "20250304", "20250305"])
    args = ["assess", "--archive", str(tmp_path), "--stations", "9001A,9002A", "--year", "2025"]
    text = CliRunner().invoke(app, args)
    assert text.exit_code == 0, text.output
    assert "PM2.5 年均 µg/m³" in text.stdout and "75.0" in text.stdout
    assert "insufficient" in text.stdout and "综合指数 composite index" in text.stdout
    out = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)
    assert out["annual"]["PM25"] == 75.0
    assert out["annual"]["sufficiency"]["PM25"]["sufficient"] is False
    assert out["annual"]["sufficiency"]["PM25"]["required"] == 324
    assert out["compared_with_last_year"] is None


def test_assess_names_the_bad_option(tmp_path: Path) -> None:
    args = ["assess", "--archive", str(tmp_path), "--stations", "9001A", "--year", "2025"]
    bad = CliRunner().invoke(app, [*args, "--standard", "GB9999"])
    assert bad.exit_code == 2 and "--standard" in bad.output
    none = CliRunner().invoke(
        app, ["assess", "--archive", str(tmp_path), "--stations", " , ", "--year", "2025"]
    )
    assert none.exit_code == 2 and "--stations" in none.output
