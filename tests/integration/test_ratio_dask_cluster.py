"""``envmon ratio`` through ``ENVMON_DASK_SCHEDULER``: the same graph on a real ``dask.distributed``
cluster (a small ``LocalCluster`` started in this test process, reached over TCP) gives the in-memory
core's answer, field by field; a file that cannot be read still stops the command with its name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.archive_synth import write_year

ENVMON = Path(sys.executable).parent / "envmon"
YEAR = 2025
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as local:
        yield local.scheduler_address


def run(*args: str, scheduler: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVMON_")}
    if scheduler is not None:
        env["ENVMON_DASK_SCHEDULER"] = scheduler
    return subprocess.run(
        [str(ENVMON), *args], capture_output=True, text=True, env=env, timeout=600, check=False
    )


def test_ratio_on_a_cluster_equals_the_in_memory_core(cluster: str, tmp_path: Path) -> None:
    assert cluster.startswith("tcp://127.0.0.1:")
    codes = write_year(tmp_path / "archive", YEAR, 6)
    asked = ["--archive", str(tmp_path / "archive"), "--stations", ",".join(codes)]
    asked += ["--year", str(YEAR), "--json"]
    on_cluster = run("ratio", *asked, scheduler=cluster)
    assert on_cluster.returncode == 0, on_cluster.stderr[-2000:]
    memory = run("ratio", *asked, "--engine", "memory", scheduler=None)
    assert memory.returncode == 0, memory.stderr[-2000:]
    got, expected = json.loads(on_cluster.stdout), json.loads(memory.stdout)
    assert got["files"] == 366 and got["valid_days"] == 365
    assert got == expected


def test_an_unreadable_file_on_a_cluster_stops_the_command_with_its_name(
    cluster: str, tmp_path: Path
) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / f"china_sites_{YEAR}0301.csv").write_text(
        f"date,hour,type,1001A\n{YEAR}0301,1,PM2.5,30\n", encoding="utf-8"
    )
    (folder / f"china_sites_{YEAR}0302.csv").write_bytes(b"\xff\xfe\x00garbage\x00\x81")
    asked = ["--archive", str(folder), "--stations", "1001A", "--year", str(YEAR), "--json"]
    stopped = run("ratio", *asked, scheduler=cluster)
    assert stopped.returncode == 2
    assert f"china_sites_{YEAR}0302.csv" in stopped.stderr and "Traceback" not in stopped.stderr
    listed = run("ratio", *asked, "--skip-bad-files", scheduler=cluster)
    assert listed.returncode == 0, listed.stderr[-2000:]
    out = json.loads(listed.stdout)
    assert out["files"] == 1 and len(out["bad_files"]) == 1
    assert f"china_sites_{YEAR}0302.csv" in out["bad_files"][0]


def test_a_scheduler_that_is_not_an_address_is_refused_naming_the_setting(
    tmp_path: Path,
) -> None:
    done = run(
        "ratio",
        "--archive",
        str(tmp_path),
        "--stations",
        "1001A",
        "--year",
        str(YEAR),
        scheduler="localhost:8786",
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "ENVMON_DASK_SCHEDULER" in done.stderr and "tcp://host:port" in done.stderr
