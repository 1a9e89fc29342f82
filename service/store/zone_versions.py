"""SQL of the harbour zone versions (``zone_versions``) and their features (``zone_features``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, func, insert, select

from service.store.engine import writing
from service.store.zone_tables import zone_features, zone_versions


def insert_zone_version(
    engine: Engine,
    rows: list[dict[str, Any]],
    *,
    now: dt.datetime,
    who: str,
    file_name: str,
    file_format: str,
    sha256: str,
) -> tuple[int, int | None]:
    """Store ``rows`` as a new version superseding the current one (one transaction); returns the
    new version's id and the superseded one's (None for the first)."""
    with writing(engine) as conn:
        previous = conn.execute(select(func.max(zone_versions.c.id))).scalar()
        version_id = conn.execute(
            insert(zone_versions).values(
                imported_at=now,
                who=who,
                file_name=file_name[:255],
                file_format=file_format,
                sha256=sha256,
                feature_count=len(rows),
                supersedes_id=previous,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        conn.execute(
            insert(zone_features), [{**row, "version_id": int(version_id)} for row in rows]
        )
    return int(version_id), previous


def latest_version_id(engine: Engine) -> int | None:
    """Id of the newest stored version, None when none is stored."""
    with engine.connect() as conn:
        return conn.execute(select(func.max(zone_versions.c.id))).scalar()


def version_feature_rows(engine: Engine, version_id: int) -> list[dict[str, Any]]:
    """The stored features of ``version_id``, in stored order."""
    with engine.connect() as conn:
        rows = (
            conn.execute(
                select(zone_features)
                .where(zone_features.c.version_id == version_id)
                .order_by(zone_features.c.id)
            )
            .mappings()
            .all()
        )
    return [dict(r) for r in rows]


def version_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every stored version, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(zone_versions).order_by(zone_versions.c.id.desc())).mappings()
        return [dict(r) for r in rows]
