"""``envmon archive to-zarr`` and ``envmon ratio`` / ``envmon assess`` over a folder, with either
engine, and over the Zarr store: the same JSON, field by field (issue 21). A file that cannot be read
stops each command with its name (exit 2) or, with ``--skip-bad-files``, is listed in the output and
in the store, never dropped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.archive_synth import write_year

ENVMON = Path(sys.executable).parent / "envmon"
YEAR = 2025
pytestmark = pytest.mark.slow


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVMON_")}
    return subprocess.run(
        [str(ENVMON), *args], capture_output=True, text=True, env=env, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("archive")
    return folder, write_year(folder, YEAR, 8)


def _json(done: subprocess.CompletedProcess[str]) -> dict:
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_ratio_and_assess_from_a_zarr_store_equal_the_folder_with_either_engine(
    archive: tuple[Path, list[str]], tmp_path: Path
) -> None:
    folder, codes = archive
    store = tmp_path / "hourly.zarr"
    wrote = _json(run("archive", "to-zarr", str(folder), str(store), "--json", "--workers", "2"))
    assert wrote["stations"] == 8 and wrote["files"] == 366 and wrote["bad_files"] == []
    assert (wrote["first_day"], wrote["last_day"]) == (f"{YEAR - 1}-12-31", f"{YEAR + 1}-01-01")
    assert not (tmp_path / "hourly.zarr.partial").exists()

    asked = ["--stations", ",".join(codes[2:7]), "--year", str(YEAR), "--json"]
    ratios = [
        _json(run("ratio", "--archive", str(folder), *asked, "--engine", "dask")),
        _json(run("ratio", "--archive", str(folder), *asked, "--engine", "memory")),
        _json(run("ratio", "--archive", str(store), *asked, "--workers", "2")),
    ]
    assert ratios[0]["valid_days"] == 365 and ratios[0]["files"] == 366
    assert ratios[0]["stations"] == codes[2:7]
    assert ratios[1] == ratios[0] and ratios[2] == ratios[0]

    assessed = [
        _json(run("assess", "--archive", str(folder), *asked, "--engine", "dask")),
        _json(run("assess", "--archive", str(folder), *asked, "--engine", "memory")),
        _json(run("assess", "--archive", str(store), *asked)),
    ]
    assert assessed[0]["annual"]["PM25"] is not None
    assert assessed[1] == assessed[0] and assessed[2] == assessed[0]


def test_an_unreadable_file_stops_to_zarr_or_is_listed_in_the_store(
    archive: tuple[Path, list[str]], tmp_path: Path
) -> None:
    folder, codes = archive
    bad_folder = tmp_path / "with_bad"
    bad_folder.mkdir()
    for p in sorted(folder.iterdir())[:4]:
        shutil.copy(p, bad_folder / p.name)
    (bad_folder / f"china_sites_{YEAR}0102.csv").write_bytes(b"\xff\xfe\x00garbage\x00\x81")
    store = tmp_path / "bad.zarr"

    stopped = run("archive", "to-zarr", str(bad_folder), str(store))
    assert stopped.returncode == 2
    assert f"china_sites_{YEAR}0102.csv" in stopped.stderr and "Traceback" not in stopped.stderr
    assert "--skip-bad-files" in stopped.stderr
    assert not store.exists() and not (tmp_path / "bad.zarr.partial").exists()

    listed = _json(
        run("archive", "to-zarr", str(bad_folder), str(store), "--skip-bad-files", "--json")
    )
    assert listed["files"] == 3 and len(listed["bad_files"]) == 1
    assert f"china_sites_{YEAR}0102.csv" in listed["bad_files"][0]

    asked = ["--stations", ",".join(codes[:2]), "--year", str(YEAR), "--json"]
    from_store = _json(run("ratio", "--archive", str(store), *asked))
    assert from_store["files"] == 3
    assert len(from_store["bad_files"]) == 1
    assert f"china_sites_{YEAR}0102.csv" in from_store["bad_files"][0]
    from_folder = _json(run("ratio", "--archive", str(bad_folder), *asked, "--skip-bad-files"))
    assert from_folder["valid_days"] == from_store["valid_days"]
    assert from_folder["excellent_good_days"] == from_store["excellent_good_days"]
    assert from_folder["files"] == 3 and len(from_folder["bad_files"]) == 1


def test_a_value_float32_cannot_hold_runs_in_float64_with_the_same_answer(
    tmp_path: Path,
) -> None:
    """The archive's values are integers, CO to 0.001: float32 gives them back exactly. A file
    converted from elsewhere with more decimals (PM2.5 40.125 and 40.0001 here) makes the graph
    run in float64, and the answer is still the in-memory core's; to-zarr writes a float64 store."""
    folder = tmp_path / "archive"
    folder.mkdir()
    types = ("PM2.5", "PM10", "SO2", "NO2", "O3", "CO")
    for day in (4, 5, 6):
        rows = ["date,hour,type,1001A,1002A"]
        for h in range(24):
            for t in types:
                a, b = ("40.0001", "40.125") if t == "PM2.5" else ("0.5", "0.625")
                rows.append(f"{YEAR}01{day:02d},{h},{t},{a},{b}")
        (folder / f"china_sites_{YEAR}01{day:02d}.csv").write_text(
            "\n".join(rows) + "\n", encoding="utf-8"
        )
    asked = ["--stations", "1001A,1002A", "--year", str(YEAR), "--json"]
    dask_path = _json(run("ratio", "--archive", str(folder), *asked, "--engine", "dask"))
    memory = _json(run("ratio", "--archive", str(folder), *asked, "--engine", "memory"))
    assert dask_path == memory and dask_path["valid_days"] == 3  # January 4, 5, 6 (23 hours)
    store = tmp_path / "hourly.zarr"
    wrote = _json(run("archive", "to-zarr", str(folder), str(store), "--json"))
    assert wrote["dtype"] == "float64"
    assert _json(run("assess", "--archive", str(store), *asked)) == _json(
        run("assess", "--archive", str(folder), *asked, "--engine", "memory")
    )
