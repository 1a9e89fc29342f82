"""CNEMC release: the binary wire form, the O3 swap checked against the published AQI."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stations.collectors.cnemc_realtime import (
    CnemcRealtimeCollector,
    parse_release,
    records_from_xml,
)

# HJ 633-2012 Table 1, O3 1-h breakpoints (µg/m³) -> IAQI.
O3_1H = [0, 160, 200, 300, 400, 800, 1000, 1200]
IAQI = [0, 50, 100, 150, 200, 300, 400, 500]


@pytest.mark.realdata
def test_binary_capture_decodes(validation_dir: Path) -> None:
    raw = (
        validation_dir / "cnemc_air_realtime/geoinsights_GetAQIDataPublishLives.wcfbin"
    ).read_bytes()
    p = parse_release(raw)
    assert p.rejected == []
    assert p.readings["station"].nunique() > 1400
    assert set(p.readings["time"]) == {pd.Timestamp("2016-01-13T16:00:00Z")}  # 2016-01-14 00:00 CST
    first = p.readings[p.readings["station"] == "1001A"].set_index("pollutant")["value"]
    # The capture's first record (SOURCES §5: AQI 97, CO 2.700); O3_24h field = 1-h O3 = 4 at midnight.
    assert first["AQI"] == 97 and first["CO"] == 2.7 and first["O3"] == 4 and first["O3_24h"] == 62


@pytest.mark.realdata
def test_o3_swap_reproduces_published_aqi(validation_dir: Path) -> None:
    """Where the primary pollutant is 1-h O3, AQI == ceil(IAQI(our O3)); with the field named O3 it is not."""
    p = parse_release(
        (
            validation_dir
            / "cnemc_air_realtime/geoinsights_201707071644_GetAQIDataPublishLives.xml"
        ).read_bytes()
    )
    text = (
        validation_dir / "cnemc_air_realtime/geoinsights_201707071644_GetAQIDataPublishLives.xml"
    ).read_text()
    primary = {r["StationCode"]: r.get("PrimaryPollutant", "") for r in records_from_xml(text)}
    wide = p.readings.pivot_table(index="station", columns="pollutant", values="value")
    o3_led = wide[[primary.get(s) == "臭氧1小时" for s in wide.index]].dropna(subset=["AQI", "O3"])
    assert len(o3_led) > 100
    ours = np.ceil(np.interp(o3_led["O3"], O3_1H, IAQI))
    theirs = np.ceil(np.interp(o3_led["O3_24h"], O3_1H, IAQI))
    assert (ours == o3_led["AQI"]).mean() == 1.0
    assert (theirs == o3_led["AQI"]).mean() < 0.9


def test_forms_agree_and_station_filter() -> None:
    from tests.unit.collectors.golden import DATA

    xml = parse_release(
        (DATA / "cnemc_realtime/geoinsights_201707071644_first3.xml").read_bytes()
    ).readings
    geo = parse_release(
        (DATA / "cnemc_realtime/geoinsights_2017-07-07-16_first3_plus_missing.geojson").read_bytes()
    ).readings
    key = ["station", "time", "pollutant"]
    merged = xml.merge(geo, on=key)
    assert len(merged) == len(xml) and (merged["value_x"] == merged["value_y"]).all()
    only = CnemcRealtimeCollector("http://127.0.0.1:1/x", stations=["1002A"]).parse(
        (DATA / "cnemc_realtime/geoinsights_201707071644_first3.xml").read_bytes()
    )
    assert set(only.readings["station"]) == {"1002A"}


def test_garbage_gives_one_payload_rejection() -> None:
    for raw in (b"@\x01\x02garbage", b"<a><b>", b'{"x": 1}', b"hello,world\n1,2", b"\x00\x01"):
        p = parse_release(raw)
        assert p.readings.empty
        assert len(p.rejected) == 1 and p.rejected[0].field == "payload"
        assert not math.isnan(len(p.rejected[0].reason))
