"""The complete schema: imports every table module of the store so that ``metadata`` is whole.

Table modules are ``service/store/tables.py`` and any ``service/store/*_tables.py`` (zones, computed
figures, alerts, API keys, ...), all defining tables on ``service.store.tables.metadata``. Discovering
them by that file-name rule means a new table module cannot be forgotten by the migrations.
"""

from __future__ import annotations

import importlib
import pkgutil

import service.store as _store
from service.store.tables import metadata

TABLE_MODULES: tuple[str, ...] = tuple(
    sorted(
        f"service.store.{m.name}"
        for m in pkgutil.iter_modules(_store.__path__)
        if m.name == "tables" or m.name.endswith("_tables")
    )
)

for _module in TABLE_MODULES:
    importlib.import_module(_module)

__all__ = ["TABLE_MODULES", "metadata"]
