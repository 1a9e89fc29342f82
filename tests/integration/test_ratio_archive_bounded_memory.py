"""``envmon ratio`` over a national-year slice under a 1 GB address-space limit (issue 21).

The command runs in a subprocess with ``RLIMIT_AS`` = 1 GiB (the frame path it replaced needed
several times the folder's size and failed in ``concat`` under such a limit) and must give, field by
field, the answer of the frame path computed here without a limit: on the xarray + Dask + flox path
(in the process, and in two worker threads) and on the in-memory core. A file that cannot be read stops
the command with its name, or is listed with ``--skip-bad-files``; it is never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.archive import archive_files
from stations.ratios import excellent_good_ratio
from tests.archive_synth import frame_path_city, write_year

YEAR = 2025
N_STATIONS = 20
LIMIT_BYTES = 1 << 30

pytestmark = pytest.mark.slow

_RUN = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from service.cli import app
sys.argv = ["envmon", *sys.argv[1:]]
app()
"""


@pytest.fixture(scope="module")
def national_slice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("archive")
    return folder, write_year(folder, YEAR, N_STATIONS)


def _ratio(folder: Path, codes: list[str], *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
    args = ["ratio", "--archive", str(folder), "--stations", ",".join(codes), "--year", str(YEAR)]
    return subprocess.run(
        [sys.executable, "-c", _RUN.format(limit=LIMIT_BYTES), *args, "--json", *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize(
    "engine",
    [
        ("--engine", "dask", "--workers", "1"),
        ("--engine", "dask", "--workers", "2"),
        ("--engine", "memory", "--workers", "1"),
    ],
    ids=["dask-in-process", "dask-2-threads", "memory"],
)
def test_a_national_year_slice_within_1_gib_equals_the_frame_path(
    national_slice: tuple[Path, list[str]], engine: tuple[str, ...]
) -> None:
    folder, codes = national_slice
    done = _ratio(folder, codes, *engine)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout)

    paths = archive_files(folder, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    city = frame_path_city(paths, set(codes), YEAR)
    counted = city["aqi"].where(city["ratio_valid"].astype(bool)).to_numpy()
    expected = excellent_good_ratio(counted)
    assert got["files"] == 366  # 365 days and the next January 1
    assert got["stations"] == sorted(codes) and got["stations_missing"] == []
    assert got["valid_days"] == expected.denominator
    assert got["excellent_good_days"] == expected.numerator
    assert got["ratio"] == expected.value
    assert got["calendar_days"] == 365 and got["bad_files"] == []


@pytest.mark.parametrize("engine", ["dask", "memory"])
def test_an_unreadable_file_stops_the_command_with_its_name(
    national_slice: tuple[Path, list[str]], tmp_path: Path, engine: str
) -> None:
    folder, codes = national_slice
    bad_folder = tmp_path / "with_bad"
    bad_folder.mkdir()
    for p in sorted(folder.iterdir())[:3]:
        (bad_folder / p.name).write_bytes(p.read_bytes())
    (bad_folder / "china_sites_20250102.csv").write_bytes(b"\xff\xfe\x00garbage\x00\x81")
    stopped = _ratio(bad_folder, codes[:2], "--engine", engine)
    assert stopped.returncode == 2
    assert "china_sites_20250102.csv" in stopped.stderr and "Traceback" not in stopped.stderr
    assert "--skip-bad-files" in stopped.stderr

    listed = _ratio(bad_folder, codes[:2], "--skip-bad-files", "--engine", engine)
    assert listed.returncode == 0, listed.stderr[-2000:]
    out = json.loads(listed.stdout)
    assert len(out["bad_files"]) == 1 and "china_sites_20250102.csv" in out["bad_files"][0]
    assert out["files"] == 2
