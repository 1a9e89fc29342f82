"""Hostile lab result files and zone monitor forms: each parser rejects with a reason naming the
field, never with an exception (the ``never_raises`` guard's "parser error" would be a bug)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stations.collectors.lab_files import _decode_rows, parse_lab_file, table_to_samples
from stations.collectors.zone_monitors import FORMAT, parse_zone_monitors
from stations.model import Parsed

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LAB_HEADER = st.sampled_from(
    ["断面名称", "采样日期", "pH", "溶解氧(mg/L)", "总磷(mg/L)", "", " ", "\ufeff断面名称",
     "section", "date", "pH ", "铜(μg/L)", "粪大肠菌群(个/L)", "水温(℃)", "x"]
)  # fmt: skip
ZONE_HEADER = st.sampled_from(
    ["monitor", "time", "parameter", "value", "unit", "flag", "点位编码", "时间", "", " ",
     "\ufeffmonitor", "Monitor ", "x"]
)  # fmt: skip
CELL = st.one_of(
    st.sampled_from(
        [
            "",
            "ND",
            "0.01L",
            "<0.01",
            "nan",
            "inf",
            "-inf",
            "1e400",
            "1" + "0" * 400,
            "2024-03-05",
            "2024-02-30",
            "2026-11-03T10:00+08:00",
            "2026-11-03T10:00",
            "9999-12-31T23:00+08:00",
            "NMHC",
            "BENZENE",
            "NO2",
            "mg/m³",
            "µg/m³",
            "ppb",
            "N",
            "T",
            "Z",
            "DEMO-YARD-B1",
            "虹桥水库",
        ]
    ),  # fmt: skip
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=6),
)


def csv_of(header: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda h, rows: "\n".join(",".join(r) for r in [h, *rows]),
        st.lists(header, min_size=1, max_size=7),
        st.lists(st.lists(CELL, max_size=7), max_size=4),
    )


def encoded(text: str, encoding: str, cut: int) -> bytes:
    raw = text.encode(encoding, errors="replace")
    return raw[: len(raw) - cut] if cut else raw


def lab(raw: bytes) -> None:
    """The lab reader: unreadable bytes are a ValueError with its reason (the parser's
    rejection); readable rows never raise."""
    try:
        rows = _decode_rows(raw)
    except ValueError as exc:
        assert str(exc)
        return
    out = table_to_samples(rows, method="manual")
    assert all(r.reason for r in out.rejected)
    assert all("parser error" not in r.reason for r in parse_lab_file(raw).rejected)


def zone(raw: bytes) -> None:
    out = parse_zone_monitors.__wrapped__(raw)  # type: ignore[attr-defined]  # the unguarded parse
    assert isinstance(out, Parsed) and all(r.reason for r in out.rejected)


ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gb18030"])
CUT = st.integers(min_value=0, max_value=3)
PARSERS = {"lab": lab, "zone": zone}


@pytest.mark.parametrize("parser", PARSERS)
@SETTINGS
@given(raw=st.binary(max_size=300))
def test_random_bytes(parser: str, raw: bytes) -> None:
    PARSERS[parser](raw)


@SETTINGS
@given(text=csv_of(LAB_HEADER), encoding=ENCODINGS, cut=CUT)
def test_mangled_lab_csv(text: str, encoding: str, cut: int) -> None:
    lab(encoded(text, encoding, cut))


@SETTINGS
@given(text=csv_of(ZONE_HEADER), encoding=ENCODINGS, cut=CUT)
def test_mangled_zone_csv(text: str, encoding: str, cut: int) -> None:
    zone(encoded(text, encoding, cut))


READING = st.one_of(
    st.dictionaries(
        ZONE_HEADER,
        st.one_of(CELL, st.none(), st.integers(), st.floats(), st.lists(st.none(), max_size=1)),
        max_size=7,
    ),
    st.sampled_from([None, 1, "x", [], {}]),
)


@SETTINGS
@given(
    body=st.one_of(
        st.builds(lambda rs: {"format": FORMAT, "readings": rs}, st.lists(READING, max_size=4)),
        st.sampled_from([[], 1, "x", None, {"format": FORMAT}, {"format": FORMAT, "readings": {}}]),
    )
)
def test_mangled_zone_json(body: object) -> None:
    zone(json.dumps(body, ensure_ascii=False).encode())


HOSTILE: dict[str, bytes] = {
    "lab repeated header": "断面名称,采样日期,pH,pH\n虹桥水库,2024-03-05,7,8\n".encode(),
    "lab repeated section header": "断面名称,断面名称,采样日期,pH\n甲,乙,2024-03-05,7\n".encode(),
    "lab only a header": "断面名称,采样日期,pH\n".encode(),
    "lab GB18030": "断面名称,采样日期,pH\n虹桥水库,2024-03-05,7\n".encode("gb18030"),
    "lab huge cell": "断面名称,采样日期,pH\n虹桥水库,2024-03-05,".encode() + b"7" * 200_000,
    "zone repeated header": b"monitor,time,parameter,value,unit,value\nA,2026-11-03T10:00+08:00,NO2,1,ug,2\n",
    "zone only a header": b"monitor,time,parameter,value,unit\n",
    "zone huge cell": b"monitor,time,parameter,value,unit\nA," + b"x" * 200_000 + b"\n",
    "zone huge value": b"monitor,time,parameter,value,unit\nA,2026-11-03T10:00+08:00,NO2,1"
    + b"0" * 400
    + ",µg/m³\n".encode(),
    "XLSX garbage": b"PK\x03\x04garbage",
    "JSON list": b"[1, 2]",
}


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_files(parser: str, case: str) -> None:
    PARSERS[parser](HOSTILE[case])
