"""The bureau's nearshore seawater registry file: monitoring points and bay / functional-zone areas.

One file holds both. GeoJSON: a ``Point`` feature is a monitoring point (海水监测点位), a ``Polygon`` or
``MultiPolygon`` feature a sea area (海湾 bay or 海洋功能区 functional zone). CSV / XLSX: points only,
one row each. Columns (or GeoJSON properties), any of the names in ``SEA_HEADERS`` (case and spaces
ignored)::

    code          编码 / 点位编码 / 海湾编码          required, letters, digits, - _ . (≤ 32)
    name          名称 / 点位名称 / 海湾名称          required (≤ 200)
    name_en       英文名称
    target        目标 / 水质目标 / 功能区目标        GB 3097 class: 一类..四类, 第一类, I..IV, Ⅰ..Ⅳ, 1..4
    area          所属海湾 / 海湾编码 / 功能区编码    (points) the code of the area the point belongs to
    kind          类型 (areas): bay 海湾 | zone 功能区
    district      区县: 330902 or 定海区 / 定海 / Dinghai; from the coordinates when empty
    lon, lat      经度 / 纬度 (CSV points; GeoJSON takes the geometry)
    datum         坐标系: WGS-84 (default), CGCS2000 (taken as WGS-84) or GCJ-02 (converted)
    aliases       别名: other names the lab files use, separated by ; | 、 or ，
    source        来源

A point without a target takes its area's. :func:`read_sea_file` checks everything and raises
``RegistryFileError`` naming every bad row (line or feature, field, rule); it never returns half a
file. Pure: bytes in, frames out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.crs import METRIC, WGS84, gcj02_to_wgs84
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
from stations.standards import tables as T

SEA_HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "code": ("code", "编码", "代码", "点位编码", "点位代码", "海湾编码", "站位编码", "站位"),
    "name": ("name", "名称", "点位名称", "海湾名称", "站位名称", "功能区名称", "点位"),
    "name_en": ("name_en", "英文名称", "englishname", "nameen"),
    "target": (
        "target",
        "target_class",
        "目标",
        "水质目标",
        "目标类别",
        "功能区目标",
        "水质目标类别",
        "目标水质",
    ),
    "area": ("area", "area_code", "bay", "所属海湾", "海湾", "所属功能区", "功能区编码"),
    "kind": ("kind", "type", "类型", "区域类型"),
    "district": ("district", "district_code", "区县", "区县代码", "所属区县"),
    **COORDINATE_HEADERS,
    "aliases": ("aliases", "alias", "别名", "其他名称"),
    "source": ("source", "来源", "数据来源"),
}
AREA_KINDS: Final[dict[str, str]] = {
    "bay": "bay", "海湾": "bay", "湾": "bay",
    "zone": "zone", "功能区": "zone", "海洋功能区": "zone", "近岸海域": "zone", "海域": "zone",
}  # fmt: skip
_CLASS_WORDS: Final[dict[str, str]] = {
    **{c: c for c in T.SEA_CLASSES[:-1]},
    "一类": "I", "二类": "II", "三类": "III", "四类": "IV",
    "第一类": "I", "第二类": "II", "第三类": "III", "第四类": "IV",
    "ⅰ": "I", "ⅱ": "II", "ⅲ": "III", "ⅳ": "IV", "ⅰ类": "I", "ⅱ类": "II", "ⅲ类": "III", "ⅳ类": "IV",
    "1": "I", "2": "II", "3": "III", "4": "IV",
    "i类": "I", "ii类": "II", "iii类": "III", "iv类": "IV",
}  # fmt: skip
_CLASS_KEYS: Final = {name_key(k): v for k, v in _CLASS_WORDS.items()}


@dataclass(frozen=True, slots=True)
class SeaFile:
    """A checked sea registry file: ``points`` (code, name, name_en, district_code, area_code,
    target_class, lon, lat, datum, aliases, source) and ``areas`` (code, name, name_en, kind,
    district_code, target_class, geometry (GeoJSON dict, WGS-84), area_km2, datum, source)."""

    points: pd.DataFrame
    areas: pd.DataFrame
    file_format: str


def sea_class(text: str) -> str | None:
    """A target class written as 一类 / 第二类 / II / Ⅲ / 4 -> ``I``..``IV`` (None if unknown)."""
    return _CLASS_KEYS.get(name_key(text))


def _convert(geom: Any, datum: str | None) -> Any:
    """A GeoJSON geometry dict with every coordinate converted from GCJ-02 when asked."""
    shape = shapely.geometry.shape(geom)
    if datum == "GCJ02":

        def to_wgs(xy: np.ndarray) -> np.ndarray:
            lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
            return np.column_stack([lon, lat])

        shape = shapely.transform(shape, to_wgs)
    return shapely.set_precision(shapely.make_valid(shape), 1e-6)


def _area_problem(shape: Any) -> tuple[str, str] | None:
    """The rule a sea area's shape (WGS-84, made valid) breaks: it must enclose water (a polygon
    that is not empty) and lie within longitude/latitude degrees."""
    if shape.is_empty or shape.geom_type not in ("Polygon", "MultiPolygon"):
        return "polygon", f"the polygon encloses no area (it reads as {shape.geom_type})"
    x0, y0, x1, y1 = shape.bounds
    if not (-180 <= x0 and x1 <= 180 and -90 <= y0 and y1 <= 90):
        return "range", f"polygon bounds ({x0}, {y0}, {x1}, {y1}) are not longitude/latitude"
    return None


@dataclass(slots=True)
class _Places:
    """Where each row is: a point (lon/lat, WGS-84) or an area (a shapely shape)."""

    is_area: np.ndarray
    broken: np.ndarray  # a geometry already named as bad: no further checks
    shapes: list[Any]
    lon: np.ndarray
    lat: np.ndarray


def _targets(rows: Rows) -> list[str | None]:
    """Each row's GB 3097 target class (None when not given)."""
    targets: list[str | None] = []
    for i, t in enumerate(rows.col("target")):
        cls = sea_class(t) if t else None
        if t and cls is None:
            rows.bad(i, "target", "sea_class", f"target {t!r}: 一类..四类 (I..IV)")
        targets.append(cls)
    return targets


def _feature_places(rows: Rows, geoms: list[Any], fmt: str, datums: list[str | None]) -> _Places:
    """What each row is from its GeoJSON geometry: a point (CSV row or Point feature) or an area
    (Polygon feature, converted to WGS-84)."""
    n = rows.n
    places = _Places(
        is_area=np.zeros(n, dtype=bool),
        broken=np.zeros(n, dtype=bool),
        shapes=[None] * n,
        lon=np.full(n, np.nan),
        lat=np.full(n, np.nan),
    )
    for i, g in enumerate(geoms):
        gtype = g.get("type") if isinstance(g, dict) else None
        if fmt == "geojson" and gtype in ("Polygon", "MultiPolygon"):
            try:
                shape = _convert(g, datums[i])
            except Exception as exc:  # shapely raises many kinds on malformed coordinates
                rows.bad(i, "geometry", "polygon", f"not a readable polygon ({type(exc).__name__})")
                places.broken[i] = True
                continue
            wrong = _area_problem(shape)
            if wrong is not None:
                rows.bad(i, "geometry", *wrong)
                places.broken[i] = True
            else:
                places.shapes[i], places.is_area[i] = shape, True
            continue
        if fmt == "geojson" and gtype == "Point":
            xy = g.get("coordinates")
            if isinstance(xy, list) and len(xy) >= 2:
                x, y = coordinate(xy[0]), coordinate(xy[1])
                if x is not None and y is not None:
                    places.lon[i], places.lat[i] = x, y
        elif fmt == "geojson":
            rows.bad(
                i,
                "geometry",
                "point_or_polygon",
                f"geometry {gtype!r}: Point, Polygon or MultiPolygon",
            )
            places.broken[i] = True
    return places


def _point_coordinates(rows: Rows, places: _Places, datums: list[str | None]) -> None:
    """Fill the points' lon/lat from the lon/lat columns, check them, convert GCJ-02 to WGS-84."""
    lon, lat = places.lon, places.lat
    tx, ty = rows.col("lon"), rows.col("lat")
    for i in range(rows.n):
        if places.is_area[i] or places.broken[i]:
            continue
        if tx[i] or ty[i]:
            x, y = coordinate(tx[i]), coordinate(ty[i])
            if x is None or y is None:
                rows.bad(
                    i, "lon/lat", "number", f"coordinates {tx[i]!r}, {ty[i]!r} are not numbers"
                )
                continue
            lon[i], lat[i] = x, y
        if np.isnan(lon[i]) or np.isnan(lat[i]):
            rows.bad(i, "lon/lat", "required", "a seawater point needs its longitude and latitude")
        elif not (-180 <= lon[i] <= 180 and -90 <= lat[i] <= 90):
            rows.bad(i, "lon/lat", "range", f"({lon[i]}, {lat[i]}) is not a longitude/latitude")
    gcj = (
        np.array([d == "GCJ02" for d in datums], dtype=bool)
        & ~places.is_area
        & in_degrees(lon, lat)
    )
    if gcj.any():
        lon[gcj], lat[gcj] = gcj02_to_wgs84(lon[gcj], lat[gcj])


def _check_area_links(rows: Rows, codes: list[str], is_area: np.ndarray) -> None:
    """An area needs its target class; a point's area must be an area of this file."""
    area_codes = {codes[i] for i in range(rows.n) if is_area[i]}
    point_area = rows.col("area")
    for i in range(rows.n):
        if is_area[i]:
            if not rows.col("target")[i]:
                rows.bad(i, "target", "required", "a sea area needs its target class (一类..四类)")
        elif point_area[i] and point_area[i] not in area_codes:
            rows.bad(
                i, "area", "known_area", f"area {point_area[i]!r} is not a sea area of this file"
            )


def _districts_filled(given: list[str | None], places: _Places) -> list[str | None]:
    """Districts from the geometry where not given (an area: its representative point)."""
    where = [
        shapely.Point(places.lon[i], places.lat[i])
        if not places.is_area[i]
        else shapely.point_on_surface(places.shapes[i])
        for i in range(len(given))
    ]
    located = assign_district(
        gpd.GeoDataFrame({"district_code": given}, geometry=where, crs=WGS84)
    )["district_code"].to_numpy()
    return [
        g if g is not None else (None if pd.isna(x) else str(x))
        for g, x in zip(given, located, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class _Fields:
    """The checked values of every row."""

    codes: list[str]
    names: list[str]
    names_en: list[str]
    targets: list[str | None]
    datums: list[str | None]
    district: list[str | None]
    kinds: list[str | None]
    point_area: list[str]
    sources: list[str]


def _points_frame(f: _Fields, places: _Places, aliases: list[list[str]]) -> pd.DataFrame:
    """The monitoring points; a point without a target takes its area's."""
    pts = [i for i in range(len(f.codes)) if not places.is_area[i]]
    area_target = {f.codes[i]: f.targets[i] for i in range(len(f.codes)) if places.is_area[i]}
    return pd.DataFrame(
        {
            "code": [f.codes[i] for i in pts],
            "name": [f.names[i] for i in pts],
            "name_en": [f.names_en[i] or None for i in pts],
            "district_code": [f.district[i] for i in pts],
            "area_code": [f.point_area[i] or None for i in pts],
            "target_class": [f.targets[i] or area_target.get(f.point_area[i]) for i in pts],
            "lon": [round(float(places.lon[i]), 6) for i in pts],
            "lat": [round(float(places.lat[i]), 6) for i in pts],
            "datum": [DATUM_LABEL.get(str(f.datums[i])) for i in pts],
            "aliases": [aliases[i] for i in pts],
            "source": [f.sources[i] or None for i in pts],
        }
    )


def _areas_frame(f: _Fields, places: _Places) -> pd.DataFrame:
    """The sea areas with their GeoJSON geometry and area in km²."""
    ars = [i for i in range(len(f.codes)) if places.is_area[i]]
    area_geoms = gpd.GeoSeries([places.shapes[i] for i in ars], crs=WGS84)
    return pd.DataFrame(
        {
            "code": [f.codes[i] for i in ars],
            "name": [f.names[i] for i in ars],
            "name_en": [f.names_en[i] or None for i in ars],
            "kind": [f.kinds[i] for i in ars],
            "district_code": [f.district[i] for i in ars],
            "target_class": [f.targets[i] for i in ars],
            "geometry": [json.loads(shapely.to_geojson(g)) for g in area_geoms],
            "area_km2": (area_geoms.to_crs(METRIC).area / 1e6).round(3).to_list(),
            "datum": [DATUM_LABEL.get(str(f.datums[i])) for i in ars],
            "source": [f.sources[i] or None for i in ars],
        }
    )


def read_sea_file(raw: bytes, file_name: str, datum: str | None = None) -> SeaFile:
    """Read and check a sea registry file (see the module text). ``datum``: the file's datum when
    it has no datum column (default WGS-84). Raises ``RegistryFileError``."""
    fmt, rows, geoms = read_rows(raw, file_name, SEA_HEADERS)
    if rows.n > MAX_ROWS:
        raise file_error(f"{rows.n} rows; at most {MAX_ROWS}", rule="rows")
    codes, names = checked_codes(rows)
    targets = _targets(rows)
    row_datums = datums(rows, datum)
    given = given_districts(rows)
    places = _feature_places(rows, geoms, fmt, row_datums)
    _point_coordinates(rows, places, row_datums)
    choices = "bay 海湾 or zone 功能区"
    kinds = known_words(rows, "kind", AREA_KINDS, "bay", "known_area_kind", choices, places.is_area)
    _check_area_links(rows, codes, places.is_area)
    if rows.problems:
        raise RegistryFileError(rows.problems, file_name)
    fields = _Fields(
        codes=codes,
        names=names,
        names_en=rows.col("name_en"),
        targets=targets,
        datums=row_datums,
        district=_districts_filled(given, places),
        kinds=kinds,
        point_area=rows.col("area"),
        sources=rows.col("source"),
    )
    return SeaFile(_points_frame(fields, places, aliases(rows)), _areas_frame(fields, places), fmt)


__all__ = ["AREA_KINDS", "SEA_HEADERS", "SeaFile", "read_sea_file", "sea_class"]
