"""Reads behind the staff console's lists: quarantined rows, collector runs, webhook subscriptions and
deliveries, alert states and the messages each alert sent. Rows come back as plain mappings, newest
first; ``service.figures`` turns them into the console's values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, func, select

from service.store.alert_tables import alert_state, webhook_outbox, webhook_subscriptions
from service.store.payloads import load_payload
from service.store.tables import collector_runs, quarantine, raw_payloads

Row = dict[str, Any]


def _rows(engine: Engine, query: Any) -> list[Row]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def quarantine_rows(
    engine: Engine,
    *,
    source: str | None = None,
    payload_id: int | None = None,
    before_id: int | None = None,
    limit: int = 200,
) -> list[Row]:
    """Quarantined rows with their payload's URL (``payload_url``) and fetch time, newest first."""
    q = quarantine
    query = select(
        q, raw_payloads.c.url.label("payload_url"), raw_payloads.c.fetched_at
    ).select_from(q.outerjoin(raw_payloads, raw_payloads.c.id == q.c.payload_id))
    if source:
        query = query.where(q.c.source == source)
    if payload_id is not None:
        query = query.where(q.c.payload_id == payload_id)
    if before_id is not None:
        query = query.where(q.c.id < before_id)
    return _rows(engine, query.order_by(q.c.id.desc()).limit(limit))


def payload_file(engine: Engine, payload_id: int) -> tuple[Row, bytes] | None:
    """An archived payload's ``source``, ``url`` and ``meta`` and its original bytes."""
    query = select(raw_payloads.c.source, raw_payloads.c.url, raw_payloads.c.meta).where(
        raw_payloads.c.id == payload_id
    )
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
        if row is None:
            return None
        return dict(row), load_payload(conn, payload_id)


def quarantine_sources(engine: Engine) -> list[Row]:
    """Each source with quarantined rows: ``source``, ``rows``, ``latest``."""
    q = quarantine
    query = (
        select(q.c.source, func.count().label("rows"), func.max(q.c.created_at).label("latest"))
        .group_by(q.c.source)
        .order_by(q.c.source)
    )
    return _rows(engine, query)


def runs(engine: Engine, *, collector: str | None = None, limit: int = 100) -> list[Row]:
    """Collector runs, newest first."""
    t = collector_runs
    query = select(t)
    if collector:
        query = query.where(t.c.collector == collector)
    return _rows(engine, query.order_by(t.c.started_at.desc(), t.c.id.desc()).limit(limit))


def run_summary(engine: Engine, since: dt.datetime) -> list[Row]:
    """Per collector: ``collector``, ``last_started``, ``last_ok`` (finish of the latest
    successful run), ``last_failed`` (start of the latest failed run), ``failed_since`` (failed
    runs started at or after ``since``) and ``runs_since``."""
    t = collector_runs
    ok = func.max(t.c.finished_at).filter(t.c.status == "ok")
    failed = func.max(t.c.started_at).filter(t.c.status == "failed")
    recent = t.c.started_at >= since
    query = (
        select(
            t.c.collector,
            func.max(t.c.started_at).label("last_started"),
            ok.label("last_ok"),
            failed.label("last_failed"),
            func.count().filter(recent, t.c.status == "failed").label("failed_since"),
            func.count().filter(recent).label("runs_since"),
        )
        .group_by(t.c.collector)
        .order_by(t.c.collector)
    )
    return _rows(engine, query)


def last_error(engine: Engine, collector: str) -> str | None:
    """The error of the collector's latest failed run."""
    t = collector_runs
    query = (
        select(t.c.error)
        .where(t.c.collector == collector, t.c.status == "failed")
        .order_by(t.c.started_at.desc(), t.c.id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        value = conn.execute(query).scalar_one_or_none()
    return None if value is None else str(value)


def subscriptions(engine: Engine) -> list[Row]:
    """Every webhook subscription (secret columns left out), oldest first."""
    s = webhook_subscriptions
    columns = [c for c in s.c if c.name not in {"secret", "robot_secret"}]
    has_robot = s.c.robot_secret.is_not(None).label("has_robot_secret")
    return _rows(engine, select(*columns, has_robot).order_by(s.c.id))


def deliveries(
    engine: Engine,
    *,
    subscription_id: int | None = None,
    group_key: str | None = None,
    limit: int = 100,
) -> list[Row]:
    """Outbox messages (body left out) with their subscription's name, newest first."""
    o = webhook_outbox
    columns = [c for c in o.c if c.name not in {"body", "lease_owner", "lease_until"}]
    query = select(*columns, webhook_subscriptions.c.name.label("subscription")).select_from(
        o.join(webhook_subscriptions, webhook_subscriptions.c.id == o.c.subscription_id)
    )
    if subscription_id is not None:
        query = query.where(o.c.subscription_id == subscription_id)
    if group_key is not None:
        query = query.where(o.c.group_key == group_key)
    return _rows(engine, query.order_by(o.c.created_at.desc(), o.c.id).limit(limit))


def alert_states(engine: Engine, *, status: str | None = None) -> list[Row]:
    """Alert states: firing first, then the latest start first."""
    a = alert_state
    query = select(a)
    if status is not None:
        query = query.where(a.c.status == status)
    return _rows(engine, query.order_by(a.c.status, a.c.starts_at.desc()))


__all__ = [
    "alert_states",
    "deliveries",
    "last_error",
    "payload_file",
    "quarantine_rows",
    "quarantine_sources",
    "run_summary",
    "runs",
    "subscriptions",
]
