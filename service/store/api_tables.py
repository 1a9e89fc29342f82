"""Tables of the HTTP API: staff API keys, stored hashed (SHA-256 of a 256-bit random key).

A key reads ``envmon_<key_id>_<secret>``; ``key_id`` is public and indexed, only the hash of the whole
key is stored, so a leaked table gives no usable key.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, String, Table

from service.store.tables import BigId, UTCDateTime, metadata

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("key_id", String(16), nullable=False, unique=True, comment="public part of the key"),
    Column("secret_hash", String(64), nullable=False, comment="sha256 hex of the whole key"),
    Column("role", String(16), nullable=False),
    Column("name", String(200), nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    CheckConstraint("role IN ('viewer', 'operator', 'admin')", name="role"),
    comment="staff API keys (hashed), roles viewer < operator < admin",
)

__all__ = ["api_keys"]
