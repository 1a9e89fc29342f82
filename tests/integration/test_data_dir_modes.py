"""The data directory is created 0700 and the SQLite store 0600 (with its -wal and -shm files), so
other local users cannot read readings, sessions or key hashes (issue 22 finding 17)."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi.testclient import TestClient

from service.api.app import create_app
from service.settings import Settings


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_new_data_dir_and_store_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, under which they were 0755 and 0644
    try:
        data = tmp_path / "fresh" / "data"
        app = create_app(Settings(data_dir=data, environment="test", scheduler_enabled=False))
        with TestClient(app) as client:
            assert client.get("/healthz").status_code == 200
            store = data / "envmon.sqlite3"
            assert _mode(data) == 0o700
            assert _mode(store) == 0o600
            for extra in ("envmon.sqlite3-wal", "envmon.sqlite3-shm", "ratelimit.buckets"):
                if (data / extra).exists():
                    assert _mode(data / extra) == 0o600, extra
    finally:
        os.umask(old)


def test_an_operators_own_directory_keeps_its_mode(tmp_path: Path) -> None:
    data = tmp_path / "mine"
    data.mkdir(mode=0o750)
    os.chmod(data, 0o750)
    app = create_app(Settings(data_dir=data, environment="test", scheduler_enabled=False))
    with TestClient(app):
        assert _mode(data) == 0o750
        assert _mode(data / "envmon.sqlite3") == 0o600
