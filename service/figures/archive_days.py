"""Station days and city days from a folder of national hourly archive files (offline; no store).

The one reading path of ``envmon ratio`` and ``envmon assess``. Hour convention: row ``date=D,
hour=H`` is the hour ending at D H:00 CST, so natural day D is made of ``D 01:00 .. D+1 00:00``; the
files of the day before and the day after the wanted range are read too when present. Only the
measured hourly rows (PM2.5, PM10, SO2, NO2, O3, CO) are used; the file's own ``_24h``/``O3_8h``/
``AQI`` rows are ignored and recomputed under HJ 663 validity.

Two engines give the same answer to the last digit: ``dask`` (the default: ``service.archive_graph``,
files parsed in chunks into a float32 xarray Dataset, flox daily reductions, run on a local pool or
on the ``dask.distributed`` cluster of ``ENVMON_DASK_SCHEDULER``; the only one that reads a Zarr store
written by ``envmon archive to-zarr``) and ``memory`` (``service.archive``: one float64 array per
pollutant of the whole period in this process).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal

import pandas as pd

import geodata
from service import archive_graph, archive_zarr, dask_run
from service.archive import archive_files, progress_bar, read_period, station_days
from service.archive_graph import city_frame
from service.archive_zarr import is_zarr_store

#: The engines of the archive path (see the module docstring).
Engine = Literal["dask", "memory"]


@dataclass(slots=True)
class ArchiveDays:
    """Station days (``stations.standards.daily_values`` rows) of the days ``first .. last``, or
    only their city days (``city``) when those were asked for (then ``station_days`` is empty)."""

    first: dt.date
    last: dt.date
    station_days: pd.DataFrame
    stations: list[str]
    stations_missing: list[str]
    files: int
    bad_files: list[str] = field(default_factory=list)
    city: pd.DataFrame | None = None

    def city_days(self, standard: str | None = None) -> pd.DataFrame:
        """The city days (see :func:`city_days`)."""
        return self.city if self.city is not None else city_days(self.station_days, standard)


def _resolve(names: list[str]) -> dict[str, str]:
    """Header keys to look for: each given code or name, plus the code of a registry name."""
    reg = geodata.load_stations(include_demo=False)
    by_name = dict(zip(reg["name"].astype(str), reg["code"].astype(str), strict=True))
    out: dict[str, str] = {}
    for n in names:
        out[n] = n
        if n in by_name:
            out[by_name[n]] = n
    return out


def read_archive_days(
    archive: Path,
    station_names: list[str],
    first: dt.date,
    last: dt.date,
    standard: str | None = None,
    *,
    workers: int = 1,
    skip_bad_files: bool = False,
    progress: str | None = None,
    engine: Engine = "dask",
    scheduler: str | None = None,
    city_only: bool = False,
) -> ArchiveDays:
    """Daily values (GB 3095 表4 / HJ 663 validity, HJ 633 AQI) of the named stations for the CST
    days ``first .. last`` from the archive files in ``archive`` (or the Zarr store it names), in
    bounded memory. A file that cannot be read raises ``BadArchiveFile`` naming it, unless
    ``skip_bad_files`` (then it is listed in ``bad_files``). ``city_only``: keep only the city
    days (what a ratio needs; the station days of a long national period are never gathered).
    ``progress``: the label of a tqdm bar on stderr; ``scheduler``: a dask.distributed address."""
    keys = _resolve(station_names)
    if engine == "dask" or is_zarr_store(archive):
        return _graph_days(
            archive,
            station_names,
            keys,
            first,
            last,
            standard,
            workers=workers,
            skip_bad_files=skip_bad_files,
            progress=progress,
            scheduler=scheduler,
            city_only=city_only,
        )
    paths = archive_files(archive, first, last)
    arrays = read_period(
        paths,
        list(keys),
        first,
        last,
        workers=workers,
        skip_bad_files=skip_bad_files,
        progress=progress_bar(progress) if progress else None,
    )
    seen = {keys[f] for f in arrays.found}
    missing = [n for n in station_names if n not in seen]
    daily = station_days(arrays, standard)
    return ArchiveDays(
        first, last, daily, sorted(seen), missing, arrays.files, list(arrays.bad_files)
    )


def _graph_days(
    archive: Path,
    station_names: list[str],
    keys: dict[str, str],
    first: dt.date,
    last: dt.date,
    standard: str | None,
    *,
    workers: int,
    skip_bad_files: bool,
    progress: str | None,
    scheduler: str | None,
    city_only: bool,
) -> ArchiveDays:
    compute = partial(dask_run.compute, scheduler=scheduler, workers=workers, progress=progress)
    if archive_zarr.is_zarr_store(archive):
        store = archive_zarr.open_hourly(archive, list(keys), first, last)
        got = archive_graph.run_days(
            store.graph,
            compute=partial(compute, parses=False),
            standard=standard,
            city=city_only,
            found=store.found,
            files=store.files,
            bad_files=store.bad_files,
        )
    else:
        paths = archive_files(archive, first, last)
        got = archive_graph.days_from_files(
            paths,
            list(keys),
            first,
            last,
            compute=compute,
            skip_bad_files=skip_bad_files,
            standard=standard,
            city=city_only,
        )
    seen = {keys[f] for f in got.found}
    missing = [n for n in station_names if n not in seen]
    frame = got.days
    return ArchiveDays(
        first,
        last,
        pd.DataFrame() if city_only else frame,
        sorted(seen),
        missing,
        got.files,
        got.bad_files,
        city=frame if city_only else None,
    )


def city_days(station_days: pd.DataFrame, standard: str | None = None) -> pd.DataFrame:
    """The city day: per pollutant the mean of the stations' valid daily values, then IAQI/AQI
    (``stations.standards.district_daily`` with every station mapped to :data:`CITY`)."""
    return city_frame(station_days, standard)
