"""Alembic, run from code: the migrations live in ``service/store/migrations`` (no alembic.ini needed).

The developer command (new revision, upgrade, drift check) is ``service.store.revisions``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SAWarning

from service.store.partitions import PARTITION_NAME
from service.store.schema import metadata

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

#: Tables in the database that the store's metadata does not describe, on purpose: PostGIS's own
#: catalogue, APScheduler's job store (it creates its table itself) and Alembic's version table.
FOREIGN_TABLES = frozenset({"spatial_ref_sys", "apscheduler_jobs", "alembic_version"})

#: Objects that only the PostgreSQL migrations add (PostGIS generated points and their indexes).
POSTGIS_ONLY = frozenset({"geom", "ix_stations_geom", "ix_sections_geom"})


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Autogenerate filter: leave foreign tables and PostGIS-only objects alone."""
    if type_ == "table":
        # readings' monthly partitions (PostgreSQL): the metadata describes their parent only
        return name not in FOREIGN_TABLES and not PARTITION_NAME.match(name or "")
    if type_ in {"column", "index"}:
        return name not in POSTGIS_ONLY
    return True


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at the package's migrations; ``engine`` is handed to env.py."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Date first so that the versions folder lists in order.
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the store behind ``engine`` to ``revision``."""
    command.upgrade(alembic_config(engine), revision)


def head() -> str | None:
    """The head revision of the package's migrations."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The revision the store behind ``engine`` is at."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def drift(engine: Engine) -> list[Any]:
    """Differences between the full metadata and the store's schema (empty when they agree)."""
    with engine.connect() as conn, warnings.catch_warnings():
        # Reflection does not know PostGIS types; those columns are excluded by include_name anyway.
        warnings.filterwarnings("ignore", "Did not recognize type 'geometry'", SAWarning)
        context = MigrationContext.configure(
            conn, opts={"include_name": include_name, "compare_type": True}
        )
        return list(compare_metadata(context, metadata))
