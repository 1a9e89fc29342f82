"""Reads and writes behind the staff webhook and alert routes: subscriptions, the delivery log
(outbox messages with their attempts) and alert states."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Row, RowMapping, delete, func, select, update

from service.store.alert_tables import (
    alert_state,
    webhook_attempts,
    webhook_outbox,
    webhook_subscriptions,
)

#: Outbox columns the delivery log shows (the body only in one message's detail; no lease).
DELIVERY_COLUMNS = tuple(
    c.name for c in webhook_outbox.c if c.name not in {"body", "lease_owner", "lease_until"}
)


def subscription_rows(engine: Engine) -> Sequence[Row[Any]]:
    """Every subscription row, by id."""
    with engine.connect() as conn:
        query = select(webhook_subscriptions).order_by(webhook_subscriptions.c.id)
        return conn.execute(query).all()


def subscription_row(engine: Engine, sub_id: int) -> Row[Any] | None:
    """One subscription row, or None."""
    with engine.connect() as conn:
        query = select(webhook_subscriptions).where(webhook_subscriptions.c.id == sub_id)
        return conn.execute(query).first()


def update_subscription_row(conn: Connection, sub_id: int, values: Mapping[str, Any]) -> None:
    """Set ``values`` (column -> value, ``updated_at`` included) on one subscription."""
    conn.execute(
        update(webhook_subscriptions).where(webhook_subscriptions.c.id == sub_id).values(**values)
    )


def delete_subscription_rows(conn: Connection, sub_id: int) -> None:
    """Delete a subscription with its outbox messages and their attempts."""
    ids = select(webhook_outbox.c.id).where(webhook_outbox.c.subscription_id == sub_id)
    conn.execute(delete(webhook_attempts).where(webhook_attempts.c.message_id.in_(ids)))
    conn.execute(delete(webhook_outbox).where(webhook_outbox.c.subscription_id == sub_id))
    conn.execute(delete(webhook_subscriptions).where(webhook_subscriptions.c.id == sub_id))


def delivery_rows(
    engine: Engine, subscription_id: int | None, status: str | None, limit: int
) -> list[dict[str, Any]]:
    """Outbox messages (``DELIVERY_COLUMNS``), newest first, optionally of one subscription/status."""
    query = select(*(webhook_outbox.c[name] for name in DELIVERY_COLUMNS))
    if subscription_id is not None:
        query = query.where(webhook_outbox.c.subscription_id == subscription_id)
    if status is not None:
        query = query.where(webhook_outbox.c.status == status)
    query = query.order_by(webhook_outbox.c.created_at.desc(), webhook_outbox.c.id).limit(limit)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def delivery_row(conn: Connection, msg_id: str) -> RowMapping | None:
    """One outbox message with its body, or None."""
    query = select(webhook_outbox).where(webhook_outbox.c.id == msg_id)
    return conn.execute(query).mappings().first()


def delivery_exists(engine: Engine, msg_id: str) -> bool:
    """Whether the outbox holds message ``msg_id``."""
    query = select(func.count()).select_from(webhook_outbox).where(webhook_outbox.c.id == msg_id)
    with engine.connect() as conn:
        return bool(conn.execute(query).scalar_one())


def alert_rows(engine: Engine, status: str | None) -> list[RowMapping]:
    """Alert states, firing first, newest first within a status."""
    query = select(alert_state).order_by(alert_state.c.status, alert_state.c.starts_at.desc())
    if status is not None:
        query = query.where(alert_state.c.status == status)
    with engine.connect() as conn:
        return list(conn.execute(query).mappings().all())


def alert_row(engine: Engine, fingerprint: str) -> RowMapping | None:
    """One alert state by fingerprint, or None."""
    query = select(alert_state).where(alert_state.c.fingerprint == fingerprint)
    with engine.connect() as conn:
        return conn.execute(query).mappings().first()
