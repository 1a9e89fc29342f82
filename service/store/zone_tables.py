"""Zone versions: every accepted zone-file import, kept whole; the newest version is the current one.

A later import never overwrites an earlier one: it adds a version whose ``supersedes_id`` names the
version it replaces. Geometries are GeoJSON text (WGS-84, RFC 7946) on both backends, with a bbox for
cheap filtering.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from service.store.tables import BigId, UTCDateTime, metadata

#: Zone kinds the store accepts (the same list as ``geodata.ZONE_KINDS``).
ZONE_KIND_CHECK = (
    "kind IN ('anchorage', 'port_area', 'ship_repair_yard', 'emission_control_area', "
    "'route', 'bunkering', 'other')"
)

zone_versions = Table(
    "zone_versions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("imported_at", UTCDateTime, nullable=False),
    Column("who", String(80), nullable=False, comment="person or API key id that imported"),
    Column("file_name", String(255), nullable=False),
    Column("file_format", String(8), nullable=False, comment="geojson | kml | gpkg | zip | csv"),
    Column("sha256", String(64), nullable=False, comment="of the imported file's bytes"),
    Column("feature_count", Integer, nullable=False),
    Column("supersedes_id", BigId, ForeignKey("zone_versions.id")),
    comment="one row per accepted zone-file import; the highest id is current",
)

zone_features = Table(
    "zone_features",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("version_id", BigId, ForeignKey("zone_versions.id"), nullable=False),
    Column("code", String(120), nullable=False),
    Column("name", String(200), nullable=False),
    Column("name_en", String(200)),
    Column("kind", String(32), nullable=False),
    Column("datum", String(16), nullable=False, comment="datum of the file: WGS84|CGCS2000|GCJ02"),
    Column("valid_from", String(10), comment="ISO date"),
    Column("valid_to", String(10), comment="ISO date"),
    Column("source", Text),
    Column("note", Text),
    Column("geometry_geojson", Text, nullable=False, comment="RFC 7946 geometry, WGS-84"),
    Column("min_lon", Float, nullable=False),
    Column("min_lat", Float, nullable=False),
    Column("max_lon", Float, nullable=False),
    Column("max_lat", Float, nullable=False),
    UniqueConstraint("version_id", "code", name="uq_zone_features_version_code"),
    CheckConstraint(ZONE_KIND_CHECK, name="kind"),
)
Index("ix_zone_features_version", zone_features.c.version_id)

__all__ = ["zone_features", "zone_versions"]
