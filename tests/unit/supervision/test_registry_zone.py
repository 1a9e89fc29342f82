"""Registry files tie yard-boundary (厂界), in-plant (厂区内) and port monitors to a harbour zone."""

from __future__ import annotations

import pytest

from stations.registry_files import RegistryFileError
from stations.registry_io import read_registry_file


def test_monitor_rows_carry_their_zone() -> None:
    raw = (
        "编码,名称,类型,所属区域,经度,纬度,区县\n"
        "YB1,某船厂厂界东,厂界,yard_a,122.30,29.95,普陀\n"
        "YP1,某船厂涂装车间外,厂区内,yard_a,122.30,29.95,普陀\n"
        "PM1,某港区监测点,港口,port_x,122.10,30.00,定海\n"
        "AQ1,某空气站,市控,,122.10,30.00,定海\n"
    ).encode()
    frame = read_registry_file(raw, "monitors.csv", "stations")
    got = dict(zip(frame["code"], zip(frame["kind"], frame["zone"], strict=True), strict=True))
    assert got == {
        "YB1": ("boundary_air", "yard_a"),
        "YP1": ("plant_air", "yard_a"),
        "PM1": ("port_air", "port_x"),
        "AQ1": ("city_air", None),
    }


def test_a_zone_on_an_aqi_station_is_refused_naming_the_rule() -> None:
    raw = b"code,name,kind,zone,lon,lat,district\nAQ1,x,city,yard_a,122.1,30.0,330902\n"
    with pytest.raises(RegistryFileError) as err:
        read_registry_file(raw, "bad.csv", "stations")
    problem = err.value.problems[0]
    assert (problem.line, problem.field, problem.rule) == (2, "zone", "zone_monitor_kind")
