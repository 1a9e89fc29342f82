"""GeoPackage and zipped-Shapefile zone files opened through GDAL by their declared driver only.

GDAL picks a driver by content, and some drivers read other files or URLs the file names (an OGR
VRT, a GeoPackage view over a virtual table): a VRT named ``zones.gpkg`` read ``/etc/passwd`` and a
loopback URL (issue 22, finding 1). So before GDAL sees an upload:

- a ``.gpkg`` must be an SQLite file whose header says GeoPackage, and whose schema holds only
  tables, indexes, triggers and R-tree indexes (no views, no other virtual tables); it is then
  opened as ``GPKG:<path>`` (the GPKG driver and no other);
- a ``.zip`` is never handed to GDAL (no ``/vsizip/``): its members must be the parts of ONE
  Shapefile (``.shp .shx .dbf .prj .cpg``) in at most one folder, with a bounded uncompressed size;
  they are extracted here under fixed names, the ``.shp`` must start with the Shapefile file code,
  and the opened dataset must report the ``ESRI Shapefile`` driver;
- while GDAL reads, network access and external references are off (``GDAL_OPTIONS``).

KML, GeoJSON and CSV zone files never reach GDAL (``geodata.zones_io`` parses them in Python).
Refusals name a rule and never echo GDAL's message, which can quote the file or a temporary path.
"""

from __future__ import annotations

import contextlib
import sqlite3
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Final

import geopandas as gpd
import pyogrio

#: Declared format -> the one GDAL driver that may open it.
DRIVERS: Final = {"gpkg": "GPKG", "zip": "ESRI Shapefile"}

#: GDAL configuration while reading an upload: no HTTP (a 1-byte allow-list of URL suffixes that no
#: URL ends with, no proxy auto-configuration, zero retries), no directory listing on open, no
#: SQLite/GPKG reference to external files (VirtualOGR), no Python in VRTs, no .shx rebuilding.
GDAL_OPTIONS: Final[dict[str, str]] = {
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".envmon-no-network",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    "SHAPE_RESTORE_SHX": "NO",
}

#: SQLite file header (https://www.sqlite.org/fileformat.html, 1.3.1) and the GeoPackage
#: application ids at offset 68 (OGC 12-128r18 §1.1.1.1.1: "GPKG"; 1.0/1.1 files: "GP10", "GP11").
SQLITE_MAGIC: Final = b"SQLite format 3\x00"
GPKG_APPLICATION_IDS: Final = (b"GPKG", b"GP10", b"GP11")
#: Shapefile main-file header: file code 9994, big-endian (ESRI Shapefile Technical Description).
SHP_FILE_CODE: Final = 9994
SHAPEFILE_PARTS: Final = (".shp", ".shx", ".dbf", ".prj", ".cpg")
#: Default cap on a zip's total uncompressed size (bytes); the service passes its setting.
MAX_UNZIPPED_BYTES: Final = 64 * 1024 * 1024


class RefusedContainer(ValueError):
    """The file is not what its declared format allows; ``rule`` names why (no file contents)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


@contextlib.contextmanager
def _gdal_options() -> Iterator[None]:
    before = {k: pyogrio.get_gdal_config_option(k) for k in GDAL_OPTIONS}
    pyogrio.set_gdal_config_options(dict(GDAL_OPTIONS))
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def check_gpkg(path: Path) -> None:
    """Refuse ``path`` unless it is a GeoPackage with no views and no non-R-tree virtual tables."""
    with path.open("rb") as f:
        header = f.read(100)
    if not header.startswith(SQLITE_MAGIC) or header[68:72] not in GPKG_APPLICATION_IDS:
        raise RefusedContainer("not_gpkg", "the .gpkg file is not a GeoPackage (SQLite) file")
    try:
        # immutable: no journal or lock files beside the upload; trusted_schema off: the file's own
        # schema cannot make SQLite call functions while we look at it.
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            conn.execute("PRAGMA trusted_schema = OFF")
            schema = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        raise RefusedContainer(
            "unreadable", "the GeoPackage's SQLite schema cannot be read"
        ) from None
    for kind, name, sql in schema:
        text = " ".join(str(sql or "").split()).upper()
        if kind == "view":
            raise RefusedContainer(
                "gpkg_schema", f"GeoPackage holds a view ({name!r}): not allowed"
            )
        if text.startswith("CREATE VIRTUAL TABLE") and " USING RTREE" not in text:
            msg = f"GeoPackage holds a virtual table ({name!r}) other than an R-tree index"
            raise RefusedContainer("gpkg_schema", msg)


def _member_name(info: zipfile.ZipInfo) -> PurePosixPath:
    name = PurePosixPath(info.filename.replace("\\", "/"))
    if name.is_absolute() or ".." in name.parts or len(name.parts) > 2:
        raise RefusedContainer("zip_member", "zip members must lie in at most one folder")
    return name


def extract_shapefile(archive: Path, into: Path, max_bytes: int = MAX_UNZIPPED_BYTES) -> Path:
    """Extract the one Shapefile in ``archive`` into ``into`` as ``zones.*``; return the ``.shp``."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise RefusedContainer(
            "unreadable", "the .zip file is not a readable zip archive"
        ) from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        names = [_member_name(i) for i in infos]
        bad = sorted({n.suffix.lower() or n.name for n in names} - set(SHAPEFILE_PARTS))
        if bad:
            msg = f"zip may hold only the parts of one Shapefile ({' '.join(SHAPEFILE_PARTS)})"
            raise RefusedContainer("zip_member", f"{msg}; found {', '.join(bad)}")
        shp = [n for n in names if n.suffix.lower() == ".shp"]
        if len(shp) != 1 or len({n.with_suffix("") for n in names}) != 1:
            msg = "zip must hold exactly one Shapefile (one .shp, parts sharing its name)"
            raise RefusedContainer("zip_member", msg)
        total = sum(i.file_size for i in infos)
        if total > max_bytes:
            msg = f"zip unpacks to {total} bytes; the limit is {max_bytes} bytes"
            raise RefusedContainer("zip_too_large", msg)
        into.mkdir(parents=True, exist_ok=True)
        for info, name in zip(infos, names, strict=True):
            target = into / f"zones{name.suffix.lower()}"
            try:
                with zf.open(info) as src, target.open("wb") as dst:
                    left = max_bytes
                    while chunk := src.read(1 << 20):
                        left -= len(chunk)
                        if left < 0:  # the header lied about the size
                            raise RefusedContainer("zip_too_large", "zip member larger than stated")
                        dst.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
                msg = "a zip member cannot be unpacked (corrupt or unsupported compression)"
                raise RefusedContainer("unreadable", msg) from None
    out = into / "zones.shp"
    with out.open("rb") as f:
        head = f.read(4)
    if len(head) < 4 or struct.unpack(">i", head)[0] != SHP_FILE_CODE:
        raise RefusedContainer("not_shapefile", "the .shp in the zip is not a Shapefile")
    return out


def read_ogr_frame(
    path: Path, fmt: str, work_dir: Path, max_bytes: int, max_features: int
) -> gpd.GeoDataFrame:
    """Read the first layer of a checked ``gpkg`` or ``zip`` zone file with its one driver;
    refuse it before reading when its layer says it has more than ``max_features``."""
    if fmt == "gpkg":
        check_gpkg(path)
        target = f"GPKG:{path}"
    elif fmt == "zip":
        target = str(extract_shapefile(path, work_dir, max_bytes))
    else:  # pragma: no cover - callers pass only DRIVERS' keys
        raise ValueError(f"{fmt!r} is not read through GDAL")
    with _gdal_options():
        try:
            info = pyogrio.read_info(target)
            if info.get("driver") != DRIVERS[fmt]:
                msg = f"opened as {info.get('driver')!r}, not {DRIVERS[fmt]!r}"
                raise RefusedContainer("wrong_driver", msg)
            count = int(info.get("features") or 0)
            if count > max_features:
                msg = f"the file holds {count} features; the limit is {max_features}"
                raise RefusedContainer("too_many_features", msg)
            return gpd.read_file(target, engine="pyogrio")
        except RefusedContainer:
            raise
        except Exception:  # pyogrio raises DataSourceError and friends; their text is not shown
            msg = f"the file cannot be read as {DRIVERS[fmt]}"
            raise RefusedContainer("unreadable", msg) from None
