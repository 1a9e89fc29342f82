"""Store access of the alerts: alert states, subscriptions, outbox rows and the delivery log.

A subscription's ``secret`` and ``robot_secret`` are stored sealed (``service.alerts.sealing``), and
so is its URL's query (``seal_url``: DingTalk's ``access_token`` and WeCom's ``key`` live there and
are as good as a password; the stored URL reads ``https://host/path?enc:v1:…``):
``add_subscription`` seals them, ``open_secrets`` opens them for one delivery, and
``seal_plaintext_secrets`` seals the rows written before sealing existed.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, or_, select, text, update

from service.alerts.sealing import (
    ROBOT_SECRET_AAD,
    SECRET_AAD,
    URL_QUERY_AAD,
    SecretBox,
    UndecryptableSecret,
    is_sealed,
)
from service.alerts.state import FIRING, RESOLVED, AlertState, group_key
from service.store.alert_tables import (
    alert_state,
    webhook_attempts,
    webhook_outbox,
    webhook_subscriptions,
)

#: Key of the PostgreSQL advisory lock that serialises alert writes (SQLite: BEGIN IMMEDIATE).
_PG_LOCK_KEY = 0x656E766D6F6E  # "envmon"

#: Outbox statuses.
PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Subscription:
    """A webhook subscription as the delivery code sees it.

    ``secret`` and ``robot_secret`` are as stored: sealed (``enc:v1:...``), or plaintext in a row
    not yet sealed. ``open_secrets`` gives the plaintext to sign with.
    """

    id: int
    name: str
    url: str
    format: str
    lang: str
    secret: str
    robot_secret: str | None
    rules: tuple[str, ...] | None
    districts: tuple[str, ...] | None
    enabled: bool

    def wants(self, rule: str, district: str) -> bool:
        """Whether notifications of ``rule`` for ``district`` go to this subscription."""
        return (self.rules is None or rule in self.rules) and (
            self.districts is None or district in self.districts
        )


def subscription_from_row(row: Mapping[Any, Any]) -> Subscription:
    """A ``Subscription`` from a ``webhook_subscriptions`` row."""
    return Subscription(
        id=int(row["id"]),
        name=row["name"],
        url=row["url"],
        format=row["format"],
        lang=row["lang"],
        secret=row["secret"],
        robot_secret=row["robot_secret"],
        rules=None if row["rules"] is None else tuple(row["rules"]),
        districts=None if row["districts"] is None else tuple(row["districts"]),
        enabled=bool(row["enabled"]),
    )


def enabled_subscriptions(conn: Connection) -> list[Subscription]:
    """Every enabled subscription."""
    rows = conn.execute(
        select(webhook_subscriptions)
        .where(webhook_subscriptions.c.enabled.is_(True))
        .order_by(webhook_subscriptions.c.id)
    ).mappings()
    return [subscription_from_row(r) for r in rows]


def get_subscription(conn: Connection, sub_id: int) -> Subscription | None:
    """One subscription by id."""
    row = (
        conn.execute(select(webhook_subscriptions).where(webhook_subscriptions.c.id == sub_id))
        .mappings()
        .first()
    )
    return None if row is None else subscription_from_row(row)


def add_subscription(
    conn: Connection,
    *,
    box: SecretBox,
    name: str,
    url: str,
    fmt: str,
    secret: str,
    now: dt.datetime,
    lang: str = "zh",
    robot_secret: str | None = None,
    rules: Iterable[str] | None = None,
    districts: Iterable[str] | None = None,
) -> int:
    """Insert a subscription (URL already checked by the caller), its secrets sealed with ``box``;
    returns its id."""
    result = conn.execute(
        insert(webhook_subscriptions).values(
            name=name,
            url=seal_url(box, url),
            format=fmt,
            lang=lang,
            secret=box.seal(secret, SECRET_AAD),
            robot_secret=seal_robot_secret(box, robot_secret),
            rules=None if rules is None else list(rules),
            districts=None if districts is None else list(districts),
            enabled=True,
            created_at=now,
            updated_at=now,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def seal_robot_secret(box: SecretBox, robot_secret: str | None) -> str | None:
    """The stored form of a DingTalk robot secret (blank or ``None``: no secret, ``None``)."""
    return box.seal(robot_secret, ROBOT_SECRET_AAD) if robot_secret else None


def seal_url(box: SecretBox, url: str) -> str:
    """The stored form of a subscription URL: its query (robot tokens, keys) sealed, the rest as
    it is (``redact_url`` still shows scheme, host and path). A URL without a query, or whose query
    is sealed already, is returned as it is."""
    parts = urllib.parse.urlsplit(url)
    if not parts.query or is_sealed(parts.query):
        return url
    return urllib.parse.urlunsplit(parts._replace(query=box.seal(parts.query, URL_QUERY_AAD)))


def open_url(box: SecretBox, stored: str) -> str:
    """The URL to send to, its query opened; raises ``UndecryptableSecret`` with a wrong key."""
    parts = urllib.parse.urlsplit(stored)
    if not is_sealed(parts.query):
        return stored
    return urllib.parse.urlunsplit(parts._replace(query=box.open(parts.query, URL_QUERY_AAD)))


def open_secrets(box: SecretBox, sub: Subscription) -> tuple[str, str | None]:
    """The plaintext ``(secret, robot_secret)`` of ``sub``, for one delivery; raises
    ``UndecryptableSecret`` when they were sealed with another key."""
    robot = None if not sub.robot_secret else box.open(sub.robot_secret, ROBOT_SECRET_AAD)
    return box.open(sub.secret, SECRET_AAD), robot


def seal_plaintext_secrets(conn: Connection, box: SecretBox) -> int:
    """Seal the secrets (and URL queries) of rows stored before sealing existed; returns the rows
    changed.

    Idempotent, and safe when several processes start at once: each row is updated only if it
    still holds the plaintext this call read.
    """
    t = webhook_subscriptions
    changed = 0
    # A few dozen rows at most: read them all and test the prefix here, case-sensitively.
    rows = conn.execute(select(t.c.id, t.c.secret, t.c.robot_secret, t.c.url)).all()
    for sub_id, secret, robot, url in rows:
        values: dict[str, str | None] = {}
        if not is_sealed(secret):
            values["secret"] = box.seal(secret, SECRET_AAD)
        if robot is not None and not is_sealed(robot):
            values["robot_secret"] = seal_robot_secret(box, robot)
        if seal_url(box, url) != url:
            values["url"] = seal_url(box, url)
        if not values:
            continue
        same = (t.c.id == sub_id) & (t.c.secret == secret) & (t.c.url == url)
        same &= t.c.robot_secret.is_(None) if robot is None else t.c.robot_secret == robot
        changed += conn.execute(update(t).where(same).values(**values)).rowcount
    return changed


def rekey_secrets(conn: Connection, old: SecretBox, new: SecretBox) -> tuple[int, list[int]]:
    """Re-seal every subscription's secrets with ``new`` (after a change of key): values sealed
    with ``old`` and plaintext ones are sealed again, values ``new`` opens already stay.

    Returns the rows changed and the ids of those whose secrets open with neither key (left as
    they are). Safe to run again.
    """
    t = webhook_subscriptions
    changed, bad = 0, []
    rows = conn.execute(select(t.c.id, t.c.secret, t.c.robot_secret, t.c.url)).all()
    for sub_id, secret, robot, url in rows:
        values: dict[str, str] = {}
        parts = urllib.parse.urlsplit(url)
        try:
            for column, value, aad in (
                ("secret", secret, SECRET_AAD),
                ("robot_secret", robot, ROBOT_SECRET_AAD),
                ("url", parts.query, URL_QUERY_AAD),
            ):
                if not value:
                    continue
                resealed = _resealed(value, aad, old, new)
                if resealed is not None:
                    if column == "url":
                        resealed = urllib.parse.urlunsplit(parts._replace(query=resealed))
                    values[column] = resealed
        except UndecryptableSecret:
            bad.append(int(sub_id))
            continue
        if values:
            changed += conn.execute(update(t).where(t.c.id == sub_id).values(**values)).rowcount
    return changed, bad


def _resealed(value: str, aad: bytes, old: SecretBox, new: SecretBox) -> str | None:
    """``value`` sealed with ``new`` (``None``: it is already); raises ``UndecryptableSecret``."""
    if is_sealed(value):
        try:
            new.open(value, aad)
            return None
        except UndecryptableSecret:
            value = old.open(value, aad)
    return new.seal(value, aad)


def undecryptable_subscriptions(conn: Connection, box: SecretBox) -> list[int]:
    """Ids of the subscriptions whose sealed secrets do not open with ``box`` (a wrong key)."""
    bad = []
    for row in conn.execute(select(webhook_subscriptions).order_by(webhook_subscriptions.c.id)):
        try:
            open_secrets(box, subscription_from_row(row._mapping))
            open_url(box, row.url)
        except UndecryptableSecret:
            bad.append(int(row.id))
    return bad


def disable_subscription(conn: Connection, sub_id: int, reason: str, now: dt.datetime) -> None:
    """Disable a subscription and cancel its pending messages."""
    conn.execute(
        update(webhook_subscriptions)
        .where(webhook_subscriptions.c.id == sub_id)
        .values(enabled=False, disabled_reason=reason, updated_at=now)
    )
    conn.execute(
        update(webhook_outbox)
        .where(webhook_outbox.c.subscription_id == sub_id, webhook_outbox.c.status == PENDING)
        .values(status=CANCELLED, last_error=reason, lease_owner=None, lease_until=None)
    )


# ------------------------------------------------------------------------------------ alert state


def lock_alerts(conn: Connection) -> None:
    """Serialise with every other alert evaluation and catch-up in this transaction (PostgreSQL:
    an advisory transaction lock; SQLite's write transactions are serial already), so that a new
    subscription and an evaluation never both send it the same alert."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})


def _state_from_row(row: Mapping[Any, Any]) -> AlertState:
    return AlertState(
        fingerprint=row["fingerprint"],
        labels=dict(row["labels"]),
        status=row["status"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        value=row["value"],
        threshold=row["threshold"],
        severity=row["severity"],
        repeat_interval_h=row["repeat_interval_h"],
        params=dict(row["params"] or {}),
        last_notified_at=row["last_notified_at"],
        notified_status=row["notified_status"],
        updated_at=row["updated_at"],
    )


def load_states(conn: Connection) -> dict[str, AlertState]:
    """Every stored alert state by fingerprint."""
    return {
        r["fingerprint"]: _state_from_row(r) for r in conn.execute(select(alert_state)).mappings()
    }


def firing_states(conn: Connection) -> list[AlertState]:
    """The alerts firing now, in a stable order."""
    rows = conn.execute(
        select(alert_state)
        .where(alert_state.c.status == FIRING)
        .order_by(alert_state.c.group_key, alert_state.c.fingerprint)
    ).mappings()
    return [_state_from_row(r) for r in rows]


def _values(s: AlertState, now: dt.datetime) -> dict[str, Any]:
    return {
        "rule": s.rule,
        "district": s.district,
        "group_key": group_key(s.labels),
        "labels": dict(s.labels),
        "status": s.status,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "value": s.value,
        "threshold": s.threshold,
        "severity": s.severity,
        "repeat_interval_h": s.repeat_interval_h,
        "params": dict(s.params),
        "last_notified_at": s.last_notified_at,
        "notified_status": s.notified_status,
        "updated_at": s.updated_at or now,
    }


def save_states(
    conn: Connection,
    states: Iterable[AlertState],
    previous: Mapping[str, AlertState],
    now: dt.datetime,
    keep_resolved: dt.timedelta = dt.timedelta(days=30),
) -> int:
    """Write the states that changed; drop resolved ones older than ``keep_resolved``. Returns writes."""
    written = 0
    for s in states:
        old = previous.get(s.fingerprint)
        if old == s:
            continue
        if old is None:
            conn.execute(insert(alert_state).values(fingerprint=s.fingerprint, **_values(s, now)))
        else:
            conn.execute(
                update(alert_state)
                .where(alert_state.c.fingerprint == s.fingerprint)
                .values(**_values(s, now))
            )
        written += 1
    conn.execute(
        delete(alert_state).where(
            alert_state.c.status == RESOLVED,
            alert_state.c.notified_status == RESOLVED,
            alert_state.c.ends_at < now - keep_resolved,
        )
    )
    return written


# ------------------------------------------------------------------------------------ outbox


def add_message(
    conn: Connection,
    *,
    msg_id: str,
    sub_id: int,
    group: str,
    body: bytes,
    now: dt.datetime,
    retry_for: dt.timedelta,
) -> None:
    """Put one message in the outbox, due now."""
    conn.execute(
        insert(webhook_outbox).values(
            id=msg_id,
            subscription_id=sub_id,
            group_key=group,
            status=PENDING,
            body=body,
            attempts=0,
            created_at=now,
            next_attempt_at=now,
            expires_at=now + retry_for,
        )
    )


def _due(now: dt.datetime) -> Any:
    """Pending, due at ``now``, and not leased (or its lease has run out)."""
    t = webhook_outbox
    free = or_(t.c.lease_until.is_(None), t.c.lease_until < now)
    return and_(t.c.status == PENDING, t.c.next_attempt_at <= now, free)


def due_message_ids(conn: Connection, now: dt.datetime, limit: int) -> list[str]:
    """Ids of up to ``limit`` messages due at ``now`` and free to lease, the longest due first."""
    t = webhook_outbox
    query = select(t.c.id).where(_due(now)).order_by(t.c.next_attempt_at, t.c.id).limit(limit)
    return [r[0] for r in conn.execute(query)]


def lease_message(
    conn: Connection, msg_id: str, now: dt.datetime, owner: str, until: dt.datetime
) -> dict[str, Any] | None:
    """Lease message ``msg_id`` to ``owner`` until ``until`` if it is still due and free at ``now``
    (a conditional UPDATE: two workers never lease one row); the leased row, or None."""
    t = webhook_outbox
    got = conn.execute(
        update(t).where(t.c.id == msg_id, _due(now)).values(lease_owner=owner, lease_until=until)
    ).rowcount
    return message_row(conn, msg_id) if got == 1 else None


def message_row(conn: Connection, msg_id: str) -> dict[str, Any]:
    """One outbox message with its body (it must exist)."""
    query = select(webhook_outbox).where(webhook_outbox.c.id == msg_id)
    return dict(conn.execute(query).mappings().one())


def requeue_message(
    conn: Connection, msg_id: str, now: dt.datetime, expires_at: dt.datetime
) -> None:
    """Make message ``msg_id`` pending again, due at ``now``, unleased, until ``expires_at``."""
    conn.execute(
        update(webhook_outbox)
        .where(webhook_outbox.c.id == msg_id)
        .values(
            status=PENDING,
            next_attempt_at=now,
            expires_at=expires_at,
            lease_owner=None,
            lease_until=None,
        )
    )


def attempts_of(conn: Connection, msg_id: str) -> list[dict[str, Any]]:
    """The delivery log of one message, oldest first."""
    rows = conn.execute(
        select(webhook_attempts)
        .where(webhook_attempts.c.message_id == msg_id)
        .order_by(webhook_attempts.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def record_attempt(
    conn: Connection,
    row: Mapping[str, Any],
    attempt: int,
    at: dt.datetime,
    *,
    outcome: str,
    status_code: int | None,
    error: str | None,
    duration_ms: int,
    excerpt: str | None,
    manual: bool,
    owner: str,
    values: Mapping[str, Any],
) -> None:
    """Log one delivery attempt of the outbox ``row`` and set the row's new ``values``, unless
    another worker has leased the row meanwhile."""
    conn.execute(
        insert(webhook_attempts).values(
            message_id=row["id"],
            subscription_id=row["subscription_id"],
            attempt=attempt,
            at=at,
            status_code=status_code,
            outcome=outcome,
            error=error,
            duration_ms=duration_ms,
            response_excerpt=excerpt,
            manual=manual,
        )
    )
    conn.execute(
        update(webhook_outbox)
        .where(
            webhook_outbox.c.id == row["id"],
            or_(webhook_outbox.c.lease_owner == owner, webhook_outbox.c.lease_owner.is_(None)),
        )
        .values(**values)
    )
