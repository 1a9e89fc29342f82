"""The bureau's station and section registry files: CSV (Chinese or English headers), XLSX, GeoJSON.

One row (or GeoJSON Point feature) per station or section. Columns, any of the names listed in
``HEADERS`` (case and spaces ignored)::

    code       编码 / 代码 / 站点编码 / 断面编码          required, letters, digits, - _ . (≤ 32)
    name       名称 / 站点名称 / 断面名称                 required (≤ 200)
    name_en    英文名称 / english name
    kind       类型: national 国控, provincial 省控, city 市控, county 县控, boundary 交界 / 厂界,
               plant 厂区内, port 港口, background 背景, other 其他 (stations get ``_air`` added, as
               in the package)
    zone       所属区域 / 港区 / 厂区 (stations): the harbour zone code a ``boundary``, ``plant`` or
               ``port`` monitor belongs to (docs/supervision.md); a station with a zone is that
               zone's monitor, kept out of the AQI station lists and district figures
    district   区县 / 区县代码: 330902 or 定海区 / 定海 / Dinghai; assigned from the coordinates when
               empty (``geodata.spatial.assign_district``: inside a district, or within 5 km of one)
    lon, lat   经度 / 纬度, decimal degrees (GeoJSON: the Point)
    datum      坐标系: WGS-84 (default), CGCS2000 (taken as WGS-84: they agree to decimetres) or
               GCJ-02 (converted to WGS-84 with ``geodata.crs.gcj02_to_wgs84``)
    provincial 省控 / 是否省控: 是/否, true/false, 1/0, yes/no, Y/N
    aliases    别名: other names the lab and automatic files use, separated by ; | 、 or ，
    waterbody  水体 (sections): river 河流 | lake 湖库

:func:`read_registry_file` reads and checks everything and raises :class:`RegistryFileError` naming
every bad row (line, column, rule) when anything is wrong; it never returns half a file.
Pure: bytes in, a frame out (no store, clock or settings).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.crs import WGS84, gcj02_to_wgs84, normalise_datum
from geodata.places import load_districts
from geodata.spatial import assign_district
from stations.names import name_key

Kind = Literal["stations", "sections"]

HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "code": (
        "code",
        "编码",
        "代码",
        "站点编码",
        "站点代码",
        "断面编码",
        "断面代码",
        "点位编码",
        "station_code",
        "section_code",
    ),
    "name": (
        "name",
        "名称",
        "站点名称",
        "断面名称",
        "点位名称",
        "station",
        "section",
        "站点",
        "断面",
    ),
    "name_en": ("name_en", "英文名称", "englishname", "name(en)", "nameen"),
    "kind": ("kind", "type", "类型", "类别", "站点类型", "断面类型", "级别"),
    "district": (
        "district",
        "district_code",
        "区县",
        "区县代码",
        "所属区县",
        "行政区划代码",
        "区县编码",
    ),
    "lon": ("lon", "lng", "longitude", "经度", "x"),
    "lat": ("lat", "latitude", "纬度", "y"),
    "datum": ("datum", "crs", "坐标系", "坐标系统"),
    "provincial": ("provincial", "省控", "是否省控", "省控及以上"),
    "aliases": ("aliases", "alias", "别名", "其他名称", "又名"),
    "waterbody": ("waterbody", "水体", "水体类型"),
    "source": ("source", "来源", "数据来源"),
    "zone": ("zone", "zone_code", "所属区域", "区域编码", "港区", "厂区", "所属厂区", "所属港区"),
}

#: Kinds, with the Chinese words files use for them.
KINDS: Final[dict[str, str]] = {
    "national": "national", "国控": "national", "国家": "national",
    "provincial": "provincial", "省控": "provincial",
    "city": "city", "市控": "city",
    "county": "county", "县控": "county",
    "boundary": "boundary", "交界": "boundary", "跨界": "boundary", "交接": "boundary",
    "厂界": "boundary", "fenceline": "boundary",
    "plant": "plant", "厂区内": "plant", "厂区": "plant",
    "port": "port", "港口": "port",
    "background": "background", "背景": "background",
    "other": "other", "其他": "other",
}  # fmt: skip
WATERBODIES: Final[dict[str, str]] = {
    "river": "river", "河流": "river", "河": "river",
    "lake": "lake", "湖库": "lake", "湖泊": "lake", "水库": "lake", "reservoir": "lake",
}  # fmt: skip
#: Kinds of the stations that may belong to a harbour zone (yard boundary, in-plant, port monitors).
MONITOR_KINDS: Final = ("boundary", "plant", "port")
TRUE: Final = frozenset({"是", "true", "1", "yes", "y", "t"})
FALSE: Final = frozenset({"否", "false", "0", "no", "n", "f", ""})
_CODE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
_ALIAS_SPLIT: Final = re.compile(r"[;|、，；]")
#: Most rows one file may hold (a registry, not an archive).
MAX_ROWS: Final = 20_000


@dataclass(frozen=True, slots=True)
class RegistryProblem:
    """One broken rule: ``line`` is the file's line (CSV/XLSX, header = 1) or feature number."""

    line: int | None
    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "file"
        return f"{where}, {self.field}: {self.message} ({self.rule})"


class RegistryFileError(ValueError):
    """A registry file was refused; ``problems`` names every bad row. Nothing was imported."""

    def __init__(self, problems: list[RegistryProblem], source: str = "registry file") -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems[:200])
        more = f"\n  ... and {len(self.problems) - 200} more" if len(self.problems) > 200 else ""
        super().__init__(f"{source}: refused, {len(self.problems)} problem(s):\n{lines}{more}")


def detect_format(file_name: str, raw: bytes) -> str:
    """``csv``, ``xlsx`` or ``geojson`` from the bytes (zip = XLSX, ``{`` = GeoJSON) and the name."""
    if raw[:4] == b"PK\x03\x04":
        return "xlsx"
    if raw.lstrip()[:1] == b"{" or file_name.lower().endswith((".geojson", ".json")):
        return "geojson"
    return "csv"


def _table(raw: bytes, fmt: str) -> tuple[pd.DataFrame, list[float | None], list[float | None]]:
    """Rows as text (columns as written), plus GeoJSON point coordinates (else Nones)."""
    if fmt == "xlsx":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
            wb.close()
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError) as exc:
            raise _file_error(f"not a readable XLSX workbook ({type(exc).__name__})") from exc
        cells = [["" if c is None else str(c).strip() for c in r] for r in rows]
    elif fmt == "geojson":
        try:
            obj = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _file_error(f"broken GeoJSON ({exc})") from exc
        feats = obj.get("features") if isinstance(obj, dict) else None
        if not isinstance(feats, list):
            raise _file_error("GeoJSON without a 'features' list")
        props, lons, lats = [], [], []
        for f in feats:
            p = f.get("properties") if isinstance(f, dict) else None
            g = f.get("geometry") if isinstance(f, dict) else None
            props.append({str(k): "" if v is None else str(v) for k, v in (p or {}).items()})
            xy = g.get("coordinates") if isinstance(g, dict) and g.get("type") == "Point" else None
            ok = isinstance(xy, list) and len(xy) >= 2
            lons.append(_num(xy[0]) if ok else None)  # type: ignore[index]
            lats.append(_num(xy[1]) if ok else None)  # type: ignore[index]
        return pd.DataFrame(props, dtype=object).fillna(""), lons, lats
    else:
        text = None
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        if text is None or "\x00" in text:
            raise _file_error("not UTF-8/GB18030 CSV text")
        cells = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    cells = [r for r in cells if any(c for c in r)]
    if not cells:
        raise _file_error("the file holds no rows")
    width = max(len(r) for r in cells)
    cells = [r + [""] * (width - len(r)) for r in cells]
    frame = pd.DataFrame(cells[1:], columns=cells[0], dtype=object)
    none: list[float | None] = [None] * len(frame)
    return frame, none, list(none)


def _num(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if np.isfinite(out) else None


def _file_error(message: str) -> RegistryFileError:
    return RegistryFileError([RegistryProblem(None, "file", "readable", message)])


def _columns(frame: pd.DataFrame) -> tuple[dict[str, str], list[RegistryProblem]]:
    """Our field -> the file's column; unknown columns are a problem (nothing is dropped silently)."""
    by_key = {name_key(alias): field for field, names in HEADERS.items() for alias in names}
    found: dict[str, str] = {}
    problems = []
    for col in frame.columns:
        field = by_key.get(name_key(col))
        if field is None:
            if str(col).strip():
                problems.append(
                    RegistryProblem(1, str(col), "known_column", f"unknown column {col!r}")
                )
            continue
        if field in found:
            problems.append(RegistryProblem(1, str(col), "one_column", f"{field!r} given twice"))
        found[field] = str(col)
    for field in ("code", "name"):
        if field not in found:
            problems.append(RegistryProblem(1, field, "required_column", f"no {field} column"))
    return found, problems


def _districts() -> dict[str, str]:
    d = load_districts()
    out: dict[str, str] = {}
    for code, name, name_en in zip(d["code"], d["name"], d["name_en"], strict=True):
        for text in (code, name, name_en, str(name)[:-1], str(name_en).split()[0]):
            out[name_key(text)] = str(code)
    return out


@dataclass(slots=True)
class _Rows:
    """The file's rows under their known columns, and the problems found so far."""

    table: pd.DataFrame
    cols: dict[str, str]
    problems: list[RegistryProblem]
    lines: np.ndarray  # the file line (or feature number) of each row

    def col(self, field: str) -> pd.Series:
        """The stripped text of ``field`` per row ("" everywhere when the column is absent)."""
        if field in self.cols:
            return self.table[self.cols[field]].astype(str).str.strip()
        return pd.Series([""] * len(self.table), index=self.table.index, dtype=object)

    def bad(self, i: int, field: str, rule: str, message: str) -> None:
        """Name row ``i``'s ``field`` as breaking ``rule``."""
        self.problems.append(RegistryProblem(int(self.lines[i]), field, rule, message))


def _check_codes(rows: _Rows, code: pd.Series, name: pd.Series) -> None:
    """Codes well-formed and unique, names of 1-200 characters."""
    seen: dict[str, int] = {}
    for i, (c, nm) in enumerate(zip(code, name, strict=True)):
        if not _CODE.match(c):
            rows.bad(i, "code", "code_format", f"code {c!r}: 1-32 letters, digits, - _ .")
        elif c in seen:
            rows.bad(i, "code", "unique", f"code {c!r} repeats line {seen[c]}")
        else:
            seen[c] = int(rows.lines[i])
        if not nm or len(nm) > 200:
            rows.bad(i, "name", "name_required", f"name {nm!r}: 1-200 characters")


def _kinds(rows: _Rows) -> list[str | None]:
    """Each row's kind (``other`` when empty), None when unknown."""
    kinds = []
    for i, k in enumerate(rows.col("kind")):
        value = KINDS.get(name_key(k)) if k else "other"
        if value is None:
            rows.bad(i, "kind", "known_kind", f"kind {k!r}: one of {sorted(set(KINDS.values()))}")
        kinds.append(value)
    return kinds


def _coordinates(rows: _Rows, fmt: str, g_lon: Any, g_lat: Any) -> tuple[pd.Series, pd.Series]:
    """Longitude and latitude as given (columns, else the GeoJSON geometry), checked."""
    lon = pd.to_numeric(rows.col("lon").replace("", None), errors="coerce").astype(float)
    lat = pd.to_numeric(rows.col("lat").replace("", None), errors="coerce").astype(float)
    if fmt == "geojson":
        index = rows.table.index
        lon = lon.where(lon.notna(), pd.Series(g_lon, index=index, dtype=float))
        lat = lat.where(lat.notna(), pd.Series(g_lat, index=index, dtype=float))
    for i, (x, y, tx, ty) in enumerate(
        zip(lon, lat, rows.col("lon"), rows.col("lat"), strict=True)
    ):
        if (tx and np.isnan(x)) or (ty and np.isnan(y)):
            rows.bad(i, "lon/lat", "number", f"coordinates {tx!r}, {ty!r} are not numbers")
        elif np.isnan(x) != np.isnan(y):
            rows.bad(i, "lon/lat", "both", "give both longitude and latitude, or neither")
        elif not np.isnan(x) and not (-180 <= x <= 180 and -90 <= y <= 90):
            rows.bad(i, "lon/lat", "range", f"({x}, {y}) is not a longitude/latitude in degrees")
    return lon, lat


def _datums(rows: _Rows, datum: str | None) -> list[str | None]:
    """Each row's datum: its own, else the file's ``datum``, else WGS-84."""
    datums = []
    default = datum or "WGS84"
    for i, d in enumerate(rows.col("datum")):
        canon = normalise_datum(d or default)
        if canon is None:
            rows.bad(
                i, "datum", "known_datum", f"datum {d or default!r}: WGS-84, CGCS2000 or GCJ-02"
            )
        datums.append(canon)
    return datums


def _given_districts(rows: _Rows) -> list[str | None]:
    """Each row's district code as given (code or name), None when empty."""
    known = _districts()
    given: list[str | None] = []
    for i, d in enumerate(rows.col("district")):
        if not d:
            given.append(None)
            continue
        value = known.get(name_key(d))
        if value is None:
            rows.bad(
                i, "district", "known_district", f"district {d!r}: a Zhoushan district code or name"
            )
        given.append(value)
    return given


def _set_districts(out: pd.DataFrame, given: list[str | None]) -> None:
    """``district_code``: given, else from the coordinates (``district_assigned`` then true)."""
    has_xy = out["lon"].notna().to_numpy()
    points = gpd.GeoDataFrame(
        {"district_code": given},
        geometry=gpd.points_from_xy(out["lon"].fillna(0), out["lat"].fillna(0)),
        crs=WGS84,
    )
    points.loc[~has_xy, "geometry"] = None
    located = assign_district(points)["district_code"].to_numpy()
    assigned = np.array([g is None for g in given]) & has_xy & pd.notna(located)
    out["district_code"] = np.where(assigned, located, np.array(given, dtype=object))
    out["district_assigned"] = assigned


def _provincial(rows: _Rows) -> list[bool | None]:
    """Each row's provincial flag (是/否, true/false, 1/0)."""
    prov: list[bool | None] = []
    for i, p in enumerate(rows.col("provincial")):
        key = name_key(p)
        if key in TRUE:
            prov.append(True)
        elif key in FALSE:
            prov.append(False)
        else:
            rows.bad(i, "provincial", "yes_no", f"provincial {p!r}: 是/否, true/false, 1/0")
            prov.append(None)
    return prov


def _zones(rows: _Rows, kinds: list[str | None]) -> list[str | None]:
    """Each station's zone; only a zone-monitor kind belongs to one."""
    zones = [z or None for z in rows.col("zone")]
    for i, (z, k) in enumerate(zip(zones, kinds, strict=True)):
        if z is not None and k not in MONITOR_KINDS:
            rows.bad(
                i,
                "zone",
                "zone_monitor_kind",
                f"zone {z!r}: only a {'/'.join(MONITOR_KINDS)} station belongs to a zone",
            )
        elif z is not None and len(z) > 120:
            rows.bad(i, "zone", "zone_code", f"zone {z!r}: at most 120 characters")
    return zones


def _waterbodies(rows: _Rows) -> list[str | None]:
    """Each section's waterbody (river when empty)."""
    wb_ = []
    for i, w in enumerate(rows.col("waterbody")):
        value = WATERBODIES.get(name_key(w)) if w else "river"
        if value is None:
            rows.bad(i, "waterbody", "known_waterbody", f"waterbody {w!r}: river 河流 or lake 湖库")
        wb_.append(value)
    return wb_


def read_registry_file(
    raw: bytes, file_name: str, kind: Kind, datum: str | None = None
) -> pd.DataFrame:
    """Read and check a registry file; the frame has ``code, name, name_en, kind, district_code,
    district_assigned (bool), lon, lat`` (WGS-84), ``datum`` (as given), ``provincial``,
    ``aliases`` (list), ``source`` and, for sections, ``waterbody``. ``datum``: the file's datum
    when it has no datum column (default WGS-84). Raises :class:`RegistryFileError`."""
    fmt = detect_format(file_name, raw)
    table, g_lon, g_lat = _table(raw, fmt)
    if len(table) > MAX_ROWS:
        raise _file_error(f"{len(table)} rows; a registry file holds at most {MAX_ROWS}")
    cols, problems = _columns(table)
    first_line = 1 if fmt == "geojson" else 2
    rows = _Rows(table, cols, problems, np.arange(first_line, first_line + len(table)))
    code, name = rows.col("code"), rows.col("name")
    out = pd.DataFrame(
        {
            "code": code,
            "name": name,
            "name_en": rows.col("name_en").replace("", None),
            "source": rows.col("source").replace("", None),
        }
    )
    _check_codes(rows, code, name)
    kinds = _kinds(rows)
    suffix = "_air" if kind == "stations" else "_section"
    out["kind"] = [f"{k}{suffix}" if k else None for k in kinds]
    lon, lat = _coordinates(rows, fmt, g_lon, g_lat)
    datums = _datums(rows, datum)
    gcj = np.array([d == "GCJ02" for d in datums]) & lon.notna().to_numpy()
    if gcj.any():
        wl, wb = gcj02_to_wgs84(lon[gcj].to_numpy(), lat[gcj].to_numpy())
        lon[gcj], lat[gcj] = wl, wb
    out["lon"], out["lat"] = lon.round(6), lat.round(6)
    out["datum"] = [
        {"WGS84": "WGS-84", "CGCS2000": "CGCS2000", "GCJ02": "GCJ-02"}.get(str(d)) for d in datums
    ]
    _set_districts(out, _given_districts(rows))
    out["provincial"] = _provincial(rows)
    out["aliases"] = [
        sorted({a.strip() for a in _ALIAS_SPLIT.split(text) if a.strip()})
        for text in rows.col("aliases")
    ]
    if kind == "stations":
        out["zone"] = pd.Series(_zones(rows, kinds), index=out.index, dtype=object)
    if kind == "sections":
        out["waterbody"] = _waterbodies(rows)
    if problems:
        raise RegistryFileError(problems, file_name)
    return out.reset_index(drop=True)


__all__ = [
    "HEADERS",
    "KINDS",
    "MONITOR_KINDS",
    "RegistryFileError",
    "RegistryProblem",
    "detect_format",
    "read_registry_file",
]
