"""``GET /metrics``: Prometheus text for loopback and ``ENVMON_METRICS_ALLOW`` networks, 403 for
anyone else (a forged ``X-Forwarded-For`` included); after requests, a collector run, an import
with a bad row, a delivery attempt and a scheduled job, their series are there.

The metrics of this test process accumulate over every test it runs, so each check compares a
series before and after what it does."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.alerts.delivery import DeliveryPolicy, DeliveryWorker
from service.alerts.signing import new_secret
from service.alerts.urls import OutboundPolicy
from service.clock import FixedClock
from service.collect import run_collector
from service.scheduler import JobScheduler
from service.settings import SettingsError, load_settings
from service.store import alert_repo as repo
from service.store.engine import writing
from stations.collectors.base import Payload, Window
from stations.model import Parsed, Rejected

from .conftest import make_settings

NOW = dt.datetime(2026, 5, 20, 4, 0, tzinfo=dt.UTC)
LOOPBACK = ("127.0.0.1", 40000)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    application = create(tmp_path)
    with TestClient(application, client=LOOPBACK):
        yield application


def create(tmp_path: Path, **overrides: Any) -> FastAPI:
    from service.api.app import create_app

    return create_app(make_settings(tmp_path, **overrides), FixedClock(NOW))


def scrape(app: FastAPI) -> str:
    with TestClient(app, client=LOOPBACK) as client:
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["cache-control"] == "no-store"
    return response.text


def value(text: str, name: str, **labels: str) -> float:
    """The sample ``name{labels}`` (labels in any order), 0 when absent."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if found == labels:
            return float(match.group(3))
    return 0.0


def grows(app: FastAPI, action: Callable[[], object], name: str, **labels: str) -> float:
    before = value(scrape(app), name, **labels)
    action()
    return value(scrape(app), name, **labels) - before


def test_requests_are_timed_by_route_template_not_raw_path(app: FastAPI) -> None:
    def two_requests() -> None:
        with TestClient(app, client=LOOPBACK) as client:
            assert client.get("/api/v1/stations/1258A").status_code == 200
            assert client.get("/api/v1/stations/1259A").status_code == 200

    count = "envmon_http_request_duration_seconds_count"
    labels = {"method": "GET", "route": "/api/v1/stations/{code}", "status": "200"}
    assert grows(app, two_requests, count, **labels) == 2
    text = scrape(app)
    assert "1258A" not in text and "1259A" not in text
    assert 'le="0.5"' in text  # a histogram, with its buckets

    def unknown() -> None:
        with TestClient(app, client=LOOPBACK) as client:
            assert client.get("/no/such/page").status_code == 404

    lost = {"method": "GET", "route": "(unmatched)", "status": "404"}
    assert grows(app, unknown, count, **lost) == 1
    assert "/no/such/page" not in scrape(app)


class OneBadRow:
    """A collector whose payload holds one good reading and one row the parser refuses."""

    name = "metrics_test"

    def fetch(self, client: httpx.Client, window: Window) -> list[Payload]:
        return [Payload(source=self.name, url="test://metrics", raw=b"two rows")]

    def parse(self, raw: bytes) -> Parsed:
        good = pd.DataFrame(
            {
                "station": ["1258A"],
                "time": pd.to_datetime([NOW], utc=True).astype("datetime64[ns, UTC]"),
                "pollutant": ["PM25"],
                "value": [31.0],
                "flag": [None],
            }
        )
        return Parsed(readings=good, rejected=[Rejected("1258A,PM25,-5", "value < 0", "value")])


def test_collector_runs_rows_and_quarantine_by_source_and_outcome(app: FastAPI) -> None:
    engine = app.state.engine
    source = OneBadRow.name
    before = scrape(app)
    with httpx.Client() as client:
        result = run_collector(
            engine, OneBadRow(), Window(NOW - dt.timedelta(hours=1), NOW), FixedClock(NOW), client
        )
    after = scrape(app)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # 1 of 2 rows quarantined is not more than the degraded share (half): the run is ok.
    assert result.status == "ok"
    assert delta("envmon_collector_runs_total", source=source, outcome="ok") == 1
    assert delta("envmon_collector_runs_total", source=source, outcome="degraded") == 0
    assert delta("envmon_ingested_rows_total", source=source, outcome="inserted") == 1
    assert delta("envmon_ingested_rows_total", source=source, outcome="quarantined") == 1
    assert delta("envmon_quarantined_rows_total", source=source) == 1


def test_delivery_attempts_by_outcome(app: FastAPI) -> None:
    engine, now = app.state.engine, dt.datetime.now(dt.UTC)
    with writing(engine) as conn:
        sub = repo.add_subscription(
            conn,
            box=app.state.webhook_box,
            name="nobody listens",
            url="http://127.0.0.1:9/hook",  # discard port: refused at once
            fmt="envmon",
            secret=new_secret(),
            now=now,
        )
        repo.add_message(
            conn,
            msg_id="msg_metrics_1",
            sub_id=sub,
            group="metrics",
            body=b'{"type":"test","data":{}}',
            now=now,
            retry_for=dt.timedelta(hours=1),
        )
    policy = DeliveryPolicy(
        timeout_s=2.0, outbound=OutboundPolicy(require_https=False, allow_private=True)
    )

    def one_pass() -> None:
        with DeliveryWorker(engine, FixedClock(now), policy, box=app.state.webhook_box) as worker:
            assert worker.run_once().retried == 1

    assert grows(app, one_pass, "envmon_alert_deliveries_total", outcome="retry") == 1


def _noop() -> None:
    """A scheduled job (importable, no arguments)."""


def test_scheduler_lag_per_job(app: FastAPI) -> None:
    scheduler = JobScheduler(app.state.engine)
    scheduler.add_interval_job(
        _noop, dt.timedelta(hours=1), job_id="metrics-test", first_run=dt.datetime.now(dt.UTC)
    )
    scheduler.start()
    try:
        deadline = time.monotonic() + 30
        # Waiting for the scheduler's thread to hand the job out, not timing it.
        while 'job="metrics-test"' not in scrape(app):
            assert time.monotonic() < deadline, "the job was never handed out"
            time.sleep(0.05)
    finally:
        scheduler.shutdown()
    assert value(scrape(app), "envmon_scheduler_lag_seconds", job="metrics-test") >= 0


def test_other_networks_are_refused(app: FastAPI, tmp_path: Path) -> None:
    with TestClient(app, client=("203.0.113.5", 40000)) as client:
        refused = client.get("/metrics?lang=en")
        forged = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert refused.status_code == 403 and forged.status_code == 403
    body = refused.json()
    assert body["title"] == "Not served to this address"
    assert "ENVMON_METRICS_ALLOW" in body["detail"] and "envmon_" not in refused.text
    # A request relayed by a proxy on this host (trusted by default) counts as its real client.
    with TestClient(app, client=LOOPBACK) as client:
        relayed = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
    assert relayed.status_code == 403

    office = create(tmp_path / "office", metrics_allow="10.20.0.0/16, 192.0.2.7")
    with TestClient(office, client=("10.20.3.4", 40000)) as client:
        assert client.get("/metrics").status_code == 200
    with TestClient(office, client=("192.0.2.7", 40000)) as client:
        assert client.get("/metrics").status_code == 200
    with TestClient(office, client=LOOPBACK) as client:
        assert client.get("/metrics").status_code == 403  # loopback is not listed there


def test_a_wrong_network_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="ENVMON_METRICS_ALLOW: 'intranet' is not an IP"):
        load_settings(environment="test", metrics_allow="intranet")
    assert load_settings(environment="test").http.metrics_allow == "127.0.0.0/8,::1"
