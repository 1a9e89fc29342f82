"""The ``envmon`` command as an operator runs it: each user error is one line on stderr with exit
status 2 and no traceback; ``--version`` and plain ``--help`` texts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ENVMON = Path(sys.executable).parent / "envmon"


def run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``envmon ARGS`` in a fresh data folder, with no Tianditu key in its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVMON_")}
    env["ENVMON_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run(
        [str(ENVMON), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def assert_one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0]


def test_serve_on_a_port_out_of_range(tmp_path: Path) -> None:
    done = run(["serve", "--port", "99999"], tmp_path)
    assert_one_line_error(done, "--port", "65535")


def test_report_to_a_missing_folder(tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "report.html"
    done = run(["report", "--district", "city", "--month", "2026-01", "--out", str(out)], tmp_path)
    assert_one_line_error(done, "--out", str(out.parent), "does not exist")
    assert not out.parent.exists()


def test_render_maps_with_tianditu_and_no_key(tmp_path: Path) -> None:
    done = run(["render-maps", str(tmp_path / "maps"), "--basemap", "tianditu"], tmp_path)
    assert_one_line_error(done, "Tianditu", "ENVMON_TIANDITU_KEY")
    assert not (tmp_path / "maps").exists()


def test_ratio_over_an_archive_folder_with_a_stray_file(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "notes.csv").write_text("hello,world\n1,2\n", encoding="utf-8")
    done = run(
        ["ratio", "--archive", str(archive), "--stations", "1258A", "--year", "2026"], tmp_path
    )
    assert_one_line_error(done, "notes.csv", "--skip-bad-files")


def test_assess_over_an_archive_folder_with_a_stray_file(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "notes.csv").write_text("hello,world\n1,2\n", encoding="utf-8")
    args = ["assess", "--archive", str(archive), "--stations", "1258A", "--year", "2026"]
    done = run([*args, "--workers", "1"], tmp_path)
    assert_one_line_error(done, "envmon assess", "notes.csv", "--skip-bad-files")
    skipped = run([*args, "--workers", "1", "--skip-bad-files", "--json"], tmp_path)
    assert skipped.returncode == 0, skipped.stderr
    assert '"bad_files": ["' in skipped.stdout and "notes.csv" in skipped.stdout


def test_unknown_command(tmp_path: Path) -> None:
    assert_one_line_error(run(["no-such-command"], tmp_path), "no-such-command")


def test_version(tmp_path: Path) -> None:
    done = run(["--version"], tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith("envmon ")
    assert done.stdout.split()[1][0].isdigit()


@pytest.mark.parametrize("command", [[], ["serve"], ["render-maps"], ["report"], ["ratio"]])
def test_help_is_plain_text(command: list[str], tmp_path: Path) -> None:
    done = run([*command, "--help"], tmp_path)
    assert done.returncode == 0
    assert "``" not in done.stdout
    assert ":func:" not in done.stdout


def test_help_lists_the_basemap_choices(tmp_path: Path) -> None:
    done = run(["render-maps", "--help"], tmp_path)
    assert "osm, tianditu, autonavi or offline" in " ".join(done.stdout.split())
