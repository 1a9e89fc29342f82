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

from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.crs import WGS84, gcj02_to_wgs84
from geodata.spatial import assign_district
from stations.names import name_key
from stations.registry_files import (
    COORDINATE_HEADERS,
    DATUM_LABEL,
    MAX_ROWS,
    RegistryFileError,
    Rows,
    aliases,
    checked_codes,
    coordinate,
    datums,
    file_error,
    given_districts,
    in_degrees,
    known_words,
    read_rows,
)

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
    **COORDINATE_HEADERS,
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


def _point(geom: Any) -> tuple[float | None, float | None]:
    """A GeoJSON Point's longitude and latitude (None where there is no number)."""
    xy = geom.get("coordinates") if isinstance(geom, dict) and geom.get("type") == "Point" else None
    if isinstance(xy, list) and len(xy) >= 2:
        return coordinate(xy[0]), coordinate(xy[1])
    return None, None


def _coordinates(rows: Rows, geoms: list[Any]) -> tuple[pd.Series, pd.Series]:
    """Longitude and latitude as given (columns, else the GeoJSON Point), checked."""
    lon = pd.to_numeric(rows.series("lon").replace("", None), errors="coerce").astype(float)
    lat = pd.to_numeric(rows.series("lat").replace("", None), errors="coerce").astype(float)
    g_lon, g_lat = zip(*map(_point, geoms), strict=True) if geoms else ((), ())
    index = rows.table.index
    lon = lon.where(lon.notna(), pd.Series(g_lon, index=index, dtype=float))
    lat = lat.where(lat.notna(), pd.Series(g_lat, index=index, dtype=float))
    for i, (x, y, tx, ty) in enumerate(
        zip(lon, lat, rows.col("lon"), rows.col("lat"), strict=True)
    ):
        if geoms[i] is not None and None in (g_lon[i], g_lat[i]):
            # A geometry that gives no point would leave the station without its place, unsaid.
            kind = geoms[i].get("type") if isinstance(geoms[i], dict) else None
            rows.bad(
                i,
                "geometry",
                "point",
                f"geometry {kind!r}: a Point of two finite numbers [lon, lat]",
            )
        elif (tx and np.isnan(x)) or (ty and np.isnan(y)):
            rows.bad(i, "lon/lat", "number", f"coordinates {tx!r}, {ty!r} are not numbers")
        elif np.isnan(x) != np.isnan(y):
            rows.bad(i, "lon/lat", "both", "give both longitude and latitude, or neither")
        elif not np.isnan(x) and not (-180 <= x <= 180 and -90 <= y <= 90):
            rows.bad(i, "lon/lat", "range", f"({x}, {y}) is not a longitude/latitude in degrees")
    return lon, lat


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


def _provincial(rows: Rows) -> list[bool | None]:
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


def _zones(rows: Rows, kinds: list[str | None]) -> list[str | None]:
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


def read_registry_file(
    raw: bytes, file_name: str, kind: Kind, datum: str | None = None
) -> pd.DataFrame:
    """Read and check a registry file; the frame has ``code, name, name_en, kind, district_code,
    district_assigned (bool), lon, lat`` (WGS-84), ``datum`` (as given), ``provincial``,
    ``aliases`` (list), ``source`` and, for sections, ``waterbody``. ``datum``: the file's datum
    when it has no datum column (default WGS-84). Raises :class:`RegistryFileError`."""
    _, rows, geoms = read_rows(raw, file_name, HEADERS)
    if rows.n > MAX_ROWS:
        raise file_error(f"{rows.n} rows; a registry file holds at most {MAX_ROWS}")
    code, name = checked_codes(rows)
    out = pd.DataFrame(
        {
            "code": code,
            "name": name,
            "name_en": rows.series("name_en").replace("", None),
            "source": rows.series("source").replace("", None),
        }
    )
    choices = f"one of {sorted(set(KINDS.values()))}"
    kinds = known_words(rows, "kind", KINDS, "other", "known_kind", choices)
    suffix = "_air" if kind == "stations" else "_section"
    out["kind"] = [f"{k}{suffix}" if k else None for k in kinds]
    lon, lat = _coordinates(rows, geoms)
    row_datums = datums(rows, datum)
    # Only coordinates in degrees are converted (the others are refused already).
    gcj = np.array([d == "GCJ02" for d in row_datums], dtype=bool) & in_degrees(lon, lat)
    if gcj.any():
        wl, wb = gcj02_to_wgs84(lon[gcj].to_numpy(), lat[gcj].to_numpy())
        lon[gcj], lat[gcj] = wl, wb
    out["lon"], out["lat"] = lon.round(6), lat.round(6)
    out["datum"] = [DATUM_LABEL.get(str(d)) for d in row_datums]
    _set_districts(out, given_districts(rows))
    out["provincial"] = _provincial(rows)
    out["aliases"] = aliases(rows)
    if kind == "stations":
        out["zone"] = pd.Series(_zones(rows, kinds), index=out.index, dtype=object)
    if kind == "sections":
        out["waterbody"] = known_words(
            rows, "waterbody", WATERBODIES, "river", "known_waterbody", "river 河流 or lake 湖库"
        )
    if rows.problems:
        raise RegistryFileError(rows.problems, file_name)
    return out.reset_index(drop=True)


__all__ = [
    "HEADERS",
    "KINDS",
    "MONITOR_KINDS",
    "read_registry_file",
]
