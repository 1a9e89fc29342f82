"""Reading the quarantine back: why a payload's rows were refused, grouped by reason."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from service.store.tables import quarantine


@dataclass(frozen=True, slots=True)
class RejectionCount:
    """One reason a payload's rows were quarantined, and how many rows it covers."""

    reason: str
    field: str | None
    count: int

    @property
    def whole_file(self) -> bool:
        """The payload as a whole was refused (unreadable, or no header the parser knows)."""
        return self.field == "payload" or self.reason.startswith("header: no row")


def rejection_summary(conn: Connection, payload_id: int) -> list[RejectionCount]:
    """The quarantined rows of one payload grouped by reason, most frequent first."""
    n = func.count().label("n")
    rows = conn.execute(
        select(quarantine.c.reason, quarantine.c.field, n)
        .where(quarantine.c.payload_id == payload_id)
        .group_by(quarantine.c.reason, quarantine.c.field)
        .order_by(n.desc(), quarantine.c.reason)
    ).all()
    return [RejectionCount(str(r.reason), r.field, int(r.n)) for r in rows]


__all__ = ["RejectionCount", "rejection_summary"]
