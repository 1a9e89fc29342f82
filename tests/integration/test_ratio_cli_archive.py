"""``envmon ratio`` on real archive files from ../shared/validation (SOURCES.md §3, §4).

Published figure for the same data: the Ministry's monthly release for July 2015 puts Beijing among the
Jing-Jin-Ji cities whose 达标天数比例 was under 50 % (74-city release of 2015-08-17). The BJMEMC files
here carry the 12 national stations under their municipal names; the Ministry used the national
network, so only that bound is compared. No published daily or monthly count for January 2015 was
found (SOURCES.md §8).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app

# The 12 national (国控) Beijing stations under their BJMEMC names (SOURCES.md §1 table).
NATIONAL_12 = "东四,天坛,官园,万寿西宫,奥体中心,农展馆,万柳,顺义,昌平,怀柔,定陵,古城"

pytestmark = pytest.mark.realdata


def run(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, ["ratio", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def check_counts(out: dict[str, object]) -> None:
    levels = out["days_by_level"]
    assert isinstance(levels, dict) and sorted(levels) == ["1", "2", "3", "4", "5", "6"]
    assert sum(levels.values()) == out["valid_days"]
    assert out["excellent_good_days"] == levels["1"] + levels["2"]
    assert out["excellent_days"] == levels["1"]
    if out["valid_days"]:
        assert out["ratio"] == pytest.approx(out["excellent_good_days"] / out["valid_days"])
    else:
        assert out["ratio"] is None


def test_bjmemc_year_2015(validation_dir: Path) -> None:
    out = run(
        "--archive",
        str(validation_dir / "quotsoft_beijing_bjmemc"),
        "--stations",
        NATIONAL_12,
        "--year",
        "2015",
    )
    check_counts(out)
    assert out["stations_missing"] == [] and len(out["stations"]) == 12
    assert 0 < out["valid_days"] <= 62  # January and July only
    assert out["standards"] == ["HJ633-2012"]


def test_bjmemc_july_2015_under_published_bound(validation_dir: Path, tmp_path: Path) -> None:
    for f in (validation_dir / "quotsoft_beijing_bjmemc").glob("*201507*.csv"):
        (tmp_path / f.name).symlink_to(f)
    out = run("--archive", str(tmp_path), "--stations", NATIONAL_12, "--year", "2015")
    check_counts(out)
    assert out["valid_days"] >= 25
    assert (
        out["ratio"] is not None and out["ratio"] < 0.5
    )  # published: Beijing under 50 % in July 2015


def test_forced_standard_is_stricter(validation_dir: Path, tmp_path: Path) -> None:
    for f in (validation_dir / "quotsoft_beijing_bjmemc").glob("*201501*.csv"):
        (tmp_path / f.name).symlink_to(f)
    old = run("--archive", str(tmp_path), "--stations", NATIONAL_12, "--year", "2015")
    new = run(
        "--archive",
        str(tmp_path),
        "--stations",
        NATIONAL_12,
        "--year",
        "2015",
        "--standard",
        "HJ633-2026",
    )
    check_counts(new)
    assert new["standards"] == ["HJ633-2026"]
    assert new["excellent_good_days"] <= old["excellent_good_days"]


def test_national_excerpt_runs(validation_dir: Path) -> None:
    # one hour of four types only: no day is valid, and the ratio is undefined, never 0 %
    out = run(
        "--archive",
        str(validation_dir / "quotsoft_national"),
        "--stations",
        "1001A,1003A,9999A",
        "--year",
        "2022",
    )
    check_counts(out)
    assert out["valid_days"] == 0 and out["ratio"] is None
    assert out["stations_missing"] == ["9999A"]


def test_text_output_names_the_hour_convention(validation_dir: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "ratio",
            "--archive",
            str(validation_dir / "quotsoft_national"),
            "--stations",
            "1001A",
            "--year",
            "2022",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "hour convention" in result.stdout and "优良天数比例" in result.stdout


def test_bad_standard_is_refused(validation_dir: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "ratio",
            "--archive",
            str(validation_dir / "quotsoft_national"),
            "--stations",
            "1001A",
            "--year",
            "2022",
            "--standard",
            "HJ999",
        ],
    )
    assert result.exit_code != 0
