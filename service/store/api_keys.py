"""SQL of the staff API keys (``api_keys``): insert, list, revoke, find, record use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, RowMapping, select, update

from service.store.api_tables import api_keys


def insert_key(
    engine: Engine, key_id: str, secret_hash: str, role: str, name: str, now: dt.datetime
) -> None:
    """Store a new key (only the hash of its secret)."""
    with engine.begin() as conn:
        conn.execute(
            api_keys.insert().values(
                key_id=key_id, secret_hash=secret_hash, role=role, name=name, created_at=now
            )
        )


def key_rows(engine: Engine, include_revoked: bool = True) -> Sequence[RowMapping]:
    """Every stored key (without the revoked ones when asked), oldest first."""
    query = select(api_keys).order_by(api_keys.c.id)
    if not include_revoked:
        query = query.where(api_keys.c.revoked_at.is_(None))
    with engine.connect() as conn:
        return conn.execute(query).mappings().all()


def revoke_key_row(engine: Engine, key_id: str, now: dt.datetime) -> bool:
    """Mark the active key ``key_id`` revoked at ``now``; ``False`` if there is none."""
    with engine.begin() as conn:
        result = conn.execute(
            update(api_keys)
            .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    return result.rowcount > 0


def key_row(engine: Engine, key_id: str) -> Any:
    """The key ``key_id``'s row (a mapping), or ``None``."""
    with engine.connect() as conn:
        return conn.execute(select(api_keys).where(api_keys.c.key_id == key_id)).mappings().first()


def mark_key_used(engine: Engine, row_id: int, now: dt.datetime) -> None:
    """Record that the key of row ``row_id`` was used at ``now``."""
    with engine.begin() as conn:
        conn.execute(update(api_keys).where(api_keys.c.id == row_id).values(last_used_at=now))
