"""SQL lives in ``service/store/`` only (docs/architecture.md): every other module of the four rooms
may take an ``Engine`` or a ``Connection`` and catch ``sqlalchemy.exc`` errors, but builds no query.

Three gates, each naming ``file:line``:

* an import from ``sqlalchemy`` other than the connection and URL types (``select``, ``func``,
  ``event``, ``import sqlalchemy as sa`` ...);
* a string literal handed to ``text()``, ``execute()``, ``exec_driver_sql()`` or ``executescript()``
  (raw SQL);
* an import of a store table or column (``service.store.*_tables``): a table outside the store is
  only ever used to build a query.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Column, Table

from tests.conftest import ROOT

ROOMS = ("service", "maps", "stations", "geodata")
STORE = ROOT / "service" / "store"
#: Names that carry no query: connection and result types, database URLs.
ALLOWED_NAMES = frozenset(
    {"Engine", "Connection", "Row", "RowMapping", "Result", "URL", "make_url"}
)
#: Modules whose allowed names may come from (``sqlalchemy.exc``: anything).
TYPE_MODULES = frozenset({"sqlalchemy", "sqlalchemy.engine", "sqlalchemy.engine.url"})
#: Calls whose first argument, when a string literal, is SQL.
SQL_CALLS = frozenset({"text", "execute", "exec_driver_sql", "executescript"})
#: Modules whose SQL reads another database than the store, and why.
RAW_SQL_ELSEWHERE = {
    "geodata/zone_ogr.py": "reads an uploaded GeoPackage's own schema (sqlite3), before any import",
}


def _modules() -> Iterator[Path]:
    for room in ROOMS:
        for path in sorted((ROOT / room).rglob("*.py")):
            if not path.is_relative_to(STORE):
                yield path


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"


def _by_line(found: list[tuple[int, str]]) -> list[str]:
    return [text for _, text in sorted(found)]


def _is_sqlalchemy(module: str) -> bool:
    return module == "sqlalchemy" or module.startswith("sqlalchemy.")


def sqlalchemy_imports(path: Path, tree: ast.AST) -> list[str]:
    """Imports from SQLAlchemy beyond the allowed types in one module."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                (node.lineno, f"{_where(path, node)} import {a.name}")
                for a in node.names
                if _is_sqlalchemy(a.name)
            ]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            module = node.module
            if not _is_sqlalchemy(module) or module == "sqlalchemy.exc":
                continue
            bad = [
                a.name
                for a in node.names
                if module not in TYPE_MODULES or a.name not in ALLOWED_NAMES
            ]
            if bad:
                found.append(
                    (node.lineno, f"{_where(path, node)} from {module} import {', '.join(bad)}")
                )
    return _by_line(found)


def raw_sql(path: Path, tree: ast.AST) -> list[str]:
    """String literals handed to ``text()`` and the execute calls in one module."""
    if str(path.relative_to(ROOT)) in RAW_SQL_ELSEWHERE:
        return []
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        first = node.args[0]
        literal = isinstance(first, ast.JoinedStr) or (
            isinstance(first, ast.Constant) and isinstance(first.value, str)
        )
        if name in SQL_CALLS and literal:
            found.append((node.lineno, f"{_where(path, node)} {name}() of a string literal"))
    return _by_line(found)


def store_tables(path: Path, tree: ast.AST) -> list[str]:
    """Imports of store tables or columns (SQLAlchemy ``Table``/``Column`` objects) in one module."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        if not node.module.startswith("service.store"):
            continue
        module = importlib.import_module(node.module)
        for a in node.names:
            value = getattr(module, a.name, None)
            if isinstance(value, Table | Column):
                found.append(
                    (node.lineno, f"{_where(path, node)} {node.module}.{a.name} is a table")
                )
    return _by_line(found)


def _offences(check: Callable[[Path, ast.AST], list[str]]) -> list[str]:
    out: list[str] = []
    for path in _modules():
        out += check(path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return out


def test_no_query_building_imports_outside_the_store() -> None:
    assert _offences(sqlalchemy_imports) == []


def test_no_raw_sql_outside_the_store() -> None:
    assert _offences(raw_sql) == []


def test_no_store_tables_outside_the_store() -> None:
    assert _offences(store_tables) == []


def test_the_gates_catch_what_they_are_for() -> None:
    """Each gate flags its offence in a sample module (so an empty list above means something)."""
    sample = ROOT / "service" / "sample.py"
    src = (
        "from sqlalchemy import Engine, select\n"
        "import sqlalchemy as sa\n"
        "from sqlalchemy.exc import SQLAlchemyError\n"
        "from service.store.tables import readings\n"
        "conn.execute(text('SELECT 1'))\n"
        "conn.exec_driver_sql(f'VACUUM {x}')\n"
    )
    tree = ast.parse(src)
    assert sqlalchemy_imports(sample, tree) == [
        "service/sample.py:1 from sqlalchemy import select",
        "service/sample.py:2 import sqlalchemy",
    ]
    assert raw_sql(sample, tree) == [
        "service/sample.py:5 text() of a string literal",
        "service/sample.py:6 exec_driver_sql() of a string literal",
    ]
    assert store_tables(sample, tree) == [
        "service/sample.py:4 service.store.tables.readings is a table"
    ]
