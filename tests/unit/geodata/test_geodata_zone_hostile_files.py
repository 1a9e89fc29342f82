"""Issue 22 finding 1: a zone file is opened only by the driver of its declared format.

The red team's payload was an OGR VRT (XML) named ``zones.gpkg``: GDAL picks a driver by content,
so the VRT read ``/etc/passwd`` and fetched a loopback URL, and the 422 error list echoed both.
Every payload here is refused, no request reaches the local HTTP server, and no refusal echoes the
payload's target, a file's contents or the temporary path the upload was written to.
"""

from __future__ import annotations

import http.server
import sqlite3
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from geodata.zones_io import ZoneValidationError, read_zone_file

DATA = Path(__file__).parent / "data"
PASSWD_LINE = "root:x:0:0"


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        body = b"x,y,name,kind\n122.2,30.0,SECRET-FROM-LOOPBACK,anchorage\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on 127.0.0.1 that records every request it gets."""
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", _Recorder.seen
    finally:
        server.shutdown()
        server.server_close()


def _vrt(source: str) -> str:
    """An OGR VRT whose one layer is the first layer of ``source``, points from its x/y columns."""
    layer = source.rsplit("/", 1)[-1].removesuffix(".csv")
    return (
        "<OGRVRTDataSource>"
        f'<OGRVRTLayer name="zones"><SrcDataSource>{source}</SrcDataSource>'
        f"<SrcLayer>{layer}</SrcLayer>"
        '<GeometryField encoding="PointFromColumns" x="x" y="y"/>'
        "</OGRVRTLayer></OGRVRTDataSource>"
    )


def _refusal(path: Path) -> ZoneValidationError:
    with pytest.raises(ZoneValidationError) as info:
        read_zone_file(path)
    return info.value


def _assert_no_leak(err: ZoneValidationError, tmp_path: Path) -> None:
    text = str(err) + " ".join(p.message + p.row for p in err.problems)
    assert PASSWD_LINE not in text
    assert "SECRET-FROM-LOOPBACK" not in text
    assert "/etc/" not in text and "127.0.0.1" not in text
    assert str(tmp_path) not in text and "/tmp" not in text


@pytest.mark.parametrize(
    "source",
    ["/etc/passwd", "CSV:/etc/passwd", "/vsicurl/{url}/zones.csv", "CSV:/vsicurl/{url}/z.csv"],
)
def test_vrt_named_gpkg_is_refused_without_reading_its_sources(
    tmp_path: Path, loopback: tuple[str, list[str]], source: str
) -> None:
    url, seen = loopback
    path = tmp_path / "zones.gpkg"
    path.write_text(_vrt(source.format(url=url)))
    err = _refusal(path)
    assert seen == []
    _assert_no_leak(err, tmp_path)
    assert [p.rule for p in err.problems] == ["not_gpkg"]


def test_zip_with_a_vrt_inside_is_refused(tmp_path: Path, loopback: tuple[str, list[str]]) -> None:
    url, seen = loopback
    path = tmp_path / "zones.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("zones.vrt", _vrt(f"CSV:/vsicurl/{url}/z.csv"))
        zf.writestr("passwd.vrt", _vrt("CSV:/etc/passwd"))
    err = _refusal(path)
    assert seen == []
    assert {p.rule for p in err.problems} == {"zip_member"}
    _assert_no_leak(err, tmp_path)


def test_zip_whose_shp_is_a_vrt_is_refused(tmp_path: Path, loopback: tuple[str, list[str]]) -> None:
    url, seen = loopback
    path = tmp_path / "zones.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("zones.shp", _vrt(f"CSV:/vsicurl/{url}/z.csv"))
        zf.writestr("zones.dbf", b"")
        zf.writestr("zones.shx", b"")
    err = _refusal(path)
    assert seen == []
    assert [p.rule for p in err.problems] == ["not_shapefile"]
    _assert_no_leak(err, tmp_path)


@pytest.mark.parametrize("name", ["../../etc/cron.d/x.shp", "/abs/zones.shp", "a/b/zones.shp"])
def test_zip_member_paths_outside_one_folder_are_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "zones.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(name, b"\x00\x00\x27\x0a")
    assert {p.rule for p in _refusal(path).problems} == {"zip_member"}


def test_zip_bomb_is_refused_before_extraction(tmp_path: Path) -> None:
    path = tmp_path / "zones.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zones.dbf", b"\x00" * (300 * 1024 * 1024))
        zf.writestr("zones.shp", b"\x00\x00\x27\x0a")
    assert path.stat().st_size < 2 * 1024 * 1024
    assert "zip_too_large" in {p.rule for p in _refusal(path).problems}


def _gpkg_with(tmp_path: Path, sql: str) -> Path:
    good = tmp_path / "good.gpkg"
    read_zone_file(DATA / "good_zones.geojson").to_file(good, driver="GPKG", engine="pyogrio")
    with sqlite3.connect(good) as conn:
        conn.executescript(sql)
    return good


@pytest.mark.parametrize(
    "sql",
    [
        # a view over a table-valued function GDAL registers is how a GPKG reaches other files
        "CREATE VIEW zones_v AS SELECT * FROM good;",
        "CREATE VIRTUAL TABLE leak USING fts4(body);",
    ],
)
def test_gpkg_with_views_or_virtual_tables_is_refused(tmp_path: Path, sql: str) -> None:
    path = _gpkg_with(tmp_path, sql)
    err = _refusal(path)
    assert [p.rule for p in err.problems] == ["gpkg_schema"]
    _assert_no_leak(err, tmp_path)


def test_sqlite_that_is_not_a_geopackage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "zones.gpkg"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (a)")
    assert [p.rule for p in _refusal(path).problems] == ["not_gpkg"]


@pytest.mark.parametrize("suffix", ["gpkg", "zip"])
def test_truncated_or_garbage_file_names_the_rule_not_the_library_message(
    tmp_path: Path, suffix: str
) -> None:
    good = tmp_path / "good.gpkg"
    read_zone_file(DATA / "good_zones.geojson").to_file(good, driver="GPKG", engine="pyogrio")
    path = tmp_path / f"zones.{suffix}"
    path.write_bytes(good.read_bytes()[:3000] if suffix == "gpkg" else b"PK\x03\x04garbage")
    err = _refusal(path)
    assert err.problems[0].rule in {"unreadable", "not_gpkg", "gpkg_schema", "zip_member"}
    _assert_no_leak(err, tmp_path)


def test_good_gpkg_and_shapefile_zip_still_read(tmp_path: Path) -> None:
    gpkg = tmp_path / "good.gpkg"
    read_zone_file(DATA / "good_zones.geojson").to_file(gpkg, driver="GPKG", engine="pyogrio")
    assert len(read_zone_file(gpkg)) == 2
    frame = read_zone_file(DATA / "good_zones.csv")
    polys = frame[frame.geometry.geom_type == "Polygon"][["name", "kind", "geometry"]]
    shp = tmp_path / "shp" / "zones.shp"
    shp.parent.mkdir()
    polys.to_file(shp, driver="ESRI Shapefile", engine="pyogrio")
    z = tmp_path / "zones.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in shp.parent.iterdir():
            zf.write(f, f"folder/{f.name}")
    assert len(read_zone_file(z)) == len(polys)
