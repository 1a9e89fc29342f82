"""The few places where SQLite and PostgreSQL need different statements, behind one function each."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from psycopg import sql
from sqlalchemy import Connection, Table, bindparam, insert
from sqlalchemy.dialects import postgresql, sqlite

#: SQLAlchemy's own text format for SQLite ``DateTime`` columns; the fast path writes the same text.
SQLITE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def insert_ignore(conn: Connection, table: Table, keys: Sequence[str]) -> Any:
    """``INSERT ... ON CONFLICT (keys) DO NOTHING`` for the connection's backend."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(keys))
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(keys))


def upsert(conn: Connection, table: Table, keys: Sequence[str], update: Sequence[str]) -> Any:
    """``INSERT ... ON CONFLICT (keys) DO UPDATE SET update = excluded.update``."""
    stmt: Any = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)
    return stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: stmt.excluded[c] for c in update}
    )


def bulk_insert(conn: Connection, table: Table, frame: pd.DataFrame) -> int:
    """Append ``frame`` (columns named as the table's) to ``table`` in the current transaction.

    PostgreSQL: one ``COPY ... FROM STDIN`` of a CSV rendered by pandas. SQLite: one driver-level
    ``executemany`` of plain tuples with times pre-rendered in SQLAlchemy's text format. Both skip
    SQLAlchemy's per-row parameter processing, which would otherwise dominate the ingest.
    Times must be aware UTC (``datetime64[ns, UTC]``); NaN and None become NULL.
    """
    if frame.empty:
        return 0
    if conn.dialect.name == "postgresql":
        _copy(conn, table, frame, list(frame.columns))
        return len(frame)
    stmt = insert(table).values({c: bindparam(c) for c in frame.columns})
    compiled = stmt.compile(dialect=conn.dialect)
    order = list(compiled.positiontup or frame.columns)
    conn.exec_driver_sql(str(compiled), _sqlite_rows(frame[order]))
    return len(frame)


def format_times(series: pd.Series, fmt: str) -> pd.Series:
    """Aware times as text, formatting each distinct time once (a payload holds few distinct hours)."""
    codes, uniques = pd.factorize(series.dt.tz_convert("UTC"))
    text = np.asarray(uniques.strftime(fmt), dtype=object)
    out = np.full(len(codes), None, dtype=object)
    present = np.asarray(codes) >= 0
    out[present] = text[np.asarray(codes)[present]]
    return pd.Series(out, index=series.index, dtype=object)


def _sqlite_rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Plain Python tuples for sqlite3: times as text, NaN as None, numpy scalars unboxed."""
    cols: list[list[Any]] = []
    for name in frame.columns:
        series = frame[name]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            cols.append(format_times(series, SQLITE_TIME_FORMAT).tolist())
        elif pd.api.types.is_bool_dtype(series.dtype):
            cols.append([int(v) for v in series.tolist()])
        else:
            cols.append(series.astype(object).where(series.notna(), None).tolist())
    return list(zip(*cols, strict=True))


def _copy(conn: Connection, table: Table, frame: pd.DataFrame, columns: list[str]) -> None:
    out = frame.copy()
    for name in columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = format_times(out[name], "%Y-%m-%d %H:%M:%S.%f+00")
    buffer = io.StringIO()
    # Unquoted empty fields are NULL in CSV COPY; real empty strings are normalised to NULL upstream.
    out.to_csv(buffer, index=False, header=False, na_rep="")
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(buffer.getvalue())
