"""Webhook delivery end to end: real store (SQLite file, PostgreSQL), real HTTP receiver.

The clock is a ``FixedClock`` set to the real time (the receiver's ``standardwebhooks`` check allows
five minutes of skew) and moved by hand past each retry; nothing waits on the wall clock.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import Engine, select

from service.alerts.delivery import DeliveryPolicy, DeliveryWorker, replay
from service.alerts.evaluate import evaluate_and_enqueue
from service.alerts.rules import AirRatio, Figures
from service.alerts.sealing import SecretBox
from service.alerts.signing import new_secret
from service.alerts.urls import OutboundPolicy
from service.clock import FixedClock
from service.settings import Settings
from service.store import alert_repo as repo
from service.store.alert_tables import webhook_outbox, webhook_subscriptions
from service.store.engine import init_store, make_engine, writing
from tests.integration.test_webhook_receiver import Receiver

POLICY = DeliveryPolicy(
    timeout_s=5.0,
    backoff_base_s=2.0,
    backoff_max_s=20.0,
    lease=dt.timedelta(seconds=30),
    outbound=OutboundPolicy(require_https=False, allow_private=True),
)


#: The key sealing the subscriptions' secrets in these tests' stores.
BOX = SecretBox(bytes(range(32)))


def _settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path, webhook_allow_private=True, environment="development")


def _clock() -> FixedClock:
    return FixedClock(dt.datetime.now(dt.UTC).replace(microsecond=0))


def _figures(*ratios: tuple[str, float]) -> Figures:
    return Figures(
        air=tuple(AirRatio(d, 2026, r, int(r * 100), 100, 0.97, budget_days=3) for d, r in ratios)
    )


def _subscribe(engine: Engine, url: str, fmt: str, clock: FixedClock, **kw) -> repo.Subscription:
    secret = kw.pop("secret", None) or new_secret()
    with writing(engine) as conn:
        sub_id = repo.add_subscription(
            conn,
            box=BOX,
            name=f"{fmt}-test",
            url=url,
            fmt=fmt,
            secret=secret,
            now=clock.now(),
            **kw,
        )
        sub = repo.get_subscription(conn, sub_id)
    assert sub is not None
    return sub


def _outbox(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(webhook_outbox)).mappings()]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(secret=new_secret()).start()
    try:
        yield r
    finally:
        r.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgis)])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'envmon.sqlite3'}"
    return request.getfixturevalue("pg_url")


def test_down_then_back_and_restart_mid_retry_loses_nothing(store_url, tmp_path) -> None:
    clock = _clock()
    settings = _settings(tmp_path)
    engine = init_store(store_url)
    secret = new_secret()
    receiver = Receiver(secret=secret).start()
    port = receiver.port
    _subscribe(engine, receiver.url("/envmon"), "envmon", clock, secret=secret)
    _subscribe(engine, receiver.url("/am"), "alertmanager", clock, secret=secret)

    # An ingest pushes two districts below target: 2 groups x 2 subscriptions = 4 messages.
    report = evaluate_and_enqueue(
        engine, clock, settings=settings, figures=_figures(("330902", 0.95), ("330903", 0.96))
    )
    assert (report.notifications, report.messages) == (2, 4)
    ids = {r["id"] for r in _outbox(engine)}

    receiver.stop()  # down for a while
    worker = DeliveryWorker(engine, clock, POLICY, box=BOX, rng=random.Random(1))
    for _ in range(3):
        assert worker.run_once().retried == 4
        clock.advance(dt.timedelta(seconds=POLICY.backoff_max_s))
    assert {r["attempts"] for r in _outbox(engine)} == {3}

    # Restart mid-retry: worker A leases the due rows and dies before sending.
    dying = DeliveryWorker(engine, clock, POLICY, box=BOX, owner="dying")
    assert len(dying.claim(clock.now())) == 4
    dying.close()
    worker.close()
    engine.dispose()

    # New engine and worker on the same store; the receiver comes back on the same port.
    receiver = Receiver(secret=secret, port=port, mode="fail_once").start()
    engine = make_engine(store_url)
    worker = DeliveryWorker(engine, clock, POLICY, box=BOX, rng=random.Random(2))
    assert worker.run_once().claimed == 0  # leases of the dead worker still run
    clock.advance(POLICY.lease + dt.timedelta(seconds=1))
    first = worker.run_once()  # the receiver processes, but its answers are lost (500)
    assert first.retried == 4
    clock.advance(dt.timedelta(seconds=POLICY.backoff_max_s))
    assert worker.run_once().delivered == 4
    assert worker.run_once().claimed == 0
    receiver.stop()
    worker.close()

    assert receiver.verified_all
    assert set(receiver.processed) == ids
    assert receiver.processed == Counter(dict.fromkeys(ids, 1))  # once per webhook-id
    assert Counter(s.msg_id for s in receiver.requests) == Counter(dict.fromkeys(ids, 2))
    rows = _outbox(engine)
    assert {r["status"] for r in rows} == {repo.DELIVERED}
    with engine.connect() as conn:
        log = repo.attempts_of(conn, rows[0]["id"])
    assert [a["outcome"] for a in log] == ["retry"] * 4 + ["delivered"]
    # Resending the same figures does not notify again (deduplicated by fingerprint).
    again = evaluate_and_enqueue(
        engine, clock, settings=settings, figures=_figures(("330902", 0.95), ("330903", 0.96))
    )
    assert again.messages == 0
    engine.dispose()


def test_410_disables_the_subscription(tmp_path, receiver: Receiver) -> None:
    clock = _clock()
    settings = _settings(tmp_path)
    engine = init_store(f"sqlite:///{tmp_path / 'envmon.sqlite3'}")
    sub = _subscribe(engine, receiver.url(), "envmon", clock, secret=receiver.secret)
    evaluate_and_enqueue(
        engine, clock, settings=settings, figures=_figures(("330902", 0.9), ("330903", 0.9))
    )
    receiver.mode = "gone"
    with DeliveryWorker(engine, clock, replace(POLICY, concurrency=1), box=BOX) as w:
        report = w.run_once()
    assert report.gone == 1 and report.cancelled == 1  # the second message never leaves
    with engine.connect() as conn:
        row = conn.execute(
            select(webhook_subscriptions).where(webhook_subscriptions.c.id == sub.id)
        ).one()
    assert row.enabled is False or row.enabled == 0
    assert "410" in row.disabled_reason
    assert {r["status"] for r in _outbox(engine)} == {repo.CANCELLED}
    assert len(receiver.requests) == 1 and receiver.verified_all
    # No more messages are queued for it, and replay refuses.
    clock.advance(dt.timedelta(days=2))
    evaluate_and_enqueue(engine, clock, settings=settings, figures=_figures(("330902", 0.9)))
    assert len(_outbox(engine)) == 2
    assert not replay(engine, _outbox(engine)[0]["id"], clock.now(), POLICY)
    engine.dispose()


def test_retries_stop_after_the_window_and_replay_resends_the_same_id(
    tmp_path, receiver: Receiver
) -> None:
    clock = _clock()
    engine = init_store(f"sqlite:///{tmp_path / 'envmon.sqlite3'}")
    _subscribe(engine, receiver.url(), "envmon", clock, secret=receiver.secret)
    evaluate_and_enqueue(
        engine, clock, settings=_settings(tmp_path), figures=_figures(("330902", 0.9))
    )
    policy = DeliveryPolicy(outbound=POLICY.outbound, timeout_s=5.0)  # 5 s doubling, 1 h cap, 24 h
    start = clock.now()
    receiver.mode = "fail"
    worker = DeliveryWorker(engine, clock, policy, box=BOX, rng=random.Random(3))
    passes = 0
    while _outbox(engine)[0]["status"] == repo.PENDING:
        clock._at = max(clock.now(), _outbox(engine)[0]["next_attempt_at"])
        worker.run_once()
        passes += 1
        assert passes < 100
    row = _outbox(engine)[0]
    assert row["status"] == repo.FAILED
    assert row["attempts"] == passes
    assert clock.now() - start <= dt.timedelta(hours=24)
    assert clock.now() - start >= dt.timedelta(hours=22)  # retried for (about) the whole window

    # Manual replay: the same webhook-id, delivered once the receiver is fine (clock back near now).
    clock._at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    receiver.mode = "ok"
    assert replay(engine, row["id"], clock.now(), policy)
    assert worker.run_once().delivered == 1
    worker.close()
    assert receiver.delivered_ids() == [row["id"]]
    assert receiver.requests[-1].verified  # hours-old timestamps before it were refused (401)
    engine.dispose()


def test_dingtalk_and_wecom_robots(tmp_path) -> None:
    clock = _clock()
    engine = init_store(f"sqlite:///{tmp_path / 'envmon.sqlite3'}")
    secret, robot_secret = new_secret(), "SEC" + "f" * 64
    ding = Receiver(secret=secret, robot_secret=robot_secret).start()
    wecom = Receiver(secret=secret).start()
    try:
        _subscribe(
            engine,
            ding.url("/robot/send?access_token=tok"),
            "dingtalk",
            clock,
            secret=secret,
            robot_secret=robot_secret,
        )
        _subscribe(engine, wecom.url("/cgi-bin/webhook/send?key=k"), "wecom", clock, secret=secret)
        evaluate_and_enqueue(
            engine, clock, settings=_settings(tmp_path), figures=_figures(("330902", 0.95))
        )
        with DeliveryWorker(engine, clock, POLICY, box=BOX) as w:
            assert w.run_once().delivered == 2
    finally:
        ding.stop()
        wecom.stop()
    (d,) = ding.requests
    assert d.verified and d.query["access_token"] == "tok"
    assert set(d.query) == {"access_token", "timestamp", "sign"}
    body = d.json()
    assert body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"title", "text"}
    assert "定海区" in body["markdown"]["text"] and "95.0%" in body["markdown"]["text"]
    (w_,) = wecom.requests
    assert w_.verified and w_.query == {"key": "k"}
    body = w_.json()
    assert body["msgtype"] == "markdown" and set(body["markdown"]) == {"content"}
    assert len(body["markdown"]["content"].encode()) <= 4096
    engine.dispose()


def test_loopback_is_refused_unless_allowed(tmp_path, receiver: Receiver) -> None:
    clock = _clock()
    engine = init_store(f"sqlite:///{tmp_path / 'envmon.sqlite3'}")
    _subscribe(engine, receiver.url(), "envmon", clock, secret=receiver.secret)
    evaluate_and_enqueue(
        engine, clock, settings=_settings(tmp_path), figures=_figures(("330902", 0.9))
    )
    strict = DeliveryPolicy(outbound=OutboundPolicy(require_https=False, allow_private=False))
    with DeliveryWorker(engine, clock, strict, box=BOX) as w:
        assert w.run_once().retried == 1
    assert receiver.requests == []
    assert "loopback or private" in _outbox(engine)[0]["last_error"]
    engine.dispose()
