"""Archive folders to arrays in bounded memory: the reading path of ``envmon ratio`` and ``assess``.

Each day file is read straight into arrays (``national_archive.read_archive_block``: only the wanted
station columns, the reading rules of the collector, no long frame), in parallel worker processes
when asked, and placed into one float64 array per pollutant of (stations, hours of the period). A year
of 1,700 stations is 6 x 1,700 x 8,784 x 8 B = 0.72 GB; the daily values are then computed in chunks
of stations, so the peak stays near that size whatever else the folder holds (files outside the
period are never opened). The station days equal the frame path's (``parse_archive_csv`` -> ``daily_values``) to
the last digit: the same parsing rules, the same float64 daily core and the same frame builder.

Hour convention: row ``date=D, hour=H`` is the hour ending D H:00 CST, so natural day D is
``D 01:00 .. D+1 00:00`` and the file of January 1 of the next year completes December 31.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from tqdm import tqdm

from stations.collectors.national_archive import (
    ArchiveBlock,
    ArchiveFileError,
    archive_file_date,
    iter_archive_files,
    read_archive_block,
)
from stations.model import POLLUTANTS
from stations.standards import daily_arrays
from stations.standards.assumptions import DEFAULT, Assumptions
from stations.standards.validity import station_days_frame

FloatArray = npt.NDArray[np.float64]

#: A wrapper around the (file, block) stream, e.g. a tqdm progress bar over it.
Progress = Callable[
    [Iterable[tuple[Path, "ArchiveBlock | str"]]], Iterable[tuple[Path, "ArchiveBlock | str"]]
]

#: Stations per chunk of the daily computation (bounds its temporaries to ~0.1 GB for a year).
STATION_CHUNK: Final = 256
_EPOCH: Final = dt.date(1970, 1, 1)


class BadArchiveFile(ValueError):
    """An archive file that cannot be read; ``path`` names it, ``reason`` says why."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[BadArchiveFile], tuple[Path, str]]:
        # Raised in a worker process or on a cluster: travels back with its path and reason.
        return (BadArchiveFile, (self.path, self.reason))


@dataclass(slots=True)
class PeriodArrays:
    """Hourly values of the CST days ``first .. last``: ``hourly[p]`` is (stations, days * 24), the
    first hour ending 01:00 CST on ``first``; ``has_row()`` (stations, days) marks station-days with
    any accepted value; ``found`` the wanted labels some file had; ``bad_files`` those skipped."""

    first: dt.date
    stations: list[str]
    hourly: dict[str, FloatArray]
    files: int
    refused: int
    found: set[str] = field(default_factory=set)
    bad_files: list[str] = field(default_factory=list)

    @property
    def days(self) -> int:
        return int(next(iter(self.hourly.values())).shape[1]) // 24

    def has_row(self) -> npt.NDArray[np.bool_]:
        s, d = len(self.stations), self.days
        out = np.zeros((s, d), dtype=bool)
        for values in self.hourly.values():
            out |= ~np.isnan(values.reshape(s, d, 24)).all(axis=2)
        return out


def read_file_block(args: tuple[str, frozenset[str]]) -> ArchiveBlock | str:
    """Worker: one file to a block, or the reason it cannot be read (a message, not an exception,
    so that the main process names the file)."""
    path, wanted = args
    try:
        return read_archive_block(Path(path).read_bytes(), wanted)
    except (ArchiveFileError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}" if isinstance(exc, OSError) else str(exc)


def archive_files(archive: Path, first: dt.date, last: dt.date) -> list[Path]:
    """The files that can hold hours of the days ``first .. last``: dated the day before to the day
    after (hour 0 of a file belongs to the day before), and undated files, in file order."""
    lo, hi = first - dt.timedelta(days=1), last + dt.timedelta(days=1)
    out = []
    for path in iter_archive_files(archive):
        d = archive_file_date(path)
        if d is None or lo <= d <= hi:
            out.append(path)
    return out


def _blocks(
    paths: Sequence[Path], wanted: frozenset[str], workers: int
) -> Iterator[tuple[Path, ArchiveBlock | str]]:
    """Blocks in file order (the first accepted value of a station-hour wins, as in the frame path)."""
    jobs = [(str(p), wanted) for p in paths]
    if workers <= 1 or len(paths) < 8:
        for p, job in zip(paths, jobs, strict=True):
            yield p, read_file_block(job)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from zip(paths, pool.map(read_file_block, jobs, chunksize=4), strict=True)


def read_period(
    paths: Sequence[Path],
    wanted: Sequence[str],
    first: dt.date,
    last: dt.date,
    *,
    workers: int = 1,
    skip_bad_files: bool = False,
    progress: Progress | None = None,
) -> PeriodArrays:
    """Read ``paths`` into the arrays of the days ``first .. last`` for the ``wanted`` header labels
    (codes or names), about 6 x stations x hours x 8 bytes.

    A file that cannot be read raises :class:`BadArchiveFile` naming it, unless ``skip_bad_files``:
    then it is listed in ``bad_files`` and counted out.
    """
    axis = {name: i for i, name in enumerate(dict.fromkeys(wanted))}
    days = (last - first).days + 1
    start = (first - _EPOCH).days * 24
    n_hours = days * 24
    data = np.full((len(POLLUTANTS), len(axis), n_hours), np.nan)
    files = refused = 0
    bad: list[str] = []
    found: set[str] = set()
    blocks: Iterable[tuple[Path, ArchiveBlock | str]] = _blocks(paths, frozenset(axis), workers)
    if progress is not None:
        blocks = progress(blocks)
    for path, block in blocks:
        if isinstance(block, str):
            if not skip_bad_files:
                raise BadArchiveFile(path, block)
            bad.append(f"{path}: {block}")
            continue
        if not block.stations:
            continue
        files += 1
        refused += block.refused
        found.update(block.stations)
        rows = np.flatnonzero((block.hour >= start) & (block.hour < start + n_hours))
        if rows.size == 0:
            continue
        cols = np.array([axis[s] for s in block.stations], dtype=np.int64)
        p = block.pollutant[rows][:, None]
        h = (block.hour[rows] - start)[:, None]
        current = data[p, cols[None, :], h]
        new = block.values[rows]
        data[p, cols[None, :], h] = np.where(np.isnan(current), new, current)
    names = list(axis)
    hourly = {p: data[i] for i, p in enumerate(POLLUTANTS)}
    return PeriodArrays(first, names, hourly, files, refused, found, bad)


def station_days(
    arrays: PeriodArrays, standard: str | None = None, assumptions: Assumptions = DEFAULT
) -> pd.DataFrame:
    """The ``daily_values`` frame (HJ 663 validity, HJ 633 scores) of every station-day with any
    accepted hour, computed in chunks of stations so that temporaries stay small."""
    s, d = len(arrays.stations), arrays.days
    daily: dict[str, npt.NDArray[np.generic]] = {}
    for lo in range(0, s, STATION_CHUNK):
        hi = min(s, lo + STATION_CHUNK)
        part = daily_arrays({p: v[lo:hi] for p, v in arrays.hourly.items()}, assumptions)
        for k, v in part.items():
            if k not in daily:
                daily[k] = np.empty((s, d), dtype=np.asarray(v).dtype)
            daily[k][lo:hi] = v
    first_day = (arrays.first - _EPOCH).days
    return station_days_frame(
        daily,
        arrays.has_row(),
        arrays.stations,
        first_day,
        standard=standard,
        assumptions=assumptions,
    )


def progress_bar(label: str) -> Progress:
    """A tqdm bar over the file stream (for a terminal), labelled ``label``."""

    def wrap(
        items: Iterable[tuple[Path, ArchiveBlock | str]],
    ) -> Iterable[tuple[Path, ArchiveBlock | str]]:
        return tqdm(items, unit="file", desc=label)

    return wrap
