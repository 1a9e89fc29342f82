"""New receivers (issue 18): a subscription created or re-enabled hears the alerts firing at that
moment, marked as such, once and not twice; a test message checks a receiver (API and CLI).

Real app on a real SQLite store, a real local receiver verifying every signature with the published
``standardwebhooks`` library, the real delivery worker; the clock is a ``FixedClock`` at the real time
(the signature check allows five minutes of skew) moved by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.alerts.delivery import DeliveryPolicy, DeliveryWorker
from service.alerts.evaluate import evaluate_and_enqueue
from service.alerts.rules import AirRatio, DistrictDay, Figures
from service.api.app import create_app
from service.api.routes.webhooks import DeliveryPage, SubscriptionCreated, WebhookTestResult
from service.auth import Role, create_key
from service.cli import app as cli_app
from service.clock import FixedClock
from service.settings import Settings
from tests.integration.test_webhook_receiver import Receiver

SUBS = "/api/v1/staff/webhooks/subscriptions"
#: Two alerts firing in two groups: Dinghai's ratio, and a polluted day in Putuo.
FIRING = Figures(
    air=(AirRatio("330902", 2026, 0.90, 90, 100, 0.97, budget_days=3),),
    days=(DistrictDay("330903", dt.date(2026, 6, 1), 150, "PM25"),),
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime.now(dt.UTC).replace(microsecond=0))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        environment="development",
        demo=False,
        webhook_allow_private=True,
        scheduler_enabled=False,
        rate_limit_per_minute=0,
        alert_external_url="https://envmon.example",
    )


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> Iterator[FastAPI]:
    application = create_app(settings, clock)
    with TestClient(application):
        yield application


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


@pytest.fixture
def keys(app: FastAPI) -> dict[str, dict[str, str]]:
    return {
        role.name: {"Authorization": f"Bearer {create_key(app.state.engine, role)[1]}"}
        for role in Role
    }


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(secret="").start()
    yield r
    r.stop()


def _evaluate(app: FastAPI, clock: FixedClock, figures: Figures = FIRING) -> int:
    return evaluate_and_enqueue(
        app.state.engine, clock, settings=app.state.settings, figures=figures
    ).messages


def _deliver(app: FastAPI, clock: FixedClock) -> None:
    policy = DeliveryPolicy.from_settings(app.state.settings)
    with DeliveryWorker(app.state.engine, clock, policy, box=app.state.webhook_box) as worker:
        worker.drain()


def _subscribe(client: TestClient, keys, receiver: Receiver, **body) -> SubscriptionCreated:
    r = client.post(
        SUBS, json={"name": "bureau", "url": receiver.url(), **body}, headers=keys["admin"]
    )
    assert r.status_code == 201, r.text
    created = SubscriptionCreated.model_validate(r.json())
    receiver.secret = created.secret
    return created


def test_a_new_subscription_hears_the_firing_alerts_once_not_twice(
    app: FastAPI, client: TestClient, keys, clock: FixedClock, receiver: Receiver
) -> None:
    assert _evaluate(app, clock) == 0  # the alerts fire; nobody is subscribed yet
    clock.advance(dt.timedelta(minutes=1))
    created = _subscribe(client, keys, receiver)
    assert created.current_messages == 2  # one per group
    _deliver(app, clock)
    bodies = [s.json() for s in receiver.requests]
    assert receiver.verified_all and len(bodies) == 2
    assert {b["reason"] for b in bodies} == {"current"}
    assert {b["rule"] for b in bodies} == {"excellent_good_ratio_below_target", "polluted_day"}
    for b in bodies:
        assert b["title"]["zh"].startswith("【订阅时已在告警】【告警】")
        assert b["title"]["en"].startswith("[already firing when you subscribed] [FIRING]")
        assert b["alerts"][0]["url"].startswith("https://envmon.example/api/v1/staff/alerts/")

    # Later evaluations with the alerts still firing send nothing more (until the repeat interval).
    for minutes in (5, 10, 60):
        clock.advance(dt.timedelta(minutes=minutes))
        assert _evaluate(app, clock) == 0
    _deliver(app, clock)
    assert len(receiver.requests) == 2 and sum(receiver.processed.values()) == 2


def test_an_alert_firing_after_the_subscription_arrives_once_as_new(
    app: FastAPI, client: TestClient, keys, clock: FixedClock, receiver: Receiver
) -> None:
    created = _subscribe(client, keys, receiver)
    assert created.current_messages == 0
    assert _evaluate(app, clock) == 2
    clock.advance(dt.timedelta(minutes=5))
    assert _evaluate(app, clock) == 0
    _deliver(app, clock)
    assert sorted(s.json()["reason"] for s in receiver.requests) == ["new", "new"]


def test_re_enabling_a_subscription_sends_what_fires_now(
    app: FastAPI, client: TestClient, keys, clock: FixedClock, receiver: Receiver
) -> None:
    created = _subscribe(client, keys, receiver, rules=["polluted_day"])
    url = f"{SUBS}/{created.id}"
    assert client.patch(url, json={"enabled": False}, headers=keys["admin"]).status_code == 200
    assert _evaluate(app, clock) == 0  # disabled: it hears nothing
    # A change that is not re-enabling sends nothing; re-enabling sends its rules' firing alerts.
    assert client.patch(url, json={"lang": "en"}, headers=keys["admin"]).status_code == 200
    assert client.patch(url, json={"enabled": True}, headers=keys["admin"]).status_code == 200
    assert client.patch(url, json={"enabled": True}, headers=keys["admin"]).status_code == 200
    _deliver(app, clock)
    (seen,) = receiver.requests
    body = seen.json()
    assert (body["reason"], body["rule"], body["district"]) == ("current", "polluted_day", "330903")


def test_a_test_message_reaches_the_receiver_signed_and_is_logged(
    app: FastAPI, client: TestClient, keys, receiver: Receiver
) -> None:
    created = _subscribe(client, keys, receiver)
    url = f"{SUBS}/{created.id}/test"
    assert client.post(url).status_code == 401
    assert client.post(url, headers=keys["viewer"]).status_code == 403
    r = client.post(f"{url}?lang=en", headers=keys["operator"])
    assert r.status_code == 200, r.text
    result = WebhookTestResult.model_validate(r.json())
    assert result.delivered and result.outcome == "delivered" and result.status_code == 200
    assert result.detail == "The test message was delivered"
    (seen,) = receiver.requests
    body = seen.json()
    assert receiver.verified_all and seen.msg_id == result.message_id
    assert (body["type"], body["status"], body["reason"]) == ("alert.test", "test", "test")
    assert body["title"]["zh"] == "【测试】舟山市：Webhook 测试消息（1 条）"
    assert "bureau" in body["alerts"][0]["summary"]["zh"]
    assert "url" not in body["alerts"][0]  # nothing stored to link to
    assert body["external_url"] == "https://envmon.example"
    page = DeliveryPage.model_validate(
        client.get(SUBS.replace("subscriptions", "deliveries"), headers=keys["viewer"]).json()
    )
    assert [(i.id, i.status) for i in page.items] == [(result.message_id, "delivered")]
    missing = client.post(f"{SUBS}/999/test", headers=keys["operator"])
    assert missing.status_code == 404


def test_a_failing_receiver_is_reported_at_once_and_not_retried(
    app: FastAPI, client: TestClient, keys, clock: FixedClock, receiver: Receiver
) -> None:
    created = _subscribe(client, keys, receiver, format="alertmanager")
    receiver.mode = "fail"
    r = client.post(f"{SUBS}/{created.id}/test", headers=keys["admin"])
    result = WebhookTestResult.model_validate(r.json())
    assert (result.delivered, result.outcome, result.status_code) == (False, "failed", 503)
    assert result.detail.startswith("测试消息未送达: HTTP 503")
    assert receiver.requests[0].json()["status"] == "test"
    clock.advance(dt.timedelta(hours=1))
    _deliver(app, clock)
    assert len(receiver.requests) == 1  # tried once
    page = client.get(
        SUBS.replace("subscriptions", "deliveries") + "?status=failed", headers=keys["viewer"]
    ).json()
    assert page["count"] == 1


def test_the_cli_sends_a_test_message(
    app: FastAPI, client: TestClient, keys, settings: Settings, receiver: Receiver
) -> None:
    created = _subscribe(client, keys, receiver, format="wecom")
    env = {
        "ENVMON_DATA_DIR": str(settings.store.data_dir),
        "ENVMON_ENVIRONMENT": "development",
        "ENVMON_WEBHOOK_ALLOW_PRIVATE": "true",
        "ENVMON_DEMO": "false",
    }
    ok = CliRunner().invoke(cli_app, ["webhooks", "test", str(created.id)], env=env)
    assert ok.exit_code == 0, ok.output
    assert "delivered HTTP 200" in ok.output
    (seen,) = receiver.requests
    assert seen.json()["msgtype"] == "markdown" and "【测试】" in seen.json()["markdown"]["content"]
    receiver.mode = "fail"
    failed = CliRunner().invoke(cli_app, ["webhooks", "test", str(created.id)], env=env)
    assert failed.exit_code == 1 and "HTTP 503" in failed.output
    unknown = CliRunner().invoke(cli_app, ["webhooks", "test", "999"], env=env)
    assert unknown.exit_code == 2 and "no webhook subscription 999" in unknown.output
