"""The daily pipeline on xarray + Dask + flox: the archive path for national runs and long histories.

Files are parsed in chunks of days (``CHUNK_DAYS``), each straight into a typed array (float32,
pollutant x station x hour, never a long frame), lazily as a Dask graph; the hourly values are one
xarray ``Dataset`` (variable ``value``, dims ``pollutant, station, hour``) whether they come from an
archive folder (:func:`hourly_from_files`) or a Zarr store (``service.archive_zarr``). The daily
reductions are flox grouped reductions over the hour axis (days never cross a chunk, so each runs
blockwise), the validity rules and scores are the in-memory core's own
(``stations.standards.daily_from_reductions``, ``station_days_frame``), applied chunk by chunk, so
the peak memory follows the chunk size and the worker count, not the length of the history.

Same answer as the in-memory core (``service.archive``) to the last digit:
- float32 holds every archive value exactly as decimal: the archive's values are integers in µg/m³
  and CO in mg/m³ with at most ``ARCHIVE_DECIMALS`` decimals, so ``from_stored`` (round to that
  many decimals) gives back the float64 the parser read. A value it cannot give back (more
  decimals, as in files converted from other sources) raises :class:`NeedsFloat64`, and the
  callers run the same graph again with float64 arrays (twice the memory of a chunk, still exact);
- the 24-h sums are added hour after hour from the first (flox's ``numpy`` engine, and
  ``stations.standards.hour_order_sum`` in the core); counts and maxima do not depend on order;
- a station-hour present in several files keeps the first accepted value in file order.

Hour axis: ``hour`` h is the CST hour ending at (h + 1):00 counted from 1970-01-01 (the reader's
``ArchiveBlock.hour``), so day number ``d`` is hours ``24 d .. 24 d + 23``. A file named for day D
holds the hours ``24 D - 1 .. 24 D + 22`` (its hour 0 ends day D-1); a named file holding rows of
other days stops the run with its name (the chunks read a file with the days it is named for).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from operator import getitem
from pathlib import Path
from typing import Any, Final

import dask.array as da
import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr
from dask.base import tokenize
from dask.delayed import Delayed, delayed
from dask.highlevelgraph import HighLevelGraph
from flox import groupby_reduce

from service.archive import BadArchiveFile, read_file_block
from stations.collectors.national_archive import (
    ARCHIVE_DECIMALS,
    ArchiveBlock,
    archive_file_date,
)
from stations.model import POLLUTANTS
from stations.standards import district_daily
from stations.standards.assumptions import DEFAULT, Assumptions
from stations.standards.validity import (
    MEAN_24H,
    daily_from_reductions,
    o3_8h_day_windows,
    station_days_frame,
)

#: Days per chunk of the hour axis: 32 days of 1,700 stations x 6 pollutants is 31 MB of float32.
CHUNK_DAYS: Final = 32
#: The city's label in the city-day frame.
CITY: Final = "city"
_EPOCH: Final = dt.date(1970, 1, 1)
_SCALE: Final = 10.0**ARCHIVE_DECIMALS
_WINDOWS_PER_DAY: Final = 17  # O3 8-h windows ending 08..24 h
_O3: Final = POLLUTANTS.index("O3")
_MEANS: Final = [POLLUTANTS.index(p) for p in MEAN_24H]

Float32Array = npt.NDArray[np.float32]
FloatArray = npt.NDArray[np.float64]


def day_number(day: dt.date) -> int:
    """CST day number: days since 1970-01-01."""
    return (day - _EPOCH).days


def to_float32(values: FloatArray) -> Float32Array:
    """The stored form of archive values (µg/m³, CO mg/m³): float32, NaN = missing."""
    return values.astype(np.float32)


def from_float32(values: npt.NDArray[np.floating[Any]]) -> FloatArray:
    """The float64 the parser read, from the stored float32 (exact for values of at most
    ``ARCHIVE_DECIMALS`` decimals below 8,000; larger are refused by the ceilings)."""
    return np.round(values.astype(np.float64) * _SCALE) / _SCALE


def from_stored(values: npt.NDArray[np.floating[Any]]) -> FloatArray:
    """The float64 values of a stored array: float32 through :func:`from_float32`, float64 as is."""
    if values.dtype == np.float32:
        return from_float32(values)
    return values.astype(np.float64, copy=False)


class NeedsFloat64(ValueError):
    """A value float32 cannot give back exactly (more than ``ARCHIVE_DECIMALS`` decimals): run
    the graph again with ``dtype=np.float64``."""

    def __init__(self, path: str, value: float) -> None:
        super().__init__(f"{path}: value {value!r} needs float64")
        self.path = path
        self.value = value

    def __reduce__(self) -> tuple[type[NeedsFloat64], tuple[str, float]]:
        return (NeedsFloat64, (self.path, self.value))


@dataclass(frozen=True, slots=True)
class FileInfo:
    """What one file gave: ``read`` (it had a wanted station), cells ``refused`` by the reading
    rules, the wanted labels ``found``, and ``bad`` (why it was skipped, with --skip-bad-files)."""

    path: str
    read: bool
    refused: int
    found: tuple[str, ...]
    bad: str | None = None


def _file_problem(
    path: str, block: ArchiveBlock, day: int | None, lo: int, hi: int, dtype: npt.DTypeLike
) -> str | None:
    """Why the chunked path cannot take this block as it is, else None."""
    inside = (block.hour >= lo) & (block.hour < hi)
    if day is not None:
        own = (block.hour >= 24 * day - 1) & (block.hour <= 24 * day + 22)
        stray = inside & ~own
        if stray.any():
            h = int(block.hour[stray][0])
            when = (_EPOCH + dt.timedelta(days=(h + 1) // 24)).strftime("%Y%m%d")
            return (
                f"rows dated {when} hour {(h + 1) % 24} in a file named for another day "
                "(each file is read with the day its name gives)"
            )
    if np.dtype(dtype) == np.float32:
        values = block.values[inside]
        with np.errstate(invalid="ignore"):
            lost = ~np.isnan(values) & (from_float32(to_float32(values)) != values)
        if lost.any():
            raise NeedsFloat64(path, float(values[lost][0]))
    return None


def check_file(
    path: str,
    block: ArchiveBlock | str,
    lo: int,
    hi: int,
    skip_bad_files: bool,
    dtype: npt.DTypeLike = np.float32,
) -> FileInfo:
    """The file's :class:`FileInfo`; raises :class:`BadArchiveFile` naming it when it cannot be
    read unless ``skip_bad_files``, :class:`NeedsFloat64` when ``dtype`` is float32 and cannot
    hold one of its values. ``lo .. hi``: the hours wanted."""
    d = archive_file_date(path)
    named = None if d is None else day_number(d)
    problem = block if isinstance(block, str) else _file_problem(path, block, named, lo, hi, dtype)
    if problem is not None:
        if not skip_bad_files:
            raise BadArchiveFile(Path(path), problem)
        return FileInfo(path, False, 0, (), f"{path}: {problem}")
    assert not isinstance(block, str)
    return FileInfo(path, bool(block.stations), block.refused, block.stations)


def assemble_chunk(
    lo: int,
    n_hours: int,
    stations: tuple[str, ...],
    dtype: npt.DTypeLike,
    *parts: tuple[FileInfo, ArchiveBlock | str],
    into: npt.NDArray[np.floating[Any]] | None = None,
) -> npt.NDArray[np.floating[Any]]:
    """The (pollutant, station, hour) array (``dtype``) of the hours ``lo .. lo + n_hours`` from the
    blocks of the files that hold them, in file order: the first accepted value of a station-hour
    wins, as in the in-memory path. ``into``: an array to go on filling (the values of earlier
    files)."""
    axis = {name: i for i, name in enumerate(stations)}
    if into is None:
        data = np.full((len(POLLUTANTS), len(stations), n_hours), np.nan, dtype=dtype)
    else:
        data = into
    for info, block in parts:
        if info.bad is not None or isinstance(block, str) or not block.stations:
            continue
        rows = np.flatnonzero((block.hour >= lo) & (block.hour < lo + n_hours))
        if rows.size == 0:
            continue
        cols = np.array([axis[s] for s in block.stations], dtype=np.int64)[None, :]
        p = block.pollutant[rows][:, None]
        h = (block.hour[rows] - lo)[:, None]
        current = data[p, cols, h]
        new = block.values[rows].astype(dtype)
        data[p, cols, h] = np.where(np.isnan(current), new, current)
    return data


@dataclass(slots=True)
class HourlyGraph:
    """The lazy hourly Dataset of the days ``first .. last`` and the lazy per-file infos (empty
    for a Zarr store, whose infos were taken when it was written)."""

    first: dt.date
    hourly: xr.Dataset
    infos: list[Any]


def hourly_dataset(
    value: da.Array,
    stations: Sequence[str],
    first_hour: int,
    attrs: Mapping[str, Any] | None = None,
) -> xr.Dataset:
    """The hourly Dataset around a (pollutant, station, hour) array of values."""
    n_hours = value.shape[2]
    return xr.Dataset(
        {"value": (("pollutant", "station", "hour"), value)},
        coords={
            "pollutant": list(POLLUTANTS),
            "station": list(stations),
            "hour": np.arange(first_hour, first_hour + n_hours, dtype=np.int64),
        },
        attrs={
            "units": "µg/m³ (CO mg/m³)",
            "hour": "CST hour ending at (hour + 1):00, counted from 1970-01-01 00:00 CST",
            **(attrs or {}),
        },
    )


def read_chunk(
    jobs: Sequence[tuple[str, bool]],
    chunk_lo: int,
    n_hours: int,
    stations: tuple[str, ...],
    dtype: npt.DTypeLike,
    lo: int,
    hi: int,
    skip_bad_files: bool,
) -> tuple[npt.NDArray[np.floating[Any]], list[FileInfo]]:
    """One chunk of hours ``chunk_lo .. chunk_lo + n_hours`` read from its files (in file order,
    one block held at a time): the (pollutant, station, hour) array and the infos of the files it
    answers for (``jobs``: path and whether this chunk counts it; a file feeding two chunks is
    parsed by both and counted by one). ``lo .. hi``: the hours of the whole period."""
    wanted = frozenset(stations)
    data = np.full((len(POLLUTANTS), len(stations), n_hours), np.nan, dtype=dtype)
    infos = []
    # One tuple per header seen: every file's own tuple of 1,700 labels (130 KiB) would be held
    # until the run ends, 0.45 GiB over a national decade.
    headers: dict[tuple[str, ...], tuple[str, ...]] = {}
    for path, counted in jobs:
        block = read_file_block((path, wanted))
        info = check_file(path, block, lo, hi, skip_bad_files, dtype)
        if counted:
            found = headers.setdefault(info.found, info.found)
            infos.append(info if found is info.found else replace(info, found=found))
        data = assemble_chunk(chunk_lo, n_hours, stations, dtype, (info, block), into=data)
    return data, infos


def hourly_from_files(
    paths: Sequence[Path],
    wanted: Sequence[str],
    first: dt.date,
    last: dt.date,
    *,
    skip_bad_files: bool = False,
    chunk_days: int = CHUNK_DAYS,
    dtype: npt.DTypeLike = np.float32,
) -> HourlyGraph:
    """The lazy hourly Dataset of the ``wanted`` header labels over the days ``first .. last``,
    from archive files in file order: one task per chunk of days parses its files straight into
    its array (only arrays and file infos travel between processes); an unreadable file raises
    :class:`BadArchiveFile` when computed, unless ``skip_bad_files``."""
    names = tuple(dict.fromkeys(wanted))
    first_day, n_days = day_number(first), (last - first).days + 1
    lo, hi = 24 * first_day, 24 * (first_day + n_days)
    starts = list(range(0, n_days, chunk_days))
    days = [archive_file_date(p) for p in paths]
    owner = [
        0 if d is None else min(max((day_number(d) - first_day) // chunk_days, 0), len(starts) - 1)
        for d in days
    ]
    # One task per chunk returns (array, infos); the array's block and the infos are taken from
    # that one result by key (a delayed value wrapped into an array would be run by each user).
    name = "archive-hours-" + tokenize(list(map(str, paths)), names, lo, hi, chunk_days, str(dtype))
    dsk: dict[Any, Any] = {}
    widths = []
    for k, c0 in enumerate(starts):
        c1 = min(n_days, c0 + chunk_days)
        d0, d1 = first_day + c0, first_day + c1 - 1
        jobs = [
            (str(p), owner[i] == k)
            for i, (p, d) in enumerate(zip(paths, days, strict=True))
            if owner[i] == k or d is None or d0 <= day_number(d) <= d1 + 1
        ]
        dsk[(f"{name}-read", k)] = (
            read_chunk,
            jobs,
            24 * d0,
            24 * (c1 - c0),
            names,
            dtype,
            lo,
            hi,
            skip_bad_files,
        )
        dsk[(name, 0, 0, k)] = (getitem, (f"{name}-read", k), 0)
        dsk[(f"{name}-files", k)] = (getitem, (f"{name}-read", k), 1)
        widths.append(24 * (c1 - c0))
    graph = HighLevelGraph.from_collections(name, dsk, dependencies=())
    infos: list[Any] = [
        Delayed((f"{name}-files", k), graph, layer=name)  # type: ignore[no-untyped-call]
        for k in range(len(starts))
    ]
    if widths:
        value = da.Array(  # type: ignore[no-untyped-call]
            graph, name, chunks=((len(POLLUTANTS),), (len(names),), tuple(widths)), dtype=dtype
        )
    else:
        value = da.full(  # type: ignore[no-untyped-call]
            (len(POLLUTANTS), len(names), 0), np.nan, dtype=dtype
        )
    return HourlyGraph(first, hourly_dataset(value, names, lo), infos)


def _o3_windows(block: npt.NDArray[np.floating[Any]]) -> FloatArray:
    """(station, hours) O3 block -> (station, days x 17) 8-h window means, NaN where invalid."""
    s, h = block.shape
    o3d = from_stored(block).reshape(s, h // 24, 24)
    return o3_8h_day_windows(o3d).reshape(s, (h // 24) * _WINDOWS_PER_DAY)


def _grouped(array: da.Array, labels: npt.NDArray[np.int64], func: str, days: int) -> da.Array:
    got = groupby_reduce(
        array,
        labels,
        func=func,
        expected_groups=np.arange(days),
        isbin=False,
        axis=-1,
        engine="numpy",
        method="blockwise",
    )
    out: da.Array = got[0]
    return out


def daily_reductions(hourly: xr.Dataset) -> xr.Dataset:
    """Per station-day flox reductions of the hourly values (lazy): ``n_<P>``, ``sum_<P>`` of the
    24-h pollutants, ``n_O3``, ``max_O3``, ``n_O3_8h_windows``, ``max_O3_8h`` (the inputs of
    ``stations.standards.daily_from_reductions``), dims ``station, day``."""
    value = hourly["value"].data
    n_hours = value.shape[2]
    days = n_hours // 24
    if n_hours % 24:
        raise ValueError("hour axis: whole days expected")
    # Whole days per chunk: every group (day) lies in one chunk, so flox reduces blockwise.
    step = max(24, (max(value.chunks[2]) // 24) * 24) if n_hours else 24
    value = value.rechunk({0: -1, 2: step})
    labels = np.repeat(np.arange(days, dtype=np.int64), 24)
    exact = value.map_blocks(from_stored, dtype=np.float64)
    means = exact[_MEANS]
    o3 = exact[_O3]
    o3_stored = value[_O3]
    windows = o3_stored.map_blocks(
        _o3_windows,
        dtype=np.float64,
        chunks=(
            o3_stored.chunks[0],
            tuple(c // 24 * _WINDOWS_PER_DAY for c in o3_stored.chunks[1]),
        ),
    )
    wlabels = np.repeat(np.arange(days, dtype=np.int64), _WINDOWS_PER_DAY)
    n_means = _grouped(means, labels, "count", days)
    sum_means = _grouped(means, labels, "nansum", days)
    dims = ("station", "day")
    data: dict[str, tuple[tuple[str, str], da.Array]] = {}
    for i, p in enumerate(MEAN_24H):
        data[f"n_{p}"] = (dims, n_means[i])
        data[f"sum_{p}"] = (dims, sum_means[i])
    data["n_O3"] = (dims, _grouped(o3, labels, "count", days))
    data["max_O3"] = (dims, _grouped(o3, labels, "nanmax", days))
    data["n_O3_8h_windows"] = (dims, _grouped(windows, wlabels, "count", days))
    data["max_O3_8h"] = (dims, _grouped(windows, wlabels, "nanmax", days))
    first_day = int(hourly["hour"].values[0]) // 24 if n_hours else 0
    return xr.Dataset(
        data,
        coords={
            "station": hourly["station"].values,
            "day": np.arange(first_day, first_day + days, dtype=np.int64),
        },
    )


def city_frame(station_days: pd.DataFrame, standard: str | None = None) -> pd.DataFrame:
    """The city day: per pollutant the mean of the stations' valid daily values, then IAQI/AQI
    (``stations.standards.district_daily`` with every station mapped to :data:`CITY`)."""
    if station_days.empty:
        return pd.DataFrame()
    return district_daily(
        station_days, dict.fromkeys(station_days["station"].unique(), CITY), standard=standard
    )


def _days_frame(
    blocks: Mapping[str, npt.NDArray[np.generic]],
    stations: Sequence[str],
    first_day: int,
    standard: str | None,
    assumptions: Assumptions,
    city: bool,
) -> pd.DataFrame:
    """One chunk of days: the scored station days (or the city days when ``city``)."""
    daily = daily_from_reductions(blocks, assumptions)
    has_row = np.zeros(np.asarray(blocks["n_O3"]).shape, dtype=bool)
    for k in (*(f"n_{p}" for p in MEAN_24H), "n_O3"):
        has_row |= np.asarray(blocks[k]) > 0
    frame = station_days_frame(
        daily, has_row, list(stations), first_day, standard=standard, assumptions=assumptions
    )
    return city_frame(frame, standard) if city else frame


def day_frames(
    reductions: xr.Dataset,
    *,
    standard: str | None = None,
    assumptions: Assumptions = DEFAULT,
    city: bool = False,
) -> list[Any]:
    """Lazy frames, one per chunk of days: the station days (``daily_values`` rows of every
    station-day with any accepted hour), or the city days when ``city`` (only these small frames
    ever reach the caller)."""
    ds = reductions.chunk({"station": -1})
    names = list(ds.data_vars)
    # Not optimised here: fusion would inline the chunk reads into every variable (see dask_run).
    blocks = {k: ds[k].data.to_delayed(optimize_graph=False)[0] for k in names}
    stations = [str(s) for s in ds["station"].values]
    out = []
    start = int(ds["day"].values[0]) if ds.sizes["day"] else 0
    for j, width in enumerate(ds.chunks["day"]):
        parts = {k: blocks[k][j] for k in names}
        out.append(
            delayed(_days_frame, pure=True)(parts, stations, start, standard, assumptions, city)
        )
        start += width
    return out


def concat_frames(frames: Sequence[pd.DataFrame], stations: Sequence[str]) -> pd.DataFrame:
    """Station-day frames of consecutive chunks as one, in the core's order (station, then day)."""
    kept = [f for f in frames if not f.empty]
    if not kept:
        return pd.DataFrame()
    # A chunk whose text column is all None holds it as object: infer again over the whole, as one
    # frame built at once would.
    out = pd.concat(kept, ignore_index=True).infer_objects()
    if "station" in out.columns and "district" not in out.columns:
        pos = {s: i for i, s in enumerate(stations)}
        order = np.lexsort((out["date"].to_numpy(), out["station"].map(pos).to_numpy()))
        out = out.iloc[order].reset_index(drop=True)
    return out


@dataclass(slots=True)
class GraphDays:
    """What a run of the graph gives: the station days (or the city days when asked), the wanted
    labels found in some file, the files read, cells refused, and the files skipped (listed)."""

    days: pd.DataFrame
    found: set[str]
    files: int
    refused: int
    bad_files: list[str]


def run_days(
    graph: HourlyGraph,
    *,
    compute: Any,
    standard: str | None = None,
    assumptions: Assumptions = DEFAULT,
    city: bool = False,
    found: set[str] | None = None,
    files: int = 0,
    bad_files: Sequence[str] = (),
) -> GraphDays:
    """Compute the day frames of ``graph`` and its file infos in one pass with ``compute``
    (``service.dask_run.compute`` bound to a scheduler). ``found``, ``files``, ``bad_files``:
    what a Zarr store recorded when written (a folder's graph records them in its infos)."""
    reductions = daily_reductions(graph.hourly)
    frames = day_frames(reductions, standard=standard, assumptions=assumptions, city=city)
    got = compute(frames, graph.infos)
    done_frames: list[pd.DataFrame] = list(got[0])
    infos: list[FileInfo] = [info for part in got[1] for info in part]
    stations = [str(s) for s in graph.hourly["station"].values]
    seen = set(found or ())
    n_files, refused, bad = files, 0, list(bad_files)
    for info in infos:
        if info.bad is not None:
            bad.append(info.bad)
            continue
        if info.read:
            n_files += 1
            refused += info.refused
            seen.update(info.found)
    return GraphDays(concat_frames(done_frames, stations), seen, n_files, refused, bad)


def days_from_files(
    paths: Sequence[Path],
    wanted: Sequence[str],
    first: dt.date,
    last: dt.date,
    *,
    compute: Any,
    skip_bad_files: bool = False,
    standard: str | None = None,
    assumptions: Assumptions = DEFAULT,
    city: bool = False,
    chunk_days: int = CHUNK_DAYS,
) -> GraphDays:
    """:func:`run_days` over :func:`hourly_from_files`: float32 chunks, or float64 ones when a
    value has more decimals than the archive's (:class:`NeedsFloat64`), so always exact."""

    def run(dtype: type[np.floating[Any]]) -> GraphDays:
        graph = hourly_from_files(
            paths,
            wanted,
            first,
            last,
            skip_bad_files=skip_bad_files,
            chunk_days=chunk_days,
            dtype=dtype,
        )
        return run_days(
            graph, compute=compute, standard=standard, assumptions=assumptions, city=city
        )

    try:
        return run(np.float32)
    except NeedsFloat64:
        return run(np.float64)
