"""The refusals of files that used to crash the registry readers: each names its field and rule."""

from __future__ import annotations

import pytest

from stations.registry_files import RegistryFileError
from stations.registry_io import read_registry_file
from stations.sea_registry_io import read_sea_file

POINT = (
    '{"properties": {"code": "A1", "name": "甲"}, "geometry": {"type": "Point", "coordinates": %s}}'
)
AREA = '{"properties": {"code": "B1", "name": "乙", "target": "二类"}, "geometry": {"type": "Polygon", "coordinates": %s}}'


def refusal(reader: str, raw: bytes, name: str) -> list[str]:
    """The problems (``line, field: message (rule)``) a reader refuses ``raw`` with."""
    with pytest.raises(RegistryFileError) as exc:
        if reader == "sea":
            read_sea_file(raw, name)
        else:
            read_registry_file(raw, name, "stations" if reader == "stations" else "sections")
    return [str(p) for p in exc.value.problems]


def collection(*features: str) -> bytes:
    body = ", ".join(features)
    return f'{{"type": "FeatureCollection", "features": [{body}]}}'.encode()


@pytest.mark.parametrize("reader", ["stations", "sections", "sea"])
def test_a_repeated_column_name_is_refused_naming_it(reader: str) -> None:
    # Was AttributeError/ValueError: the repeated name made a column a frame.
    raw = "编码,名称,编码\nA1,甲,A2\n".encode()
    assert refusal(reader, raw, "r.csv") == ["line 1, 编码: column '编码' given twice (one_column)"]


@pytest.mark.parametrize("reader", ["stations", "sections", "sea"])
@pytest.mark.parametrize(
    "raw",
    [b'{"type": "FeatureCollection", "features": []}', b"code,name\n", b"\n , \n"],
    ids=["empty FeatureCollection", "only a header", "blank lines"],
)
def test_a_file_without_rows_is_refused(reader: str, raw: bytes) -> None:
    # Was TypeError (stations, sections): the empty frame's masks lost their bool type.
    assert refusal(reader, raw, "r.geojson" if raw[:1] == b"{" else "r.csv") == [
        "file, file: the file holds no rows (has_rows)"
    ]


@pytest.mark.parametrize("reader", ["stations", "sections", "sea"])
def test_a_cell_over_the_csv_limit_is_refused(reader: str) -> None:
    raw = b"code,name\nA1," + b"x" * 200_000 + b"\n"  # was csv.Error
    assert refusal(reader, raw, "r.csv") == [
        "file, file: broken CSV (field larger than field limit (131072)) (readable)"
    ]


@pytest.mark.parametrize("reader", ["stations", "sections"])
@pytest.mark.parametrize("xy", ["[NaN, 30]", "[1" + "0" * 400 + ", 30]", "[true, 30]", "[122]"])
def test_a_point_without_two_numbers_is_refused_not_left_without_its_place(
    reader: str, xy: str
) -> None:
    # NaN used to leave the station without coordinates, unsaid; a 400-digit integer was
    # OverflowError.
    assert refusal(reader, collection(POINT % xy), "r.geojson") == [
        "line 1, geometry: geometry 'Point': a Point of two finite numbers [lon, lat] (point)"
    ]


def test_a_sea_point_with_a_huge_integer_is_refused() -> None:
    raw = collection(POINT % ("[1" + "0" * 400 + ", 30]"))  # was OverflowError
    assert refusal("sea", raw, "r.geojson") == [
        "line 1, lon/lat: a seawater point needs its longitude and latitude (required)"
    ]


@pytest.mark.parametrize(
    ("ring", "rule"),
    [
        ("[]", "the polygon encloses no area (it reads as Polygon) (polygon)"),
        (
            "[[[1, 1], [1, 1], [1, 1], [1, 1]]]",
            "the polygon encloses no area (it reads as Point) (polygon)",
        ),
        (
            "[[[500, 1], [502, 2], [503, 1], [500, 1]]]",
            "polygon bounds (500.0, 1.0, 503.0, 2.0) are not longitude/latitude (range)",
        ),
    ],
)
def test_a_sea_area_that_encloses_nothing_or_lies_off_the_globe_is_refused(
    ring: str, rule: str
) -> None:
    # These used to be stored as areas of 0 km² (or 20,000 km² off the globe).
    assert refusal("sea", collection(AREA % ring), "r.geojson") == [f"line 1, geometry: {rule}"]


@pytest.mark.parametrize("reader", ["stations", "sections", "sea"])
def test_properties_that_are_not_an_object_leave_the_row_refused(reader: str) -> None:
    # Was AttributeError: 'str' object has no attribute 'items'.
    raw = collection('{"properties": "A1", "geometry": null}', POINT % "[122.1, 30.0]")
    problems = refusal(reader, raw, "r.geojson")
    assert "line 1, code: code '': 1-32 letters, digits, - _ . (code_format)" in problems


@pytest.mark.parametrize("reader", ["stations", "sections", "sea"])
def test_a_value_under_no_column_name_is_refused_not_dropped(reader: str) -> None:
    raw = "编码,名称,经度,纬度\nA1,甲,122.1,30.0,stray\n".encode()  # was dropped unsaid
    assert refusal(reader, raw, "r.csv") == [
        "line 1, column 5: column 5 has values but no name (known_column)"
    ]


@pytest.mark.parametrize("reader", ["stations", "sections", "sea"])
def test_empty_trailing_columns_are_no_problem(reader: str) -> None:
    raw = "编码,名称,经度,纬度,,\nA1,甲,122.1,30.0,,\n".encode()
    if reader == "sea":
        assert read_sea_file(raw, "r.csv").points["code"].to_list() == ["A1"]
    else:
        kind = "stations" if reader == "stations" else "sections"
        assert read_registry_file(raw, "r.csv", kind)["code"].to_list() == ["A1"]


@pytest.mark.parametrize("reader", ["stations", "sections", "sea"])
def test_gcj02_coordinates_off_the_globe_are_refused_before_any_conversion(reader: str) -> None:
    raw = "编码,名称,经度,纬度,坐标系\nA1,甲,1e300,30.0,GCJ-02\n".encode()  # overflowed converting
    assert refusal(reader, raw, "r.csv") == [
        "line 2, lon/lat: (1e+300, 30.0) is not a longitude/latitude"
        + (" in degrees" if reader != "sea" else "")
        + " (range)"
    ]


def test_a_sea_polygon_with_a_huge_integer_is_refused() -> None:
    ring = "[[[1" + "0" * 400 + ", 30], [122, 30.1], [122.1, 30], [122, 30]]]"  # was OverflowError
    assert refusal("sea", collection(AREA % ring), "r.geojson") == [
        "line 1, geometry: not a readable polygon (OverflowError) (polygon)"
    ]
