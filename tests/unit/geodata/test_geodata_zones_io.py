"""Zone files: one good file of each format reads; each bad case is refused naming row and rule.

Positions are the real ones of ../shared/geodata-src (Shenjiamen routes, the 中铁宝桥 dredging zone,
the Qushan bunkering positions); the bad cases alter them on purpose.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod

import geodata
from geodata.zones_io import (
    ZoneValidationError,
    parse_dms,
    read_zone_file,
    write_zone_file,
)

DATA = Path(__file__).parent / "data"
DREDGE = [
    [122.211389, 30.111111],
    [122.211389, 30.109444],
    [122.213611, 30.109444],
    [122.213611, 30.111111],
    [122.211389, 30.111111],
]


def _gpkg(tmp_path: Path) -> Path:
    frame = read_zone_file(DATA / "good_zones.geojson")
    p = tmp_path / "good.gpkg"
    frame.to_file(p, driver="GPKG", engine="pyogrio")
    return p


def _zip_shapefile(tmp_path: Path) -> Path:
    frame = read_zone_file(DATA / "good_zones.csv")
    polys = frame[frame.geometry.geom_type == "Polygon"][["name", "kind", "geometry"]]
    shp = tmp_path / "shp" / "zones.shp"
    shp.parent.mkdir()
    polys.to_file(shp, driver="ESRI Shapefile", engine="pyogrio")
    z = tmp_path / "zones.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in shp.parent.iterdir():
            zf.write(f, f.name)
    return z


@pytest.mark.parametrize(
    ("make", "n", "types"),
    [
        (lambda t: DATA / "good_zones.geojson", 2, {"Polygon", "Point"}),
        (lambda t: DATA / "good_zones.kml", 2, {"LineString", "Polygon"}),
        (lambda t: DATA / "good_zones.csv", 3, {"LineString", "Polygon", "Point"}),
        (_gpkg, 2, {"Polygon", "Point"}),
        (_zip_shapefile, 1, {"Polygon"}),
    ],
    ids=["geojson", "kml", "csv", "gpkg", "zip-shapefile"],
)
def test_good_file_of_each_format_reads(make, n, types, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frame = read_zone_file(make(tmp_path))
    assert len(frame) == n
    assert set(frame.geometry.geom_type) == types
    assert frame.crs.to_epsg() == 4326
    assert set(frame["kind"]) <= set(geodata.ZONE_KINDS)
    assert frame.geometry.is_valid.all()


def test_csv_polygon_and_dates() -> None:
    frame = read_zone_file(DATA / "good_zones.csv").set_index("name")
    dredge = frame.loc["中铁宝桥码头疏浚作业区"]
    assert dredge.geometry.geom_type == "Polygon" and len(dredge.geometry.exterior.coords) == 5
    assert dredge["valid_from"] == "2023-09-30"
    assert dredge["datum"] == "CGCS2000"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _geojson(tmp_path: Path, geometry: dict, **props: str) -> Path:  # type: ignore[type-arg]
    feat = {
        "type": "Feature",
        "properties": {"name": "测试区", "kind": "other", **props},
        "geometry": geometry,
    }
    return _write(
        tmp_path, "z.geojson", json.dumps({"type": "FeatureCollection", "features": [feat]})
    )


def _refused(path: Path) -> ZoneValidationError:
    with pytest.raises(ZoneValidationError) as info:
        read_zone_file(path)
    return info.value


def test_unclosed_ring_refused(tmp_path: Path) -> None:
    err = _refused(_geojson(tmp_path, {"type": "Polygon", "coordinates": [DREDGE[:-1]]}))
    assert [p.rule for p in err.problems] == ["ring_not_closed"]
    assert err.problems[0].row == "feature 1 (测试区)"
    assert "not closed" in str(err)


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Polygon", "coordinates": None},
        {"type": "Polygon", "coordinates": [[":", "1"]]},
        {"type": "MultiPolygon", "coordinates": [True]},
    ],
)
def test_malformed_coordinates_refused_not_raised(tmp_path: Path, geometry) -> None:  # type: ignore[no-untyped-def]
    # Found by the hostile-input soak: these gave a TypeError/ValueError (a 500 on upload).
    err = _refused(_geojson(tmp_path, geometry))
    assert [p.rule for p in err.problems] == ["invalid_coordinates"]


def test_self_intersecting_ring_refused(tmp_path: Path) -> None:
    a, b, c, d, _ = DREDGE
    bowtie = [a, c, b, d, a]
    err = _refused(_geojson(tmp_path, {"type": "Polygon", "coordinates": [bowtie]}))
    assert [p.rule for p in err.problems] == ["self_intersection"]


def test_swapped_lat_lon_refused_in_geojson(tmp_path: Path) -> None:
    swapped = [[lat, lon] for lon, lat in DREDGE]
    err = _refused(_geojson(tmp_path, {"type": "Polygon", "coordinates": [swapped]}))
    assert [p.rule for p in err.problems] == ["swapped_lat_lon"]


def test_swapped_lat_lon_refused_in_csv(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "z.csv",
        "name,kind,seq,lat,lon,datum\n衢山锚地,bunkering,1,122.467889,30.459833,WGS84\n",
    )
    err = _refused(p)
    assert "swapped_lat_lon" in {x.rule for x in err.problems}
    assert err.problems[0].row == "line 2 (衢山锚地)"


def test_outside_sea_area_refused(tmp_path: Path) -> None:
    p = _write(
        tmp_path, "z.csv", "name,kind,seq,lat,lon,datum\n天安门,other,1,39.9087,116.3975,WGS84\n"
    )
    assert [x.rule for x in _refused(p).problems] == ["outside_sea_area"]


def test_unknown_datum_refused(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "z.csv",
        "name,kind,seq,lat,lon,datum\n衢山锚地,bunkering,1,30.459833,122.467889,Beijing54\n",
    )
    err = _refused(p)
    assert [x.rule for x in err.problems] == ["unknown_datum"]
    assert "Beijing54" in str(err)


def test_unknown_kind_refused(tmp_path: Path) -> None:
    err = _refused(
        _geojson(
            tmp_path, {"type": "Point", "coordinates": [122.467889, 30.459833]}, kind="harbour"
        )
    )
    assert [x.rule for x in err.problems] == ["unknown_kind"]


def test_dms_disagreeing_with_decimals_refused(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "z.csv",
        "name,kind,seq,lat,lon,datum,lat_dms,lon_dms\n"
        "衢山锚地,bunkering,1,30.459833,122.467889,WGS84,30°27′35.4″N,122°28′14.4″E\n",
    )
    err = _refused(p)
    assert [x.rule for x in err.problems] == ["dms_mismatch"]
    assert "lon_dms" in str(err)


def test_all_or_nothing_one_bad_feature_refuses_the_file(tmp_path: Path) -> None:
    good = (DATA / "good_zones.csv").read_text(encoding="utf-8")
    bad = good + "坏点,other,1,30.1,122.2,WGS84,,,2023-13-45,\n"
    err = _refused(_write(tmp_path, "z.csv", bad))
    assert [x.rule for x in err.problems] == ["bad_date"]


def test_gcj02_input_is_converted(tmp_path: Path) -> None:
    lon, lat = 122.467889, 30.459833
    g_lon, g_lat = geodata.wgs84_to_gcj02(lon, lat)
    p = _write(
        tmp_path,
        "z.csv",
        f"name,kind,seq,lat,lon,datum\n衢山锚地,bunkering,1,{g_lat:.7f},{g_lon:.7f},GCJ-02\n",
    )
    frame = read_zone_file(p)
    pt = frame.geometry.iloc[0]
    assert frame["datum"].iloc[0] == "GCJ02"
    assert Geod(ellps="WGS84").inv(pt.x, pt.y, lon, lat)[2] < 0.5


def test_parse_dms() -> None:
    assert parse_dms("30°00′51″N") == pytest.approx(30 + 51 / 3600)
    assert parse_dms("122°21.4′E") == pytest.approx(122 + 21.4 / 60)
    assert parse_dms("10°30'00\"S") == -10.5
    with pytest.raises(ValueError):
        parse_dms("30 00 51")


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "csv", "kml"])
def test_export_round_trip(fmt: str, tmp_path: Path) -> None:
    zones = geodata.load_zones()
    back = read_zone_file(write_zone_file(zones, tmp_path / f"zones.{fmt}", fmt))
    assert back["code"].tolist() == zones["code"].tolist()
    assert back["kind"].tolist() == zones["kind"].tolist()
    for a, b in zip(back.geometry, zones.geometry, strict=True):
        assert a.equals_exact(b, 1e-6)


def test_shipped_zones_pass_the_import_rules(tmp_path: Path) -> None:
    # the shipped file itself would be accepted by the importer, apart from its free-text datum
    zones = geodata.load_zones()
    assert gpd.GeoSeries(zones.geometry).within(geodata.zhoushan_sea_area()).all()
    assert np.isfinite(zones.total_bounds).all()
