"""Nearshore seawater places and samples in the store: rows, seeding, import versions, reads."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
from shapely import to_geojson
from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy import func as f

from geodata.sea_demo import load_demo_sea_areas, load_demo_sea_points
from service.store.dialect import upsert
from service.store.queries import samples_between
from service.store.registry import _jsonable
from service.store.registry_tables import registry_versions
from service.store.sea_tables import sea_areas, sea_points
from service.store.tables import samples

SEA_TABLES: dict[str, Table] = {"points": sea_points, "areas": sea_areas}


def sea_point_codes(conn: Connection) -> set[str]:
    """Every seawater point code (their samples are classed under GB 3097, never GB 3838)."""
    return {str(c) for (c,) in conn.execute(select(sea_points.c.code))}


def sea_rows(conn: Connection, which: str) -> pd.DataFrame:
    """Every row of ``sea_points`` or ``sea_areas`` (``which``: points | areas), by code."""
    table = SEA_TABLES[which]
    rows = conn.execute(select(table).order_by(table.c.code)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in table.columns])


def sea_samples(
    conn: Connection, start: dt.datetime, end: dt.datetime, codes: Sequence[str]
) -> pd.DataFrame:
    """Samples (``stations.model.SAMPLE_COLUMNS``) of the given sea points in UTC ``[start, end)``."""
    return samples_between(conn, start, end, list(codes))


def latest_sea_sample_time(conn: Connection) -> dt.datetime | None:
    """When the newest stored sample of any sea point was taken (UTC), or None."""
    codes = select(sea_points.c.code)
    return conn.execute(select(f.max(samples.c.time)).where(samples.c.section.in_(codes))).scalar()


def imported_sea_codes(conn: Connection) -> set[str]:
    """Point and area codes any ``sea`` registry import wrote (re-seeding leaves them alone)."""
    codes: set[str] = set()
    for (changes,) in conn.execute(
        select(registry_versions.c.changes).where(registry_versions.c.kind == "sea")
    ):
        codes.update(str(c["code"]) for c in changes or ())
    return codes


def upsert_sea(conn: Connection, which: str, rows: Sequence[dict[str, Any]]) -> int:
    """Upsert rows (full records) into ``sea_points`` or ``sea_areas``; returns the row count."""
    if not rows:
        return 0
    table = SEA_TABLES[which]
    cols = sorted({k for r in rows for k in r} - {"code"})
    conn.execute(upsert(conn, table, ["code"], cols), list(rows))
    return len(rows)


def write_sea_version(
    conn: Connection,
    points: Sequence[dict[str, Any]],
    areas: Sequence[dict[str, Any]],
    *,
    who: str,
    file_name: str,
    file_format: str,
    sha256: str,
    now: dt.datetime,
) -> tuple[int, int | None, list[dict[str, Any]]]:
    """Upsert the points and areas and record a ``sea`` registry version (the caller's transaction).
    Returns (version id, superseded version id, the changes ``[{code, table, before, after}]``)."""
    changes: list[dict[str, Any]] = []
    for which, rows in (("areas", areas), ("points", points)):
        table = SEA_TABLES[which]
        codes = [r["code"] for r in rows]
        before = {
            r["code"]: _jsonable(dict(r))
            for r in conn.execute(select(table).where(table.c.code.in_(codes))).mappings()
        }
        for row in rows:
            old = before.get(row["code"])
            new = _jsonable({**(old or {}), **row, "updated_at": None})
            if old is not None:
                old = {**old, "updated_at": None}
            if old != new:
                changes.append({"code": row["code"], "table": which, "before": old, "after": new})
        upsert_sea(conn, which, [{**r, "updated_at": now} for r in rows])
    previous = conn.execute(
        select(func.max(registry_versions.c.id)).where(registry_versions.c.kind == "sea")
    ).scalar()
    version_id = conn.execute(
        insert(registry_versions).values(
            kind="sea",
            imported_at=now,
            who=who,
            file_name=file_name[:255],
            file_format=file_format,
            sha256=sha256,
            row_count=len(points) + len(areas),
            added=sum(1 for c in changes if c["before"] is None),
            changed=sum(1 for c in changes if c["before"] is not None),
            changes=changes,
            supersedes_id=previous,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    return int(version_id), previous, changes


def seed_demo_sea(conn: Connection, now: dt.datetime) -> int:
    """Seed the demo sea points and areas (``geodata.sea_demo``), skipping codes the bureau imported."""
    keep = imported_sea_codes(conn)
    pts = load_demo_sea_points()
    areas = load_demo_sea_areas()
    point_rows = [
        {
            **{k: rec[k] for k in ("code", "name", "name_en", "district_code", "area_code")},
            **{k: rec[k] for k in ("target_class", "datum", "source", "demo")},
            "lon": float(rec["geometry"].x),
            "lat": float(rec["geometry"].y),
            "aliases": [],
            "updated_at": now,
        }
        for rec in pts.to_dict("records")
        if rec["code"] not in keep
    ]
    area_rows = [
        {
            **{k: rec[k] for k in ("code", "name", "name_en", "kind", "district_code")},
            **{k: rec[k] for k in ("target_class", "datum", "source", "demo")},
            "area_km2": float(rec["area_km2"]),
            "geometry": json.loads(to_geojson(rec["geometry"])),
            "updated_at": now,
        }
        for rec in areas.to_dict("records")
        if rec["code"] not in keep
    ]
    return upsert_sea(conn, "points", point_rows) + upsert_sea(conn, "areas", area_rows)


__all__ = [
    "imported_sea_codes",
    "latest_sea_sample_time",
    "sea_point_codes",
    "sea_rows",
    "sea_samples",
    "seed_demo_sea",
    "upsert_sea",
    "write_sea_version",
]
