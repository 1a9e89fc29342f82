"""Station days and city days from a folder of national hourly archive files (offline; no store).

The one reading path of ``envmon ratio`` and ``envmon assess``. Hour convention: row ``date=D,
hour=H`` is the hour ending at D H:00 CST, so natural day D is made of ``D 01:00 .. D+1 00:00``; the
files of the day before and the day after the wanted range are read too when present. Only the
measured hourly rows (PM2.5, PM10, SO2, NO2, O3, CO) are used; the file's own ``_24h``/``O3_8h``/
``AQI`` rows are ignored and recomputed under HJ 663 validity.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from stations.model import POLLUTANTS

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


def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValueError("archive file is neither UTF-8 nor GB18030 text")


def _subset(raw: bytes, wanted: set[str]) -> tuple[bytes | None, set[str]]:
    """The file cut down to ``date,hour,type`` and the wanted station columns (national files carry
    ~1,800 stations; parsing only the named ones keeps a year's folder fast)."""
    text = _decode(raw)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return None, set()
    header = [h.strip() for h in rows[0]]
    keep = [0, 1, 2] + [i for i, h in enumerate(header) if i > 2 and h in wanted]
    if len(keep) == 3:
        return None, set()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for row in rows:
        w.writerow([row[i] if i < len(row) else "" for i in keep])
    return buf.getvalue().encode(), {header[i] for i in keep[3:]}


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
) -> ArchiveDays:
    """Daily values (GB 3095 表4 / HJ 663 validity, HJ 633 AQI) of the named stations for the CST
    days ``first .. last`` from the archive files in ``archive``."""
    from stations.collectors.national_archive import (
        archive_file_date,
        iter_archive_files,
        parse_archive_csv,
    )
    from stations.standards import daily_values

    keys = _resolve(station_names)
    lo, hi = first - dt.timedelta(days=1), last + dt.timedelta(days=1)
    frames: list[pd.DataFrame] = []
    seen: set[str] = set()
    n_files = 0
    for path in iter_archive_files(archive):
        d = archive_file_date(path)
        if d is not None and not lo <= d <= hi:
            continue
        cut, found = _subset(path.read_bytes(), set(keys))
        if cut is None:
            continue
        n_files += 1
        seen |= {keys[f] for f in found}
        r = parse_archive_csv(cut).readings
        frames.append(r[r["pollutant"].isin(POLLUTANTS)])
    missing = [n for n in station_names if n not in seen]
    empty = ArchiveDays(first, last, pd.DataFrame(), sorted(seen), missing, n_files)
    if not frames or all(f.empty for f in frames):
        return empty
    long = pd.concat(frames, ignore_index=True)
    long = long.drop_duplicates(["station", "time", "pollutant"], keep="first")
    wide = long.pivot(index=["station", "time"], columns="pollutant", values="value").reset_index()
    wide.columns.name = None
    daily = daily_values(wide, standard=standard)
    days = pd.to_datetime(daily["date"]).dt.date
    daily = daily[(days >= first) & (days <= last)].reset_index(drop=True)
    if daily.empty:
        return empty
    return ArchiveDays(first, last, daily, sorted(seen), missing, n_files)


def city_days(station_days: pd.DataFrame, standard: str | None = None) -> pd.DataFrame:
    """The city day: per pollutant the mean of the stations' valid daily values, then IAQI/AQI
    (``stations.standards.district_daily`` with every station mapped to :data:`CITY`)."""
    from stations.standards import district_daily

    if station_days.empty:
        return pd.DataFrame()
    return district_daily(
        station_days, dict.fromkeys(station_days["station"].unique(), CITY), standard=standard
    )
