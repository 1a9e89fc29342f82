"""What a new (or re-enabled) subscription hears at once: the alerts firing at that moment.

Without it a receiver added while alerts fire would hear of them only at their next repeat (12-24 h)
or when they resolve. The catch-up is one message per group of firing alerts, with reason
``current`` (the title says "already firing when you subscribed"), to that subscription only; the
alerts' own notification times are left alone, so nobody else hears anything.

Exactly once: the subscription is written and its catch-up queued in one transaction holding the
alerts' lock (``repo.lock_alerts``), the same lock an evaluation holds while it reads the enabled
subscriptions. An alert that starts firing in an evaluation before that transaction is in the
catch-up and was not sent to the subscription (it did not exist yet); one that starts after is sent
by the evaluation and was not in the catch-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import Connection

from service.alerts.evaluate import enqueue
from service.alerts.state import FIRING, AlertState, Notification, group_key, group_labels
from service.settings import Settings
from service.store import alert_repo as repo

#: ``reason`` of a catch-up message.
CURRENT = "current"


def current_notifications(firing: list[AlertState]) -> tuple[Notification, ...]:
    """One ``current`` notification per group of the ``firing`` alerts (pure)."""
    groups: dict[str, list[AlertState]] = {}
    for state in firing:
        groups.setdefault(group_key(state.labels), []).append(state)
    return tuple(
        Notification(
            group_key=key,
            group_labels=group_labels(members[0].labels),
            status=FIRING,
            alerts=tuple(sorted(members, key=lambda s: sorted(s.labels.items()))),
            reason=CURRENT,
        )
        for key, members in sorted(groups.items())
    )


def send_firing_to(
    conn: Connection,
    sub: repo.Subscription,
    now: dt.datetime,
    *,
    settings: Settings,
    district_names: Mapping[str, Mapping[str, str]] | None = None,
    demo: bool = False,
) -> int:
    """Queue for ``sub`` the alerts firing now (those it wants); returns the messages queued.

    Call it in the transaction that creates or re-enables ``sub``, after ``repo.lock_alerts``.
    """
    notifications = current_notifications(repo.firing_states(conn))
    return enqueue(
        conn,
        notifications,
        [sub],
        now,
        settings=settings,
        district_names=district_names,
        demo=demo,
    )
