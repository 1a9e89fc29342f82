"""Synthetic national archive folders in the archive's own file format, for tests and benches.

``write_year(folder, year, n_stations)`` writes ``china_sites_YYYYMMDD.csv`` for every day of the
year plus January 1 of the next (hour 0 of a file belongs to the day before), 15 types x 24 hours
like the real national files, seeded: integers in µg/m³ (CO in mg/m³ with three decimals), about 3 %
empty cells. Station codes are ``1001A``, ``1002A``, ... (national form).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd

from stations.collectors.national_archive import parse_archive_csv
from stations.model import POLLUTANTS
from stations.standards import daily_values, district_daily

TYPES = (
    "AQI", "PM2.5", "PM2.5_24h", "PM10", "PM10_24h", "SO2", "SO2_24h",
    "NO2", "NO2_24h", "O3", "O3_24h", "O3_8h", "O3_8h_24h", "CO", "CO_24h",
)  # fmt: skip
_SCALE = {"PM2.5": 60, "PM10": 90, "SO2": 10, "NO2": 35, "O3": 90, "CO": 0.9, "AQI": 80}


def station_codes(n: int) -> list[str]:
    """``n`` national-form codes: 1001A, 1002A, ..."""
    return [f"{1001 + i}A" for i in range(n)]


def write_day(path: Path, day: dt.date, codes: list[str], rng: np.random.Generator) -> None:
    """One day file: 24 hours x 15 types, one column per station (vectorised formatting)."""
    n = len(codes)
    stamp = day.strftime("%Y%m%d")
    scale = np.array([_SCALE.get(t.split("_", 1)[0], 50) for t in TYPES], dtype=np.float64)
    values = rng.gamma(4.0, 1.0, size=(24, len(TYPES), n)) * (scale / 4.0)[None, :, None]
    is_co = np.array([t.startswith("CO") for t in TYPES])[None, :, None]
    text = np.where(
        is_co, np.round(values, 3).astype(str), values.astype(np.int64).astype(str)
    ).astype(object)
    text[rng.random(text.shape) < 0.03] = ""
    lines = ["date,hour,type," + ",".join(codes)]
    for hour in range(24):
        for k, t in enumerate(TYPES):
            lines.append(f"{stamp},{hour},{t}," + ",".join(text[hour, k]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_year(folder: Path, year: int, n_stations: int, seed: int = 2026) -> list[str]:
    """A year's files (plus the next January 1) under ``folder``; returns the station codes."""
    folder.mkdir(parents=True, exist_ok=True)
    codes = station_codes(n_stations)
    rng = np.random.default_rng(seed + year)
    day = dt.date(year, 1, 1)
    while day <= dt.date(year + 1, 1, 1):
        path = folder / f"china_sites_{day:%Y%m%d}.csv"
        if not path.exists():
            write_day(path, day, codes, rng)
        day += dt.timedelta(days=1)
    return codes


def write_year_quickly(folder: Path, year: int, n_stations: int, templates: int = 28) -> list[str]:
    """A year's files like :func:`write_year`, but only the first ``templates`` days drawn at
    random; every later day is a copy of one of them with its dates rewritten (the same size and
    parsing cost, written in seconds rather than minutes on a national scale)."""
    folder.mkdir(parents=True, exist_ok=True)
    codes = station_codes(n_stations)
    rng = np.random.default_rng(2026 + year)
    first = dt.date(year, 1, 1)
    for k in range(templates):
        day = first + dt.timedelta(days=k)
        path = folder / f"china_sites_{day:%Y%m%d}.csv"
        if not path.exists():
            write_day(path, day, codes, rng)
    day = first + dt.timedelta(days=templates)
    while day <= dt.date(year + 1, 1, 1):
        path = folder / f"china_sites_{day:%Y%m%d}.csv"
        if not path.exists():
            src_day = first + dt.timedelta(days=(day - first).days % templates)
            raw = (folder / f"china_sites_{src_day:%Y%m%d}.csv").read_bytes()
            path.write_bytes(
                raw.replace(f"\n{src_day:%Y%m%d},".encode(), f"\n{day:%Y%m%d},".encode())
            )
        day += dt.timedelta(days=1)
    return codes


def write_decade(folder: Path, year_folder: Path, first_year: int, years: int) -> int:
    """``years`` years of day files from ``first_year`` (plus the next January 1) under ``folder``,
    each a copy of the same month-day's file of ``year_folder`` (written by :func:`write_year`)
    with its dates rewritten (February 29 copies February 28): the archive's own format at ten
    times the files, written in seconds. Returns the bytes on disk."""
    folder.mkdir(parents=True, exist_ok=True)
    dated = {
        dt.datetime.strptime(p.stem[-8:], "%Y%m%d").date(): p
        for p in sorted(year_folder.glob("china_sites_*.csv"))
    }
    src_year = min(dated).year
    sources = {(d.month, d.day): (p, d) for d, p in dated.items() if d.year == src_year}
    day, end = dt.date(first_year, 1, 1), dt.date(first_year + years, 1, 1)
    total = 0
    while day <= end:
        path = folder / f"china_sites_{day:%Y%m%d}.csv"
        if not path.exists():
            key = (2, 28) if (day.month, day.day) == (2, 29) else (day.month, day.day)
            src, src_day = sources[key]
            raw = src.read_bytes().replace(
                f"\n{src_day:%Y%m%d},".encode(), f"\n{day:%Y%m%d},".encode()
            )
            path.write_bytes(raw)
        total += path.stat().st_size
        day += dt.timedelta(days=1)
    return total


def _cut(raw: bytes, wanted: set[str]) -> bytes | None:
    """The old ``envmon ratio`` pre-step: keep ``date,hour,type`` and the wanted columns."""
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = [h.strip() for h in rows[0]]
    keep = [0, 1, 2] + [i for i, h in enumerate(header) if i > 2 and h in wanted]
    if len(keep) == 3:
        return None
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for row in rows:
        w.writerow([row[i] if i < len(row) else "" for i in keep])
    return buf.getvalue().encode()


def frame_path_city(paths: list[Path], wanted: set[str], year: int) -> pd.DataFrame:
    """The oracle: the frame path ``envmon ratio`` used before the streaming reader."""
    frames = []
    for path in paths:
        cut = _cut(path.read_bytes(), wanted)
        if cut is None:
            continue
        r = parse_archive_csv(cut).readings
        frames.append(r[r["pollutant"].isin(POLLUTANTS)])
    if not frames or all(f.empty for f in frames):
        return pd.DataFrame()
    long = pd.concat(frames, ignore_index=True)
    long = long.drop_duplicates(["station", "time", "pollutant"], keep="first")
    wide = long.pivot(index=["station", "time"], columns="pollutant", values="value").reset_index()
    wide.columns.name = None
    daily = daily_values(wide)
    days = pd.to_datetime(daily["date"]).dt.date
    daily = daily[(days >= dt.date(year, 1, 1)) & (days <= dt.date(year, 12, 31))]
    if daily.empty:
        return pd.DataFrame()
    return district_daily(daily, dict.fromkeys(daily["station"].unique(), "city"))
