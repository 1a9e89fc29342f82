"""Alerts on real cadences (issue 18), with a controllable clock on a real SQLite store.

- evaluation needs no new data: an upstream that stops is judged silent against the clock, and a
  target raised out of reach alerts at once (the staff route) or within one evaluation period;
- silence per cadence: hourly stations, 4-hourly automatic water, monthly lab sections (overdue only
  past the month after the last sample plus the grace period); a fresh demo store raises none;
- the section class rule looks at the latest evaluated month, whatever month it is now.

The clock is a ``FixedClock`` moved by hand; ``evaluate_now`` is what the scheduler's evaluation job
runs every ``alert_evaluate_minutes`` (the job itself is checked in ``test_alert_schedule.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from service.alerts.evaluate import evaluate_now
from service.alerts.sealing import SecretBox
from service.alerts.signing import new_secret
from service.api.app import create_app
from service.auth import Role, create_key
from service.clock import FixedClock
from service.compute import recompute_all
from service.settings import Settings
from service.store import alert_repo as repo
from service.store.alert_tables import alert_state, webhook_outbox
from service.store.engine import init_store, writing
from service.store.ingest import ingest_readings, ingest_samples
from service.store.payloads import archive_payload
from service.store.places import seed_places
from stations.collectors.base import Payload
from stations.model import READING_COLUMNS, SAMPLE_COLUMNS

CST = dt.timezone(dt.timedelta(hours=8))
H = dt.timedelta(hours=1)
STATIONS = ("1258A", "1259A", "1260A")  # every real station (定海区, 普陀区)
BASE = {"SO2": 8.0, "NO2": 25.0, "PM10": 50.0, "PM25": 25.0, "CO": 0.6, "O3": 70.0}
BOX = SecretBox(bytes(range(32)))


def _settings(tmp_path: Path, **kw) -> Settings:
    return Settings(data_dir=tmp_path, environment="development", demo=False, **kw)


def _seeded(url: str) -> Engine:
    eng = init_store(url)
    with writing(eng) as conn:
        seed_places(conn, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), include_demo=False)
    return eng


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = _seeded(_settings(tmp_path).store.effective_database_url)
    yield eng
    eng.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgis)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The store on SQLite and on PostgreSQL (the queries of the rules' inputs run on both)."""
    if request.param == "sqlite":
        url = _settings(tmp_path).store.effective_database_url
    else:
        url = request.getfixturevalue("pg_url")
    eng = _seeded(url)
    yield eng
    eng.dispose()


def _hours(last: dt.datetime, n: int, pm25: float = 25.0) -> pd.DataFrame:
    """``n`` hourly readings of every station ending at ``last`` (UTC end-of-hour labels)."""
    times = pd.date_range(end=last, periods=n, freq="h")
    frames = [
        pd.DataFrame(
            {"station": st, "time": times, "pollutant": p, "value": pm25 if p == "PM25" else v}
        )
        for st in STATIONS
        for p, v in BASE.items()
    ]
    out = pd.concat(frames, ignore_index=True)
    out["flag"] = None
    return out[list(READING_COLUMNS)]


def _ingest_readings(engine: Engine, frame: pd.DataFrame, tag: str, now: dt.datetime) -> None:
    with writing(engine) as conn:
        archived = archive_payload(conn, Payload("test", f"test://{tag}", tag.encode()), now)
        ingest_readings(conn, frame, "test", archived.id, now)


def _ingest_sample(
    engine: Engine, section: str, at: dt.datetime, method: str, tag: str, nh3n: float = 0.3
) -> None:
    items = {"pH": 7.5, "DO": 7.0, "CODMn": 3.0, "NH3N": nh3n, "TP": 0.02}  # Ⅱ but NH3-N (lake TP)
    frame = pd.DataFrame(
        {
            "section": section,
            "time": pd.Timestamp(at),
            "item": list(items),
            "value": list(items.values()),
            "detection_limit": float("nan"),
            "below_limit": False,
            "method": method,
        }
    )[list(SAMPLE_COLUMNS)]
    with writing(engine) as conn:
        archived = archive_payload(conn, Payload("lab", f"test://{tag}", tag.encode()), at)
        ingest_samples(conn, frame, "lab", archived.id, at)


def _firing(engine: Engine, rule: str) -> dict[str, dict]:
    """The firing alerts of ``rule`` by their ``code``/``section`` label (or district)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(alert_state).where(alert_state.c.rule == rule, alert_state.c.status == "firing")
        ).mappings()
        out = {}
        for r in rows:
            labels = r["labels"]
            out[labels.get("code") or labels.get("section") or labels["district"]] = dict(r)
        return out


def _subscribe(engine: Engine, clock: FixedClock, **kw) -> int:
    with writing(engine) as conn:
        return repo.add_subscription(
            conn,
            box=BOX,
            name="bureau",
            url="http://127.0.0.1:9/hook",
            fmt="envmon",
            secret=new_secret(),
            now=clock.now(),
            **kw,
        )


def _bodies(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(webhook_outbox.c.body).order_by(webhook_outbox.c.created_at))
        return [json.loads(r.body) for r in rows]


# ------------------------------------------------------------------------ silence on the clock


def test_an_upstream_silent_for_n_hours_raises_one_alert_per_station_once(
    store: Engine, tmp_path: Path
) -> None:
    t0 = dt.datetime(2026, 12, 1, 4, tzinfo=dt.UTC)
    clock = FixedClock(t0)
    settings = _settings(tmp_path, alert_silent_hourly_hours=4)
    _ingest_readings(store, _hours(t0, 24), "day", t0)
    _subscribe(store, clock, rules=["silent"])
    evaluate_now(store, clock, settings)
    assert _firing(store, "silent") == {}

    # The upstream stops: no run stores anything, no post-ingest hook runs. Only the clock moves.
    sent_per_step = []
    for _ in range(8):  # evaluations an hour apart, as the job would run them (and more often)
        clock.advance(H)
        sent_per_step.append(evaluate_now(store, clock, settings).messages)
    # 4 h allowed: silent after the 5th hour, once (the next message would be the 12 h repeat).
    assert sent_per_step == [0, 0, 0, 0, 2, 0, 0, 0]  # one message per district group
    firing = _firing(store, "silent")
    assert sorted(firing) == sorted(STATIONS)
    assert all(a["starts_at"] == t0 + 5 * H for a in firing.values())
    bodies = _bodies(store)
    assert sorted(len(b["alerts"]) for b in bodies) == [1, 2]  # 普陀区 1 station, 定海区 2
    a = bodies[0]["alerts"][0]
    assert a["params"]["cadence"] == "hourly" and a["threshold"] == 4 and a["value"] == 5

    # Data again: the alerts resolve at the next evaluation.
    _ingest_readings(store, _hours(clock.now(), 1), "back", clock.now())
    clock.advance(dt.timedelta(minutes=5))
    assert evaluate_now(store, clock, settings).messages == 2
    assert _firing(store, "silent") == {}


def test_an_automatic_water_station_is_silent_after_its_own_limit(
    store: Engine, tmp_path: Path
) -> None:
    t0 = dt.datetime(2026, 12, 1, 4, tzinfo=dt.UTC)
    clock = FixedClock(t0)
    settings = _settings(tmp_path)  # 12 h for automatic water (three missed 4-hourly values)
    _ingest_readings(store, _hours(t0, 1), "air", t0)
    _ingest_sample(store, "WS-330902-01", t0, "automatic", "auto")
    for hours, silent in ((8, False), (12, False), (13, True)):
        clock = FixedClock(t0 + hours * H)
        _ingest_readings(store, _hours(clock.now(), 1), f"air{hours}", clock.now())
        evaluate_now(store, clock, settings)
        assert ("WS-330902-01" in _firing(store, "silent")) is silent, hours
    alert = _firing(store, "silent")["WS-330902-01"]
    assert alert["labels"]["kind"] == "water_auto" and alert["params"]["cadence"] == "four_hourly"


@pytest.mark.parametrize(
    ("now_cst", "silent"),
    [
        (dt.datetime(2026, 11, 28, 12), False),  # same month as the sample
        (dt.datetime(2026, 12, 28, 12), False),  # December's sample may still come
        (dt.datetime(2027, 1, 10, 12), False),  # December is over, but within the 15-day grace
        (dt.datetime(2027, 1, 15, 23, 59), False),  # the last minute of the grace period
        (dt.datetime(2027, 1, 16, 0, 1), True),  # December's sample is overdue
    ],
)
def test_a_monthly_section_sampled_on_the_5th_is_silent_only_past_next_month_and_grace(
    engine: Engine, tmp_path: Path, now_cst: dt.datetime, silent: bool
) -> None:
    sampled = dt.datetime(2026, 11, 5, 10, tzinfo=CST).astimezone(dt.UTC)
    _ingest_sample(engine, "WS-330902-02", sampled, "manual", "lab")
    clock = FixedClock(now_cst.replace(tzinfo=CST).astimezone(dt.UTC))
    _ingest_readings(engine, _hours(clock.now(), 1), "air", clock.now())  # stations are live
    evaluate_now(engine, clock, _settings(tmp_path))
    firing = _firing(engine, "silent")
    assert ("WS-330902-02" in firing) is silent
    assert set(firing) <= {"WS-330902-02"}  # sections never sampled are not watched
    if silent:
        params = firing["WS-330902-02"]["params"]
        assert params["cadence"] == "monthly" and params["due_month"] == "2026-12"
        assert params["due_by"] == "2027-01-15T16:00:00+00:00"  # 16 Jan 00:00 CST


def test_the_monthly_grace_period_is_a_setting(engine: Engine, tmp_path: Path) -> None:
    sampled = dt.datetime(2026, 11, 5, 10, tzinfo=CST).astimezone(dt.UTC)
    _ingest_sample(engine, "WS-330902-02", sampled, "manual", "lab")
    clock = FixedClock(dt.datetime(2027, 1, 3, 12, tzinfo=CST).astimezone(dt.UTC))
    _ingest_readings(engine, _hours(clock.now(), 1), "air", clock.now())
    settings = _settings(tmp_path, alert_silent_monthly_grace_days=2)
    evaluate_now(engine, clock, settings)
    assert "WS-330902-02" in _firing(engine, "silent")


def test_a_fresh_demo_store_raises_no_silence(tmp_path: Path) -> None:
    """The demo feed samples every section on the 10th: on 6 December nothing is overdue."""
    from service.runtime import seed_store
    from service.scheduler import Collection, CollectorJob, SchedulerConfig, _demo_jobs
    from stations.collectors.base import Window

    settings = Settings(data_dir=tmp_path, environment="development")  # demo: no upstream set
    assert settings.feeds.demo_mode
    now = dt.datetime(2026, 12, 6, 6, tzinfo=dt.UTC)
    clock = FixedClock(now)
    eng = init_store(settings.store.effective_database_url)
    try:
        seed_store(eng, settings, clock, BOX)
        (job,) = _demo_jobs(dt.timedelta(hours=1))
        sched = Collection(
            eng, SchedulerConfig(jobs=[CollectorJob(job.collector, job.interval)]), clock
        )
        nov10 = dt.datetime(2026, 11, 9, 16, tzinfo=dt.UTC)  # 10 Nov 00:00 CST
        for window in (Window(nov10, nov10 + 24 * H), Window(now - 24 * H, now)):
            assert all(r.ok for r in sched.collect_window(job.collector.name, window))
        recompute_all(eng, clock)
        evaluate_now(eng, clock, settings)
        assert _firing(eng, "silent") == {}
        with eng.connect() as conn:
            sampled = conn.execute(
                select(alert_state.c.fingerprint).where(alert_state.c.rule == "silent")
            ).all()
        assert sampled == []
    finally:
        eng.dispose()


# ---------------------------------------------------------------- section class, latest month


def test_on_7_december_sections_raise_on_novembers_class(store: Engine, tmp_path: Path) -> None:
    nov = dt.datetime(2026, 11, 10, 10, tzinfo=CST).astimezone(dt.UTC)
    _ingest_sample(store, "WS-330902-02", nov, "manual", "nov-bad", nh3n=1.8)  # NH3-N: Ⅴ
    _ingest_sample(store, "WS-330902-03", nov, "manual", "nov-good", nh3n=0.3)  # Ⅱ
    clock = FixedClock(dt.datetime(2026, 12, 7, 10, tzinfo=CST).astimezone(dt.UTC))
    recompute_all(store, clock)
    _subscribe(store, clock, rules=["section_worse_than_class_iii"])
    evaluate_now(store, clock, _settings(tmp_path))
    firing = _firing(store, "section_worse_than_class_iii")
    assert list(firing) == ["WS-330902-02"]
    assert firing["WS-330902-02"]["params"]["period"] == "2026-11"
    (body,) = _bodies(store)
    assert "2026-11 水质为Ⅴ类" in body["alerts"][0]["summary"]["zh"]

    # December's sample comes back Ⅱ: December is now the latest month, and the alert resolves.
    _ingest_sample(store, "WS-330902-02", clock.now(), "manual", "dec-good", nh3n=0.3)
    recompute_all(store, clock)
    clock.advance(H)
    evaluate_now(store, clock, _settings(tmp_path))
    assert _firing(store, "section_worse_than_class_iii") == {}


# ------------------------------------------------------------------ target change, no new data


#: Early January: a clean first week leaves the 97 % target room (in December it would not).
JAN8 = dt.datetime(2026, 1, 8, 4, tzinfo=dt.UTC)


def _clean_week(engine: Engine, clock: FixedClock) -> None:
    end = clock.now().replace(minute=0, second=0, microsecond=0)
    _ingest_readings(engine, _hours(end, 7 * 24), "week", end)
    recompute_all(engine, clock)


def test_a_target_raised_out_of_reach_alerts_at_once_through_the_staff_route(
    tmp_path: Path,
) -> None:
    clock = FixedClock(JAN8)
    settings = _settings(tmp_path, rate_limit_per_minute=0, scheduler_enabled=False)
    app = create_app(settings, clock)
    with TestClient(app) as client:
        engine = app.state.engine
        _clean_week(engine, clock)
        evaluate_now(engine, clock, settings)
        assert _firing(engine, "budget_exhausted") == {}
        _subscribe(engine, clock)
        key = create_key(engine, Role.operator)[1]
        clock.advance(dt.timedelta(minutes=1))
        r = client.put(
            "/api/v1/staff/targets/330902/air/2026",
            json={"value": 1.0, "reason": "test"},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert r.status_code == 200, r.text
        # No new data, no scheduler: the route's evaluation alone raised it.
        assert "330902" in _firing(engine, "budget_exhausted")
        rules = {b["rule"] for b in _bodies(engine)}
        assert "budget_exhausted" in rules


def test_a_target_raised_out_of_reach_alerts_within_one_evaluation_period(
    engine: Engine, tmp_path: Path
) -> None:
    """A target changed where no route evaluates (e.g. in the database): the next run of the
    evaluation job, one period later, with no new data, raises it."""
    from service.targets import set_target

    clock = FixedClock(JAN8)
    settings = _settings(tmp_path)
    _clean_week(engine, clock)
    evaluate_now(engine, clock, settings)
    set_target(
        engine, clock, district="city", indicator="air", year=2026, value=1, who="db", reason=None
    )
    assert _firing(engine, "budget_exhausted") == {}
    clock.advance(dt.timedelta(minutes=settings.alerts.alert_evaluate_minutes))
    evaluate_now(engine, clock, settings)
    assert "city" in _firing(engine, "budget_exhausted")


# ------------------------------------------------------------------ degraded collection


def test_a_degraded_collector_run_raises_an_alert_until_an_ok_run(
    store: Engine, tmp_path: Path
) -> None:
    """A run recorded ``degraded`` (completed, most rows quarantined: the upstream changed its
    format) alerts at the next evaluation, even when it stored nothing (no post-ingest hook ran)."""
    from service.store.ingest import IngestCounts
    from service.store.runs import RunRecord, record_run

    clock = FixedClock(dt.datetime(2026, 12, 6, 4, tzinfo=dt.UTC))
    settings = _settings(tmp_path)
    _ingest_readings(store, _hours(clock.now(), 1), "air", clock.now())
    _subscribe(store, clock, rules=["collector_degraded"])

    def run(status: str, quarantined: int, inserted: int, error: str | None = None) -> None:
        with writing(store) as conn:
            record_run(
                conn,
                RunRecord(
                    "water_auto",
                    clock.now(),
                    clock.now(),
                    status,
                    counts=IngestCounts(inserted=inserted, quarantined=quarantined),
                    error=error,
                ),
            )

    run("ok", 0, 40)
    evaluate_now(store, clock, settings)
    assert _firing(store, "collector_degraded") == {}
    clock.advance(4 * H)
    run("degraded", 36, 0, "degraded: 36 of 36 rows quarantined")
    clock.advance(dt.timedelta(minutes=5))
    evaluate_now(store, clock, settings)
    alert = _firing(store, "collector_degraded")["city"]
    assert alert["labels"]["collector"] == "water_auto" and alert["value"] == 1.0
    (body,) = _bodies(store)
    assert body["rule"] == "collector_degraded" and body["district"] == "city"
    assert "water_auto" in body["alerts"][0]["summary"]["zh"]
    assert "36 quarantined, 0 accepted, share 100.0%" in body["alerts"][0]["summary"]["en"]
    clock.advance(4 * H)
    run("failed", 0, 0, "HTTP 503")  # a failed run tells nothing of the rows: still firing
    evaluate_now(store, clock, settings)
    assert "city" in _firing(store, "collector_degraded")
    clock.advance(4 * H)
    run("ok", 1, 40)
    evaluate_now(store, clock, settings)
    assert _firing(store, "collector_degraded") == {}
    assert [b["status"] for b in _bodies(store)] == ["firing", "resolved"]
