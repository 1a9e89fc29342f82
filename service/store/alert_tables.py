"""Tables of the alerts: alert state, webhook subscriptions, the outbox and the delivery log.

The outbox is the truth of delivery: a message is a row, written in the same transaction as the
alert states that caused it; workers claim due rows with a lease, so a restart loses nothing and a
crashed worker's row is taken up again once its lease has run out.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from service.store.tables import BigId, UTCDateTime, metadata

#: Sealed secrets (``enc:v1:...``, ``service.alerts.sealing``) outgrow the first schema's
#: VARCHAR(120)/(200): TEXT on PostgreSQL. SQLite never enforces a declared length, and changing
#: one there copies the table, whose DROP would cascade to the outbox, so it keeps its VARCHAR.
SealedSecret = Text().with_variant(String(120), "sqlite")
SealedRobotSecret = Text().with_variant(String(200), "sqlite")

alert_state = Table(
    "alert_state",
    metadata,
    Column("fingerprint", String(32), primary_key=True),
    Column("rule", String(64), nullable=False),
    Column("district", String(12), nullable=False),
    Column("group_key", String(200), nullable=False),
    Column("labels", JSON, nullable=False),
    Column("status", String(12), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime),
    Column("value", Float),
    Column("threshold", Float),
    Column("severity", String(16), nullable=False),
    Column("repeat_interval_h", Float, nullable=False),
    Column("params", JSON),
    Column("last_notified_at", UTCDateTime),
    Column("notified_status", String(12)),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("status IN ('firing', 'resolved')", name="status"),
    comment="alert life cycle (firing/resolved), one row per fingerprint",
)
Index("ix_alert_state_group", alert_state.c.rule, alert_state.c.district)

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(120), nullable=False),
    Column("url", Text, nullable=False),
    Column("format", String(16), nullable=False),
    Column("lang", String(4), nullable=False, default="zh"),
    Column(
        "secret",
        SealedSecret,
        nullable=False,
        comment="whsec_... Standard Webhooks key, sealed (enc:v1:, AES-256-GCM)",
    ),
    Column(
        "robot_secret", SealedRobotSecret, comment="DingTalk 加签 secret (SEC...), sealed (enc:v1:)"
    ),
    Column("rules", JSON, comment="rule names to send; NULL: all"),
    Column("districts", JSON, comment="district codes to send; NULL: all"),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("disabled_reason", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("format IN ('envmon', 'alertmanager', 'dingtalk', 'wecom')", name="format"),
)

webhook_outbox = Table(
    "webhook_outbox",
    metadata,
    Column("id", String(40), primary_key=True, comment="webhook-id, the same on every attempt"),
    Column(
        "subscription_id",
        BigId,
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("group_key", String(200), nullable=False),
    Column("status", String(12), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, comment="retries stop after this"),
    Column("lease_owner", String(64)),
    Column("lease_until", UTCDateTime),
    Column("delivered_at", UTCDateTime),
    Column("last_status_code", Integer),
    Column("last_error", Text),
    CheckConstraint("status IN ('pending', 'delivered', 'failed', 'cancelled')", name="status"),
    comment="webhook outbox: one row per message and subscription",
)
Index("ix_webhook_outbox_due", webhook_outbox.c.status, webhook_outbox.c.next_attempt_at)
Index("ix_webhook_outbox_subscription_id", webhook_outbox.c.subscription_id)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "message_id",
        String(40),
        ForeignKey("webhook_outbox.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("subscription_id", BigId, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("status_code", Integer),
    Column("outcome", String(16), nullable=False, comment="delivered | retry | failed | gone"),
    Column("error", Text),
    Column("duration_ms", Integer),
    Column("response_excerpt", Text),
    Column("manual", Boolean, nullable=False, default=False),
    comment="delivery log: one row per attempt",
)
Index("ix_webhook_attempts_message_id", webhook_attempts.c.message_id)

__all__ = ["alert_state", "webhook_attempts", "webhook_outbox", "webhook_subscriptions"]
