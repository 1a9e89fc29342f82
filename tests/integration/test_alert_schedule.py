"""The alert evaluation job (issue 18): registered by the running scheduler at the configured
interval whatever the collectors do, importable with plain arguments (no secret among them), and it
evaluates the store its arguments name."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from pathlib import Path

from sqlalchemy import select

from service.alerts.sealing import SecretBox
from service.clock import FixedClock
from service.jobs import EVALUATION_JOB_ID, evaluation_job, job_arguments, release
from service.runtime import seed_store, start_scheduler, stop_scheduler
from service.settings import Settings
from service.store.alert_tables import alert_state
from service.store.engine import init_store


def _settings(tmp_path: Path, **kw) -> Settings:
    return Settings(
        data_dir=tmp_path,
        environment="development",
        demo=False,  # no collector at all: the evaluation job must still be there
        webhook_key="k" * 40,
        session_secret="s" * 40,
        **kw,
    )


def test_the_scheduler_evaluates_on_its_own_interval_with_no_collector(tmp_path: Path) -> None:
    settings = _settings(tmp_path, alert_evaluate_minutes=3)
    engine = init_store(settings.store.effective_database_url)
    scheduler = start_scheduler(engine, settings)
    try:
        jobs = {j.id: j for j in scheduler.scheduler.get_jobs()}
        assert not [j for j in jobs if j.startswith("collect:")]
        job = jobs[EVALUATION_JOB_ID]
        assert job.trigger.interval == dt.timedelta(minutes=3)
        assert job.func is evaluation_job
        (fields,) = job.args
        assert fields["data_dir"] == str(tmp_path)
    finally:
        stop_scheduler(scheduler, settings)
        engine.dispose()


def test_job_arguments_are_plain_and_hold_no_secret(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, database_url="postgresql://envmon:hunter2-long-password@db/envmon"
    )
    fields = job_arguments(settings)
    text = json.dumps(fields)
    assert pickle.loads(pickle.dumps(fields)) == fields
    assert "hunter2" not in text and "k" * 40 not in text and "s" * 40 not in text
    assert "database_url" not in fields  # with a password: read from the job's environment
    no_password = _settings(tmp_path, database_url="postgresql://envmon@db/envmon")
    assert job_arguments(no_password)["database_url"] == "postgresql://envmon@db/envmon"


def test_the_job_evaluates_the_store_its_arguments_name(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    engine = init_store(settings.store.effective_database_url)
    try:
        seed_store(engine, settings, FixedClock(dt.datetime.now(dt.UTC)), SecretBox(bytes(32)))
        arguments = json.loads(json.dumps(job_arguments(settings)))
        evaluation_job(arguments)
        release(arguments)
        with engine.connect() as conn:
            silent = conn.execute(
                select(alert_state.c.labels).where(alert_state.c.rule == "silent")
            ).all()
        # The seeded stations never sent anything: silent, judged with no collector run at all.
        assert sorted(r.labels["code"] for r in silent) == ["1258A", "1259A", "1260A"]
    finally:
        engine.dispose()
