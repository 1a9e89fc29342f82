"""SQL of the targets (``targets``) and their audit trail (``target_audit``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Row, insert, select, update

from service.store.compute_tables import target_audit, targets
from service.store.engine import writing

#: The columns' scale (Numeric(6, 4)): SQLite hands back floats, quantized here.
_SCALE = Decimal("0.0001")


def _decimal(value: object) -> Decimal:
    return Decimal(str(value)).quantize(_SCALE)


def target_row(engine: Engine, district: str, indicator: str, year: int) -> Row[Any] | None:
    """The stored target of ``district``, ``indicator`` and ``year``, if any."""
    with engine.connect() as conn:
        return conn.execute(
            select(targets).where(
                targets.c.district == district,
                targets.c.indicator == indicator,
                targets.c.year == year,
            )
        ).first()


def target_rows(engine: Engine, year: int | None = None) -> Sequence[Row[Any]]:
    """Every stored target of ``year`` (or of every year), by year, district and indicator."""
    stmt = select(targets).order_by(targets.c.year, targets.c.district, targets.c.indicator)
    if year is not None:
        stmt = stmt.where(targets.c.year == year)
    with engine.connect() as conn:
        return conn.execute(stmt).all()


def write_target(
    engine: Engine,
    *,
    district: str,
    indicator: str,
    year: int,
    value: Decimal,
    who: str,
    at: dt.datetime,
    reason: str | None,
) -> Decimal | None:
    """Store a target and its ``target_audit`` row in one transaction; returns the old value."""
    key = (
        targets.c.district == district,
        targets.c.indicator == indicator,
        targets.c.year == year,
    )
    with writing(engine) as conn:
        stored = conn.execute(select(targets.c.value).where(*key)).scalar_one_or_none()
        old = None if stored is None else _decimal(stored)
        if old is None:
            conn.execute(
                insert(targets).values(
                    district=district,
                    indicator=indicator,
                    year=year,
                    value=value,
                    updated_at=at,
                    updated_by=who,
                )
            )
        else:
            conn.execute(
                update(targets).where(*key).values(value=value, updated_at=at, updated_by=who)
            )
        conn.execute(
            insert(target_audit).values(
                district=district,
                indicator=indicator,
                year=year,
                old_value=old,
                new_value=value,
                who=who,
                at=at,
                reason=reason,
            )
        )
    return old


def insert_missing_targets(engine: Engine, rows: list[dict[str, Any]]) -> int:
    """Insert those of ``rows`` whose (district, indicator, year) has no stored target (one
    transaction); returns how many were written."""
    with writing(engine) as conn:
        have = {
            (r.district, r.indicator, r.year)
            for r in conn.execute(select(targets.c.district, targets.c.indicator, targets.c.year))
        }
        missing = [r for r in rows if (r["district"], r["indicator"], r["year"]) not in have]
        if missing:
            conn.execute(insert(targets), missing)
    return len(missing)


def audit_rows(
    engine: Engine, district: str | None = None, year: int | None = None
) -> Sequence[Row[Any]]:
    """Target changes of ``district`` / ``year`` (or all), oldest first."""
    stmt = select(target_audit).order_by(target_audit.c.at, target_audit.c.id)
    if district is not None:
        stmt = stmt.where(target_audit.c.district == district)
    if year is not None:
        stmt = stmt.where(target_audit.c.year == year)
    with engine.connect() as conn:
        return conn.execute(stmt).all()
