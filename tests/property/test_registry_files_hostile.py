"""Hostile registry files: each reader answers a frame or a ``RegistryFileError`` naming the field and
the rule, never another exception (house rule: bad input never crashes the service)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stations.registry_files import RegistryFileError
from stations.registry_io import read_registry_file
from stations.sea_registry_io import read_sea_file

READERS: dict[str, Callable[[bytes, str], object]] = {
    "stations": lambda raw, name: read_registry_file(raw, name, "stations"),
    "sections": lambda raw, name: read_registry_file(raw, name, "sections"),
    "sea": lambda raw, name: read_sea_file(raw, name),
}
NAMES = st.sampled_from(["r.csv", "r.xlsx", "r.geojson", "r.json", "r"])
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HEADER_WORDS = st.sampled_from(
    ["code", "name", "编码", "名称", "lon", "lat", "经度", "datum", "kind", "target", "area",
     "district", "aliases", "zone", "waterbody", "provincial", "", " ", "\ufeffcode", "Code ",
     "x", "y", "name_en", "unknown"]
)  # fmt: skip
CELL = st.one_of(
    st.sampled_from(
        ["", " ", "A1", "A1", "定海区", "122.1", "30.0", "nan", "inf", "-inf", "1e400", "999",
         "-91", "GCJ-02", "WGS-84", "bad", "是", "maybe", "一类", "五类", "bay", "port", "B1"]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=6),
)  # fmt: skip
CSV = st.builds(
    lambda header, rows: "\n".join(",".join(r) for r in [header, *rows]),
    st.lists(HEADER_WORDS, min_size=1, max_size=6),
    st.lists(st.lists(CELL, max_size=6), max_size=4),
)
NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from(["122.1", "x", None, True, [], {}]),
)
POSITION = st.lists(NUMBER, max_size=3)
GEOMETRY = st.one_of(
    st.none(),
    st.sampled_from([{}, [], "Point", 1]),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                [
                    "Point",
                    "Polygon",
                    "MultiPolygon",
                    "LineString",
                    "MultiPoint",
                    "GeometryCollection",
                    "Nope",
                    None,
                ]
            ),  # fmt: skip
            "coordinates": st.one_of(
                POSITION,
                st.lists(st.lists(POSITION, max_size=5), max_size=2),
                st.lists(st.lists(st.lists(POSITION, max_size=5), max_size=2), max_size=2),
                st.none(),
                st.text(max_size=4),
            ),
        }
    ),
    st.just(
        {"type": "Polygon", "coordinates": [[[122, 30], [122.1, 30], [122.1, 30.1], [122, 30]]]}
    ),
)
PROPERTIES = st.one_of(
    st.none(),
    st.sampled_from([[], "x", 1]),
    st.dictionaries(
        HEADER_WORDS,
        st.one_of(CELL, st.none(), st.integers(), st.lists(st.none(), max_size=1)),
        max_size=6,
    ),
)
FEATURE = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("Feature"), "properties": PROPERTIES, "geometry": GEOMETRY}
    ),
    st.sampled_from([None, 1, "f", [], {}]),
)
JSON = st.one_of(
    st.builds(
        lambda fs: {"type": "FeatureCollection", "features": fs}, st.lists(FEATURE, max_size=4)
    ),
    st.sampled_from(
        [
            [],
            [1],
            "x",
            1,
            None,
            {"type": "FeatureCollection"},
            {"features": None},
            {"features": {}},
            {"type": "FeatureCollection", "features": []},
        ]
    ),  # fmt: skip
)


def read(reader: str, raw: bytes, name: str) -> None:
    """The reader's answer: a frame, or a refusal whose every problem names a field and a rule."""
    try:
        READERS[reader](raw, name)
    except RegistryFileError as exc:
        assert exc.problems
        assert all(p.field and p.rule and p.message for p in exc.problems)


@pytest.mark.parametrize("reader", READERS)
@SETTINGS
@given(raw=st.binary(max_size=300), name=NAMES)
def test_random_bytes(reader: str, raw: bytes, name: str) -> None:
    read(reader, raw, name)


@pytest.mark.parametrize("reader", READERS)
@SETTINGS
@given(
    text=CSV,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    cut=st.integers(min_value=0, max_value=4),
    name=NAMES,
)
def test_mangled_csv(reader: str, text: str, encoding: str, cut: int, name: str) -> None:
    raw = text.encode(encoding, errors="replace")
    read(reader, raw[: len(raw) - cut] if cut else raw, name)


@pytest.mark.parametrize("reader", READERS)
@SETTINGS
@given(obj=JSON, name=NAMES)
def test_mangled_geojson(reader: str, obj: object, name: str) -> None:
    read(reader, json.dumps(obj, ensure_ascii=False).encode(), name)


HOSTILE: dict[str, bytes] = {
    "repeated header": b"code,name,code\nA1,x,A2\n",
    "repeated name column": b"code,name,name\nA1,x,y\n",
    "repeated unknown column": b"code,name,foo,foo\nA1,x,1,2\n",
    "only a header": b"code,name\n",
    "empty": b"",
    "blank lines": b"\n\n ,\n",
    "BOM header": "\ufeffcode,名称\nA1,甲\n".encode(),
    "GB18030 header": "编码,名称\nA1,甲站\n".encode("gb18030"),
    "truncated UTF-8": "编码,名称\nA1,甲".encode()[:-1],
    "huge cell": b"code,name\nA1," + b"x" * 200_000 + b"\n",
    "huge quoted cell": b'code,name\nA1,"' + b"x" * 200_000 + b'"\n',
    "XLSX-named garbage": b"PK\x03\x04garbage",
    "JSON list": b"[1, 2]",
    "JSON string": b'"x"',
    "empty FeatureCollection": b'{"type": "FeatureCollection", "features": []}',
    "null properties": b'{"features": [{"properties": null, "geometry": null}]}',
    "NaN coordinates": b'{"features": [{"properties": {"code": "A", "name": "a"},'
    b' "geometry": {"type": "Point", "coordinates": [NaN, Infinity]}}]}',
    "string coordinates": b'{"features": [{"properties": {"code": "A", "name": "a"},'
    b' "geometry": {"type": "Point", "coordinates": ["122", "30"]}}]}',
    "huge integer coordinates": b'{"features": [{"properties": {"code": "A", "name": "a"},'
    b' "geometry": {"type": "Point", "coordinates": [1' + b"0" * 400 + b", 30]}}]}",
    "polygon of text": b'{"features": [{"properties": {"code": "A", "name": "a", "target": "I"},'
    b' "geometry": {"type": "Polygon", "coordinates": [["a", "b"]]}}]}',
    "polygon with NaN": b'{"features": [{"properties": {"code": "A", "name": "a", "target": "I"},'
    b' "geometry": {"type": "Polygon", "coordinates": [[[NaN, 1], [2, 2], [3, 1], [NaN, 1]]]}}]}',
    "empty polygon": b'{"features": [{"properties": {"code": "A", "name": "a", "target": "I"},'
    b' "geometry": {"type": "Polygon", "coordinates": []}}]}',
}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_files(reader: str, case: str) -> None:
    for name in ("r.csv", "r.geojson", "r.xlsx"):
        read(reader, HOSTILE[case], name)
