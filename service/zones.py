"""Harbour zones kept in the store as versions: import a zone file, list history, load or export current.

Every accepted import becomes a new version (who, when, file name, sha256, feature count) that
supersedes the previous one; nothing is overwritten, and a refused file leaves the store untouched
(validation runs before the transaction, and the writes are one transaction). While no version
exists, the shipped zones (``geodata.load_zones()``) are current.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Engine

import geodata
from geodata.zones_io import ZoneValidationError, detect_format, read_zone_file, write_zone_file
from service.clock import Clock, SystemClock
from service.store.zone_versions import (
    insert_zone_version,
    latest_version_id,
    version_feature_rows,
    version_rows,
)
from service.zone_rows import zone_feature_rows
from service.zone_worker import WorkerLimits, parse_isolated

__all__ = [
    "ZoneImport",
    "ZoneValidationError",
    "export_zones",
    "import_zone_file",
    "load_zones",
    "store_zones",
    "zone_history",
    "zones_with_derived_eca",
]


@dataclass(frozen=True, slots=True)
class ZoneImport:
    """Outcome of an accepted import (a refused one raises ``ZoneValidationError``)."""

    version_id: int
    imported: int
    supersedes_id: int | None
    sha256: str
    rejected: int = 0
    messages: list[str] = field(default_factory=list)


def import_zone_file(
    engine: Engine,
    source: str | Path | bytes,
    file_name: str | None = None,
    *,
    who: str,
    clock: Clock | None = None,
    worker: WorkerLimits | None = None,
    stop: Callable[[], str | None] = lambda: None,
) -> ZoneImport:
    """Validate a zone file and store it as the new current version.

    ``source`` is a path, or the file's bytes with ``file_name`` (its suffix picks the format).
    With ``worker`` the file is parsed in a child process under those limits
    (``service.zone_worker``; ``stop`` may end it early), else in this process with the default
    ``ZoneLimits``. Raises ``geodata.zones_io.ZoneValidationError`` listing every problem (row and
    rule) when the file is refused; the store is then unchanged.
    """
    if isinstance(source, bytes):
        if not file_name:
            raise ValueError("file_name is needed with bytes (its suffix says the format)")
        data, name = source, Path(file_name).name
    else:
        path = Path(source)
        data, name = path.read_bytes(), file_name or path.name
    fmt = detect_format(name)
    with tempfile.TemporaryDirectory(prefix="envmon-upload-") as tmp:
        # A fixed name: the uploader's name never becomes part of a path GDAL parses.
        tmp_path = Path(tmp) / f"upload{Path(name).suffix.lower()}"
        tmp_path.write_bytes(data)
        if worker is None:
            rows = zone_feature_rows(read_zone_file(tmp_path, fmt, source=name))
        else:
            rows = parse_isolated(tmp_path, fmt, name, worker, stop)
    return store_zones(engine, rows, data, name, fmt, who=who, clock=clock)


def store_zones(
    engine: Engine,
    rows: list[dict[str, Any]],
    data: bytes,
    name: str,
    fmt: str,
    *,
    who: str,
    clock: Clock | None = None,
) -> ZoneImport:
    """Store validated zones as a version: ``rows`` (``service.zone_rows.zone_feature_rows``) read
    from the file ``data`` named ``name``."""
    digest = hashlib.sha256(data).hexdigest()
    now = (clock or SystemClock()).now()
    version_id, previous = insert_zone_version(
        engine, rows, now=now, who=who, file_name=name, file_format=fmt, sha256=digest
    )
    messages = [f"version {version_id}: {len(rows)} zone(s) from {name}"]
    if previous is not None:
        messages.append(f"supersedes version {previous}")
    return ZoneImport(version_id, len(rows), previous, digest, messages=messages)


def current_version(engine: Engine) -> int | None:
    """Id of the current zone version, or None while only the shipped zones exist."""
    return latest_version_id(engine)


def load_zones(engine: Engine, version_id: int | None = None) -> gpd.GeoDataFrame:
    """Zones of ``version_id`` (default: current) as a GeoDataFrame (EPSG:4326); shipped if none."""
    vid = version_id if version_id is not None else current_version(engine)
    if vid is None:
        return geodata.load_zones()
    table = pd.DataFrame(version_feature_rows(engine, vid))
    geoms = [shapely.geometry.shape(json.loads(g)) for g in table["geometry_geojson"]]
    table = table.drop(
        columns=["id", "geometry_geojson", "min_lon", "min_lat", "max_lon", "max_lat"]
    )
    table["district_code"] = None
    table["demo"] = False
    return gpd.GeoDataFrame(table, geometry=geoms, crs=geodata.WGS84)


def zones_with_derived_eca(
    engine: Engine, zones: gpd.GeoDataFrame | None = None
) -> gpd.GeoDataFrame:
    """The current zones (or ``zones``), plus envmon's derived emission control area
    (``geodata.load_derived_eca``) while they hold no ``emission_control_area`` zone of the
    bureau's. Column ``derived``: True only on that derived row."""
    zones = load_zones(engine) if zones is None else zones.copy()
    zones["derived"] = False
    if (zones["kind"] == "emission_control_area").any():
        return zones
    eca = geodata.load_derived_eca()
    eca["derived"] = True
    eca = eca.reindex(columns=[*zones.columns.drop("geometry"), "geometry"])
    out = pd.concat([zones, eca], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=geodata.WGS84)


def zone_history(engine: Engine) -> list[dict[str, Any]]:
    """Every version, newest first: id, imported_at, who, file_name, sha256, feature_count, ..."""
    out = version_rows(engine)
    superseded_by = {r["supersedes_id"]: r["id"] for r in out if r["supersedes_id"] is not None}
    for r in out:
        r["superseded_by"] = superseded_by.get(r["id"])
        r["current"] = r["superseded_by"] is None
    return out


def export_zones(engine: Engine, out: str | Path, fmt: str = "geojson") -> Path:
    """Write the current zones (shipped ones if nothing was imported) as geojson, gpkg, csv or kml."""
    return write_zone_file(load_zones(engine), out, fmt)
