"""Where alerts go: webhook subscriptions (never their secrets; URLs with the query hidden) and the
delivery log."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from service.alerts.signing import redact_url
from service.store import staff_views


@dataclass(frozen=True, slots=True)
class Subscription:
    """A subscription as staff see it."""

    id: int
    name: str
    url: str
    format: str
    lang: str
    rules: list[str] | None
    districts: list[str] | None
    enabled: bool
    disabled_reason: str | None
    has_robot_secret: bool
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    """One outbox message and how its delivery went."""

    id: str
    subscription_id: int
    subscription: str
    group_key: str
    status: str
    attempts: int
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    next_attempt_at: dt.datetime
    last_status_code: int | None
    last_error: str | None

    @property
    def rule(self) -> str | None:
        """The alert rule the message is about (from its group key), if named."""
        return _label(self.group_key, "alertname")

    @property
    def district(self) -> str | None:
        """The district the message is about (from its group key), if named."""
        return _label(self.group_key, "district")


def _label(group_key: str, name: str) -> str | None:
    """A label's value in an Alertmanager-style group key ``{}:{alertname="x", district="y"}``."""
    match = re.search(rf'\b{name}="([^"]*)"', group_key)
    return match.group(1) if match else None


def delivery_from_row(r: dict[str, Any]) -> Delivery:
    """A ``Delivery`` from a ``staff_views.deliveries`` row."""
    return Delivery(**{k: r[k] for k in Delivery.__dataclass_fields__})


def subscriptions(engine: Engine) -> list[Subscription]:
    """Every subscription, oldest first."""
    out = []
    for r in staff_views.subscriptions(engine):
        values = {k: r[k] for k in Subscription.__dataclass_fields__}
        values.update(
            url=redact_url(str(r["url"])),
            enabled=bool(r["enabled"]),
            has_robot_secret=bool(r["has_robot_secret"]),
        )
        out.append(Subscription(**values))
    return out


def deliveries(
    engine: Engine, subscription_id: int | None = None, limit: int = 100
) -> list[Delivery]:
    """The latest ``limit`` messages (of one subscription when given), newest first."""
    rows = staff_views.deliveries(engine, subscription_id=subscription_id, limit=limit)
    return [delivery_from_row(r) for r in rows]


__all__ = ["Delivery", "Subscription", "deliveries", "delivery_from_row", "subscriptions"]
