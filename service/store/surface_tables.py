"""Imported rasters (surfaces): every accepted file, kept whole as a version of its name.

A file the bureau supplies (an AIS ship-density grid, an emission inventory) is checked, read and
written again by envmon as a GeoTIFF in ``<data dir>/surfaces/`` (``stored_name``); the row says
what it is. Importing under a name that exists adds a version whose ``supersedes_id`` names the one
it replaces; the highest id of a name is current. Nothing is overwritten.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table, Text

from service.store.tables import BigId, UTCDateTime, metadata

surface_rasters = Table(
    "surface_rasters",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(120), nullable=False, comment="the bureau's name for the surface"),
    Column("version", Integer, nullable=False, comment="1, 2, ... per name"),
    Column("supersedes_id", BigId, ForeignKey("surface_rasters.id")),
    Column("imported_at", UTCDateTime, nullable=False),
    Column("who", String(80), nullable=False, comment="person or API key id that imported"),
    Column("file_name", String(255), nullable=False, comment="the uploaded file's name"),
    Column("sha256", String(64), nullable=False, comment="of the uploaded file's bytes"),
    Column("size_bytes", Integer, nullable=False),
    Column("stored_name", String(80), nullable=False, comment="file in <data dir>/surfaces"),
    Column("crs_wkt", Text, nullable=False, comment="the raster's own CRS (kept as supplied)"),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("bands", Integer, nullable=False),
    Column("units", String(40), comment="units of the values, as the importer states them"),
    Column("min_lon", Float, nullable=False),
    Column("min_lat", Float, nullable=False),
    Column("max_lon", Float, nullable=False),
    Column("max_lat", Float, nullable=False),
    Column("value_min", Float, comment="smallest valid value of band 1"),
    Column("value_max", Float, comment="largest valid value of band 1"),
    Column("note", Text),
    comment="external rasters imported by the bureau; the highest id of a name is current",
)
Index("ix_surface_rasters_name", surface_rasters.c.name)

__all__ = ["surface_rasters"]
