"""Targets per district, indicator and year (优良天数比例 / Ⅰ–Ⅲ类断面比例), editable with an audit trail.

The store's ``targets`` table holds every target that was set; a district, indicator and year with no
row falls back to ``DEFAULT_TARGETS`` (air 97 %, water 95 %, issue 5). ``seed_default_targets``
writes the defaults for the years the bureau reports against so that staff see and edit real rows.
Every change is one row of ``target_audit`` in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

from sqlalchemy import Engine

import geodata
from service.clock import Clock
from service.store.target_queries import (
    audit_rows,
    insert_missing_targets,
    target_row,
    target_rows,
    write_target,
)
from stations.cst import CST

Indicator = Literal["air", "water", "sea"]
INDICATORS: Final = ("air", "water", "sea")

#: The one place the default targets live (issue 5: air 97 %, water 95 %). ``sea`` (近岸海域
#: 优良（一、二类）水质比例, issue 17) has no published Zhoushan value in docs/standards.md: 0.50 is
#: a placeholder the bureau replaces with its own (docs/seawater.md, "Targets").
DEFAULT_TARGETS: Final[dict[str, Decimal]] = {
    "air": Decimal("0.97"),
    "water": Decimal("0.95"),
    "sea": Decimal("0.50"),
}

#: Years seeded with the defaults besides the current one (the plan's 2025 and 2027 milestones).
DEFAULT_YEARS: Final = (2025, 2027)

#: The code under which city-wide figures are kept beside the district codes.
CITY: Final = "city"


class TargetError(ValueError):
    """A target edit that breaks a rule (unknown indicator or district, value outside 0..1)."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule


@dataclass(frozen=True, slots=True)
class Target:
    """One target and where it came from (``stored`` False: the default, no row yet)."""

    district: str
    indicator: str
    year: int
    value: Decimal
    stored: bool
    updated_at: dt.datetime | None = None
    updated_by: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change of a target."""

    district: str
    indicator: str
    year: int
    old_value: Decimal | None
    new_value: Decimal
    who: str
    at: dt.datetime
    reason: str | None


def district_codes() -> list[str]:
    """Codes that may carry targets: the shipped districts and ``"city"``."""
    return [*geodata.load_districts()["code"].astype(str).tolist(), CITY]


def _check(district: str, indicator: str, value: Decimal | None = None) -> None:
    if indicator not in INDICATORS:
        raise TargetError("indicator", "one_of:air,water,sea", f"unknown indicator {indicator!r}")
    if district not in district_codes():
        raise TargetError("district", "known_district", f"unknown district {district!r}")
    if value is not None and not (Decimal(0) <= value <= Decimal(1)):
        raise TargetError("value", "range:0..1", f"target {value} is outside 0..1")


def _q(value: Decimal | float | str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def get_target(engine: Engine, district: str, indicator: str, year: int) -> Target:
    """The target in force (stored row, else the default)."""
    row = target_row(engine, district, indicator, year)
    if row is None:
        return Target(district, indicator, year, DEFAULT_TARGETS[indicator], stored=False)
    return Target(
        row.district, row.indicator, row.year, _q(row.value), True, row.updated_at, row.updated_by
    )


def list_targets(engine: Engine, year: int | None = None) -> list[Target]:
    """Every district's (and the city's) targets for ``year`` (or all stored years), defaults filled."""
    found = {
        (r.district, r.indicator, r.year): Target(
            r.district, r.indicator, r.year, _q(r.value), True, r.updated_at, r.updated_by
        )
        for r in target_rows(engine, year)
    }
    years = sorted({k[2] for k in found} | ({year} if year is not None else set()))
    out: list[Target] = []
    for y in years:
        for d in district_codes():
            for ind in INDICATORS:
                out.append(found.get((d, ind, y), Target(d, ind, y, DEFAULT_TARGETS[ind], False)))
    return out


def set_target(
    engine: Engine,
    clock: Clock,
    *,
    district: str,
    indicator: str,
    year: int,
    value: Decimal | float | str,
    who: str,
    reason: str | None = None,
) -> Target:
    """Set a target and record the change in ``target_audit`` (one transaction)."""
    new = _q(value)
    _check(district, indicator, new)
    now = clock.now()
    write_target(
        engine,
        district=district,
        indicator=indicator,
        year=year,
        value=new,
        who=who,
        at=now,
        reason=reason,
    )
    return Target(district, indicator, year, new, True, now, who)


def seed_default_targets(engine: Engine, clock: Clock, years: tuple[int, ...] = ()) -> int:
    """Write the default targets for 2025, 2027, the current year and ``years`` where none is stored.

    Seeding is not an edit: it writes no audit rows (``updated_by`` is ``"default"``). Returns the
    number of rows written.
    """
    now = clock.now()
    wanted = sorted({*DEFAULT_YEARS, now.astimezone(CST).year, *years})
    rows = [
        {
            "district": d,
            "indicator": ind,
            "year": y,
            "value": DEFAULT_TARGETS[ind],
            "updated_at": now,
            "updated_by": "default",
        }
        for y in wanted
        for d in district_codes()
        for ind in INDICATORS
    ]
    return insert_missing_targets(engine, rows)


def audit_trail(
    engine: Engine, district: str | None = None, year: int | None = None
) -> list[AuditEntry]:
    """Target changes, oldest first."""
    return [
        AuditEntry(
            r.district,
            r.indicator,
            r.year,
            None if r.old_value is None else _q(r.old_value),
            _q(r.new_value),
            r.who,
            r.at,
            r.reason,
        )
        for r in audit_rows(engine, district, year)
    ]


__all__ = [
    "CITY",
    "DEFAULT_TARGETS",
    "INDICATORS",
    "AuditEntry",
    "Target",
    "TargetError",
    "audit_trail",
    "get_target",
    "list_targets",
    "seed_default_targets",
    "set_target",
]
