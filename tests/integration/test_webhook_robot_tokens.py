"""DingTalk and WeCom robot tokens, which live in the subscription URL's query, are stored sealed
like the webhook secrets, never shown in full by the API or the log, and still reach the robot
(issue 22 finding 14)."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from pathlib import Path

import pytest
from sqlalchemy import text

from service.alerts.sealing import PREFIX
from service.clock import FixedClock
from service.store import alert_repo as repo
from tests.integration.test_webhook_receiver import Receiver
from tests.integration.test_webhook_secrets_at_rest import (
    ROBOT_SECRET,
    SUBSCRIPTIONS,
    _enqueue,
    _running,
    _settings,
    _worker,
)

DINGTALK_TOKEN = "1f3a" * 16


@pytest.fixture
def clock() -> FixedClock:
    # The real time: the receiver allows five minutes of skew on webhook-timestamp.
    return FixedClock(dt.datetime.now(dt.UTC).replace(microsecond=0))


WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def _urls(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT url FROM webhook_subscriptions"))]


@pytest.mark.parametrize(
    ("fmt", "query", "token"),
    [
        ("dingtalk", f"access_token={DINGTALK_TOKEN}", DINGTALK_TOKEN),
        ("wecom", f"key={WECOM_KEY}", WECOM_KEY),
    ],
)
def test_robot_tokens_are_sealed_hidden_and_still_delivered(
    tmp_path: Path,
    clock,
    fmt: str,
    query: str,
    token: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    receiver = Receiver(secret="", robot_secret=ROBOT_SECRET).start()
    store = f"sqlite:///{tmp_path / 'envmon.sqlite3'}"
    try:
        with _running(_settings(tmp_path, store, None), clock) as (app, client, admin):
            body = {"name": "robot", "url": receiver.url(f"/robot/send?{query}"), "format": fmt}
            if fmt == "dingtalk":
                body["robot_secret"] = ROBOT_SECRET
            created = client.post(SUBSCRIPTIONS, json=body, headers=admin)
            assert created.status_code == 201, created.text
            receiver.secret = created.json()["secret"]
            sub_id = created.json()["id"]
            [stored] = _urls(app.state.engine)
            assert token not in stored
            assert stored.startswith(receiver.url("/robot/send?" + PREFIX))
            for page in (
                created.text,
                client.get(SUBSCRIPTIONS, headers=admin).text,
                client.get(f"{SUBSCRIPTIONS}/{sub_id}", headers=admin).text,
            ):
                assert token not in page and PREFIX not in page

            # A changed URL is sealed too.
            new_url = receiver.url(f"/robot/send?{query}2")
            patched = client.patch(
                f"{SUBSCRIPTIONS}/{sub_id}", json={"url": new_url}, headers=admin
            )
            assert patched.status_code == 200 and token not in patched.text
            [stored] = _urls(app.state.engine)
            assert token not in stored

            _enqueue(app, clock)
            with _worker(app, clock) as worker:
                report = worker.run_once()
            # The test receiver verifies DingTalk's signature; WeCom posts are not signed, so it
            # answers them with an error: what counts here is that the token arrived.
            assert report.delivered == (1 if fmt == "dingtalk" else 0)
    finally:
        receiver.stop()
    [seen] = receiver.requests
    assert seen.path.endswith(f"{query}2") or f"{query}2&" in seen.path  # the robot got its token
    assert all(token not in record.getMessage() for record in caplog.records)


def test_plaintext_urls_are_sealed_at_start_up(tmp_path: Path, clock) -> None:
    store = f"sqlite:///{tmp_path / 'envmon.sqlite3'}"
    url = f"https://oapi.dingtalk.com/robot/send?access_token={DINGTALK_TOKEN}"
    key = secrets.token_urlsafe(32)
    with _running(_settings(tmp_path, store, key), clock) as (app, _, _):
        with app.state.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO webhook_subscriptions (name, url, format, lang, secret, enabled, "
                    "created_at, updated_at) VALUES ('old', :url, 'dingtalk', 'zh', 'whsec_x', 1, "
                    ":now, :now)"
                ),
                {"url": url, "now": clock.now()},
            )
    with _running(_settings(tmp_path, store, key), clock) as (app, _, _):
        [stored] = _urls(app.state.engine)
        assert DINGTALK_TOKEN not in stored
        assert repo.open_url(app.state.webhook_box, stored) == url
