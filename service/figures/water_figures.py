"""Water figures: the Ⅰ–Ⅲ类断面比例 of a district's (or the city's) provincial sections in a period,
against its target, with the budget of sections that may still slip below Ⅲ."""

from __future__ import annotations

from sqlalchemy import Engine

from service.compute import water_summary
from service.figures.values import RatioOut, SectionClassOut, WaterBudgetOut, WaterFigures
from service.targets import get_target
from stations.ratios import Ratio
from stations.standards import DEFAULT_ASSUMPTIONS
from stations.targets import water_budget


def ratio_value(r: Ratio) -> RatioOut:
    """A ratio with its parts and its published percent (GB/T 8170, one decimal)."""
    return RatioOut(
        numerator=r.numerator,
        denominator=r.denominator,
        value=r.value,
        percent=None if r.percent is None else str(r.percent),
    )


def water_figures(engine: Engine, code: str, period: str) -> WaterFigures:
    """Class III ratio of the provincial sections of ``code`` in ``period`` (``YYYY`` or
    ``YYYY-MM``) with the target of that year and its budget."""
    mode = DEFAULT_ASSUMPTIONS.target_mode
    w = water_summary(engine, code, period)
    target = get_target(engine, code, "water", int(period[:4])).value
    ratio = Ratio(w.at_or_better_than_iii, w.evaluated)
    wb = water_budget([s.cls for s in w.sections], target=target, mode=mode)
    return WaterFigures(
        period=period,
        class_iii_ratio=ratio_value(ratio),
        sections=[
            SectionClassOut(
                code=s.section,
                name=s.name,
                name_en=s.name_en,
                water_class=s.cls,
                deciding_items=s.deciding,
                items_worse_than_iii=s.worse_than_iii,
            )
            for s in w.sections
        ],
        sections_left_out=len(w.left_out),
        target=float(target),
        meets_target=ratio.meets(target, mode),
        budget=WaterBudgetOut(
            target=float(wb.target),
            comparison=wb.mode,
            evaluated=wb.evaluated,
            at_or_better_than_iii=wb.at_or_better_than_iii,
            required=wb.required,
            budget=wb.budget,
        ),
    )
