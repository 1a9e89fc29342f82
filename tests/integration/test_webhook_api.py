"""Staff webhook routes: subscriptions CRUD (admin), delivery log (viewer), replay (operator).

A real app on a real SQLite store (through its lifespan) and a real local receiver; every body is
validated against its response model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.alerts.delivery import DeliveryPolicy, DeliveryWorker
from service.alerts.evaluate import evaluate_and_enqueue
from service.alerts.rules import AirRatio, Figures
from service.api.app import create_app
from service.api.routes.webhooks import (
    AlertOut,
    DeliveryDetail,
    DeliveryPage,
    ReplayAccepted,
    SubscriptionCreated,
    SubscriptionOut,
)
from service.auth import Role, create_key
from service.clock import FixedClock
from service.settings import Settings
from tests.integration.test_webhook_receiver import Receiver


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime.now(dt.UTC).replace(microsecond=0))


@pytest.fixture
def app(tmp_path: Path, clock: FixedClock) -> Iterator[FastAPI]:
    settings = Settings(
        data_dir=tmp_path,
        environment="development",
        webhook_allow_private=True,
        scheduler_enabled=False,
        rate_limit_per_minute=0,
    )
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


def test_subscription_crud_and_roles(client: TestClient, keys) -> None:
    new = {
        "name": "bureau",
        "url": "http://127.0.0.1:9/hook?token=abc",
        "format": "alertmanager",
        "rules": ["polluted_day"],
    }
    assert client.post("/api/v1/staff/webhooks/subscriptions", json=new).status_code == 401
    r = client.post("/api/v1/staff/webhooks/subscriptions", json=new, headers=keys["operator"])
    assert r.status_code == 403
    r = client.post("/api/v1/staff/webhooks/subscriptions", json=new, headers=keys["admin"])
    assert r.status_code == 201
    created = SubscriptionCreated.model_validate(r.json())
    assert created.secret.startswith("whsec_") and created.url == "http://127.0.0.1:9/hook?…"

    r = client.get("/api/v1/staff/webhooks/subscriptions", headers=keys["admin"])
    (listed,) = [SubscriptionOut.model_validate(x) for x in r.json()]
    assert created.secret not in r.text and "abc" not in r.text and '"secret"' not in r.text

    r = client.patch(
        f"/api/v1/staff/webhooks/subscriptions/{listed.id}",
        json={"enabled": False, "lang": "en"},
        headers=keys["admin"],
    )
    changed = SubscriptionOut.model_validate(r.json())
    assert (changed.enabled, changed.lang, changed.disabled_reason) == (
        False,
        "en",
        "disabled by staff",
    )
    r = client.delete(f"/api/v1/staff/webhooks/subscriptions/{listed.id}", headers=keys["admin"])
    assert r.status_code == 204
    r = client.get(f"/api/v1/staff/webhooks/subscriptions/{listed.id}", headers=keys["admin"])
    assert r.status_code == 404


def test_unsafe_urls_are_refused(tmp_path: Path, clock: FixedClock) -> None:
    settings = Settings(
        data_dir=tmp_path, environment="test", scheduler_enabled=False, rate_limit_per_minute=0
    )
    application = create_app(settings, clock)
    with TestClient(application) as client:
        admin = {"Authorization": f"Bearer {create_key(application.state.engine, Role.admin)[1]}"}
        for url in ("http://hooks.example.org/x", "https://127.0.0.1/x", "https://10.0.0.7/x"):
            r = client.post(
                "/api/v1/staff/webhooks/subscriptions",
                json={"name": "x", "url": url},
                headers=admin,
            )
            assert r.status_code == 422, url
            assert r.json()["rule"] == "outbound_safety"
        # The refusal says why, and names the setting that allows private addresses.
        for lang, words in (("en", "set ENVMON_WEBHOOK_ALLOW_PRIVATE=true"), ("zh", "内网")):
            r = client.post(
                f"/api/v1/staff/webhooks/subscriptions?lang={lang}",
                json={"name": "x", "url": "https://10.0.0.7/x"},
                headers=admin,
            )
            assert words in r.json()["detail"] and "10.0.0.7" in r.json()["detail"]
            assert "ENVMON_WEBHOOK_ALLOW_PRIVATE=true" in r.json()["detail"]
        r = client.post(
            "/api/v1/staff/webhooks/subscriptions?lang=en",
            json={"name": "x", "url": "http://hooks.example.org/x"},
            headers=admin,
        )
        assert "https is required outside development" in r.json()["detail"]


def test_delivery_log_and_manual_replay(app: FastAPI, client: TestClient, keys, clock) -> None:
    receiver = Receiver(secret="").start()
    try:
        r = client.post(
            "/api/v1/staff/webhooks/subscriptions",
            json={"name": "r", "url": receiver.url()},
            headers=keys["admin"],
        )
        receiver.secret = r.json()["secret"]
        figures = Figures(air=(AirRatio("330902", 2026, 0.9, 90, 100, 0.97),))
        evaluate_and_enqueue(app.state.engine, clock, settings=app.state.settings, figures=figures)
        policy = DeliveryPolicy.from_settings(app.state.settings)
        box = app.state.webhook_box
        with DeliveryWorker(app.state.engine, clock, policy, box=box) as worker:
            assert worker.run_once().delivered == 1

            page = DeliveryPage.model_validate(
                client.get("/api/v1/staff/webhooks/deliveries", headers=keys["viewer"]).json()
            )
            (item,) = page.items
            assert item.status == "delivered" and item.attempts == 1
            detail = DeliveryDetail.model_validate(
                client.get(
                    f"/api/v1/staff/webhooks/deliveries/{item.id}", headers=keys["viewer"]
                ).json()
            )
            assert [a.outcome for a in detail.log] == ["delivered"]
            assert '"version":"1"' in detail.body

            url = f"/api/v1/staff/webhooks/deliveries/{item.id}/replay"
            assert client.post(url, headers=keys["viewer"]).status_code == 403
            r = client.post(url, headers=keys["operator"])
            assert r.status_code == 202
            ReplayAccepted.model_validate(r.json())
            assert worker.run_once().delivered == 1
    finally:
        receiver.stop()
    assert [s.msg_id for s in receiver.requests] == [item.id, item.id]
    assert receiver.verified_all and receiver.processed[item.id] == 1

    alerts = client.get("/api/v1/staff/alerts", headers=keys["viewer"]).json()
    (alert,) = [AlertOut.model_validate(a) for a in alerts]
    assert alert.status == "firing" and alert.rule == "excellent_good_ratio_below_target"
    r = client.get(f"/api/v1/staff/alerts/{alert.fingerprint}", headers=keys["viewer"])
    assert AlertOut.model_validate(r.json()) == alert
    missing = "/api/v1/staff/webhooks/deliveries/msg_" + "0" * 32 + "/replay"
    assert client.post(missing, headers=keys["operator"]).status_code == 404
