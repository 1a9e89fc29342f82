"""Every parser takes arbitrary bytes, mangled CSV and mangled JSON without raising, returning Parsed."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stations.collectors.cnemc_realtime import parse_release
from stations.collectors.demo import parse_demo
from stations.collectors.lab_files import parse_lab_file
from stations.collectors.national_archive import parse_archive_csv
from stations.collectors.openaq import parse_openaq
from stations.collectors.water_auto import parse_water_auto
from stations.model import Parsed

PARSERS: dict[str, Callable[[bytes], Parsed]] = {
    "national_archive": parse_archive_csv,
    "cnemc_realtime": parse_release,
    "openaq": parse_openaq,
    "lab_files": parse_lab_file,
    "water_auto": lambda raw: parse_water_auto(raw, year=2026),
    "demo": parse_demo,
}

HEADERS = [
    "date,hour,type,1001A,1002A",
    "timepoint,stationcode,aqi,pm2_5,o3,o3_24h,co",
    "断面名称,采样日期,pH,溶解氧(mg/L),铜(μg/L),粪大肠菌群(个/L)",
    "省份,流域,断面名称,监测时间,水质类别,水温(℃),pH(无量纲),总磷(mg/L)",
]
cell = st.one_of(
    st.sampled_from(
        [
            "",
            "ND",
            "未检出",
            "<0.01",
            "0.01L",
            "—",
            "-;",
            "--",
            "20220101",
            "0",
            "23",
            "AQI",
            "PM2.5",
            "CO",
            "1e309",
            "-5",
            "nan",
            "02-25 09:00",
            "2024-03-05",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=8),
)
csv_text = st.builds(
    lambda h, rows: "\n".join([h] + [",".join(r) for r in rows]),
    st.sampled_from(HEADERS),
    st.lists(st.lists(cell, max_size=9), max_size=8),
)
json_value = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "results",
                    "records",
                    "features",
                    "properties",
                    "values",
                    "meta",
                    "value",
                    "period",
                    "parameter",
                    "section",
                    "time",
                    "format",
                    "envmon",
                    "body",
                    "station",
                    "readings",
                    "samples",
                    "type",
                    "stationcode",
                    "timepoint",
                    "pm2_5",
                ]
            ),
            children,
            max_size=5,
        ),
    ),
    max_leaves=20,
)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(parse: Callable[[bytes], Parsed], raw: bytes) -> None:
    out = parse(raw)
    assert isinstance(out, Parsed)
    assert all(r.reason for r in out.rejected)


@pytest.mark.parametrize("name", PARSERS)
@SETTINGS
@given(raw=st.binary(max_size=400))
def test_arbitrary_bytes(name: str, raw: bytes) -> None:
    check(PARSERS[name], raw)


@pytest.mark.parametrize("name", PARSERS)
@SETTINGS
@given(text=csv_text)
def test_mangled_csv(name: str, text: str) -> None:
    check(PARSERS[name], text.encode())


@pytest.mark.parametrize("name", PARSERS)
@SETTINGS
@given(obj=json_value, wrap=st.sampled_from(["plain", "envelope", "demo", "water", "geo"]))
def test_mangled_json(name: str, obj: object, wrap: str) -> None:
    if wrap == "envelope":
        obj = {"envmon": "openaq/1", "station": "S", "body": json.dumps(obj)}
    elif wrap == "demo":
        obj = {"format": "envmon.demo/1", "readings": obj, "samples": obj}
    elif wrap == "water":
        obj = {"format": "envmon.water_auto/1", "records": obj if isinstance(obj, list) else [obj]}
    elif wrap == "geo":
        obj = {"type": "FeatureCollection", "features": [{"properties": obj}]}
    check(PARSERS[name], json.dumps(obj).encode())
