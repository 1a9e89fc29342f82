"""What the ``envmon`` commands share: the settings from the environment and the store they name.

Imports of the settings and the store stay inside the functions, so that ``envmon --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from service.settings import Settings


def cli_settings(**overrides: Any) -> Settings:
    """The settings from the environment (plus ``overrides``).

    A wrong setting prints every wrong variable with its rule and exits with status 2.
    """
    from service.settings import SettingsError, load_settings

    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


@contextmanager
def open_store(settings: Settings | None = None) -> Iterator[Engine]:
    """The store of ``settings`` (default: :func:`cli_settings`), created or brought to the latest
    migration; its engine is disposed when the block ends.

    The data folder (embedded store, payload archive) is created first.
    """
    from service.store.engine import init_store

    if settings is None:
        settings = cli_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = init_store(settings.effective_database_url)
    try:
        yield engine
    finally:
        engine.dispose()
