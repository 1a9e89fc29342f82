"""The raw payload archive: every upstream answer and imported file, compressed, deduplicated by sha256."""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, exists, select, update

from service.store.dialect import insert_ignore
from service.store.tables import quarantine, raw_payloads
from stations.collectors.base import Payload


@dataclass(frozen=True, slots=True)
class Archived:
    """An archived payload: its id, and whether its rows were already ingested in an earlier run."""

    id: int
    sha256: str
    ingested: bool
    accepted: int = 0  # rows accepted when it was ingested
    rejected: int = 0  # rows rejected when it was ingested


def sha256_of(raw: bytes) -> str:
    """Hex sha256 of the raw bytes (the archive's dedup key)."""
    return hashlib.sha256(raw).hexdigest()


def archive_payload(conn: Connection, payload: Payload, fetched_at: dt.datetime) -> Archived:
    """Archive ``payload`` (zlib-compressed) unless the same bytes are already archived.

    The same bytes archived twice keep one row; the answer says whether that row was already ingested,
    so that a re-pulled identical payload is not parsed (and its bad rows quarantined) a second time.
    """
    digest = sha256_of(payload.raw)
    conn.execute(
        insert_ignore(conn, raw_payloads, ["sha256"]).values(
            source=payload.source,
            url=payload.url,
            content_type=payload.content_type,
            fetched_at=fetched_at,
            sha256=digest,
            size=len(payload.raw),
            compression="zlib",
            body=zlib.compress(payload.raw, 6),
            meta=dict(payload.meta) or None,
        )
    )
    row = conn.execute(
        select(
            raw_payloads.c.id,
            raw_payloads.c.ingested_at,
            raw_payloads.c.n_accepted,
            raw_payloads.c.n_rejected,
        ).where(raw_payloads.c.sha256 == digest)
    ).one()
    return _archived(row, digest)


def find_payload(conn: Connection, sha256: str) -> Archived | None:
    """The archived payload with this sha256, if any."""
    row = conn.execute(
        select(
            raw_payloads.c.id,
            raw_payloads.c.ingested_at,
            raw_payloads.c.n_accepted,
            raw_payloads.c.n_rejected,
        ).where(raw_payloads.c.sha256 == sha256)
    ).one_or_none()
    if row is None:
        return None
    return _archived(row, sha256)


def _archived(row: Any, digest: str) -> Archived:
    return Archived(
        int(row.id),
        digest,
        row.ingested_at is not None,
        int(row.n_accepted or 0),
        int(row.n_rejected or 0),
    )


def load_payload(conn: Connection, payload_id: int) -> bytes:
    """The original bytes of an archived payload."""
    row = conn.execute(
        select(raw_payloads.c.body, raw_payloads.c.compression).where(
            raw_payloads.c.id == payload_id
        )
    ).one()
    if row.compression == "zlib":
        return zlib.decompress(row.body)
    return bytes(row.body)


@dataclass(frozen=True, slots=True)
class Orphan:
    """An archived payload whose ingest never committed (the process or connection died after the
    archive's commit); enough to rebuild its ``Payload`` with ``load_payload``."""

    archived: Archived
    source: str
    url: str
    content_type: str
    meta: dict[str, str]
    fetched_at: dt.datetime | None = None


def orphaned_payloads(conn: Connection, source: str, limit: int) -> list[Orphan]:
    """Up to ``limit`` archived, never-ingested payloads of ``source``, oldest first."""
    t = raw_payloads
    rows = conn.execute(
        select(t.c.id, t.c.sha256, t.c.source, t.c.url, t.c.content_type, t.c.meta, t.c.fetched_at)
        .where(t.c.source == source, t.c.ingested_at.is_(None))
        .order_by(t.c.id)
        .limit(limit)
    ).all()
    return [
        Orphan(
            Archived(int(r.id), r.sha256, False),
            r.source,
            r.url or "",
            r.content_type or "",
            {str(k): str(v) for k, v in (r.meta or {}).items()},
            r.fetched_at,
        )
        for r in rows
    ]


def claim_ingest(conn: Connection, payload_id: int, at: dt.datetime) -> bool:
    """Mark the payload ingested unless it already is; False when another ingest got there first.

    Call first in the ingest's own transaction: the row lock (PostgreSQL) or the write lock (SQLite)
    makes a concurrent ingest of the same payload wait, then find it claimed, so each payload's rows
    and rejections are stored exactly once; if the transaction dies the claim dies with it.
    """
    done = conn.execute(
        update(raw_payloads)
        .where(raw_payloads.c.id == payload_id, raw_payloads.c.ingested_at.is_(None))
        .values(ingested_at=at)
    )
    return done.rowcount == 1


def quarantined_whole(conn: Connection, payload_id: int) -> bool:
    """Whether the payload was refused whole (a quarantine row for its ``payload`` field)."""
    return bool(
        conn.execute(
            select(
                exists().where(
                    quarantine.c.payload_id == payload_id, quarantine.c.field == "payload"
                )
            )
        ).scalar()
    )


def ingested_count(conn: Connection, payload_id: int) -> int:
    """Rows accepted when the payload was ingested (0 when not ingested)."""
    n = conn.execute(
        select(raw_payloads.c.n_accepted).where(raw_payloads.c.id == payload_id)
    ).scalar_one_or_none()
    return int(n or 0)


def mark_ingested(
    conn: Connection, payload_id: int, at: dt.datetime, accepted: int, rejected: int
) -> None:
    """Record that the payload's rows are in the store (call in the ingest's own transaction)."""
    conn.execute(
        update(raw_payloads)
        .where(raw_payloads.c.id == payload_id)
        .values(ingested_at=at, n_accepted=accepted, n_rejected=rejected)
    )
