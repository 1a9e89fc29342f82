"""Registry versions: every accepted station or section import, kept with what it changed.

The current registry is the ``stations`` / ``sections`` tables; each import (``envmon stations|sections
import``, the staff API) adds one version row holding the file's identity, who imported it, when, and
per code the row before and after, so a correction can be traced and undone by hand. A later import
never rewrites an earlier version; ``supersedes_id`` names the previous version of the same kind.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from service.store.tables import BigId, UTCDateTime, metadata

registry_versions = Table(
    "registry_versions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(8), nullable=False, comment="stations | sections | sea"),
    Column("imported_at", UTCDateTime, nullable=False),
    Column("who", String(80), nullable=False, comment="person or API key id that imported"),
    Column("file_name", String(255), nullable=False),
    Column("file_format", String(8), nullable=False, comment="csv | xlsx | geojson"),
    Column("sha256", String(64), nullable=False, comment="of the imported file's bytes"),
    Column("row_count", Integer, nullable=False),
    Column("added", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("changes", JSON, nullable=False, comment="[{code, before, after}] (before null: added)"),
    Column("supersedes_id", BigId, ForeignKey("registry_versions.id")),
    CheckConstraint("kind IN ('stations', 'sections', 'sea')", name="kind"),
    comment="one row per accepted station/section registry import; the highest id is current",
)
Index("ix_registry_versions_kind", registry_versions.c.kind, registry_versions.c.id)

__all__ = ["registry_versions"]
