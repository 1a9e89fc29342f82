"""Targets in the store: defaults, seeding, edits with an audit trail; SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from service.clock import FixedClock
from service.store.compute_tables import targets as targets_table
from service.store.engine import init_store
from service.targets import (
    TargetError,
    audit_trail,
    get_target,
    list_targets,
    seed_default_targets,
    set_target,
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgis)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'envmon.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_url")
    eng = init_store(url)
    try:
        yield eng
    finally:
        eng.dispose()


CLOCK = FixedClock(dt.datetime(2026, 11, 28, 4, 0, tzinfo=dt.UTC))


def test_defaults_without_rows(engine: Engine) -> None:
    t = get_target(engine, "330902", "air", 2026)
    assert t.value == Decimal("0.97") and not t.stored
    assert get_target(engine, "city", "water", 2030).value == Decimal("0.95")


def test_seed_defaults_is_idempotent(engine: Engine) -> None:
    n = seed_default_targets(engine, CLOCK)
    assert n == 3 * 5 * 3  # 2025, 2026 (current), 2027 x 4 districts + city x air, water, sea
    assert seed_default_targets(engine, CLOCK) == 0
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(targets_table)).scalar_one() == 45
    assert all(t.stored for t in list_targets(engine, 2027))
    assert audit_trail(engine) == []


def test_edit_records_audit(engine: Engine) -> None:
    seed_default_targets(engine, CLOCK)
    set_target(
        engine,
        CLOCK,
        district="330903",
        indicator="air",
        year=2026,
        value="0.955",
        who="zhang",
        reason="2026 plan",
    )
    set_target(engine, CLOCK, district="330903", indicator="air", year=2026, value=0.96, who="li")
    t = get_target(engine, "330903", "air", 2026)
    assert t.value == Decimal("0.9600") and t.updated_by == "li"
    trail = audit_trail(engine, "330903")
    assert [(a.old_value, a.new_value, a.who) for a in trail] == [
        (Decimal("0.9700"), Decimal("0.9550"), "zhang"),
        (Decimal("0.9550"), Decimal("0.9600"), "li"),
    ]
    assert trail[0].reason == "2026 plan"
    set_target(
        engine, CLOCK, district="city", indicator="water", year=2031, value="0.9", who="wang"
    )
    assert audit_trail(engine, "city")[0].old_value is None


@pytest.mark.parametrize(
    ("district", "indicator", "value", "field"),
    [
        ("330902", "noise", "0.9", "indicator"),
        ("999999", "air", "0.9", "district"),
        ("330902", "air", "1.5", "value"),
    ],
)
def test_bad_edits_are_refused(
    engine: Engine, district: str, indicator: str, value: str, field: str
) -> None:
    with pytest.raises(TargetError) as err:
        set_target(
            engine, CLOCK, district=district, indicator=indicator, year=2026, value=value, who="x"
        )
    assert err.value.field == field
    assert audit_trail(engine) == []
