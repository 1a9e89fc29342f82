"""SQL of the staff browser sessions (``staff_sessions``): create, find, touch, end, purge."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, delete, or_, select, update

from service.store.session_tables import staff_sessions


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A session row: its id, CSRF token, key and times (aware UTC)."""

    id: int
    csrf_token: str
    key_id: str
    created_at: dt.datetime
    last_seen_at: dt.datetime


def create_session(
    engine: Engine, token_hash: str, csrf_token: str, key_id: str, now: dt.datetime
) -> None:
    """Store a new session for ``key_id`` seen at ``now``."""
    with engine.begin() as conn:
        conn.execute(
            staff_sessions.insert().values(
                token_hash=token_hash,
                csrf_token=csrf_token,
                key_id=key_id,
                created_at=now,
                last_seen_at=now,
            )
        )


def find_session(engine: Engine, token_hash: str) -> StoredSession | None:
    """The session whose token hashes to ``token_hash``, else ``None``."""
    with engine.connect() as conn:
        row = (
            conn.execute(select(staff_sessions).where(staff_sessions.c.token_hash == token_hash))
            .mappings()
            .first()
        )
    if row is None:
        return None
    return StoredSession(
        row["id"], row["csrf_token"], row["key_id"], row["created_at"], row["last_seen_at"]
    )


def touch_session(engine: Engine, session_id: int, now: dt.datetime) -> None:
    """Record that session ``session_id`` was used at ``now`` (restarts its idle time)."""
    with engine.begin() as conn:
        conn.execute(
            update(staff_sessions).where(staff_sessions.c.id == session_id).values(last_seen_at=now)
        )


def end_session(engine: Engine, session_id: int) -> bool:
    """Delete session ``session_id``; ``False`` when it was already gone."""
    with engine.begin() as conn:
        result = conn.execute(delete(staff_sessions).where(staff_sessions.c.id == session_id))
    return result.rowcount > 0


def purge_sessions(engine: Engine, created_before: dt.datetime, seen_before: dt.datetime) -> int:
    """Delete sessions created before ``created_before`` or last seen before ``seen_before``
    (past their lifetime or idle timeout); returns how many."""
    with engine.begin() as conn:
        result = conn.execute(
            delete(staff_sessions).where(
                or_(
                    staff_sessions.c.created_at < created_before,
                    staff_sessions.c.last_seen_at < seen_before,
                )
            )
        )
    return int(result.rowcount or 0)


__all__ = [
    "StoredSession",
    "create_session",
    "end_session",
    "find_session",
    "purge_sessions",
    "touch_session",
]
