"""Which alerts fire or have resolved, and what each one sent (its messages, newest first)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from service.figures.webhook_overview import Delivery, delivery_from_row
from service.store import staff_views


@dataclass(frozen=True, slots=True)
class AlertHistory:
    """One alert's life: when it started and ended, its value against the threshold, its
    messages."""

    fingerprint: str
    rule: str
    district: str
    status: str
    severity: str
    value: float | None
    threshold: float | None
    labels: dict[str, Any]
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    last_notified_at: dt.datetime | None
    messages: list[Delivery] = field(default_factory=list)


def alert_history(
    engine: Engine, status: str | None = None, messages: int = 20
) -> list[AlertHistory]:
    """Alert states (firing first), each with up to ``messages`` of its latest messages."""
    out = []
    for r in staff_views.alert_states(engine, status=status):
        sent = staff_views.deliveries(engine, group_key=r["group_key"], limit=messages)
        out.append(
            AlertHistory(
                fingerprint=str(r["fingerprint"]),
                rule=str(r["rule"]),
                district=str(r["district"]),
                status=str(r["status"]),
                severity=str(r["severity"]),
                value=r["value"],
                threshold=r["threshold"],
                labels=dict(r["labels"] or {}),
                starts_at=r["starts_at"],
                ends_at=r["ends_at"],
                last_notified_at=r["last_notified_at"],
                messages=[delivery_from_row(m) for m in sent],
            )
        )
    return out


__all__ = ["AlertHistory", "alert_history"]
