"""Every parser on recorded real payloads (and labelled synthetic lab files), against expected output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from stations.collectors.cnemc_realtime import parse_release
from stations.collectors.lab_files import parse_lab_file
from stations.collectors.national_archive import parse_archive_csv
from stations.collectors.openaq import parse_measurements, parse_openaq
from stations.collectors.water_auto import parse_water_auto
from stations.model import Parsed
from tests.unit.collectors.golden import DATA, check_golden

SECTIONS = {"虹桥水库": "ZS-W01", "城北水库": "ZS-W02", "芦东水库": "ZS-W03"}
BEIJING = {
    "东四": "1003A",
    "天坛": "1004A",
    "官园": "1006A",
    "万寿西宫": "1001A",
    "奥体中心": "1011A",
}

CASES: list[tuple[str, Callable[[bytes], Parsed]]] = [
    ("national_archive/china_sites_20220101_excerpt_beijing_hour0.csv", parse_archive_csv),
    (
        "national_archive/beijing_extra_20150101_head16.csv",
        lambda raw: parse_archive_csv(raw, registry=BEIJING),
    ),
    ("cnemc_realtime/heqinwill_2022-01-01T00_beijing_rows.csv", parse_release),
    ("cnemc_realtime/geoinsights_201707071644_first3.xml", parse_release),
    ("cnemc_realtime/geoinsights_2017-07-07-16_first3_plus_missing.geojson", parse_release),
    ("openaq/hours_del_norte.json", lambda raw: parse_measurements(raw, station="openaq-2178")),
    ("openaq/raw_measurements_limit5.json", parse_openaq),
    ("openaq/location_latest_1.json", parse_openaq),
    ("water_auto/cnemc_surface_water_head20.csv", lambda raw: parse_water_auto(raw, year=2026)),
    ("lab_files/synthetic_monthly_cn.csv", lambda raw: parse_lab_file(raw, sections=SECTIONS)),
    ("lab_files/synthetic_monthly_en.xlsx", lambda raw: parse_lab_file(raw, sections=SECTIONS)),
]


@pytest.mark.parametrize(("case", "parse"), CASES, ids=[c for c, _ in CASES])
def test_golden(case: str, parse: Callable[[bytes], Parsed]) -> None:
    path: Path = DATA / case
    check_golden(path, parse(path.read_bytes()))
