"""Automatic water stations (JSON format and the real CNEMC table) and lab files (XLSX == CSV rules)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stations.collectors.lab_files import parse_lab_file
from stations.collectors.water_auto import parse_water_auto


def test_json_format_rules() -> None:
    body = {
        "format": "envmon.water_auto/1",
        "records": [
            {
                "section": "定海水库",
                "time": "2024-03-05T04:00:00+08:00",
                "values": {
                    "water_temp": 12.1,
                    "pH": 7.9,
                    "DO": 8.2,
                    "conductivity": 30100,
                    "turbidity": 12.3,
                    "CODMn": 2.1,
                    "NH3N": "<0.025",
                    "TP": 0.05,
                    "TN": 1.1,
                },
            },
            {"section": "ZS-W09", "time": "2024-03-05T08:00:00", "values": {"pH": 7.8}},
            {
                "section": "ZS-W01",
                "time": "2024-03-05T08:00:00+08:00",
                "values": {"radium_226": 30, "DO": None},
            },
            {"section": "nowhere", "time": "2024-03-05T08:00:00+08:00", "values": {"pH": 7}},
        ],
    }
    p = parse_water_auto(json.dumps(body).encode(), sections={"定海水库": "ZS-W01", "x": "ZS-W09"})
    assert len(p.samples) == 9 and set(p.samples["section"]) == {"ZS-W01"}
    assert str(p.samples["time"].iloc[0]) == "2024-03-04 20:00:00+00:00"
    nh3 = p.samples.set_index("item").loc["NH3N"]
    assert bool(nh3["below_limit"]) and nh3["detection_limit"] == 0.025
    assert sorted(r.field or "" for r in p.rejected) == ["item", "section", "time"]
    assert set(p.samples["method"]) == {"automatic"}


@pytest.mark.realdata
def test_real_surface_water_release(validation_dir: Path) -> None:
    raw = (
        validation_dir / "cnemc_surface_water/water_quality_20260225_094940_part1.csv"
    ).read_bytes()
    p = parse_water_auto(raw, year=2026)
    assert p.rejected == []
    assert p.samples["section"].nunique() == 192  # the classed rows; class -1 rows are all "--"
    missing_year = parse_water_auto(raw)
    assert missing_year.samples.empty and all("year" in r.reason for r in missing_year.rejected)


def test_xlsx_and_csv_follow_the_same_rules() -> None:
    from tests.unit.collectors.golden import DATA

    p = parse_lab_file(
        (DATA / "lab_files/synthetic_monthly_en.xlsx").read_bytes(),
        sections={"城北水库": "ZS-W02", "ZS-W01": "ZS-W01", "ZS-W03": "ZS-W03"},
    )
    cu = p.samples[p.samples["item"] == "Cu"]["value"].tolist()
    assert cu == pytest.approx([0.0021, 0.0016, 0.0034, 0.0031])  # µg/L -> mg/L
    fc = p.samples[p.samples["item"] == "fecal_coliform"]["value"].tolist()
    assert fc == [330.0, 790.0, 4900.0]  # MPN/100mL -> per L
    assert [r.field for r in p.rejected] == ["value"]  # "TNTC" is not a number
    assert p.rejected[0].line == 7


def test_bad_unit_and_unknown_columns_are_reported() -> None:
    raw = "断面名称,采样日期,总磷(g/m2),pH,透明度(m)\nA,2024-03-05,0.1,7.1,1.2\n".encode()
    p = parse_lab_file(raw)
    reasons = [r.reason for r in p.rejected]
    assert any("'g/m2' is not a known unit for TP" in r for r in reasons)
    assert any("'透明度(m)' is not a known item" in r for r in reasons)
    assert p.samples["item"].tolist() == ["pH"]
