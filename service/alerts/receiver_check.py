"""A test message to one subscription, sent at once: does the receiver get it, verify the
signature and answer 2xx? (``POST /api/v1/staff/webhooks/subscriptions/{id}/test``,
``envmon webhooks test ID``.)

The message goes through the outbox and the delivery log like any other (same format, headers and
signature, same outbound checks), but it is tried once, now, and never retried: the answer says at
once whether it was delivered, and why not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import httpx
from sqlalchemy import Engine

from service.alerts.delivery import Attempt, DeliveryPolicy, DeliveryWorker
from service.alerts.evaluate import demo_or_false, district_names_or_codes, render_context
from service.alerts.payloads import render
from service.alerts.rules import CITY
from service.alerts.sealing import SecretBox
from service.alerts.signing import new_message_id
from service.alerts.state import TEST, AlertState, Notification, fingerprint, group_key
from service.alerts.urls import Resolver, system_resolver
from service.clock import Clock
from service.settings import Settings
from service.store import alert_repo as repo
from service.store.engine import writing

#: The ``alertname`` of a test message (not a rule: no state is kept for it).
TEST_RULE = "webhook_test"


class UnknownSubscription(LookupError):
    """No subscription has that id."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What the one attempt of a test message gave."""

    message_id: str
    subscription_id: int
    delivered: bool
    outcome: str  # delivered | failed | gone (410: the subscription is disabled)
    status_code: int | None
    error: str | None
    duration_ms: int


def check_notification(sub: repo.Subscription, now: dt.datetime) -> Notification:
    """The test message of ``sub`` as a notification of one ``test`` alert (pure)."""
    labels = {"alertname": TEST_RULE, "district": CITY}
    alert = AlertState(
        fingerprint=fingerprint(labels),
        labels=labels,
        status=TEST,
        starts_at=now,
        ends_at=None,
        value=None,
        threshold=None,
        severity="info",
        repeat_interval_h=0.0,
        params={"receiver": sub.name},
    )
    return Notification(
        group_key=group_key(labels),
        group_labels={"alertname": TEST_RULE, "district": CITY},
        status=TEST,
        alerts=(alert,),
        reason=TEST,
    )


def send_test(
    engine: Engine,
    clock: Clock,
    settings: Settings,
    box: SecretBox,
    sub_id: int,
    *,
    client: httpx.Client | None = None,
    resolver: Resolver = system_resolver,
) -> CheckResult:
    """Queue a test message for subscription ``sub_id`` and try it once now (a disabled
    subscription is tried too: testing a receiver before enabling it is the point)."""
    now = clock.now()
    with engine.connect() as conn:
        sub = repo.get_subscription(conn, sub_id)
    if sub is None:
        raise UnknownSubscription(sub_id)
    ctx = render_context(sub, now, settings, district_names_or_codes(), demo_or_false(engine))
    body = render(
        check_notification(sub, now), sub.format, ctx, settings.alerts.webhook_max_payload_bytes
    )
    msg_id = new_message_id()
    policy = DeliveryPolicy.from_settings(settings)
    with writing(engine) as conn:
        repo.add_message(
            conn,
            msg_id=msg_id,
            sub_id=sub.id,
            group=group_key({"alertname": TEST_RULE, "district": CITY}),
            body=body,
            now=now,
            retry_for=policy.retry_for,
        )
        row = repo.message_row(conn, msg_id)
    with DeliveryWorker(engine, clock, policy, box=box, client=client, resolver=resolver) as w:
        attempt = w.send(row, sub)
        if attempt.outcome == "retry":
            # A test is tried once: a refusal or an error is its answer, not a reason to retry.
            attempt = Attempt(
                "failed",
                attempt.status_code,
                attempt.error,
                attempt.duration_ms,
                attempt.excerpt,
            )
        w.record(row, sub, attempt, manual=True)
    return CheckResult(
        message_id=msg_id,
        subscription_id=sub.id,
        delivered=attempt.outcome == "delivered",
        outcome=attempt.outcome,
        status_code=attempt.status_code,
        error=attempt.error,
        duration_ms=attempt.duration_ms,
    )
