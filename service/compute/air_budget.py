"""The air target budget of a district from its computed days (``stations.targets.air_budget``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from sqlalchemy import Engine

from service.compute.summaries import year_daily_aqi
from stations.standards import DEFAULT_ASSUMPTIONS
from stations.targets import air_budget

#: Earlier years read for the budget's year-end projection.
HISTORY_YEARS: Final = 5


def air_budget_for(
    engine: Engine,
    district: str,
    *,
    year: int,
    as_of: dt.date,
    target: Any,
    mode: Any = None,
    expected_invalid: int | None = None,
) -> Any:
    """``stations.targets.air_budget`` of a district from the computed days, with the same calendar
    days of up to ``HISTORY_YEARS`` earlier years for the projection.

    ``expected_invalid`` None: the remaining days are expected to be invalid at the year's pace so
    far (invalid days / elapsed days, rounded half up), which ``budget_if_invalid`` then reflects.
    """
    series = year_daily_aqi(engine, district, dt.date(year - HISTORY_YEARS, 1, 1), as_of)

    def run(k: int) -> Any:
        return air_budget(
            series,
            year=year,
            as_of=as_of,
            target=target,
            mode=mode or DEFAULT_ASSUMPTIONS.target_mode,
            expected_invalid=k,
            history=series,
        )

    first = run(expected_invalid or 0)
    if expected_invalid is not None or first.elapsed_days == 0:
        return first
    pace = (2 * first.invalid_days * first.remaining_days + first.elapsed_days) // (
        2 * first.elapsed_days
    )
    return first if pace == 0 else run(pace)
