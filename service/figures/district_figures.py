"""District figures: a district's (or the city's) 优良天数比例 and Ⅰ–Ⅲ类断面比例 against their
targets, with the air budget; the one assembly behind ``/api/v1/districts``, ``districts.csv`` and
the staff map's district layer, so that they never disagree."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

import geodata
from service.clock import Clock
from service.compute import air_budget_for, air_summary, ytd_as_of
from service.figures.values import (
    AirBudgetOut,
    AirFigures,
    DistrictFigures,
    ProjectionOut,
)
from service.figures.water_figures import ratio_value, water_figures
from service.targets import CITY, district_codes, get_target
from stations.ratios import Ratio
from stations.standards import DEFAULT_ASSUMPTIONS
from stations.targets import AirBudget

#: The city's names (zh, en).
CITY_NAMES = ("舟山市", "Zhoushan City")


def district_names() -> dict[str, tuple[str, str]]:
    """Chinese and English name of every district code and of ``city``."""
    d = geodata.load_districts()
    names = {
        str(c): (str(n), str(e)) for c, n, e in zip(d["code"], d["name"], d["name_en"], strict=True)
    }
    names[CITY] = CITY_NAMES
    return names


def _budget_value(b: AirBudget) -> AirBudgetOut:
    p = b.projection
    return AirBudgetOut(
        year=b.year,
        as_of=b.as_of,
        target=float(b.target),
        comparison=b.mode,
        days_in_year=b.days_in_year,
        valid_days=b.valid_days,
        excellent_good_days=b.good_days,
        invalid_days=b.invalid_days,
        remaining_days=b.remaining_days,
        required_excellent_good_days=b.required_good_days,
        budget=b.budget,
        budget_if_invalid=b.budget_if_invalid,
        expected_invalid=b.expected_invalid,
        status=b.status,
        exhausted_on=b.exhausted_on,
        projection=None
        if p is None
        else ProjectionOut(
            value=p.value,
            low=p.low,
            high=p.high,
            coverage=p.coverage,
            method=p.method,
            years=list(p.years),
        ),
    )


def air_figures(
    engine: Engine, code: str, start: dt.date, end: dt.date, *, budget: bool
) -> AirFigures:
    """Air figures of ``code`` over CST days ``[start, end]``; with ``budget``, the target budget
    of ``end``'s year as of ``end``."""
    mode = DEFAULT_ASSUMPTIONS.target_mode
    s = air_summary(engine, code, start, end)
    target = get_target(engine, code, "air", end.year).value
    eg = Ratio(s.excellent_good_days, s.valid_days)
    left: dict[str, int] = {}
    for lo in s.left_out:
        left[lo.reason] = left.get(lo.reason, 0) + 1
    b_out = None
    if budget:
        b = air_budget_for(engine, code, year=end.year, as_of=end, target=target, mode=mode)
        b_out = _budget_value(b)
    return AirFigures(
        start=start,
        end=end,
        excellent_good_ratio=ratio_value(eg),
        excellent_ratio=ratio_value(Ratio(s.excellent_days, s.valid_days)),
        days_by_level={str(k): v for k, v in s.days_by_level.items()},
        primary_pollutants_non_good=s.primary_non_good,
        days_left_out=left,
        stations=s.stations,
        standards=s.standards,
        spans_standard_change=s.spans_standard_change,
        target=float(target),
        meets_target=eg.meets(target, mode),
        budget=b_out,
    )


def district_figures(
    engine: Engine, clock: Clock, code: str, names: dict[str, tuple[str, str]] | None = None
) -> DistrictFigures:
    """Year-to-date figures of one district or the city (1 January through yesterday, CST)."""
    as_of = ytd_as_of(clock)
    name, name_en = (names or district_names()).get(code, (code, code))
    return DistrictFigures(
        code=code,
        name=name,
        name_en=name_en,
        air=air_figures(engine, code, dt.date(as_of.year, 1, 1), as_of, budget=True),
        water=water_figures(engine, code, f"{as_of.year:04d}"),
    )


def all_district_figures(
    engine: Engine, clock: Clock, year: int | None = None
) -> list[DistrictFigures]:
    """The figures of every district and the city.

    ``year`` None, or the current year-to-date's year or later: year to date (1 January through
    yesterday, CST, with the budgets), what ``/api/v1/districts`` serves. An earlier year: that
    whole year (no budget: the year is over).
    """
    as_of = ytd_as_of(clock)
    names = district_names()
    if year is None or year >= as_of.year:
        return [district_figures(engine, clock, code, names) for code in district_codes()]
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return [
        DistrictFigures(
            code=code,
            name=names.get(code, (code, code))[0],
            name_en=names.get(code, (code, code))[1],
            air=air_figures(engine, code, first, last, budget=False),
            water=water_figures(engine, code, f"{year:04d}"),
        )
        for code in district_codes()
    ]
