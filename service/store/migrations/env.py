"""Alembic environment: runs on the engine handed over by ``service.store.migrate``."""

from __future__ import annotations

from alembic import context

from service.settings import Settings
from service.store.engine import make_engine
from service.store.migrate import include_name
from service.store.schema import metadata

config = context.config


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(Settings().store.effective_database_url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_name=include_name,
            compare_type=True,
            # SQLite cannot ALTER most things; batch mode copies the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("envmon runs its migrations online only (service.store.migrate)")
run_migrations_online()
