"""The yard/port monitor reading form (docs/supervision.md): units, flags, rejections."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from stations.collectors.openaq import parse_openaq
from stations.collectors.zone_monitors import FORMAT, is_invalid_flag, parse_zone_monitors

SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "samples" / "zone_monitors.csv"


def test_csv_units_converted_to_stored_units() -> None:
    raw = (
        "点位编码,时间,监测项目,浓度,单位,数据标记\n"
        "YB1,2026-11-03T10:00+08:00,非甲烷总烃,1.25,mg/m³,N\n"
        "YB1,2026-11-03T10:00+08:00,苯,0.012,mg/m³,\n"
        "YB1,2026-11-03T10:00+08:00,TOLUENE,10,ppb,N\n"
        "YB1,2026-11-03T10:00+08:00,NMHC_X,1,mg/m3,N\n"
        "YB1,2026-11-03T11:00+08:00,NMHC,2.0,ppm,N\n"
        "YB1,2026-11-03T12:00+08:00,NMHC,3.0,mg/m3,M\n"
        "YB1,2026-11-03T13:00,NMHC,3.0,mg/m3,N\n"
        "YB1,2026-11-03T14:00+08:00,NMHC,3.0,mg/m3,Q\n"
    ).encode()
    parsed = parse_zone_monitors(raw)
    r = parsed.readings.set_index(["time", "pollutant"])["value"]
    t10 = pd.Timestamp("2026-11-03T02:00Z")
    assert r[(t10, "NMHC")] == 1.25  # mg/m³ as C, unchanged
    assert r[(t10, "BENZENE")] == pytest.approx(12.0)  # 0.012 mg/m³ = 12 µg/m³
    # 10 ppb toluene at 25 °C: 10 × 92.14 / 24.45 = 37.685 µg/m³
    assert r[(t10, "TOLUENE")] == pytest.approx(37.685072, abs=1e-6)
    flagged = parsed.readings[parsed.readings["pollutant"] == "NMHC"]
    assert list(flagged["flag"]) == ["", "hj212:M"]
    assert list(is_invalid_flag(flagged["flag"])) == [False, True]
    reasons = {r.line: (r.field, r.reason) for r in parsed.rejected}
    assert reasons[5][0] == "parameter"
    assert reasons[6][0] == "unit" and "never for NMHC" in reasons[6][1]
    assert reasons[8][0] == "time"
    assert reasons[9][0] == "flag"
    assert len(parsed.readings) + len(parsed.rejected) == 8


def test_json_form() -> None:
    body = {
        "format": FORMAT,
        "readings": [
            {"monitor": "PM1", "time": "2026-11-03T02:00Z", "parameter": "NOX",
             "value": 100, "unit": "ppb"},
        ],
    }  # fmt: skip
    parsed = parse_zone_monitors(json.dumps(body).encode())
    # NOx as NO2: 100 ppb × 46.0055 / 24.45 = 188.161554 µg/m³
    assert parsed.readings["value"].iloc[0] == pytest.approx(188.161554, abs=1e-6)


def test_header_missing_is_one_payload_rejection() -> None:
    parsed = parse_zone_monitors(b"monitor,time,value\nA,2026-11-03T02:00Z,1\n")
    assert parsed.readings.empty
    assert parsed.rejected[0].field == "payload" or "header" in parsed.rejected[0].reason


@pytest.mark.parametrize("header", ["value,浓度", "value,value"])
def test_a_field_in_two_columns_is_refused_not_half_read(header: str) -> None:
    # The second column used to win and the first value was dropped unsaid.
    raw = f"monitor,time,parameter,unit,{header}\nYB1,2026-11-03T10:00+08:00,NO2,µg/m³,1,2\n"
    parsed = parse_zone_monitors(raw.encode())
    second = header.split(",")[1]
    assert parsed.readings.empty
    assert [(r.field, r.reason) for r in parsed.rejected] == [
        (
            "payload",
            f"header: value given twice, in columns 'value' and {second!r} "
            "(rule: one column per field)",
        )
    ]


def test_shipped_sample_parses_whole() -> None:
    parsed = parse_zone_monitors(SAMPLE.read_bytes())
    assert parsed.rejected == []
    assert set(parsed.readings["pollutant"]) >= {"NMHC", "NOX", "NO", "BENZENE"}


def test_openaq_keeps_no_and_nox() -> None:
    def result(name: str, value: float, units: str) -> dict[str, object]:
        return {
            "value": value,
            "parameter": {"name": name, "units": units},
            "period": {"label": "1hour", "datetimeTo": {"utc": "2026-11-03T02:00:00Z"}},
        }

    body = {"results": [result("no", 10.0, "ppb"), result("nox", 10.0, "ppb"),
                        result("no2", 10.0, "ppb")]}  # fmt: skip
    env = {"envmon": "openaq/1", "station": "1258A", "body": json.dumps(body)}
    parsed = parse_openaq(json.dumps(env).encode())
    assert parsed.rejected == []
    v = parsed.readings.set_index("pollutant")["value"]
    assert v["NO"] == pytest.approx(10 * 30.006 / 24.45, abs=1e-6)  # 12.272393 µg/m³
    assert v["NOX"] == pytest.approx(10 * 46.0055 / 24.45, abs=1e-6)  # as NO2
    assert v["NO2"] == pytest.approx(v["NOX"])


def test_pams_species_are_an_optional_list() -> None:
    raw = (
        "monitor,time,parameter,value,unit\n"
        "YB1,2026-11-03T10:00+08:00,PAMS_ETHANE,5,ppb\n"
        "YB1,2026-11-03T10:00+08:00,乙烯,2.0,µg/m³\n"
        "YB1,2026-11-03T10:00+08:00,PAMS_UNKNOWN,1,µg/m³\n"
    ).encode()
    parsed = parse_zone_monitors(raw)
    v = parsed.readings.set_index("pollutant")["value"]
    assert v["PAMS_ETHANE"] == pytest.approx(5 * 30.07 / 24.45, abs=1e-6)  # 6.149284 µg/m³
    assert v["PAMS_ETHENE"] == 2.0
    assert [r.field for r in parsed.rejected] == ["parameter"]
