"""Staff routes of the alerts: webhook subscriptions (admin), the delivery log (viewer), manual
replay (operator) and the current alerts (viewer).

A subscription's ``secret`` (``whsec_...``) is shown once, in the answer that creates it, and
stored encrypted like the DingTalk ``robot_secret`` (``service.alerts.sealing``); URLs are
shown with their query hidden (robot tokens live there). URLs are checked against the outbound
policy (https outside development, no loopback or private addresses unless allowed) on every
create and change, and again before every delivery.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import Field

from service.alerts.catch_up import send_firing_to
from service.alerts.delivery import DeliveryPolicy, replay
from service.alerts.evaluate import demo_or_false, district_names_or_codes
from service.alerts.receiver_check import send_test
from service.alerts.rules import RULE_NAMES
from service.alerts.signing import new_secret, redact_url
from service.alerts.urls import UnsafeURL, check_url
from service.api.deps import (
    AdminDep,
    ClockDep,
    EngineDep,
    OperatorDep,
    SettingsDep,
    ViewerDep,
    WebhookBoxDep,
)
from service.api.errors import Conflict, NotFound, ValidationFailed
from service.api.schemas import Model
from service.i18n import negotiate, t
from service.jobs import evaluate_and_nudge, nudge
from service.settings import Settings
from service.store import alert_repo as repo
from service.store.engine import writing
from service.store.webhook_queries import (
    DELIVERY_COLUMNS,
    alert_row,
    alert_rows,
    delete_subscription_rows,
    delivery_exists,
    delivery_row,
    delivery_rows,
    subscription_row,
    subscription_rows,
    update_subscription_row,
)

router = APIRouter(prefix="/api/v1/staff", tags=["webhooks"])

Format = Literal["envmon", "alertmanager", "dingtalk", "wecom"]
Lang = Literal["zh", "en"]
RuleName = Literal[
    "excellent_good_ratio_below_target",
    "budget_exhausted",
    "projected_ratio_below_target",
    "polluted_day",
    "section_worse_than_class_iii",
    "class_iii_ratio_below_target",
    "sea_good_ratio_below_target",
    "silent",
    "collector_degraded",
    "zone_limit_exceeded",
    "zone_rise_over_background",
    "zone_monitor_silent",
]
if set(RuleName.__args__) != set(RULE_NAMES):  # type: ignore[attr-defined]
    raise RuntimeError("webhooks.RuleName is out of step with service.alerts.rules.RULE_NAMES")

SubId = Annotated[int, Path(ge=1, le=2**62)]
MsgId = Annotated[str, Path(min_length=5, max_length=40, pattern=r"^msg_[0-9a-f]{32}$")]
DistrictCode = Annotated[str, Field(max_length=12, pattern=r"^(\d{6}|city)$")]


# ---------------------------------------------------------------------------------- models


class SubscriptionCreate(Model):
    """Request body to create a subscription."""

    name: str = Field(min_length=1, max_length=120)
    url: str = Field(min_length=8, max_length=2000)
    format: Format = "envmon"
    lang: Lang = "zh"
    robot_secret: str | None = Field(None, max_length=200, description="DingTalk 加签 secret")
    rules: list[RuleName] | None = Field(None, description="rules to send; null: all")
    districts: list[DistrictCode] | None = Field(None, description="districts; null: all")


class SubscriptionPatch(Model):
    """Request body to change a subscription (fields left out stay)."""

    name: str | None = Field(None, min_length=1, max_length=120)
    url: str | None = Field(None, min_length=8, max_length=2000)
    lang: Lang | None = None
    robot_secret: str | None = Field(None, max_length=200)
    rules: list[RuleName] | None = None
    districts: list[DistrictCode] | None = None
    enabled: bool | None = None


class SubscriptionOut(Model):
    """A subscription as listed (URL query hidden, no secrets)."""

    id: int
    name: str
    url: str
    format: Format
    lang: Lang
    rules: list[str] | None
    districts: list[str] | None
    enabled: bool
    disabled_reason: str | None
    has_robot_secret: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class SubscriptionCreated(SubscriptionOut):
    """The created subscription, with its signing secret (shown this once)."""

    secret: str
    current_messages: int = Field(
        0, description="messages queued to it at once: the alerts firing now, reason 'current'"
    )


class WebhookTestResult(Model):
    """The outcome of a test message, tried once (see the delivery log for its body)."""

    message_id: str
    subscription_id: int
    delivered: bool
    outcome: Literal["delivered", "failed", "gone"]
    status_code: int | None
    error: str | None
    duration_ms: int
    detail: str


class EvaluationDone(Model):
    """What an evaluation did."""

    transitions: int
    notifications: int
    messages: int
    skipped: list[str]


class AttemptOut(Model):
    """One delivery attempt."""

    attempt: int
    at: dt.datetime
    status_code: int | None
    outcome: str
    error: str | None
    duration_ms: int | None
    manual: bool


class DeliveryOut(Model):
    """One outbox message (``id`` is its ``webhook-id``)."""

    id: str
    subscription_id: int
    group_key: str
    status: Literal["pending", "delivered", "failed", "cancelled"]
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    expires_at: dt.datetime
    delivered_at: dt.datetime | None
    last_status_code: int | None
    last_error: str | None


class DeliveryDetail(DeliveryOut):
    """A message with its body and its delivery log."""

    body: str
    log: list[AttemptOut]


class DeliveryPage(Model):
    """A page of outbox messages, newest first."""

    count: int
    items: list[DeliveryOut]


class ReplayAccepted(Model):
    """A replayed message, queued again with a fresh retry window."""

    id: str
    status: Literal["pending"]


class AlertOut(Model):
    """One alert's current state."""

    fingerprint: str
    rule: str
    district: str
    labels: dict[str, str]
    status: Literal["firing", "resolved"]
    severity: str
    value: float | None
    threshold: float | None
    params: dict[str, Any]
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    last_notified_at: dt.datetime | None


# ---------------------------------------------------------------------------------- helpers


class UnsafeWebhookURL(ValidationFailed):
    """A subscription URL the outbound policy refuses; the detail names the rule and, for a
    private address, the setting that allows it (``ENVMON_WEBHOOK_ALLOW_PRIVATE``)."""

    detail_key = "webhook.error.unsafe_url.detail"

    def __init__(self, exc: UnsafeURL) -> None:
        super().__init__("url", "outbound_safety", log_detail=str(exc))
        self.reason_key = f"webhook.error.unsafe_url.{exc.code}"
        self.reason_params = dict(exc.params)

    def detail_for(self, lang: str) -> str:
        reason = t(self.reason_key, lang, **self.reason_params)
        return t(self.detail_key, lang, reason=reason)


def _checked_url(url: str, settings: Settings) -> str:
    try:
        check_url(url, DeliveryPolicy.from_settings(settings).outbound)
    except UnsafeURL as exc:
        raise UnsafeWebhookURL(exc) from exc
    return url


def _sub_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "url": redact_url(row.url),
        "format": row.format,
        "lang": row.lang,
        "rules": row.rules,
        "districts": row.districts,
        "enabled": bool(row.enabled),
        "disabled_reason": row.disabled_reason,
        "has_robot_secret": bool(row.robot_secret),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def _sub_row(engine: Any, sub_id: int) -> Any:
    row = subscription_row(engine, sub_id)
    if row is None:
        raise NotFound("webhook.thing.subscription", ident=str(sub_id))
    return row


# ---------------------------------------------------------------------------------- subscriptions


@router.get(
    "/webhooks/subscriptions",
    response_model=list[SubscriptionOut],
    operation_id="webhookSubscriptions",
)
def list_subscriptions(_: AdminDep, engine: EngineDep) -> list[SubscriptionOut]:
    """Every webhook subscription (URL query hidden, no secrets)."""
    return [SubscriptionOut(**_sub_out(r)) for r in subscription_rows(engine)]


@router.post(
    "/webhooks/subscriptions",
    response_model=SubscriptionCreated,
    status_code=201,
    operation_id="webhookSubscriptionCreate",
)
def create_subscription(
    body: SubscriptionCreate,
    _: AdminDep,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    box: WebhookBoxDep,
) -> SubscriptionCreated:
    """Subscribe a URL; the answer carries the signing secret, which is never shown again."""
    _checked_url(body.url, settings)
    if body.robot_secret and body.format != "dingtalk":
        raise ValidationFailed("robot_secret", "dingtalk_only")
    secret = new_secret()
    names, demo = district_names_or_codes(), demo_or_false(engine)
    with writing(engine) as conn:
        repo.lock_alerts(conn)  # with the catch-up below: each firing alert reaches it once
        sub_id = repo.add_subscription(
            conn,
            box=box,
            name=body.name,
            url=body.url,
            fmt=body.format,
            secret=secret,
            now=clock.now(),
            lang=body.lang,
            robot_secret=body.robot_secret,
            rules=body.rules,
            districts=body.districts,
        )
        current = _send_current(conn, sub_id, clock, settings, names, demo)
    if current:
        nudge(settings)
    return SubscriptionCreated(
        **_sub_out(_sub_row(engine, sub_id)), secret=secret, current_messages=current
    )


def _send_current(
    conn: Any,
    sub_id: int,
    clock: Any,
    settings: Settings,
    names: Any,
    demo: bool,
) -> int:
    """Queue the alerts firing now for a new or re-enabled subscription (nudge delivery after the
    commit)."""
    sub = repo.get_subscription(conn, sub_id)
    if sub is None or not sub.enabled:
        return 0
    return send_firing_to(
        conn, sub, clock.now(), settings=settings, district_names=names, demo=demo
    )


@router.get(
    "/webhooks/subscriptions/{sub_id}",
    response_model=SubscriptionOut,
    operation_id="webhookSubscription",
)
def get_subscription(sub_id: SubId, _: AdminDep, engine: EngineDep) -> SubscriptionOut:
    """One subscription."""
    return SubscriptionOut(**_sub_out(_sub_row(engine, sub_id)))


@router.patch(
    "/webhooks/subscriptions/{sub_id}",
    response_model=SubscriptionOut,
    operation_id="webhookSubscriptionUpdate",
)
def update_subscription(
    sub_id: SubId,
    body: SubscriptionPatch,
    _: AdminDep,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    box: WebhookBoxDep,
) -> SubscriptionOut:
    """Change a subscription; enabling it again clears the reason it was disabled."""
    row = _sub_row(engine, sub_id)
    values = body.model_dump(exclude_unset=True)
    if values.get("url") is not None:
        _checked_url(values["url"], settings)
    if values.get("robot_secret") and row.format != "dingtalk":
        raise ValidationFailed("robot_secret", "dingtalk_only")
    for required in ("name", "url", "lang", "enabled"):
        if required in values and values[required] is None:
            raise ValidationFailed(required, "not_null")
    if "robot_secret" in values:
        values["robot_secret"] = repo.seal_robot_secret(box, values["robot_secret"])
    if values.get("url") is not None:
        values["url"] = repo.seal_url(box, values["url"])
    if values.get("enabled"):
        values["disabled_reason"] = None
    elif values.get("enabled") is False:
        values["disabled_reason"] = "disabled by staff"
    re_enabled = bool(values.get("enabled")) and not row.enabled
    names, demo = (district_names_or_codes(), demo_or_false(engine)) if re_enabled else ({}, False)
    current = 0
    with writing(engine) as conn:
        if re_enabled:
            repo.lock_alerts(conn)
        update_subscription_row(conn, sub_id, {**values, "updated_at": clock.now()})
        if values.get("enabled") is False:
            repo.disable_subscription(conn, sub_id, "disabled by staff", clock.now())
        if re_enabled:
            # Enabled again: it hears what fires now (what it missed while disabled was cancelled).
            current = _send_current(conn, sub_id, clock, settings, names, demo)
    if current:
        nudge(settings)
    return SubscriptionOut(**_sub_out(_sub_row(engine, sub_id)))


@router.post(
    "/webhooks/subscriptions/{sub_id}/test",
    response_model=WebhookTestResult,
    operation_id="webhookSubscriptionTest",
)
def send_test_message(
    sub_id: SubId,
    _: OperatorDep,
    request: Request,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    box: WebhookBoxDep,
) -> WebhookTestResult:
    """Send a test message to the subscription now (once, no retries) and say how it went.

    The message has the subscription's format, headers and signature; ``type`` is ``alert.test``
    (envmon format) and its status ``test``. It is listed in the delivery log.
    """
    _sub_row(engine, sub_id)
    result = send_test(engine, clock, settings, box, sub_id)
    lang = negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))
    detail = t("webhook.test.sent" if result.delivered else "webhook.test.failed", lang)
    if result.error:
        detail = f"{detail}: {result.error}"
    return WebhookTestResult(
        message_id=result.message_id,
        subscription_id=result.subscription_id,
        delivered=result.delivered,
        outcome=result.outcome,  # type: ignore[arg-type]
        status_code=result.status_code,
        error=result.error,
        duration_ms=result.duration_ms,
        detail=detail,
    )


@router.delete(
    "/webhooks/subscriptions/{sub_id}", status_code=204, operation_id="webhookSubscriptionDelete"
)
def delete_subscription(sub_id: SubId, _: AdminDep, engine: EngineDep) -> Response:
    """Remove a subscription with its messages and their log."""
    _sub_row(engine, sub_id)
    with writing(engine) as conn:
        delete_subscription_rows(conn, sub_id)
    return Response(status_code=204)


# ---------------------------------------------------------------------------------- deliveries


@router.get("/webhooks/deliveries", response_model=DeliveryPage, operation_id="webhookDeliveries")
def list_deliveries(
    _: ViewerDep,
    engine: EngineDep,
    subscription_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    status: Annotated[
        Literal["pending", "delivered", "failed", "cancelled"] | None, Query()
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> DeliveryPage:
    """The delivery log: outbox messages, newest first."""
    items = [DeliveryOut(**r) for r in delivery_rows(engine, subscription_id, status, limit)]
    return DeliveryPage(count=len(items), items=items)


@router.get(
    "/webhooks/deliveries/{msg_id}", response_model=DeliveryDetail, operation_id="webhookDelivery"
)
def get_delivery(msg_id: MsgId, _: ViewerDep, engine: EngineDep) -> DeliveryDetail:
    """One message: its body and every attempt."""
    with engine.connect() as conn:
        row = delivery_row(conn, msg_id)
        if row is None:
            raise NotFound("webhook.thing.delivery", ident=msg_id)
        log = [
            AttemptOut(**{k: a[k] for k in AttemptOut.model_fields})
            for a in repo.attempts_of(conn, msg_id)
        ]
    values = {name: row[name] for name in DELIVERY_COLUMNS}
    return DeliveryDetail(**values, body=bytes(row["body"]).decode("utf-8"), log=log)


@router.post(
    "/webhooks/deliveries/{msg_id}/replay",
    response_model=ReplayAccepted,
    status_code=202,
    operation_id="webhookDeliveryReplay",
)
def replay_delivery(
    msg_id: MsgId, _: OperatorDep, engine: EngineDep, clock: ClockDep, settings: SettingsDep
) -> ReplayAccepted:
    """Send a message again (same ``webhook-id``, fresh retry window); the worker picks it up."""
    if not delivery_exists(engine, msg_id):
        raise NotFound("webhook.thing.delivery", ident=msg_id)
    if not replay(engine, msg_id, clock.now(), DeliveryPolicy.from_settings(settings)):
        raise Conflict("the subscription is disabled", field="subscription", rule="enabled")
    return ReplayAccepted(id=msg_id, status="pending")


# ---------------------------------------------------------------------------------- alerts


@router.post("/alerts/evaluate", response_model=EvaluationDone, operation_id="staffAlertsEvaluate")
def evaluate_alerts(
    _: OperatorDep, engine: EngineDep, clock: ClockDep, settings: SettingsDep
) -> EvaluationDone:
    """Evaluate every alert rule now (as the scheduler does every ``alert_evaluate_minutes``),
    e.g. after editing the rules file; messages it causes are queued at once."""
    report = evaluate_and_nudge(engine, clock, settings)
    return EvaluationDone(
        transitions=report.transitions,
        notifications=report.notifications,
        messages=report.messages,
        skipped=list(report.skipped),
    )


@router.get("/alerts", response_model=list[AlertOut], operation_id="staffAlerts")
def list_alerts(
    _: ViewerDep,
    engine: EngineDep,
    status: Annotated[Literal["firing", "resolved"] | None, Query()] = None,
) -> list[AlertOut]:
    """Current alert states (firing first)."""
    return [
        AlertOut(**{k: r[k] for k in AlertOut.model_fields}) for r in alert_rows(engine, status)
    ]


@router.get("/alerts/{fingerprint}", response_model=AlertOut, operation_id="staffAlert")
def get_alert(
    fingerprint: Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")], _: ViewerDep, engine: EngineDep
) -> AlertOut:
    """One alert by fingerprint (the link in every message)."""
    row = alert_row(engine, fingerprint)
    if row is None:
        raise NotFound("thing.resource", ident=fingerprint)
    return AlertOut(**{k: row[k] for k in AlertOut.model_fields})
