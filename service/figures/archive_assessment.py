"""HJ 663 assessment of a year from archive files: the city value is the mean of the named stations
(as ``envmon ratio``), assessed with ``stations.standards.assessment`` and compared with the year
before when the folder holds it (同比)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from service.figures.archive_days import Engine, read_archive_days
from stations.collectors.national_archive import HOUR_CONVENTION
from stations.standards import tables as T
from stations.standards.assessment import assess, compare, earlier_composite_edition
from stations.standards.assumptions import DEFAULT, Assumptions


def daily_arrays(frame: pd.DataFrame, first: dt.date, last: dt.date) -> dict[str, np.ndarray]:
    """(1, days) arrays of the seven daily indicators of one day frame (``date`` column), on every
    calendar day ``first .. last`` (NaN where the frame has no value)."""
    idx = pd.date_range(first, last, freq="D")
    if frame.empty:
        return {k: np.full((1, len(idx)), np.nan) for k in T.DAILY_INDICATORS}
    f = frame.assign(date=pd.to_datetime(frame["date"])).set_index("date")
    return {
        k: pd.to_numeric(f[k], errors="coerce").reindex(idx).to_numpy(dtype=np.float64)[None, :]
        for k in T.DAILY_INDICATORS
    }


def _this_and_last_year(
    city: pd.DataFrame, year: int, standard: str | None, assumptions: Assumptions
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The assessment JSON of ``year`` and, when ``city`` holds days of the year before, of that
    year (its composite index in the edition of ``year``'s, for the 同比)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    prev_first, prev_last = dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31)
    this_year, earlier_frame = city, city
    if not city.empty:
        days = pd.to_datetime(city["date"]).dt.date
        this_year, earlier_frame = city[days >= first], city[days <= prev_last]
    current = assess(
        daily_arrays(this_year, first, last),
        first,
        series=["city"],
        standard=standard,
        assumptions=assumptions,
    )
    if earlier_frame.empty:
        return current.as_json(0), None
    old = assess(
        daily_arrays(earlier_frame, prev_first, prev_last),
        prev_first,
        series=["city"],
        standard=standard,
        composite_edition=earlier_composite_edition(current),
        assumptions=assumptions,
    )
    return current.as_json(0), old.as_json(0)


def archive_assessment(
    archive: Path,
    station_names: list[str],
    year: int,
    standard: str | None = None,
    assumptions: Assumptions = DEFAULT,
    *,
    workers: int = 1,
    skip_bad_files: bool = False,
    progress: str | None = None,
    engine: Engine = "dask",
    scheduler: str | None = None,
) -> dict[str, Any]:
    """The assessment JSON of ``envmon assess``: ``annual`` (PM25, PM10, SO2, NO2 means in µg/m³,
    CO_24h_p95 in mg/m³, O3_8h_p90 in µg/m³, composite_index, and ``sufficiency`` of each), the
    limits, composite sub-indices and shares, exceedance days, day counts, monthly co-control
    table, ozone season, ``compared_with_last_year`` (None without data for that year) and the
    ``bad_files`` passed over (``skip_bad_files``; else an unreadable file raises
    ``BadArchiveFile``)."""
    got = read_archive_days(
        archive,
        station_names,
        dt.date(year - 1, 1, 1),
        dt.date(year, 12, 31),
        standard,
        workers=workers,
        skip_bad_files=skip_bad_files,
        progress=progress,
        engine=engine,
        scheduler=scheduler,
        city_only=True,
    )
    cur, earlier = _this_and_last_year(got.city_days(standard), year, standard, assumptions)
    stats = cur.pop("statistics")
    return {
        "year": year,
        "stations": got.stations,
        "stations_missing": got.stations_missing,
        "files": got.files,
        "forced_standard": standard,
        "annual": stats,
        **{k: v for k, v in cur.items() if k != "series"},
        "compared_with_last_year": compare({**cur, "statistics": stats}, earlier),
        "hour_convention": HOUR_CONVENTION,
        "bad_files": got.bad_files,
    }
