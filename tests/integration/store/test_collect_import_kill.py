"""``envmon import-archive`` killed with SIGKILL mid-import loses no committed file and keeps no half file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from service.store.engine import make_engine
from service.store.tables import raw_payloads, readings

from .archive_gen import write_archive

pytestmark = pytest.mark.slow

DAYS, STATIONS = 16, 80
ENVMON = Path(sys.executable).with_name("envmon")


def _per_payload(engine: Engine) -> tuple[dict[int, int], dict[int, int | None]]:
    """Readings per payload id, and each archived payload's accepted count (None: not ingested)."""
    with engine.connect() as conn:
        stored = dict(
            conn.execute(
                select(readings.c.payload_id, func.count()).group_by(readings.c.payload_id)
            ).all()
        )
        marks = {
            r.id: (r.n_accepted if r.ingested_at is not None else None)
            for r in conn.execute(
                select(raw_payloads.c.id, raw_payloads.c.n_accepted, raw_payloads.c.ingested_at)
            )
        }
    return stored, marks


def _ingested(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).where(raw_payloads.c.ingested_at.is_not(None))
            ).scalar_one()
        )


def test_sigkill_mid_import_then_restart_finishes_exactly(store_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    per_file = write_archive(folder, DAYS, STATIONS)
    env = {**os.environ, "ENVMON_DATA_DIR": str(tmp_path / "data"), "ENVMON_DATABASE_URL": ""}
    if store_url.startswith("postgresql"):
        env["ENVMON_DATABASE_URL"] = store_url
    else:
        env.pop("ENVMON_DATABASE_URL")
        env["ENVMON_DATA_DIR"] = str(Path(store_url.removeprefix("sqlite:///")).parent)
    subprocess.run([ENVMON, "init-db", "--no-seed"], env=env, check=True, capture_output=True)
    engine = make_engine(store_url)
    try:
        proc = subprocess.Popen(
            [ENVMON, "import-archive", str(folder), "--no-progress"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while _ingested(engine) < 3:
            assert proc.poll() is None, "import finished before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL

        stored, marks = _per_payload(engine)
        done = {pid: n for pid, n in marks.items() if n is not None}
        assert 3 <= len(done) < DAYS
        # Every committed file is whole, and nothing of an uncommitted file is there.
        assert stored == dict.fromkeys(done, per_file)
        assert set(done.values()) == {per_file}

        out = subprocess.run(
            [ENVMON, "import-archive", str(folder), "--no-progress"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        assert f"skipped={len(done)}" in out.stdout
        stored, marks = _per_payload(engine)
        assert len(marks) == DAYS and all(n == per_file for n in marks.values())
        assert sum(stored.values()) == DAYS * per_file
    finally:
        engine.dispose()
