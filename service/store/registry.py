"""The station and section registry in the store: names for parsers, rows, import versions.

The ``stations`` and ``sections`` tables are the current registry (seeded from the shipped geodata,
then corrected by the bureau's imports); ``registry_versions`` keeps every import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final, Literal

import pandas as pd
from sqlalchemy import Connection, Table, func, insert, select

from service.store.dialect import upsert
from service.store.registry_tables import registry_versions
from service.store.sea_tables import sea_points
from service.store.tables import sections, stations
from stations.names import NameIndex, RegistryEntry, build_name_index

Kind = Literal["stations", "sections"]

TABLES: Final[dict[str, Table]] = {"stations": stations, "sections": sections}


def _aliases(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if v is not None and str(v).strip())
    return ()


def name_index(conn: Connection, kind: Kind) -> NameIndex:
    """Code, name, English name and aliases of every registry row -> code (demo rows included).

    The ``sections`` index also holds the nearshore seawater points (``sea_points``): lab files and
    automatic stations name both, and their samples are stored under the point's code alike.
    """
    table = TABLES[kind]
    rows = list(conn.execute(select(table.c.code, table.c.name, table.c.name_en, table.c.aliases)))
    if kind == "sections":
        p = sea_points.c
        rows += list(conn.execute(select(p.code, p.name, p.name_en, p.aliases)))
    return build_name_index(
        RegistryEntry(r.code, r.name, r.name_en, _aliases(r.aliases)) for r in rows
    )


def station_points(conn: Connection) -> dict[str, tuple[float, float]]:
    """Registry station code -> (lon, lat) (WGS-84) for the stations with a position."""
    rows = conn.execute(
        select(stations.c.code, stations.c.lon, stations.c.lat).where(
            stations.c.lon.is_not(None), stations.c.lat.is_not(None)
        )
    )
    return {r.code: (float(r.lon), float(r.lat)) for r in rows}


def station_district_zones(conn: Connection) -> list[tuple[str, str | None, str | None]]:
    """Every stored station as (code, district code, zone code)."""
    rows = conn.execute(select(stations.c.code, stations.c.district_code, stations.c.zone))
    return [(r.code, r.district_code, r.zone) for r in rows]


def section_attributes(conn: Connection) -> list[tuple[Any, ...]]:
    """Every stored section as (code, name, name_en, district_code, waterbody, provincial)."""
    s = sections
    rows = conn.execute(
        select(s.c.code, s.c.name, s.c.name_en, s.c.district_code, s.c.waterbody, s.c.provincial)
    ).all()
    return [tuple(r) for r in rows]


def registry_rows(conn: Connection, kind: Kind) -> pd.DataFrame:
    """Every row of the current registry table, as a frame (``aliases`` as lists)."""
    table = TABLES[kind]
    rows = conn.execute(select(table).order_by(table.c.code)).mappings().all()
    frame = pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in table.columns])
    return frame


def imported_codes(conn: Connection, kind: Kind) -> set[str]:
    """Codes any registry import of ``kind`` wrote: re-seeding from the package leaves them alone."""
    codes: set[str] = set()
    for (changes,) in conn.execute(
        select(registry_versions.c.changes).where(registry_versions.c.kind == kind)
    ):
        codes.update(str(c["code"]) for c in changes or ())
    return codes


def write_registry_version(
    conn: Connection,
    kind: Kind,
    rows: Sequence[dict[str, Any]],
    *,
    who: str,
    file_name: str,
    file_format: str,
    sha256: str,
    now: dt.datetime,
) -> tuple[int, int | None, list[dict[str, Any]]]:
    """Upsert ``rows`` into the registry table and record the version; one transaction (the
    caller's). Returns (version id, superseded version id, the changes ``[{code, before, after}]``).
    """
    table = TABLES[kind]
    codes = [r["code"] for r in rows]
    before = {
        r["code"]: _jsonable(dict(r))
        for r in conn.execute(select(table).where(table.c.code.in_(codes))).mappings()
    }
    changes = []
    for row in rows:
        old = before.get(row["code"])
        new = _jsonable({**(old or {}), **row, "updated_at": None})
        if old is not None:
            old = {**old, "updated_at": None}
        if old != new:
            changes.append({"code": row["code"], "before": old, "after": new})
    if rows:
        records = [{**r, "updated_at": now} for r in rows]
        cols = sorted({k for r in records for k in r} - {"code"})
        conn.execute(upsert(conn, table, ["code"], cols), records)
    previous = conn.execute(
        select(func.max(registry_versions.c.id)).where(registry_versions.c.kind == kind)
    ).scalar()
    version_id = conn.execute(
        insert(registry_versions).values(
            kind=kind,
            imported_at=now,
            who=who,
            file_name=file_name[:255],
            file_format=file_format,
            sha256=sha256,
            row_count=len(rows),
            added=sum(1 for c in changes if c["before"] is None),
            changed=sum(1 for c in changes if c["before"] is not None),
            changes=changes,
            supersedes_id=previous,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    return int(version_id), previous, changes


def registry_history(conn: Connection, kind: str | None = None) -> list[dict[str, Any]]:
    """Every registry version, newest first (without the per-row changes)."""
    cols = [c for c in registry_versions.c if c.name != "changes"]
    query = select(*cols).order_by(registry_versions.c.id.desc())
    if kind is not None:
        query = query.where(registry_versions.c.kind == kind)
    return [dict(r) for r in conn.execute(query).mappings()]


def registry_version(conn: Connection, version_id: int) -> dict[str, Any] | None:
    """One version with its changes, or None."""
    row = (
        conn.execute(select(registry_versions).where(registry_versions.c.id == version_id))
        .mappings()
        .one_or_none()
    )
    return None if row is None else dict(row)


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        elif isinstance(value, float) and value != value:  # NaN
            value = None
        out[key] = value
    return out


__all__ = [
    "Kind",
    "imported_codes",
    "name_index",
    "registry_history",
    "registry_rows",
    "registry_version",
    "station_points",
    "write_registry_version",
]
