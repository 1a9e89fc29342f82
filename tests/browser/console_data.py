"""What the console shows, put into a running server's store through the service's own functions:
one key per role, a laboratory file with a refused row, collector runs (one source healthy, one
failing), a webhook subscription, the alerts the seeded readings raise and their messages, and a
target changed with a reason."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

LAB_CSV = (
    "序号,断面名称,采样日期,溶解氧(mg/L),高锰酸盐指数(mg/L),氨氮(mg/L),总磷(mg/L)\n"
    "1,WS-330902-01,2026-11-03,7.9,3.1,0.42,0.08\n"
    "2,WS-330902-05,2026-11-03,6.1,5.2,1.35,0.21\n"
    "3,WS-330902-14,2026-13-40,7.0,3.0,0.30,0.05\n"
    # Hostile text in a refused row: the console must show it as text, never run it.
    '4,"<img src=x onerror=alert(1)>",2026-11-30,7.0,3.0,0.30,0.05\n'
).encode()
#: What a page shows of the hostile row (its section cell, verbatim).
HOSTILE = "<img src=x onerror=alert(1)>"
HOOK_URL = "https://1.2.3.4/envmon-hook?token=abc123"


@dataclass(frozen=True)
class ConsoleKeys:
    """A plain key per role (shown once at creation; kept here for the browser to sign in)."""

    viewer: str
    operator: str
    admin: str


def seed_console(data_dir: Path, now: dt.datetime) -> ConsoleKeys:
    """Seed the store in ``data_dir`` (SQLite, already created by the server) for the console."""
    from service.alerts.evaluate import evaluate_and_enqueue
    from service.alerts.signing import new_secret
    from service.alerts.webhook_key import webhook_box
    from service.auth import Role, create_key
    from service.clock import FixedClock
    from service.collect import import_upload
    from service.compute import recompute
    from service.settings import Settings
    from service.store import alert_repo as repo
    from service.store.engine import init_store, writing
    from service.store.ingest import IngestCounts
    from service.store.runs import RunRecord, record_run
    from service.targets import set_target
    from stations.collectors.lab_files import LabFilesCollector

    clock = FixedClock(now)
    settings = Settings(data_dir=data_dir, scheduler_enabled=False)
    engine = init_store(f"sqlite:///{data_dir / 'envmon.sqlite3'}")
    try:
        keys = ConsoleKeys(
            viewer=create_key(engine, Role.viewer, "查看者 viewer", clock)[1],
            operator=create_key(engine, Role.operator, "操作员 operator", clock)[1],
            admin=create_key(engine, Role.admin, "管理员 admin", clock)[1],
        )
        lab = LabFilesCollector()
        import_upload(engine, lab, lab.name, "2026-11 水质.csv", LAB_CSV, clock)
        recompute(engine, clock, limit=None)
        with writing(engine) as conn:
            for hours, status, error in (
                (5, "ok", None),
                (3, "failed", "HTTP 503 from upstream after 3 attempts"),
                (1, "failed", "HTTP 503 from upstream after 3 attempts"),
            ):
                start = now - dt.timedelta(hours=hours)
                record_run(
                    conn,
                    RunRecord(
                        "cnemc_air",
                        start,
                        start + dt.timedelta(seconds=40),
                        status,
                        start - dt.timedelta(hours=1),
                        start,
                        fetched=0 if error else 3,
                        counts=IngestCounts(inserted=0 if error else 18),
                        attempts=3 if error else 1,
                        error=error,
                    ),
                )
            start = now - dt.timedelta(minutes=20)
            record_run(
                conn,
                RunRecord(
                    "lab_files",
                    start,
                    start + dt.timedelta(seconds=2),
                    "ok",
                    trigger="import",
                    fetched=1,
                    counts=IngestCounts(inserted=8, quarantined=1),
                    attempts=1,
                ),
            )
            repo.add_subscription(
                conn,
                box=webhook_box(settings),
                name="值班群 duty room",
                url=HOOK_URL,
                fmt="envmon",
                secret=new_secret(),
                now=now,
            )
        evaluate_and_enqueue(engine, clock, settings=settings)
        set_target(
            engine,
            clock,
            district="330902",
            indicator="air",
            year=now.year,
            value="0.95",
            who="管理员 admin",
            reason="市政府 2026 年考核目标调整",
        )
    finally:
        engine.dispose()
    return keys


@contextmanager
def console_server() -> Iterator[tuple[str, dict[str, str]]]:
    """A seeded envmon on 127.0.0.1 (ephemeral port); yields its base URL and a key per role."""

    from service.api.app import create_app
    from service.clock import FixedClock
    from service.settings import Settings
    from tests.browser.conftest import NOW, _seed_store, served

    with tempfile.TemporaryDirectory(prefix="envmon-console-") as tmp:
        data_dir = Path(tmp)
        _seed_store(data_dir)
        keys = seed_console(data_dir, NOW)
        settings = Settings(
            data_dir=data_dir,
            scheduler_enabled=False,
            # The admin test sends a test message to a receiver on this machine.
            webhook_allow_private=True,
            rate_limit_per_minute=100_000,
            rate_limit_burst=100_000,
        )
        app = create_app(settings, FixedClock(NOW))
        with served(app) as base:
            yield base, {"viewer": keys.viewer, "operator": keys.operator, "admin": keys.admin}


def sign_in(page: object, base: str, key: str, lang: str = "zh") -> None:
    """Sign ``page`` in with ``key`` through the sign-in form; lands on the console's home."""
    from service.i18n import t

    page.goto(f"{base}/staff/login?lang={lang}&next=/staff/%3Flang%3D{lang}")  # type: ignore[attr-defined]
    page.get_by_label(t("staff.login.key", lang)).fill(key)  # type: ignore[attr-defined]
    page.get_by_role("button", name=t("staff.login.submit", lang)).click()  # type: ignore[attr-defined]
    page.wait_for_url(f"{base}/staff/**")  # type: ignore[attr-defined]
