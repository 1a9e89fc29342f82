"""Which stations and sections the registry marks as demo (their readings are not real measurements)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, select

from service.store.tables import sections, stations


def demo_places(engine: Engine, station_codes: Iterable[str], section_codes: Iterable[str]) -> bool:
    """Whether any of the given stations or sections is a demo place in the registry."""
    st, sc = sorted(set(station_codes)), sorted(set(section_codes))
    if not st and not sc:
        return False
    with engine.connect() as conn:
        for table, codes in ((stations, st), (sections, sc)):
            if (
                codes
                and conn.execute(
                    select(table.c.code)
                    .where(table.c.code.in_(codes), table.c.demo.is_(True))
                    .limit(1)
                ).first()
            ):
                return True
    return False


__all__ = ["demo_places"]
