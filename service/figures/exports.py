"""Exports: the rows of ``districts.csv``, each district's public attributes and its year-to-date
figures (the same ``all_district_figures`` that ``/api/v1/districts`` and the staff map use)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

import geodata
from service.clock import Clock
from service.figures.district_figures import all_district_figures
from service.figures.latest import DISTRICT_PUBLIC
from service.figures.values import DistrictFigures

#: The figures columns of ``districts.csv`` after the district's public attributes.
FIGURE_COLUMNS = (
    "period_start",
    "period_end",
    "excellent_good_ratio",
    "excellent_good_days",
    "valid_days",
    "excellent_good_target",
    "meets_air_target",
    "air_budget_days",
    "air_budget_status",
    "water_period",
    "class_iii_ratio",
    "class_iii_sections",
    "sections_evaluated",
    "class_iii_target",
    "meets_water_target",
    "water_budget_sections",
)


def _figure_row(f: DistrictFigures) -> dict[str, Any]:
    air, water = f.air, f.water
    return {
        "period_start": air.start.isoformat(),
        "period_end": air.end.isoformat(),
        "excellent_good_ratio": air.excellent_good_ratio.value,
        "excellent_good_days": air.excellent_good_ratio.numerator,
        "valid_days": air.excellent_good_ratio.denominator,
        "excellent_good_target": air.target,
        "meets_air_target": air.meets_target,
        "air_budget_days": None if air.budget is None else air.budget.budget,
        "air_budget_status": None if air.budget is None else air.budget.status,
        "water_period": water.period,
        "class_iii_ratio": water.class_iii_ratio.value,
        "class_iii_sections": water.class_iii_ratio.numerator,
        "sections_evaluated": water.class_iii_ratio.denominator,
        "class_iii_target": water.target,
        "meets_water_target": water.meets_target,
        "water_budget_sections": water.budget.budget,
    }


def district_export_rows(engine: Engine, clock: Clock) -> list[dict[str, Any]]:
    """One row per district and the city: its public attributes, then ``FIGURE_COLUMNS``."""
    frame = geodata.load_districts()
    attrs = {
        str(r["code"]): r
        for r in frame[[c for c in DISTRICT_PUBLIC if c in frame.columns]].to_dict("records")
    }
    rows = []
    for f in all_district_figures(engine, clock):
        base = attrs.get(f.code) or {"code": f.code, "name": f.name, "name_en": f.name_en}
        rows.append({**base, **_figure_row(f)})
    return rows
