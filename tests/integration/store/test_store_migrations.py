"""The migrations build exactly the schema the metadata describes, on both backends."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text

from service.store import migrate
from service.store.engine import init_store
from service.store.schema import metadata


def test_head_matches_metadata(engine: Engine) -> None:
    assert migrate.current(engine) == migrate.head()
    assert migrate.drift(engine) == []


def test_all_core_tables_exist(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= names


def test_init_store_twice_is_a_no_op(engine: Engine, store_url: str) -> None:
    again = init_store(store_url)
    try:
        assert migrate.current(again) == migrate.head()
    finally:
        again.dispose()


def test_sqlite_data_dir_created_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "envmon.sqlite3"
    eng = init_store(f"sqlite:///{path}")
    try:
        assert path.exists()
        with eng.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        eng.dispose()


def test_postgis_point_follows_lon_lat(pg_url: str) -> None:
    eng = init_store(pg_url)
    try:
        with eng.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO stations (code, name, demo, lon, lat) "
                    "VALUES ('X1', 'x', false, 122.1, 30.0)"
                )
            )
            wkt = conn.execute(text("SELECT ST_AsText(geom) FROM stations")).scalar()
        assert wkt == "POINT(122.1 30)"
    finally:
        eng.dispose()
