"""Scheduled jobs without registries: a job is an importable function with plain arguments, and the
process that runs it rebuilds the engine, collectors and delivery worker from those arguments."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import pickle
from pathlib import Path

import pytest
from sqlalchemy import select

from service.clock import FixedClock
from service.jobs import (
    collect_job,
    evaluation_job,
    job_arguments,
    job_settings,
    nudge,
    release,
    running_here,
    runtime,
)
from service.runtime import seed_store
from service.settings import Settings
from service.store.alert_tables import alert_state
from service.store.engine import init_store
from service.store.tables import collector_runs


def _settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(data_dir=tmp_path, environment="development", demo=False, **kw)


def test_arguments_are_plain_hold_no_secret_and_rebuild_the_same_settings(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        webhook_key="k" * 40,
        session_secret="s" * 40,
        openaq_stations="2178=1258A",
        lab_inbox=tmp_path / "inbox",
        database_url="postgresql://envmon:hunter2-long-password@db/envmon",
    )
    arguments = job_arguments(settings)
    text = json.dumps(arguments)
    assert "k" * 40 not in text and "s" * 40 not in text and "hunter2" not in text
    assert "database_url" not in arguments and arguments["database_url_from_environment"]
    assert pickle.loads(pickle.dumps(arguments)) == arguments
    assert arguments["data_dir"] == str(tmp_path) and arguments["openaq_stations"] == {
        "2178": "1258A"
    }
    plain = _settings(tmp_path, openaq_stations="2178=1258A", lab_inbox=tmp_path / "inbox")
    rebuilt = job_settings(json.loads(json.dumps(job_arguments(plain))))
    # The same settings again, so the job process's runtime is the one its nudges find.
    assert job_arguments(rebuilt) == job_arguments(plain)
    assert rebuilt.feeds.openaq_stations == {2178: "1258A"}


def test_a_password_url_is_read_from_the_job_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "postgresql://envmon:long-password-1234@db/e"
    arguments = job_arguments(_settings(tmp_path, database_url=url))
    monkeypatch.delenv("ENVMON_DATABASE_URL", raising=False)
    # Never a silent fall back to the embedded SQLite store.
    with pytest.raises(RuntimeError, match="ENVMON_DATABASE_URL"):
        job_settings(arguments)
    monkeypatch.setenv("ENVMON_DATABASE_URL", url)
    assert job_settings(arguments).store.database_url == url


def _evaluate_in_a_new_process(arguments: dict[str, object]) -> None:
    """What an executor in another process does: import the job by reference, call it, let go."""
    evaluation_job(arguments)
    release(arguments)


def test_a_job_runs_in_a_fresh_process_from_its_arguments_alone(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    engine = init_store(settings.store.effective_database_url)
    try:
        seed_store(engine, settings, FixedClock(dt.datetime.now(dt.UTC)))
        arguments = json.loads(json.dumps(job_arguments(settings)))
        process = multiprocessing.get_context("spawn").Process(
            target=_evaluate_in_a_new_process, args=(arguments,)
        )
        process.start()
        process.join(120)
        assert process.exitcode == 0
        with engine.connect() as conn:
            silent = conn.execute(
                select(alert_state.c.labels).where(alert_state.c.rule == "silent")
            ).all()
        # The seeded stations never sent anything: silent, judged in the job's own process.
        assert sorted(r.labels["code"] for r in silent) == ["1258A", "1259A", "1260A"]
    finally:
        engine.dispose()


def test_nudge_delivers_only_where_the_jobs_of_those_settings_run(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    init_store(settings.store.effective_database_url).dispose()
    arguments = job_arguments(settings)
    assert not running_here(settings) and nudge(settings) is False
    runtime(arguments)
    try:
        assert running_here(settings) and nudge(settings) is True
    finally:
        release(arguments)
    assert not running_here(settings)


def test_a_collect_job_builds_its_collectors_from_the_settings(tmp_path: Path) -> None:
    # An unreachable automatic water feed: the run fails and is recorded, the job does not raise.
    settings = _settings(tmp_path, water_auto_url="http://127.0.0.1:9/w", fetch_attempts=1)
    engine = init_store(settings.store.effective_database_url)
    arguments = job_arguments(settings)
    try:
        results = collect_job(arguments, "water_auto")
        assert [r.status for r in results] == ["failed"]
        with engine.connect() as conn:
            runs = conn.execute(select(collector_runs.c.collector, collector_runs.c.status)).all()
        assert [tuple(r) for r in runs] == [("water_auto", "failed")]
    finally:
        release(arguments)
        engine.dispose()
