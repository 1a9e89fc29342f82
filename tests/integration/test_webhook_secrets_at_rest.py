"""Webhook secrets encrypted at rest, end to end on both stores (SQLite file, PostgreSQL/PostGIS).

A real app (through its lifespan) on the store, subscriptions made through the API, the raw rows
read back with SQL, and deliveries to a real local receiver that verifies the signatures with the
published ``standardwebhooks`` library (and DingTalk's signed URL).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from typer.testing import CliRunner

from service.alerts.delivery import UNDECRYPTABLE, DeliveryPolicy, DeliveryWorker, replay
from service.alerts.evaluate import evaluate_and_enqueue
from service.alerts.rules import AirRatio, Figures
from service.alerts.sealing import PREFIX
from service.alerts.signing import new_secret
from service.api.app import create_app
from service.auth import Role, create_key
from service.clock import FixedClock
from service.runtime import seed_store
from service.settings import Settings
from service.store import alert_repo as repo
from service.store.alert_tables import webhook_outbox
from service.store.engine import make_engine
from tests.integration.test_webhook_receiver import Receiver

SUBSCRIPTIONS = "/api/v1/staff/webhooks/subscriptions"
ROBOT_SECRET = "SEC" + "5a" * 32


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgis)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'envmon.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def clock() -> FixedClock:
    # The real time: the receiver allows five minutes of skew on webhook-timestamp.
    return FixedClock(dt.datetime.now(dt.UTC).replace(microsecond=0))


def _settings(tmp_path: Path, store_url: str, webhook_key: str | None) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=store_url,
        environment="development",
        webhook_allow_private=True,
        scheduler_enabled=False,
        rate_limit_per_minute=0,
        webhook_key=webhook_key,
    )


@contextmanager
def _running(settings: Settings, clock: FixedClock) -> Iterator[tuple[FastAPI, TestClient, dict]]:
    app = create_app(settings, clock)
    with TestClient(app) as client:
        admin = {"Authorization": f"Bearer {create_key(app.state.engine, Role.admin)[1]}"}
        yield app, client, admin


def _raw_rows(engine: Engine) -> list[tuple[int, str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, secret, robot_secret FROM webhook_subscriptions"))
        return [(int(r[0]), r[1], r[2]) for r in rows]


def _enqueue(app: FastAPI, clock: FixedClock) -> None:
    figures = Figures(air=(AirRatio("330902", 2026, 0.9, 90, 100, 0.97, budget_days=3),))
    evaluate_and_enqueue(app.state.engine, clock, settings=app.state.settings, figures=figures)


def _worker(app: FastAPI, clock: FixedClock) -> DeliveryWorker:
    policy = DeliveryPolicy.from_settings(app.state.settings)
    return DeliveryWorker(app.state.engine, clock, policy, box=app.state.webhook_box)


def test_api_stores_only_ciphertext_and_deliveries_still_verify(
    store_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    receiver = Receiver(secret="", robot_secret=ROBOT_SECRET).start()
    try:
        with _running(_settings(tmp_path, store_url, None), clock) as (app, client, admin):
            r = client.post(
                SUBSCRIPTIONS,
                json={
                    "name": "robot",
                    "url": receiver.url("/robot/send?access_token=tok"),
                    "format": "dingtalk",
                    "robot_secret": ROBOT_SECRET,
                },
                headers=admin,
            )
            assert r.status_code == 201
            secret = r.json()["secret"]  # shown this once
            assert secret.startswith("whsec_") and r.json()["has_robot_secret"] is True
            receiver.secret = secret

            ((sub_id, stored, stored_robot),) = _raw_rows(app.state.engine)
            for value in (stored, stored_robot):
                assert value is not None and value.startswith(PREFIX)
                for plain in (secret, secret.removeprefix("whsec_"), ROBOT_SECRET):
                    assert plain not in value
            listed = client.get(SUBSCRIPTIONS, headers=admin)
            one = client.get(f"{SUBSCRIPTIONS}/{sub_id}", headers=admin)
            for page in (listed.text, one.text):
                assert secret not in page and ROBOT_SECRET not in page and PREFIX not in page

            _enqueue(app, clock)
            with _worker(app, clock) as worker:
                assert worker.run_once().delivered == 1

            # A changed robot secret is stored sealed too, and the next delivery signs with it.
            new_robot = "SEC" + "c3" * 32
            r = client.patch(
                f"{SUBSCRIPTIONS}/{sub_id}", json={"robot_secret": new_robot}, headers=admin
            )
            assert r.status_code == 200 and new_robot not in r.text
            ((_, _, stored_robot),) = _raw_rows(app.state.engine)
            assert stored_robot is not None and stored_robot.startswith(PREFIX)
            assert new_robot not in stored_robot
            receiver.robot_secret = new_robot
            (msg_id,) = receiver.processed
            r = client.post(f"/api/v1/staff/webhooks/deliveries/{msg_id}/replay", headers=admin)
            assert r.status_code == 202
            with _worker(app, clock) as worker:
                assert worker.run_once().delivered == 1
    finally:
        receiver.stop()
    assert len(receiver.requests) == 2 and receiver.verified_all
    assert all(s.status == 200 for s in receiver.requests)


def test_plaintext_rows_keep_working_and_are_sealed_at_start_up(
    store_url: str, tmp_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    secret = new_secret()
    receiver = Receiver(secret=secret, robot_secret=ROBOT_SECRET).start()
    settings = _settings(tmp_path, store_url, secrets.token_urlsafe(32))
    try:
        with _running(settings, clock) as (app, _, _):
            engine = app.state.engine
            # A row as the service wrote it before encryption at rest: plaintext.
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO webhook_subscriptions (name, url, format, lang, secret, "
                        "robot_secret, enabled, created_at, updated_at) VALUES ('legacy', :url, "
                        "'dingtalk', 'zh', :secret, :robot, :yes, :now, :now)"
                    ),
                    {
                        "url": receiver.url("/robot/send?access_token=tok"),
                        "secret": secret,
                        "robot": ROBOT_SECRET,
                        "yes": True,
                        "now": clock.now(),
                    },
                )
            _enqueue(app, clock)
            with _worker(app, clock) as worker:
                assert worker.run_once().delivered == 1  # still plaintext: still delivers

            caplog.clear()
            with caplog.at_level(logging.INFO, logger="envmon.runtime"):
                seed_store(engine, settings, clock)  # what every start runs
            assert "encrypted the plaintext webhook secrets of 1 subscriptions" in caplog.text
            ((_, stored, stored_robot),) = _raw_rows(engine)
            assert stored.startswith(PREFIX) and secret not in stored
            assert stored_robot is not None and stored_robot.startswith(PREFIX)
            assert ROBOT_SECRET not in stored_robot

            caplog.clear()
            with caplog.at_level(logging.INFO, logger="envmon.runtime"):
                seed_store(engine, settings, clock)  # idempotent
            assert "encrypted the plaintext" not in caplog.text
            assert _raw_rows(engine)[0][1:] == (stored, stored_robot)

            (msg_id,) = receiver.processed
            assert replay(engine, msg_id, clock.now(), DeliveryPolicy())
            with _worker(app, clock) as worker:
                assert worker.run_once().delivered == 1  # sealed: delivers the same
    finally:
        receiver.stop()
    assert len(receiver.requests) == 2 and receiver.verified_all


def test_a_wrong_key_fails_the_message_with_its_reason_and_the_api_keeps_serving(
    store_url: str, tmp_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = Receiver(secret=new_secret()).start()
    try:
        with _running(_settings(tmp_path, store_url, secrets.token_urlsafe(32)), clock) as run:
            app, client, admin = run
            r = client.post(SUBSCRIPTIONS, json={"name": "r", "url": receiver.url()}, headers=admin)
            sub_id = r.json()["id"]

        # Restarted with another key (say ENVMON_WEBHOOK_KEY was mistyped): start-up names it.
        other = _settings(tmp_path, store_url, secrets.token_urlsafe(32))
        caplog.clear()
        with caplog.at_level(logging.INFO), _running(other, clock) as (app, client, admin):
            assert f"webhook subscriptions {sub_id}:" in caplog.text
            assert "ENVMON_WEBHOOK_KEY" in caplog.text
            assert client.get(SUBSCRIPTIONS, headers=admin).status_code == 200

            _enqueue(app, clock)
            caplog.clear()
            with _worker(app, clock) as worker:
                report = worker.run_once()
            assert (report.claimed, report.failed, report.delivered) == (1, 1, 0)
            (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
            assert f"webhook subscription {sub_id}:" in error.getMessage()
            assert "ENVMON_WEBHOOK_KEY" in error.getMessage()

            with app.state.engine.connect() as conn:
                (row,) = conn.execute(select(webhook_outbox)).mappings().all()
                log = repo.attempts_of(conn, row["id"])
            assert row["status"] == repo.FAILED and row["last_error"] == UNDECRYPTABLE
            assert [(a["outcome"], a["error"]) for a in log] == [("failed", UNDECRYPTABLE)]
            r = client.get(f"/api/v1/staff/webhooks/deliveries/{row['id']}", headers=admin)
            assert r.status_code == 200 and r.json()["last_error"] == UNDECRYPTABLE
            assert "ENVMON_WEBHOOK_KEY" in UNDECRYPTABLE
            assert client.get("/healthz").status_code == 200
    finally:
        receiver.stop()
    assert receiver.requests == []  # nothing unsigned or wrongly signed went out


def test_rekey_moves_the_secrets_to_a_new_key(
    store_url: str, tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.cli import app as cli

    old_key, new_key = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    secret = new_secret()
    receiver = Receiver(secret=secret, robot_secret=ROBOT_SECRET).start()
    try:
        with _running(_settings(tmp_path, store_url, old_key), clock) as (app, _, _):
            with app.state.engine.begin() as conn:
                repo.add_subscription(
                    conn,
                    box=app.state.webhook_box,
                    name="robot",
                    url=receiver.url("/robot/send?access_token=tok"),
                    fmt="dingtalk",
                    secret=secret,
                    robot_secret=ROBOT_SECRET,
                    now=clock.now(),
                )
            before = _raw_rows(app.state.engine)

        for name, value in {
            "ENVMON_DATA_DIR": str(tmp_path),
            "ENVMON_DATABASE_URL": store_url,
            "ENVMON_ENVIRONMENT": "development",
            "ENVMON_WEBHOOK_KEY": new_key,
        }.items():
            monkeypatch.setenv(name, value)
        wrong = CliRunner().invoke(
            cli, ["webhooks", "rekey"], env={"ENVMON_WEBHOOK_OLD_KEY": secrets.token_urlsafe(32)}
        )
        assert wrong.exit_code == 1 and "neither key" in wrong.output
        assert _raw_rows_at(store_url) == before  # left as it was

        done = CliRunner().invoke(
            cli, ["webhooks", "rekey"], env={"ENVMON_WEBHOOK_OLD_KEY": old_key}
        )
        assert done.exit_code == 0, done.output
        assert "of 1 subscriptions" in done.output and old_key not in done.output
        after = _raw_rows_at(store_url)
        assert after[0][1] != before[0][1] and after[0][2] != before[0][2]
        assert all(v is not None and v.startswith(PREFIX) for v in after[0][1:])
        again = CliRunner().invoke(
            cli, ["webhooks", "rekey"], env={"ENVMON_WEBHOOK_OLD_KEY": old_key}
        )
        assert again.exit_code == 0 and "of 0 subscriptions" in again.output

        with _running(_settings(tmp_path, store_url, new_key), clock) as (app, _, _):
            _enqueue(app, clock)
            with _worker(app, clock) as worker:
                assert worker.run_once().delivered == 1
    finally:
        receiver.stop()
    assert len(receiver.requests) == 1 and receiver.verified_all


def _raw_rows_at(store_url: str) -> list[tuple[int, str, str | None]]:
    engine = make_engine(store_url)
    try:
        return _raw_rows(engine)
    finally:
        engine.dispose()
