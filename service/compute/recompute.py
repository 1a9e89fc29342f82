"""Entry points: recompute what the ingests marked dirty, or everything, and the post-ingest hooks.

Incremental and full recomputation share one code path: :func:`recompute` pops the store's dirty
station-days / section-days and recomputes exactly those station-days, the district-days (and city
days) they belong to, and the month and year periods of the touched sections; :func:`recompute_all`
marks everything and runs the same path, so both give identical rows (tested).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd
from sqlalchemy import Engine

from service.clock import Clock
from service.compute.air_days import recompute_air_keys
from service.compute.water_periods import recompute_sections
from service.store.computed import clear_computed
from service.store.engine import writing
from service.store.queries import (
    dirty_day_count,
    mark_dirty,
    measured_codes,
    measured_times,
    pop_dirty_days,
)
from stations.cst import CST

#: Station-days recomputed per transaction.
BATCH_DAYS: Final = 20_000


@dataclass(frozen=True, slots=True)
class RecomputeResult:
    """What one recomputation touched."""

    station_days: int = 0
    district_days: int = 0
    section_periods: int = 0

    def __add__(self, other: RecomputeResult) -> RecomputeResult:
        return RecomputeResult(
            self.station_days + other.station_days,
            self.district_days + other.district_days,
            self.section_periods + other.section_periods,
        )


def recompute(
    engine: Engine,
    clock: Clock,
    *,
    limit: int | None = BATCH_DAYS,
    on_batch: Callable[[int], None] | None = None,
) -> RecomputeResult:
    """Recompute what the ingests marked dirty, batch by batch, until the queue is empty.

    Each batch pops its marks and writes its figures in one transaction: if it fails, the marks stay.
    ``on_batch(n)`` is told how many marks each committed batch took (a progress bar's step).
    """
    total = RecomputeResult()
    for kind in ("air", "water"):
        while True:
            with writing(engine) as conn:
                keys = pop_dirty_days(conn, kind, limit)
                if keys.empty:
                    break
                now = clock.now()
                if kind == "air":
                    n_station, n_district = recompute_air_keys(conn, keys, now)
                    total += RecomputeResult(station_days=n_station, district_days=n_district)
                else:
                    total += RecomputeResult(section_periods=recompute_sections(conn, keys, now))
            if on_batch is not None:
                on_batch(len(keys))
            if limit is None:
                break
    return total


def dirty_count(engine: Engine) -> int:
    """How many station-day and section-day marks wait for a recompute."""
    with engine.connect() as conn:
        return dirty_day_count(conn)


def mark_all(engine: Engine, clock: Clock) -> int:
    """Mark every stored station-day and section-day dirty; returns the number of marks."""
    return mark_codes(engine, clock)


def mark_codes(
    engine: Engine,
    clock: Clock,
    *,
    stations: Sequence[str] | None = None,
    sections: Sequence[str] | None = None,
) -> int:
    """Mark dirty every stored day of the given stations and sections (None: all of that kind;
    empty: none), e.g. after the registry moved a station to another district; returns the marks."""
    now = clock.now()
    n = 0
    with writing(engine) as conn:
        for kind, hourly, only in (("air", True, stations), ("water", False, sections)):
            if only is not None and not only:
                continue
            for code in measured_codes(conn, kind, only):
                times = pd.Series(pd.to_datetime(measured_times(conn, kind, code), utc=True))
                local = times.dt.tz_convert(CST)
                if hourly:  # an end-of-hour label belongs to the day its hour started in
                    local = local - pd.Timedelta(hours=1)
                days = sorted(set(local.dt.date))
                if not days:
                    continue
                mark_dirty(conn, kind, code, days, now)
                n += len(days)
    return n


def recompute_all(engine: Engine, clock: Clock) -> RecomputeResult:
    """Throw the computed figures away and rebuild them from the stored readings and samples.

    The same path as :func:`recompute`, so the rows are identical to an incremental run's.
    """
    with writing(engine) as conn:
        clear_computed(conn)
    mark_all(engine, clock)
    return recompute(engine, clock)


def ingest_hook(engine: Engine, clock: Clock, *_: Any, **__: Any) -> RecomputeResult:
    """Recompute what an ingest marked (any extra arguments, e.g. the run's result, are ignored)."""
    return recompute(engine, clock)


def make_ingest_hook(engine: Engine, clock: Clock) -> Callable[[Any], None]:
    """The scheduler's post-ingest hook (``service.scheduler.Hook``: ``hook(run_result) -> None``).

    The dirty-day queue, not the run result, says what to recompute, so a hook that failed or was
    skipped is caught up by the next one.
    """

    def recompute_after_ingest(_result: Any) -> None:
        recompute(engine, clock)

    return recompute_after_ingest
