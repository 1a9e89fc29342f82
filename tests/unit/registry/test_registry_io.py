"""Registry files: zh/en headers, XLSX and GeoJSON, datums converted, districts assigned or named,
every bad row named."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from geodata.crs import gcj02_to_wgs84
from stations.registry_files import RegistryFileError
from stations.registry_io import read_registry_file

ZH = """站点编码,站点名称,英文名称,类型,区县,经度,纬度,坐标系,省控,别名
DS-01,岱山高亭,Daishan Gaoting,省控,,122.2040,30.2450,GCJ-02,是,高亭；岱山站
SS-01,嵊泗菜园,,县控,嵊泗,,,,否,
DH-09,定海新站,,国控,,122.1000,30.0500,CGCS2000,0,
""".encode()


def test_chinese_headers_datums_districts_and_aliases() -> None:
    f = read_registry_file(ZH, "站点.csv", "stations").set_index("code")
    lon, lat = gcj02_to_wgs84([122.2040], [30.2450])
    assert f.loc["DS-01", "lon"] == pytest.approx(round(float(lon[0]), 6))
    assert f.loc["DS-01", "lat"] == pytest.approx(round(float(lat[0]), 6))
    assert 0.003 < abs(f.loc["DS-01", "lon"] - 122.2040) < 0.01  # GCJ-02 shifts ~500 m here
    assert f.loc["DH-09", "lon"] == 122.1 and f.loc["DH-09", "datum"] == "CGCS2000"
    assert f.loc["DS-01", "district_code"] == "330921" and f.loc["DS-01", "district_assigned"]
    assert f.loc["SS-01", "district_code"] == "330922" and not f.loc["SS-01", "district_assigned"]
    assert f.loc["DH-09", "district_code"] == "330902"
    assert list(f.loc["DS-01", "aliases"]) == ["岱山站", "高亭"]
    assert f.loc["DS-01", "kind"] == "provincial_air" and f.loc["SS-01", "kind"] == "county_air"
    assert bool(f.loc["DS-01", "provincial"]) and not f.loc["DH-09", "provincial"]


def test_xlsx_with_english_headers() -> None:
    book = Workbook()
    ws = book.active
    ws.append(["code", "name", "name_en", "lon", "lat", "waterbody", "aliases"])
    ws.append(["DS-W01", "岱山断面", "Daishan Section", 122.201, 30.262, "lake", "a; b"])
    buf = io.BytesIO()
    book.save(buf)
    f = read_registry_file(buf.getvalue(), "sections.xlsx", "sections")
    assert f.loc[0, "district_code"] == "330921" and f.loc[0, "waterbody"] == "lake"
    assert list(f.loc[0, "aliases"]) == ["a", "b"]


def test_geojson_point_is_the_position() -> None:
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [122.45, 30.72]},
                "properties": {"code": "SS-02", "name": "嵊泗站"},
            }
        ],
    }
    f = read_registry_file(json.dumps(fc).encode(), "x.geojson", "stations")
    assert (f.loc[0, "lon"], f.loc[0, "lat"]) == (122.45, 30.72)
    assert f.loc[0, "district_code"] == "330922"


def test_every_bad_row_is_named_and_nothing_is_returned() -> None:
    bad = (
        "code,name,lon,lat,datum,kind,colour\n"
        "A-1,好,122.2,30.2,BJ54,国控,red\n"
        ",无码,,,,,\n"
        "A-1,重复,200,30,,外星,\n"
    ).encode()
    with pytest.raises(RegistryFileError) as err:
        read_registry_file(bad, "bad.csv", "stations")
    found = {(p.line, p.field, p.rule) for p in err.value.problems}
    assert (1, "colour", "known_column") in found
    assert (2, "datum", "known_datum") in found
    assert (3, "code", "code_format") in found
    assert (4, "code", "unique") in found
    assert (4, "lon/lat", "range") in found
    assert (4, "kind", "known_kind") in found
    assert "line 4, code: code 'A-1' repeats line 2 (unique)" in str(err.value)
