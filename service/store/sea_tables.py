"""Nearshore seawater places (GB 3097-1997): monitoring points and bay / functional-zone areas.

Seeded with demo rows on the demo feed, corrected by the bureau's imports (``envmon sea import``),
each import a ``registry_versions`` row of kind ``sea``. Coordinates and geometries are WGS-84 (a
GCJ-02 file is converted on import). A point's samples are stored in ``samples`` under its code, as a
section's are; the river/reservoir section figures leave sea codes out.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, String, Table

from service.store.tables import UTCDateTime, metadata

sea_points = Table(
    "sea_points",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("name_en", String(200)),
    Column("district_code", String(12)),
    Column("area_code", String(32), comment="the sea area (bay / zone) the point belongs to"),
    Column("target_class", String(4), comment="GB 3097 class I..IV the point must meet"),
    Column("lon", Float),
    Column("lat", Float),
    Column("datum", String(200)),
    Column("aliases", JSON),
    Column("source", String(80)),
    Column("demo", Boolean, nullable=False, default=False),
    Column("updated_at", UTCDateTime),
    comment="海水监测点位: nearshore seawater monitoring points",
)

sea_areas = Table(
    "sea_areas",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("name_en", String(200)),
    Column("kind", String(8), comment="bay (海湾) | zone (功能区)"),
    Column("district_code", String(12)),
    Column("target_class", String(4), comment="GB 3097 class I..IV"),
    Column("geometry", JSON, nullable=False, comment="GeoJSON Polygon/MultiPolygon, WGS-84"),
    Column("area_km2", Float),
    Column("datum", String(200)),
    Column("source", String(80)),
    Column("demo", Boolean, nullable=False, default=False),
    Column("updated_at", UTCDateTime),
    comment="海湾 / 海洋功能区: bay and functional-zone polygons with their target class",
)

__all__ = ["sea_areas", "sea_points"]
