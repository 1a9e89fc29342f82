"""Engines for the two backends (embedded SQLite, PostgreSQL/PostGIS) and schema set-up by migration."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text

from service.store.files import make_private_file
from service.store.migrate import upgrade

#: How long a SQLite writer waits for another writer's lock before failing (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 30_000

_WRITE_OPTION = "envmon_write"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given without a driver."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url``.

    SQLite: the file (0600) and its directory (0700) are created on first use; WAL journal, foreign keys and a busy timeout
    are set on every connection, and SQLAlchemy (not the driver) emits ``BEGIN`` so that transactions
    behave as on PostgreSQL. PostgreSQL: psycopg 3.
    """
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)

    if parsed.database and parsed.database != ":memory:":
        make_private_file(Path(parsed.database).expanduser())  # 0600 in a 0700 directory
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below start transactions instead of the driver.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
        # Durable at each checkpoint; WAL keeps committed transactions across a process crash.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock up front: a deferred transaction that reads first and writes
        # later fails at once (no busy wait) when another writer committed in between.
        immediate = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A connection in one write transaction, committed on success and rolled back on error.

    On SQLite the transaction begins IMMEDIATE, so concurrent writers queue on the busy timeout instead
    of failing mid-transaction.
    """
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE_OPTION: True})
        with conn.begin():
            yield conn


def init_store(url: str) -> Engine:
    """Create the store if needed and bring its schema to the latest migration; returns the engine.

    On PostgreSQL the PostGIS extension is created first (it needs rights only the first time).
    """
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    upgrade(engine)
    return engine
