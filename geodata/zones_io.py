"""Read, validate and write the bureau's zone files (anchorages, port areas, routes, ...).

Formats in: GeoJSON (``.geojson``/``.json``), KML (``.kml``), GeoPackage (``.gpkg``), a zipped
Shapefile (``.zip``), and CSV of points as maritime notices print them (``.csv``: columns ``name, kind,
seq, lat, lon, datum``, optional ``lat_dms``/``lon_dms`` text that must agree with the decimals,
optional ``geometry_type``, ``code``, ``name_en``, ``valid_from``, ``valid_to``, ``source``, ``note``).
Formats out: GeoJSON (RFC 7946), GeoPackage, CSV (the same notice layout), KML.

Validation is all-or-nothing: every problem in the file is collected, each naming its row or feature
and the rule it broke, and ``ZoneValidationError`` is raised with the whole list. GCJ-02 input is
converted to WGS-84; CGCS2000 is taken as WGS-84.
"""

from __future__ import annotations

import json
import re
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, Point, Polygon, shape

from geodata.crs import WGS84, gcj02_to_wgs84, normalise_datum
from geodata.geojson import write_geojson
from geodata.places import ZONE_KINDS, zhoushan_sea_area
from geodata.zone_ogr import MAX_UNZIPPED_BYTES, RefusedContainer, read_ogr_frame

ZONE_COLUMNS: Final = (
    "code",
    "name",
    "name_en",
    "kind",
    "district_code",
    "datum",
    "valid_from",
    "valid_to",
    "source",
    "note",
    "demo",
)
CSV_REQUIRED: Final = ("name", "kind", "seq", "lat", "lon", "datum")
FORMATS: Final = ("geojson", "kml", "gpkg", "zip", "csv")
_OPTIONAL_TEXT: Final = ("code", "name_en", "valid_from", "valid_to", "source", "note")
#: DMS and decimal must agree to 1e-5 degree (about 1 m): decimals are printed to 6 places.
DMS_TOLERANCE_DEG: Final = 1e-5
#: Longest text per field, in characters: the store's column widths (service/store/zone_tables.py).
FIELD_MAX_CHARS: Final = {"code": 120, "name": 200, "name_en": 200}


@dataclass(frozen=True, slots=True)
class ZoneLimits:
    """The most one zone file may hold; a file over a limit is refused naming it.

    ``max_features``: zones (features, placemarks, CSV zones); ``max_vertices``: coordinate
    positions over all zones (a CSV row is one); ``max_unzipped_bytes``: a zip's unpacked size.
    The service sets them from its settings (``ENVMON_ZONE_MAX_*``).
    """

    max_features: int = 20_000
    max_vertices: int = 2_000_000
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES


def _over(what: str, count: int, limit: int) -> ZoneValidationError:
    rule = f"too_many_{what}"
    msg = f"the file holds {count} {what}; the limit is {limit}"
    return ZoneValidationError([ZoneProblem("file", rule, msg)])


@dataclass(frozen=True, slots=True)
class ZoneProblem:
    """One broken rule: where (``row``: a CSV line or a feature), which ``rule``, and a message."""

    row: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.row}: [{self.rule}] {self.message}"


class ZoneValidationError(ValueError):
    """A zone file was refused; ``problems`` lists every broken rule. Nothing was imported."""

    def __init__(self, problems: list[ZoneProblem], source: str = "zone file") -> None:
        self.problems = list(problems)
        self.source = source
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{source}: refused, {len(self.problems)} problem(s):\n{lines}")


@dataclass(slots=True)
class _Raw:
    row: str
    props: dict[str, Any]
    geometry: shapely.Geometry | None
    datum: str | None  # as written in the file or derived from its CRS
    problems: list[ZoneProblem] = field(default_factory=list)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    s = str(value).strip()
    return s or None


# ---------------------------------------------------------------- ring checks on raw coordinates


def _ring_problems(row: str, rings: Iterable[Any]) -> list[ZoneProblem]:
    out = []
    for i, ring in enumerate(rings):
        pts = [tuple(float(c) for c in p[:2]) for p in ring]
        if len(pts) < 4 or pts[0] != pts[-1]:
            kind = "exterior" if i == 0 else f"interior {i}"
            if len(pts) >= 1 and pts[0] != pts[-1]:
                msg = f"{kind} ring is not closed: first {pts[0]} != last {pts[-1]}"
                out.append(ZoneProblem(row, "ring_not_closed", msg))
            else:
                msg = f"{kind} ring has {len(pts)} positions; a closed ring needs at least 4"
                out.append(ZoneProblem(row, "too_few_points", msg))
    return out


def _geojson_ring_problems(row: str, geom: dict[str, Any]) -> list[ZoneProblem]:
    t = geom.get("type")
    coords = geom.get("coordinates", [])
    try:
        if t == "Polygon":
            return _ring_problems(row, coords)
        if t == "MultiPolygon":
            return [p for poly in coords for p in _ring_problems(row, poly)]
    except (TypeError, ValueError, IndexError) as exc:
        # null, booleans or text where RFC 7946 wants nested arrays of numbers (found by fuzzing)
        msg = f"{t} coordinates must be nested arrays of numbers: {exc}"
        return [ZoneProblem(row, "invalid_coordinates", msg)]
    return []


# ---------------------------------------------------------------- readers, one per format


def _read_geojson(path: Path, limits: ZoneLimits) -> list[_Raw]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ZoneValidationError(
            [ZoneProblem("file", "unreadable", f"not valid JSON: {exc}")], path.name
        ) from exc
    except RecursionError:  # arrays nested thousands deep (finding 10): not GeoJSON
        msg = "JSON nested deeper than the parser allows"
        raise ZoneValidationError([ZoneProblem("file", "too_deep", msg)], path.name) from None
    file_datum = "WGS84"  # RFC 7946: GeoJSON is WGS-84 unless an (obsolete) "crs" member says else
    if not isinstance(doc, dict):  # valid JSON but not an object (null, a list, a number)
        raise ZoneValidationError(
            [ZoneProblem("file", "not_object", "GeoJSON must be a JSON object")], path.name
        )
    crs = doc.get("crs")
    props = crs.get("properties") if isinstance(crs, dict) else None
    crs_name = props.get("name") if isinstance(props, dict) else None
    if crs_name:
        file_datum = str(crs_name).rsplit(":", 1)[-1]
        file_datum = {"4326": "WGS84", "CRS84": "WGS84", "4490": "CGCS2000"}.get(
            file_datum, str(crs_name)
        )
    feats = doc.get("features") if doc.get("type") == "FeatureCollection" else None
    if not isinstance(feats, list):
        raise ZoneValidationError(
            [ZoneProblem("file", "unreadable", "expected a GeoJSON FeatureCollection")], path.name
        )
    if len(feats) > limits.max_features:
        raise _over("features", len(feats), limits.max_features)
    raws = []
    for i, feat in enumerate(feats, start=1):
        if not isinstance(feat, dict) or not isinstance(feat.get("properties") or {}, dict):
            msg = "a feature must be an object with an object of properties"
            raws.append(
                _Raw(
                    f"feature {i}",
                    {},
                    None,
                    None,
                    [ZoneProblem(f"feature {i}", "not_feature", msg)],
                )
            )
            continue
        props = dict(feat.get("properties") or {})
        row = f"feature {i} ({props.get('name', 'no name')})"
        g = feat.get("geometry")
        probs = _geojson_ring_problems(row, g) if isinstance(g, dict) else []
        geom = None
        if isinstance(g, dict) and not probs:
            try:
                geom = shape(g)
            except RecursionError:
                msg = "geometry nested deeper than the parser allows"
                probs.append(ZoneProblem(row, "too_deep", msg))
            except Exception as exc:  # shapely raises several types for malformed input
                probs.append(ZoneProblem(row, "invalid_geometry", f"cannot build geometry: {exc}"))
        datum = _text(props.pop("datum", None)) or file_datum
        raws.append(_Raw(row, props, geom, datum, probs))
    return raws


def _strip_ns(tree: ET.Element) -> None:
    for el in tree.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]


def _kml_coords(el: ET.Element | None) -> list[tuple[float, ...]]:
    if el is None or not (el.text or "").strip():
        return []
    return [tuple(float(v) for v in tok.split(",")[:2]) for tok in el.text.split()]  # type: ignore[union-attr]


def _kml_geometry(row: str, el: ET.Element) -> tuple[shapely.Geometry | None, list[ZoneProblem]]:
    if el.tag == "Point":
        pts = _kml_coords(el.find("coordinates"))
        return (Point(pts[0]) if pts else None), []
    if el.tag == "LineString":
        return LineString(_kml_coords(el.find("coordinates"))), []
    if el.tag == "Polygon":
        outer = _kml_coords(el.find("outerBoundaryIs/LinearRing/coordinates"))
        inner = [_kml_coords(r) for r in el.findall("innerBoundaryIs/LinearRing/coordinates")]
        probs = _ring_problems(row, [outer, *inner])
        return (None if probs else Polygon(outer, inner)), probs
    if el.tag == "MultiGeometry":
        parts, probs = [], []
        for child in el:
            g, p = _kml_geometry(row, child)
            probs += p
            if g is not None:
                parts.append(g)
        return (None if probs or not parts else shapely.union_all(parts)), probs
    return None, [ZoneProblem(row, "unsupported_geometry", f"KML <{el.tag}> is not supported")]


def _read_kml(path: Path, limits: ZoneLimits) -> list[_Raw]:
    try:
        root = ET.fromstring(path.read_bytes())
    except ET.ParseError as exc:
        raise ZoneValidationError(
            [ZoneProblem("file", "unreadable", f"not valid KML/XML: {exc}")], path.name
        ) from exc
    _strip_ns(root)
    raws = []
    placemarks = list(root.iter("Placemark"))
    if len(placemarks) > limits.max_features:
        raise _over("features", len(placemarks), limits.max_features)
    for i, pm in enumerate(placemarks, start=1):
        props: dict[str, Any] = {"name": _text(pm.findtext("name"))}
        for d in pm.iter("Data"):
            props[d.get("name", "")] = _text(d.findtext("value"))
        for d in pm.iter("SimpleData"):
            props[d.get("name", "")] = _text(d.text)
        row = f"placemark {i} ({props.get('name') or 'no name'})"
        geom_el = next(
            (c for c in pm if c.tag in ("Point", "LineString", "Polygon", "MultiGeometry")), None
        )
        if geom_el is None:
            raws.append(
                _Raw(row, props, None, None, [ZoneProblem(row, "no_geometry", "no geometry")])
            )
            continue
        geom, probs = _kml_geometry(row, geom_el)
        datum = _text(props.pop("datum", None)) or "WGS84"  # KML 2.2 is WGS-84 by definition
        raws.append(_Raw(row, props, geom, datum, probs))
    return raws


def _read_ogr(path: Path, fmt: str, limits: ZoneLimits) -> list[_Raw]:
    """GeoPackage or zipped Shapefile, each by its own GDAL driver only (``geodata.zone_ogr``)."""
    with tempfile.TemporaryDirectory(prefix="envmon-zone-") as work:
        try:
            frame = read_ogr_frame(
                path, fmt, Path(work) / "unzipped", limits.max_unzipped_bytes, limits.max_features
            )
        except RefusedContainer as exc:
            raise ZoneValidationError(
                [ZoneProblem("file", exc.rule, exc.message)], path.name
            ) from None
        if len(frame) > limits.max_features:
            raise _over("features", len(frame), limits.max_features)
    if not isinstance(frame, gpd.GeoDataFrame):  # an attribute-only table
        raise ZoneValidationError(
            [ZoneProblem("file", "no_geometry", "the file's first layer has no geometry")],
            path.name,
        )
    if frame.crs is None:
        file_datum = None
    elif frame.crs.to_epsg() == 4490:
        file_datum = "CGCS2000"
    else:
        if frame.crs.to_epsg() != 4326:
            frame = frame.to_crs(WGS84)  # a projected or other CRS is declared: reproject
        file_datum = "WGS84"
    raws = []
    props_frame = frame.drop(columns=frame.geometry.name)
    for i, (geom, (_, rec)) in enumerate(
        zip(frame.geometry.to_numpy(), props_frame.iterrows(), strict=True), start=1
    ):
        props = {str(k): _text(v) for k, v in rec.items()}
        row = f"feature {i} ({props.get('name') or 'no name'})"
        datum = _text(props.pop("datum", None)) or file_datum
        raws.append(_Raw(row, props, geom, datum))
    return raws


_DMS = re.compile(
    r"^\s*(?P<d>\d+(?:\.\d+)?)\s*[°º˚d]\s*"
    r"(?:(?P<m>\d+(?:\.\d+)?)\s*['′’m]\s*)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)\s*(?:\"|″|”|''|′′|s)\s*)?"
    r"(?P<h>[NSEWnsew])\s*$"
)


def parse_dms(text: str) -> float:
    """Parse ``30°00′51″N`` / ``122°21.4′E`` style text to signed decimal degrees (S, W negative)."""
    m = _DMS.match(text)
    if m is None:
        raise ValueError(f"cannot read {text!r} as degrees-minutes-seconds with N/S/E/W")
    value = float(m["d"]) + float(m["m"] or 0) / 60 + float(m["s"] or 0) / 3600
    if (m["m"] and float(m["m"]) >= 60) or (m["s"] and float(m["s"]) >= 60):
        raise ValueError(f"minutes or seconds of 60 or more in {text!r}")
    return -value if m["h"].upper() in "SW" else value


def _load_csv_table(path: Path, limits: ZoneLimits) -> pd.DataFrame:
    """The CSV as text columns (lower-case names), its required columns and size checked."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ZoneValidationError(
            [ZoneProblem("file", "unreadable", f"cannot read CSV: {exc}")], path.name
        ) from exc
    table.columns = [str(c).strip().lower() for c in table.columns]
    missing = [c for c in CSV_REQUIRED if c not in table.columns]
    if missing:
        raise ZoneValidationError(
            [ZoneProblem("header", "missing_column", f"required column(s) missing: {missing}")],
            path.name,
        )
    if len(table) > limits.max_vertices:  # each row is one position
        raise _over("vertices", len(table), limits.max_vertices)
    return table


def _dms_problems(
    table: pd.DataFrame, i: int, label: str, lat: pd.Series, lon: pd.Series
) -> list[ZoneProblem]:
    """Row ``i``'s degree-minute-second columns, when given: readable and matching lat/lon."""
    problems: list[ZoneProblem] = []
    for col, vals in (("lat", lat), ("lon", lon)):
        dms = table[f"{col}_dms"].iloc[i].strip() if f"{col}_dms" in table.columns else ""
        if not dms or np.isnan(vals.iloc[i]):
            continue
        try:
            parsed = parse_dms(dms)
        except ValueError as exc:
            problems.append(ZoneProblem(label, "bad_dms", str(exc)))
            continue
        if col == "lat" and dms.strip()[-1].upper() in "EW":
            problems.append(ZoneProblem(label, "swapped_lat_lon", f"lat_dms {dms!r} is E/W"))
        elif abs(parsed - vals.iloc[i]) > DMS_TOLERANCE_DEG:
            msg = f"{col}_dms {dms!r} = {parsed:.6f} but {col} = {vals.iloc[i]}"
            problems.append(ZoneProblem(label, "dms_mismatch", msg))
    return problems


def _line_problems(
    table: pd.DataFrame, lat: pd.Series, lon: pd.Series, seq: pd.Series
) -> list[list[ZoneProblem]]:
    """Each CSV line's own problems: numbers, swapped lat/lon, DMS text."""
    line_problems: list[list[ZoneProblem]] = [[] for _ in range(len(table))]
    labels = [f"line {i + 2} ({n})" for i, n in enumerate(table["name"])]
    for i, label in enumerate(labels):
        problems = line_problems[i]
        for col, vals in (("lat", lat), ("lon", lon), ("seq", seq)):
            if np.isnan(vals.iloc[i]):
                msg = f"{col}={table[col].iloc[i]!r} is not a number"
                problems.append(ZoneProblem(label, "bad_number", msg))
        la, lo = lat.iloc[i], lon.iloc[i]
        if not (np.isnan(la) or np.isnan(lo)) and abs(la) > 90 and abs(lo) <= 90:
            msg = f"lat={la} lon={lo}: latitude beyond ±90 and longitude like a latitude; swapped?"
            problems.append(ZoneProblem(label, "swapped_lat_lon", msg))
        problems += _dms_problems(table, i, label, lat, lon)
    return line_problems


def _csv_zone(
    table: pd.DataFrame,
    idx: Any,
    line_problems: list[list[ZoneProblem]],
    coords: tuple[pd.Series, pd.Series, pd.Series],
) -> _Raw:
    """One zone from its CSV rows ``idx`` (positions, put in ``seq`` order); ``coords``: lat,
    lon, seq."""
    lat, lon, seq = coords
    first = idx[0]
    where = ", ".join(str(i + 2) for i in idx)
    row = f"line{'s' if len(idx) > 1 else ''} {where} ({table['name'].iloc[first]})"
    probs: list[ZoneProblem] = [p for i in idx for p in line_problems[i]]
    seqs = seq.iloc[idx]
    dup = seqs[seqs.duplicated()].dropna()
    if len(dup):
        probs.append(ZoneProblem(row, "duplicate_seq", f"seq {sorted(set(dup))} repeated"))
    datums = {table["datum"].iloc[i].strip() for i in idx}
    if len(datums) > 1:
        probs.append(ZoneProblem(row, "mixed_datum", f"rows disagree on datum: {datums}"))
    props: dict[str, Any] = {
        "name": _text(table["name"].iloc[first]),
        "kind": _text(table["kind"].iloc[first]),
    }
    for col in _OPTIONAL_TEXT:
        if col in table.columns:
            props[col] = _text(table[col].iloc[first])
    order = idx[np.argsort(seqs.to_numpy(), kind="stable")]
    xy = np.column_stack([lon.iloc[order].to_numpy(), lat.iloc[order].to_numpy()])
    geom = None
    if not np.isnan(xy).any() and not probs:
        gtype = (
            _text(table["geometry_type"].iloc[first]) if "geometry_type" in table.columns else None
        )
        geom, p = _csv_geometry(row, xy, gtype, props["kind"])
        probs += p
    return _Raw(row, props, geom, table["datum"].iloc[first].strip() or None, probs)


def _read_csv(path: Path, limits: ZoneLimits) -> list[_Raw]:
    table = _load_csv_table(path, limits)
    lat = pd.to_numeric(table["lat"], errors="coerce")
    lon = pd.to_numeric(table["lon"], errors="coerce")
    seq = pd.to_numeric(table["seq"], errors="coerce")
    line_problems = _line_problems(table, lat, lon, seq)
    key = table["code"] if "code" in table.columns else table["name"]
    key = key.where(key.str.strip() != "", table["name"])
    # Row positions per zone in one pass (a scan per zone was quadratic: finding 3).
    groups = key.reset_index(drop=True).groupby(key.to_numpy(), sort=False).indices
    if len(groups) > limits.max_features:
        raise _over("features", len(groups), limits.max_features)
    return [_csv_zone(table, idx, line_problems, (lat, lon, seq)) for idx in groups.values()]


def _csv_geometry(
    row: str, xy: NDArray[np.float64], gtype: str | None, kind: str | None
) -> tuple[shapely.Geometry | None, list[ZoneProblem]]:
    if gtype is None:
        gtype = "Point" if len(xy) == 1 else ("LineString" if kind == "route" else "Polygon")
    t = gtype.lower()
    if t == "point":
        if len(xy) != 1:
            return None, [ZoneProblem(row, "too_few_points", f"Point needs 1 row, got {len(xy)}")]
        return Point(xy[0]), []
    if t == "linestring":
        if len(xy) < 2:
            return None, [ZoneProblem(row, "too_few_points", "a line needs at least 2 points")]
        return LineString(xy), []
    if t == "polygon":
        # Notices list corners without repeating the first: the ring closes by definition.
        ring = xy[:-1] if len(xy) > 1 and (xy[0] == xy[-1]).all() else xy
        if len(np.unique(ring, axis=0)) < 3:
            msg = f"an area needs at least 3 distinct corners, got {len(ring)}"
            return None, [ZoneProblem(row, "too_few_points", msg)]
        return Polygon(ring), []
    return None, [ZoneProblem(row, "unsupported_geometry", f"geometry_type {gtype!r}")]


# ---------------------------------------------------------------- common validation


def _to_wgs84(geom: shapely.Geometry) -> shapely.Geometry:
    def conv(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, conv)


def _swap(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: xy[:, ::-1])


def _check_size(raws: list[_Raw], limits: ZoneLimits) -> None:
    """Refuse a file over the feature or vertex limits before any geometry work."""
    if len(raws) > limits.max_features:
        raise _over("features", len(raws), limits.max_features)
    geoms = np.array([r.geometry for r in raws], dtype=object)
    vertices = int(shapely.get_num_coordinates(geoms).sum()) if len(geoms) else 0
    if vertices > limits.max_vertices:
        raise _over("vertices", vertices, limits.max_vertices)


def _attribute_problems(r: _Raw, kind: str | None, datum: str | None) -> list[ZoneProblem]:
    """A zone's text lengths, kind, name, datum and dates."""
    problems: list[ZoneProblem] = []
    for col, most in FIELD_MAX_CHARS.items():
        val = _text(r.props.get(col))
        if val is not None and len(val) > most:
            msg = f"{col} has {len(val)} characters; at most {most}"
            problems.append(ZoneProblem(r.row[:80], "too_long", msg))
    if kind not in ZONE_KINDS:
        msg = f"kind {kind!r} is not one of {', '.join(ZONE_KINDS)}"
        problems.append(ZoneProblem(r.row, "unknown_kind", msg))
    if not _text(r.props.get("name")):
        problems.append(ZoneProblem(r.row, "missing_name", "every zone needs a name"))
    if datum is None:
        msg = f"datum {r.datum!r} is not WGS84, CGCS2000 or GCJ02"
        problems.append(ZoneProblem(r.row, "unknown_datum", msg))
    for col in ("valid_from", "valid_to"):
        val = _text(r.props.get(col))
        if val is not None and pd.isna(pd.to_datetime(val, errors="coerce", format="ISO8601")):
            msg = f"{col}={val!r} is not an ISO date"
            problems.append(ZoneProblem(r.row, "bad_date", msg))
    return problems


def _geometry_problem(
    row: str, geom: shapely.Geometry, sea: shapely.Geometry
) -> ZoneProblem | None:
    """A WGS-84 zone geometry: valid, and inside the Zhoushan sea area (or why not)."""
    if not shapely.is_valid(geom):
        reason = shapely.is_valid_reason(geom)
        rule = "self_intersection" if "Self-intersection" in reason else "invalid_geometry"
        return ZoneProblem(row, rule, reason)
    if sea.covers(geom):
        return None
    if sea.covers(_swap(geom)):
        msg = "coordinates fall in Zhoushan waters only with lat/lon exchanged"
        return ZoneProblem(row, "swapped_lat_lon", msg)
    b = ", ".join(f"{v:.4f}" for v in geom.bounds)
    return ZoneProblem(row, "outside_sea_area", f"extent ({b}) is not inside the Zhoushan sea area")


def _zones_frame(rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    """The checked zones as a frame (EPSG:4326), dates as ``YYYY-MM-DD``."""
    frame = gpd.GeoDataFrame(
        rows, columns=[*ZONE_COLUMNS, "geometry"], geometry="geometry", crs=WGS84
    )
    for col in ("valid_from", "valid_to"):
        parsed = pd.to_datetime(frame[col], errors="coerce", format="ISO8601")
        frame[col] = parsed.dt.strftime("%Y-%m-%d").astype(object).where(parsed.notna(), None)
    frame["demo"] = frame["demo"].astype(bool)
    return frame


def _validate(raws: list[_Raw], source: str, limits: ZoneLimits) -> gpd.GeoDataFrame:
    _check_size(raws, limits)
    sea = zhoushan_sea_area()
    shapely.prepare(sea)  # one covers() per zone: prepared once
    problems: list[ZoneProblem] = []
    rows: list[dict[str, Any]] = []
    if not raws:
        problems.append(ZoneProblem("file", "empty_file", "no features"))
    for r in raws:
        problems += r.problems
        kind = _text(r.props.get("kind"))
        datum = normalise_datum(r.datum) if r.datum else None
        problems += _attribute_problems(r, kind, datum)
        geom = r.geometry
        if geom is None or r.problems:
            if geom is None and not r.problems:
                problems.append(ZoneProblem(r.row, "no_geometry", "feature has no geometry"))
            continue
        if datum == "GCJ02":
            geom = _to_wgs84(geom)
        refused = _geometry_problem(r.row, geom, sea)
        if refused is not None:
            problems.append(refused)
            continue
        rec: dict[str, Any] = {c: _text(r.props.get(c)) for c in ZONE_COLUMNS}
        rec.update(kind=kind, datum=datum, demo=False, district_code=None, geometry=geom)
        rec["code"] = rec["code"] or rec["name"]
        rows.append(rec)
    counts = Counter(x["code"] for x in rows)  # one pass (list.count per code was quadratic)
    for c in sorted(c for c, n in counts.items() if n > 1):
        problems.append(ZoneProblem(f"code {c!r}", "duplicate_code", "two features share a code"))
    if problems:
        raise ZoneValidationError(problems, source)
    return _zones_frame(rows)


def detect_format(path: str | Path) -> str:
    """The zone-file format from the file name: one of ``FORMATS``."""
    suffix = Path(path).suffix.lower().lstrip(".")
    fmt = {"json": "geojson", "geojson": "geojson"}.get(suffix, suffix)
    if fmt not in FORMATS:
        raise ZoneValidationError(
            [ZoneProblem("file", "unsupported_format", f".{suffix} is not one of {FORMATS}")],
            Path(path).name,
        )
    return fmt


def read_zone_file(
    path: str | Path,
    fmt: str | None = None,
    *,
    source: str | None = None,
    limits: ZoneLimits | None = None,
) -> gpd.GeoDataFrame:
    """Read and validate a zone file; return its zones (EPSG:4326) or raise ``ZoneValidationError``.

    Columns: ``ZONE_COLUMNS`` plus ``geometry``; ``datum`` is the datum the file was written in
    (``WGS84``, ``CGCS2000`` or ``GCJ02``); geometries are always returned in WGS-84.
    ``source`` names the file in refusals (default: the path's name; an upload's own name when
    it was saved under a fixed temporary name). ``limits``: ``ZoneLimits()`` unless given.
    """
    limits = limits or ZoneLimits()
    p = Path(path)
    fmt = fmt or detect_format(p)
    readers: dict[str, Callable[[Path, ZoneLimits], list[_Raw]]] = {
        "geojson": _read_geojson,
        "kml": _read_kml,
        "gpkg": lambda q, lim: _read_ogr(q, "gpkg", lim),
        "zip": lambda q, lim: _read_ogr(q, "zip", lim),
        "csv": _read_csv,
    }
    name = source or p.name
    try:
        return _validate(readers[fmt](p, limits), name, limits)
    except ZoneValidationError as exc:
        if exc.source != name:
            raise ZoneValidationError(exc.problems, name) from None
        raise


# ---------------------------------------------------------------- writers


def _dms(value: float, pos: str, neg: str) -> str:
    h = pos if value >= 0 else neg
    total = round(abs(value) * 36000)  # tenths of a second
    d, rem = divmod(total, 36000)
    m, ts = divmod(rem, 600)
    return f"{d}°{m:02d}′{ts / 10:04.1f}″{h}"


def _zone_csv(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    rows = []
    for _, z in frame.iterrows():
        g = z.geometry
        if isinstance(g, Polygon) and not g.interiors:
            coords, gtype = list(g.exterior.coords)[:-1], "Polygon"
        elif isinstance(g, (Point, LineString)):
            coords, gtype = list(g.coords), g.geom_type
        else:
            raise ValueError(f"zone {z['code']!r}: {g.geom_type} cannot be written as notice CSV")
        for seq, (x, y) in enumerate(coords, start=1):
            rows.append(
                {
                    "code": z["code"],
                    "name": z["name"],
                    "kind": z["kind"],
                    "seq": seq,
                    "lat": f"{y:.6f}",
                    "lon": f"{x:.6f}",
                    "datum": "WGS84",
                    "lat_dms": _dms(y, "N", "S"),
                    "lon_dms": _dms(x, "E", "W"),
                    "geometry_type": gtype,
                    **{
                        c: z.get(c) for c in ("name_en", "valid_from", "valid_to", "source", "note")
                    },
                }
            )
    return pd.DataFrame(rows)


def write_zone_file(frame: gpd.GeoDataFrame, path: str | Path, fmt: str = "geojson") -> Path:
    """Write zones (any CRS; written as WGS-84) as ``geojson``, ``gpkg``, ``csv`` or ``kml``.

    Geometries are written in WGS-84 whatever datum they were imported in, so ``datum`` is set to
    ``WGS84`` in the output.
    """
    out = Path(path)
    z = frame.to_crs(WGS84).copy()
    z["datum"] = "WGS84"
    if fmt == "geojson":
        return write_geojson(z, out)
    if fmt == "gpkg":
        z.to_file(out, driver="GPKG", layer="zones", engine="pyogrio")
        return out
    if fmt == "kml":
        z.to_file(out, driver="KML", engine="pyogrio")
        return out
    if fmt == "csv":
        _zone_csv(z).to_csv(out, index=False)
        return out
    raise ValueError(f"unknown export format {fmt!r}; use geojson, gpkg, csv or kml")
