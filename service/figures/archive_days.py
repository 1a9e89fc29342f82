"""Station days and city days from a folder of national hourly archive files (offline; no store).

The one reading path of ``envmon ratio`` and ``envmon assess``. Hour convention: row ``date=D,
hour=H`` is the hour ending at D H:00 CST, so natural day D is made of ``D 01:00 .. D+1 00:00``; the
files of the day before and the day after the wanted range are read too when present. Only the
measured hourly rows (PM2.5, PM10, SO2, NO2, O3, CO) are used; the file's own ``_24h``/``O3_8h``/
``AQI`` rows are ignored and recomputed under HJ 663 validity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from service.archive import Progress, archive_files, read_period, station_days

HOUR_CONVENTION = (
    "hour H of file D is the hour ending at D H:00 CST (hour 0 = D-1 23:00-24:00); "
    "natural day D = D 01:00 .. D+1 00:00"
)
#: The city's label in the city-day frame.
CITY = "city"


@dataclass(slots=True)
class ArchiveDays:
    """Station days (``stations.standards.daily_values`` rows) of the days ``first .. last``."""

    first: dt.date
    last: dt.date
    station_days: pd.DataFrame
    stations: list[str]
    stations_missing: list[str]
    files: int
    bad_files: list[str] = field(default_factory=list)


def _resolve(names: list[str]) -> dict[str, str]:
    """Header keys to look for: each given code or name, plus the code of a registry name."""
    import geodata

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
    progress: Progress | None = None,
) -> ArchiveDays:
    """Daily values (GB 3095 表4 / HJ 663 validity, HJ 633 AQI) of the named stations for the CST
    days ``first .. last`` from the archive files in ``archive``, streamed in bounded memory
    (``service.archive``). A file that cannot be read raises ``BadArchiveFile`` naming it, unless
    ``skip_bad_files`` (then it is listed in ``bad_files``)."""
    keys = _resolve(station_names)
    paths = archive_files(archive, first, last)
    arrays = read_period(
        paths,
        list(keys),
        first,
        last,
        workers=workers,
        skip_bad_files=skip_bad_files,
        progress=progress,
    )
    seen = {keys[f] for f in arrays.found}
    missing = [n for n in station_names if n not in seen]
    daily = station_days(arrays, standard)
    return ArchiveDays(
        first, last, daily, sorted(seen), missing, arrays.files, list(arrays.bad_files)
    )


def city_days(station_days: pd.DataFrame, standard: str | None = None) -> pd.DataFrame:
    """The city day: per pollutant the mean of the stations' valid daily values, then IAQI/AQI
    (``stations.standards.district_daily`` with every station mapped to :data:`CITY`)."""
    from stations.standards import district_daily

    if station_days.empty:
        return pd.DataFrame()
    return district_daily(
        station_days, dict.fromkeys(station_days["station"].unique(), CITY), standard=standard
    )
