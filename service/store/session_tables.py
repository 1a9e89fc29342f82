"""Tables of staff browser sessions (``service.api.session``): one row per signed-in browser.

The cookie carries a random token; the row keeps only its HMAC-SHA256 under
``ENVMON_SESSION_SECRET`` (``token_hash``), so a leaked table opens no session. ``csrf_token`` is the
synchronizer token the session's pages put in their forms (``service.api.csrf``). Sign-out deletes
the row; the absolute lifetime and the idle timeout are judged against ``created_at`` and
``last_seen_at`` with the current settings, so a shortened setting applies at once.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table

from service.store.tables import BigId, UTCDateTime, metadata

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "token_hash",
        String(64),
        nullable=False,
        unique=True,
        comment="hmac-sha256 hex of the cookie token",
    ),
    Column("csrf_token", String(64), nullable=False, comment="synchronizer token of the session"),
    Column("key_id", String(16), nullable=False, comment="api_keys.key_id that signed in"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Index("ix_staff_sessions_last_seen_at", "last_seen_at"),
    comment="staff browser sessions (server side: sign-out and idle time end them)",
)

__all__ = ["staff_sessions"]
