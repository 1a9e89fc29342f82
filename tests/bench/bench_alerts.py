"""From the ingest that breaks a target to delivery on a local receiver (issue 7: under 5 s).

Real path, real store (SQLite file in a temp dir): archive + ingest hourly readings (service.store)
-> recompute (service.compute, the scheduler's first hook) -> ``alerts_hook`` (load the figures from
compute's summaries and the store, pure rules, states + outbox in one transaction, nudge) -> the
registered ``DeliveryWorker`` signs and POSTs -> a local receiver verifies with ``standardwebhooks``.
The APScheduler trigger itself is not in the path (hooks are called directly, as the scheduler does
after a run). Each run uses a fresh store; the first run also pays imports and geodata loading.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select

from service.alerts import repo
from service.alerts.delivery import (
    DeliveryPolicy,
    DeliveryWorker,
    register_worker,
    unregister_worker,
)
from service.alerts.evaluate import alerts_hook
from service.alerts.signing import new_secret
from service.alerts.webhook_key import webhook_box
from service.clock import SystemClock
from service.compute import make_ingest_hook
from service.settings import Settings
from service.store.alert_tables import webhook_outbox
from service.store.engine import init_store, writing
from service.store.ingest import ingest_readings
from service.store.payloads import archive_payload
from service.store.places import seed_places
from stations.collectors.base import Payload
from stations.model import READING_COLUMNS
from tests.integration.test_webhook_receiver import Receiver

CST = dt.timezone(dt.timedelta(hours=8))
STATIONS = ("1258A", "1260A")  # 定海区
BASE = {"SO2": 8.0, "NO2": 25.0, "PM10": 50.0, "PM25": 25.0, "CO": 0.6, "O3": 70.0}


def _day_frame(day: dt.date, pm25: float) -> pd.DataFrame:
    start = dt.datetime.combine(day, dt.time(1), CST).astimezone(dt.UTC)
    times = pd.date_range(start, periods=24, freq="h", tz="UTC")
    rows = [
        pd.DataFrame(
            {
                "station": st,
                "time": times,
                "pollutant": p,
                "value": pm25 if p == "PM25" else v,
                "flag": None,
            }
        )
        for st in STATIONS
        for p, v in BASE.items()
    ]
    return pd.concat(rows, ignore_index=True)[list(READING_COLUMNS)]


def _ingest(engine, frame: pd.DataFrame, tag: str, now: dt.datetime) -> None:
    with writing(engine) as conn:
        archived = archive_payload(conn, Payload("bench", f"bench://{tag}", tag.encode()), now)
        ingest_readings(conn, frame, "bench", archived.id, now)


def _settle(engine, timeout: float = 10.0) -> None:
    """Wait until nothing is left pending (the nudged pass may still be finishing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            pending = conn.execute(
                select(func.count())
                .select_from(webhook_outbox)
                .where(webhook_outbox.c.status == repo.PENDING)
            ).scalar_one()
        if not pending:
            return
        time.sleep(0.05)
    raise RuntimeError("messages still pending")


def run_once(tmp: Path) -> dict[str, float]:
    clock = SystemClock()
    settings = Settings(
        data_dir=tmp, environment="development", webhook_allow_private=True, scheduler_enabled=False
    )
    engine = init_store(settings.effective_database_url)
    now = clock.now()
    today = now.astimezone(CST).date()
    with writing(engine) as conn:
        seed_places(conn, now)
    # Six clean days before (recomputed and evaluated: no ratio alerts), then the breaking ingest.
    recompute_hook = make_ingest_hook(engine, clock)
    hook = alerts_hook(engine, clock, settings, worker_name="bench")
    for i in range(7, 1, -1):
        _ingest(engine, _day_frame(today - dt.timedelta(days=i), 20.0), f"clean{i}", now)
    recompute_hook(None)
    hook(None)

    secret = new_secret()
    receiver = Receiver(secret=secret).start()
    arrived = threading.Event()
    original = receiver._handle

    def handle(path, headers, body):  # note the first verified arrival
        status = original(path, headers, body)
        if status == 200:
            arrived.set()
        return status

    receiver._handle = handle  # type: ignore[method-assign]
    box = webhook_box(settings)
    with writing(engine) as conn:
        repo.add_subscription(
            conn, box=box, name="bench", url=receiver.url(), fmt="envmon", secret=secret, now=now
        )
    worker = DeliveryWorker(engine, clock, DeliveryPolicy.from_settings(settings), box=box)
    register_worker("bench", worker)
    try:
        t0 = time.perf_counter()
        # Yesterday's complete day arrives (late or revised): PM2.5 180 µg/m³, AQI > 100.
        _ingest(engine, _day_frame(today - dt.timedelta(days=1), 180.0), "polluted", clock.now())
        t1 = time.perf_counter()
        recompute_hook(None)
        t2 = time.perf_counter()
        report = hook(None)
        t3 = time.perf_counter()
        if not arrived.wait(10):
            raise RuntimeError("no delivery within 10 s")
        t4 = time.perf_counter()
        _settle(engine)
        groups = sorted({json.loads(s.body)["group_key"] for s in receiver.requests})
    finally:
        unregister_worker("bench")
        worker.close()
        receiver.stop()
        engine.dispose()
    assert receiver.verified_all and report.messages >= 1, report
    return {
        "ingest": t1 - t0,
        "recompute": t2 - t1,
        "evaluate+enqueue": t3 - t2,
        "delivery": t4 - t3,
        "total": t4 - t0,
        "messages": float(report.messages),
        "groups": groups,  # type: ignore[dict-item]
    }


def main() -> None:
    runs = []
    for _ in range(4):
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(run_once(Path(tmp)))
    cold, warm = runs[0], runs[1:]
    print("ingest -> recompute -> rules -> outbox -> signed POST -> receiver (SQLite, real path)")
    print(f"  messages per run: {int(cold['messages'])}; groups: {', '.join(cold['groups'])}")
    print(
        "  cold run (imports, geodata): "
        + ", ".join(f"{k} {v:.3f}s" for k, v in cold.items() if k not in {"messages", "groups"})
    )
    for key in ("ingest", "recompute", "evaluate+enqueue", "delivery", "total"):
        values = [r[key] for r in warm]
        print(f"  warm {key:17s} median {statistics.median(values):.3f}s  max {max(values):.3f}s")
    worst = max(r["total"] for r in runs)
    print(f"  target < 5 s: {'met' if worst < 5 else 'MISSED'} (worst total {worst:.3f}s)")


if __name__ == "__main__":
    main()
