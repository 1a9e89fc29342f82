"""Sections named by code, name or alias in lab and automatic-station files; the year of MM-DD rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from stations.collectors.base import ParseContext
from stations.collectors.lab_files import LabFilesCollector
from stations.collectors.water_auto import WaterAutoCollector, reference_time
from stations.names import RegistryEntry, build_name_index, name_key

CST = dt.timezone(dt.timedelta(hours=8))

INDEX = build_name_index(
    [
        RegistryEntry("WS-330902-01", "虹桥水库", "Hongqiao Reservoir", ("虹桥水库坝前",)),
        RegistryEntry("WS-330902-02", "城北水库", "Chengbei Reservoir"),
        RegistryEntry("S-A", "广北滨河路（桥）", None, ("同名",)),
        RegistryEntry("S-B", "沙窝", None, ("同名",)),
    ]
)

LAB = """断面名称,采样日期,pH(无量纲),溶解氧(mg/L),氨氮(mg/L)
虹桥水库,2026-11-05,7.6,9.1,0.12
hongqiao reservoir,2026-11-06,7.6,9.1,0.12
虹桥水库坝前,2026-11-07,7.6,9.1,0.12
WS-330902-02,2026-11-05,7.8,8.7,0.21
不存在的断面,2026-11-05,7.8,8.7,0.21
同名,2026-11-05,7.8,8.7,0.21
""".encode()


def test_name_key_folds_width_space_and_case() -> None:
    assert name_key(" 广北滨河路（桥） ") == name_key("广北滨河路(桥)")
    assert name_key("Hongqiao  Reservoir") == "hongqiaoreservoir"


def test_index_resolves_code_name_english_alias_and_refuses_ambiguous() -> None:
    assert INDEX["虹桥水库"] == "WS-330902-01"
    assert INDEX["HONGQIAO RESERVOIR"] == "WS-330902-01"
    assert INDEX["虹桥水库坝前"] == "WS-330902-01"
    assert INDEX["ws-330902-02"] == "WS-330902-02"
    assert INDEX["广北滨河路(桥)"] == "S-A"
    code, why = INDEX.resolve("同名")
    assert code is None and why is not None and "S-A, S-B" in why
    code, why = INDEX.resolve("不存在")
    assert code is None and why is not None and "unknown section '不存在'" in why


def test_code_wins_over_a_name_equal_to_it() -> None:
    index = build_name_index([RegistryEntry("A1", "B1"), RegistryEntry("B1", "其他")])
    assert index["B1"] == "B1"


def test_lab_file_rows_go_under_codes_and_unknown_names_are_quarantined() -> None:
    parsed = LabFilesCollector().parse_with(LAB, ParseContext(sections=INDEX))
    assert set(parsed.samples["section"]) == {"WS-330902-01", "WS-330902-02"}
    # three spellings of 虹桥水库, three items each
    assert (parsed.samples["section"] == "WS-330902-01").sum() == 9
    reasons = sorted(r.reason for r in parsed.rejected if r.field == "section")
    assert len(reasons) == 2
    assert "unknown section '不存在的断面'" in reasons[1]
    assert "ambiguous" in reasons[0] and "S-A, S-B" in reasons[0]
    assert {r.line for r in parsed.rejected if r.field == "section"} == {6, 7}


WATER = """省份,流域,断面名称,监测时间,水质类别,水温(℃),pH(无量纲),溶解氧(mg/L)
北京市,海河流域,沙窝,12-31 20:00,2,9.9,7.76,10.59
北京市,海河流域,沙窝,01-01 00:00,2,9.9,7.76,10.59
北京市,海河流域,广北滨河路（桥）,01-01 04:00,1,11.5,7.91,9.69
""".encode()


def _times(parsed: pd.DataFrame) -> list[str]:
    local = parsed["time"].dt.tz_convert(CST).drop_duplicates().sort_values()
    return [t.strftime("%Y-%m-%d %H:%M") for t in local]


def test_water_rows_take_the_fetch_year_and_the_year_before_across_new_year() -> None:
    fetched = dt.datetime(2027, 1, 1, 5, 10, tzinfo=CST).astimezone(dt.UTC)
    parsed = WaterAutoCollector().parse_with(
        WATER, ParseContext(fetched_at=fetched, name="http://feed.local/water", sections=INDEX)
    )
    assert parsed.rejected == []
    assert _times(parsed.samples) == ["2026-12-31 20:00", "2027-01-01 00:00", "2027-01-01 04:00"]
    assert set(parsed.samples["section"]) == {"S-A", "S-B"}


def test_water_year_from_the_file_name_beats_the_fetch_time() -> None:
    ref = reference_time("water_quality_20260225_094940_part1.csv", None)
    assert ref == dt.datetime(2026, 2, 25, 9, 49, 40, tzinfo=CST)
    fetched = dt.datetime(2030, 6, 1, tzinfo=dt.UTC)  # imported years later
    parsed = WaterAutoCollector().parse_with(
        WATER.replace(b"12-31 20:00", b"02-25 08:00").replace(b"01-01", b"02-25"),
        ParseContext(
            fetched_at=fetched, name="water_quality_20260225_094940_part1.csv", sections=INDEX
        ),
    )
    assert _times(parsed.samples)[0] == "2026-02-25 00:00"


def test_water_without_any_year_is_rejected_with_the_reason() -> None:
    parsed = WaterAutoCollector().parse_with(WATER, ParseContext(sections=INDEX))
    assert parsed.samples.empty
    assert all("year" in r.reason for r in parsed.rejected)
