"""Report data: a report's figures gathered once, from the computed tables (``service.compute``)
and the targets; ``service.reports`` only lays them out."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

import pandas as pd
from sqlalchemy import Engine

import geodata
from service.clock import Clock
from service.compute import (
    AirSummary,
    WaterSummary,
    air_budget_for,
    air_summary,
    water_summary,
    year_daily_aqi,
    ytd_as_of,
)
from service.figures.demo_data import figures_are_demo
from service.store.demo_places import demo_places
from service.targets import CITY, district_codes, get_target
from stations.ratios import Ratio
from stations.standards import DEFAULT_ASSUMPTIONS
from stations.targets import AirBudget, WaterBudget, budget_course, water_budget

PeriodKind = Literal["month", "year"]
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def parse_period(period: str) -> tuple[PeriodKind, dt.date, dt.date]:
    """``YYYY-MM`` or ``YYYY`` -> (kind, first day, last day)."""
    m = _PERIOD.match(period)
    if not m:
        raise ValueError(f"period {period!r}: expected YYYY-MM or YYYY")
    year = int(m.group(1))
    if m.group(2) is None:
        return "year", dt.date(year, 1, 1), dt.date(year, 12, 31)
    month = int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"period {period!r}: month must be 01..12")
    return (
        "month",
        dt.date(year, month, 1),
        dt.date(year, month, calendar.monthrange(year, month)[1]),
    )


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything a report shows; renderers only lay it out."""

    district: str
    name_zh: str
    name_en: str
    period: str
    kind: PeriodKind
    start: dt.date
    end: dt.date  # last day covered (the period's end, or yesterday for a running period)
    complete: bool  # the period has ended
    air: AirSummary
    air_ytd: AirSummary
    air_target: Decimal
    air_meets: bool | None
    air_ytd_meets: bool | None
    budget: AirBudget
    course: pd.DataFrame
    water: WaterSummary
    water_target: Decimal
    water_meets: bool | None
    water_budget: WaterBudget
    comparison: str
    generated_at: dt.datetime
    #: Any contributing station or section is a demo place (its readings are not measurements).
    demo: bool = False
    #: Figures of the further sections (``service.reports.sections.SECTIONS``), by their key.
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Neither a valid air day nor an evaluated section in the period."""
        return self.air.valid_days == 0 and self.water.evaluated == 0

    @property
    def ratio(self) -> Ratio:
        """The period's 优良天数比例."""
        return Ratio(self.air.excellent_good_days, self.air.valid_days)

    @property
    def ytd_ratio(self) -> Ratio:
        """优良天数比例 from 1 January to the end of the period."""
        return Ratio(self.air_ytd.excellent_good_days, self.air_ytd.valid_days)

    @property
    def water_ratio(self) -> Ratio:
        """Ⅰ–Ⅲ类断面比例 of the period."""
        return Ratio(self.water.at_or_better_than_iii, self.water.evaluated)


def _names(district: str) -> tuple[str, str]:
    if district == CITY:
        return "舟山市", "Zhoushan City"
    d = geodata.load_districts().set_index("code")
    return str(d.loc[district, "name"]), str(d.loc[district, "name_en"])


def build_report(engine: Engine, clock: Clock, district: str, period: str) -> ReportData:
    """The figures of a monthly (``YYYY-MM``) or yearly (``YYYY``) report of ``district`` or ``city``."""
    if district not in district_codes():
        raise ValueError(f"district {district!r}: expected one of {', '.join(district_codes())}")
    kind, start, end = parse_period(period)
    last = ytd_as_of(clock)
    if start > last:
        raise ValueError(f"period {period}: has not started yet (data run through {last})")
    complete = end <= last
    end = min(end, last)
    mode = DEFAULT_ASSUMPTIONS.target_mode
    year = start.year
    air_t = get_target(engine, district, "air", year).value
    water_t = get_target(engine, district, "water", year).value
    air = air_summary(engine, district, start, end)
    ytd = air if kind == "year" else air_summary(engine, district, dt.date(year, 1, 1), end)
    series = year_daily_aqi(engine, district, dt.date(year, 1, 1), end)
    water = water_summary(engine, district, period)
    wb = water_budget([s.cls for s in water.sections], target=water_t, mode=mode)
    name_zh, name_en = _names(district)
    data = ReportData(
        district=district,
        name_zh=name_zh,
        name_en=name_en,
        period=period,
        kind=kind,
        start=start,
        end=end,
        complete=complete,
        air=air,
        air_ytd=ytd,
        air_target=air_t,
        air_meets=Ratio(air.excellent_good_days, air.valid_days).meets(air_t, mode),
        air_ytd_meets=Ratio(ytd.excellent_good_days, ytd.valid_days).meets(air_t, mode),
        budget=air_budget_for(engine, district, year=year, as_of=end, target=air_t, mode=mode),
        course=budget_course(series, year=year, target=air_t, mode=mode, through=end),
        water=water,
        water_target=water_t,
        water_meets=Ratio(water.at_or_better_than_iii, water.evaluated).meets(water_t, mode),
        water_budget=wb,
        comparison=mode,
        generated_at=clock.now(),
        # The demo feed simulates the real stations too: a store holding its data makes every
        # report demo, not only one naming a demo station.
        demo=figures_are_demo(engine)
        or demo_places(
            engine, air.stations, [s.section for s in water.sections if s.cls is not None]
        ),
    )
    # Imported here: ``service.reports`` (whose modules register the sections) imports this module.
    from service.reports.sections import SECTIONS  # noqa: PLC0415 (cycle with service.reports)

    extra = {section.key: section.gather(engine, clock, data) for section in SECTIONS}
    return replace(data, extra=extra) if extra else data
