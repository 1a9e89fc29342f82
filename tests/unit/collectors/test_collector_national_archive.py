"""National archive: hour convention evidence, file order, duplicate codes, bad lines, real files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stations.collectors.cnemc_realtime import parse_release
from stations.collectors.national_archive import (
    FLAG_UNMAPPED_NAME,
    iter_archive_files,
    parse_archive_csv,
    parse_file,
)
from tests.unit.collectors.golden import DATA


def test_hour0_is_cnemc_timepoint_0000() -> None:
    """quotsoft 20220101 hour 0 == CNEMC TimePoint 2022-01-01T00:00 (an hour-end label), value by value."""
    archive = parse_file(
        DATA / "national_archive/china_sites_20220101_excerpt_beijing_hour0.csv"
    ).readings
    release = parse_release(
        (DATA / "cnemc_realtime/heqinwill_2022-01-01T00_beijing_rows.csv").read_bytes()
    ).readings
    key = ["station", "time", "pollutant"]
    both = archive.merge(release, on=key, suffixes=("_archive", "_release"))
    assert len(both) == len(archive) == 36  # AQI, PM25, PM25_24h, PM10 where present
    assert (both["value_archive"] == both["value_release"]).all()
    assert set(both["time"]) == {pd.Timestamp("2021-12-31T16:00:00Z")}


def test_iter_archive_files_orders_by_date(tmp_path: Path) -> None:
    for name in (
        "china_sites_20220102.csv",
        "beijing_all_20211231.csv",
        "china_sites_20220101.csv",
        "notes.csv",
        "x.txt",
    ):
        (tmp_path / name).write_text("date,hour,type,1001A\n")
    assert [p.name for p in iter_archive_files(tmp_path)] == [
        "beijing_all_20211231.csv",
        "china_sites_20220101.csv",
        "china_sites_20220102.csv",
        "notes.csv",
    ]


def test_duplicate_codes_bad_lines_and_names() -> None:
    raw = (
        "date,hour,type,1001A,1961A,1961A,东四,天坛\n"
        "20220101,0,PM2.5,10,20,21,30,31\n"
        "20220101,24,PM2.5,1,1,1,1,1\n"
        "2022-1-1,1,PM2.5,1,1,1,1,1\n"
        "20220101,1,PM1,1,1,1,1,1\n"
        "20220101,1,CO,1200,0.5,,,\n"
    ).encode()
    p = parse_archive_csv(raw, registry={"东四": "1003A"})
    fields = sorted(r.field or "" for r in p.rejected)
    assert fields == ["date", "hour", "time", "type", "value"]
    dup = next(r for r in p.rejected if r.field == "time")
    assert "1961A" in dup.reason and dup.line == 2
    unit = next(r for r in p.rejected if r.field == "value")
    assert "µg/m³" in unit.reason and unit.line == 6
    r = p.readings[p.readings["pollutant"] == "PM25"].set_index("station")
    assert r.loc["1961A", "value"] == 20.0  # first kept
    assert r.loc["1003A", "flag"] == ""
    assert r.loc["天坛", "flag"] == FLAG_UNMAPPED_NAME


def test_garbage_never_raises() -> None:
    for raw in (
        b"",
        b"\xff\xfe\x00garbage",
        b"a,b\n1,2\n",
        b"date,hour,type,1001A\n20220101,0,AQI,1,2,3,4\n",
    ):
        p = parse_archive_csv(raw)
        assert p.readings.empty or len(p.readings) >= 0


@pytest.mark.realdata
def test_real_bjmemc_month(validation_dir: Path) -> None:
    files = list(iter_archive_files(validation_dir / "quotsoft_beijing_bjmemc"))
    assert len(files) == 124
    total = 0
    for f in files[:62]:  # January: the all/extra pairs
        p = parse_file(f)
        total += len(p.readings)
        assert all(r.field != "payload" for r in p.rejected)
    assert total > 150_000
