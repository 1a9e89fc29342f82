"""What was refused on the way in: quarantined rows with the rule each broke, per source."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from service.store import staff_views


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    """One refused row: where it came from, the raw text and why."""

    id: int
    source: str
    payload_id: int | None
    payload_url: str | None
    line: int | None
    field: str | None
    row: str
    reason: str
    created_at: dt.datetime

    @property
    def file_name(self) -> str | None:
        """The name of the file the row came from: the uploader's name for an upload, else the
        last part of the payload's URL."""
        if not self.payload_url:
            return None
        if self.payload_url.startswith("upload:"):
            return self.payload_url.removeprefix("upload:")
        return self.payload_url.rstrip("/").rsplit("/", 1)[-1] or self.payload_url


@dataclass(frozen=True, slots=True)
class SourceCount:
    """A source with refused rows."""

    source: str
    rows: int
    latest: dt.datetime | None


@dataclass(frozen=True, slots=True)
class QuarantineReview:
    """A page of refused rows (newest first) and where the next page starts."""

    sources: list[SourceCount]
    rows: list[QuarantinedRow]
    next_before_id: int | None


@dataclass(frozen=True, slots=True)
class OriginalFile:
    """A file as it was received (to fix the refused rows in it and import it again)."""

    name: str
    source: str
    data: bytes


def original_file(engine: Engine, payload_id: int) -> OriginalFile | None:
    """The archived file ``payload_id`` with the name it came under (its upload name, else the
    last part of its URL); ``None`` when there is no such payload."""
    found = staff_views.payload_file(engine, payload_id)
    if found is None:
        return None
    row, data = found
    meta = row["meta"] if isinstance(row["meta"], dict) else {}
    url = str(row["url"] or "")
    name = str(meta.get("name") or url.rstrip("/").rsplit("/", 1)[-1] or f"payload-{payload_id}")
    return OriginalFile(name=name, source=str(row["source"]), data=data)


def quarantine_review(
    engine: Engine,
    *,
    source: str | None = None,
    payload_id: int | None = None,
    before_id: int | None = None,
    limit: int = 200,
) -> QuarantineReview:
    """Up to ``limit`` refused rows (of ``source`` / ``payload_id`` when given) below
    ``before_id``, and every source's count."""
    raw = staff_views.quarantine_rows(
        engine, source=source, payload_id=payload_id, before_id=before_id, limit=limit
    )
    rows = [
        QuarantinedRow(
            id=int(r["id"]),
            source=str(r["source"]),
            payload_id=r["payload_id"],
            payload_url=r["payload_url"],
            line=r["line"],
            field=r["field"],
            row=str(r["row"]),
            reason=str(r["reason"]),
            created_at=r["created_at"],
        )
        for r in raw
    ]
    sources = [
        SourceCount(str(s["source"]), int(s["rows"]), s["latest"])
        for s in staff_views.quarantine_sources(engine)
    ]
    next_before = rows[-1].id if len(rows) == limit else None
    return QuarantineReview(sources, rows, next_before)


__all__ = [
    "OriginalFile",
    "QuarantineReview",
    "QuarantinedRow",
    "SourceCount",
    "original_file",
    "quarantine_review",
]
