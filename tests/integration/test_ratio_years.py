"""``envmon ratio --year A --to-year B``: one pass over the files gives, year by year, the ratio a
run of that year alone gives (the files' count aside: it is the run's), on both engines."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from service.cli import app
from tests.archive_synth import station_codes, write_day


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """December 2023 .. January 2025 of 4 stations (the turns of both years inside)."""
    folder = tmp_path_factory.mktemp("years")
    codes = station_codes(4)
    rng = np.random.default_rng(21)
    day = dt.date(2023, 12, 20)
    while day <= dt.date(2025, 1, 10):
        write_day(folder / f"china_sites_{day:%Y%m%d}.csv", day, codes, rng)
        day += dt.timedelta(days=1)
    return folder, ",".join(codes)


def _run(folder: Path, codes: str, *args: str) -> object:
    result = CliRunner().invoke(
        app, ["ratio", "--archive", str(folder), "--stations", codes, "--json", *args]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _without_files(got: object) -> dict[str, object]:
    assert isinstance(got, dict)
    return {k: v for k, v in got.items() if k != "files"}


@pytest.mark.parametrize("engine", ["dask", "memory"])
def test_a_run_of_years_equals_each_year_alone(two_years: tuple[Path, str], engine: str) -> None:
    folder, codes = two_years
    both = _run(folder, codes, "--year", "2023", "--to-year", "2025", "--engine", engine)
    assert isinstance(both, list) and [y["year"] for y in both] == [2023, 2024, 2025]
    for got in both:
        alone = _run(folder, codes, "--year", str(got["year"]), "--engine", engine)
        assert _without_files(got) == _without_files(alone)
    assert both[1]["valid_days"] > 300 and both[0]["valid_days"] >= 11


def test_text_output_has_one_block_per_year(two_years: tuple[Path, str]) -> None:
    folder, codes = two_years
    result = CliRunner().invoke(
        app,
        ["ratio", "--archive", str(folder), "--stations", codes, "--year", "2024"]
        + ["--to-year", "2025"],
    )
    assert result.exit_code == 0, result.output
    assert "2024 优良天数比例" in result.stdout and "2025 优良天数比例" in result.stdout
    assert result.stdout.count("hour convention") == 1


def test_to_year_before_year_is_refused(two_years: tuple[Path, str]) -> None:
    folder, codes = two_years
    result = CliRunner().invoke(
        app,
        ["ratio", "--archive", str(folder), "--stations", codes, "--year", "2025"]
        + ["--to-year", "2024"],
    )
    assert result.exit_code == 2 and "--to-year" in result.output
