"""An archive folder as a Zarr store (``envmon archive to-zarr``), for repeated questions over the
same history: parse once, then ``envmon ratio`` / ``envmon assess --archive STORE.zarr`` read only
the chunks of the stations and days they ask for.

The store holds the hourly Dataset of ``service.archive_graph`` (variable ``value``: float32,
dims ``pollutant, station, hour``, chunks of ``STATION_CHUNK`` stations x ``CHUNK_DAYS`` days x
6 pollutants) over the days from the day before the first dated file (whose hour 0 it holds) to the
last dated file's day, for every station label of any file header, and in its attributes what the
files gave: per file its name, the CST day it is named for, whether it was read, the cells refused,
and the files that could not be read (``bad_files``, with --skip-bad-files; never dropped).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import xarray as xr
import zarr

from service.archive_graph import (
    CHUNK_DAYS,
    FileInfo,
    HourlyGraph,
    NeedsFloat64,
    day_number,
    hourly_dataset,
    hourly_from_files,
)
from stations.collectors.national_archive import archive_file_date, iter_archive_files

#: Stations per chunk of the store: a question about a few stations reads few chunks.
STATION_CHUNK: Final = 128
_FIRST_LINE_BYTES: Final = 1 << 20
_EPOCH: Final = dt.date(1970, 1, 1)


def is_zarr_store(path: Path) -> bool:
    """Whether ``path`` is a Zarr store (v3 ``zarr.json`` or v2 ``.zgroup`` at its root)."""
    return (path / "zarr.json").is_file() or (path / ".zgroup").is_file()


def header_labels(path: Path) -> list[str]:
    """The station labels of a file's header (after ``date,hour,type``); [] when unreadable (the
    graph names such a file when it parses it)."""
    with path.open("rb") as fh:
        first = fh.readline(_FIRST_LINE_BYTES)
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = first.decode(enc)
        except UnicodeDecodeError:
            continue
        labels = [h.strip() for h in next(csv.reader([text]), [])]
        return labels[3:] if [h.lower() for h in labels[:3]] == ["date", "hour", "type"] else []
    return []


@dataclass(slots=True)
class WriteSummary:
    """What ``envmon archive to-zarr`` wrote."""

    store: Path
    first: dt.date
    last: dt.date
    stations: int
    files: int
    refused: int
    bad_files: list[str]
    dtype: str

    def as_json(self) -> dict[str, Any]:
        return {
            "store": str(self.store),
            "first_day": self.first.isoformat(),
            "last_day": self.last.isoformat(),
            "stations": self.stations,
            "files": self.files,
            "refused": self.refused,
            "bad_files": self.bad_files,
            "dtype": self.dtype,
        }


def write_store(
    archive: Path,
    out: Path,
    *,
    compute: Any,
    skip_bad_files: bool = False,
) -> WriteSummary:
    """Parse every file of ``archive`` into the store ``out`` (which must not exist) with
    ``compute`` (``service.dask_run.compute`` bound to a scheduler). Raises ``BadArchiveFile``
    for an unreadable file unless ``skip_bad_files``; ``ValueError`` when no file is dated."""
    paths = list(iter_archive_files(archive))
    dated = [d for d in (archive_file_date(p) for p in paths) if d is not None]
    if not dated:
        raise ValueError(
            f"{archive}: no archive file with a date in its name (china_sites_YYYYMMDD.csv)"
        )
    labels = list(dict.fromkeys(label for p in paths for label in header_labels(p)))
    first, last = min(dated) - dt.timedelta(days=1), max(dated)
    partial = out.with_name(out.name + ".partial")
    try:
        got = _write(partial, paths, labels, first, last, compute, skip_bad_files, np.float32)
    except NeedsFloat64:  # values with more decimals than the archive's: a float64 store
        got = _write(partial, paths, labels, first, last, compute, skip_bad_files, np.float64)
    infos: list[FileInfo] = [info for part in got[1] for info in part]
    files: list[dict[str, Any]] = [
        {
            "name": str(Path(i.path).relative_to(archive)),
            "day": None if (d := archive_file_date(i.path)) is None else day_number(d),
            "read": i.read,
            "refused": i.refused,
        }
        for i in infos
        if i.bad is None
    ]
    bad: list[dict[str, Any]] = [
        {
            "name": str(Path(i.path).relative_to(archive)),
            "day": None if (d := archive_file_date(i.path)) is None else day_number(d),
            "why": i.bad,
        }
        for i in infos
        if i.bad is not None
    ]

    group = zarr.open_group(str(partial), mode="r+")
    group.attrs.update({"envmon_files": json.dumps(files), "envmon_bad_files": json.dumps(bad)})
    partial.rename(out)
    return WriteSummary(
        out,
        first,
        last,
        len(labels),
        sum(f["read"] for f in files),
        sum(int(f["refused"]) for f in files),
        [b["why"] for b in bad],
        str(got[2]),
    )


def _write(
    partial: Path,
    paths: list[Path],
    labels: list[str],
    first: dt.date,
    last: dt.date,
    compute: Any,
    skip_bad_files: bool,
    dtype: type[np.floating[Any]],
) -> tuple[Any, ...]:
    """Write the store at ``partial`` (removed again if anything fails); the computed infos."""
    graph = hourly_from_files(
        paths, labels, first, last, skip_bad_files=skip_bad_files, dtype=dtype
    )
    # Labels as variable-length strings (a fixed-width type has no Zarr v3 specification).
    ds = graph.hourly.assign_coords(
        station=np.array(labels, dtype=object),
        pollutant=np.array(graph.hourly["pollutant"].values.tolist(), dtype=object),
    ).chunk({"pollutant": -1, "station": STATION_CHUNK, "hour": 24 * CHUNK_DAYS})
    shutil.rmtree(partial, ignore_errors=True)
    try:
        write = ds.to_zarr(partial, mode="w-", compute=False, consolidated=False)
        got: tuple[Any, ...] = compute(write, graph.infos)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return (*got, np.dtype(dtype).name)


@dataclass(slots=True)
class StoreSlice:
    """The lazy hourly values of some stations and days from a store, with what its files gave:
    ``found`` (wanted labels the store holds), ``files`` read and ``bad_files`` skipped among the
    files that can hold hours of those days."""

    graph: HourlyGraph
    found: set[str]
    files: int
    bad_files: list[str]


def open_hourly(store: Path, wanted: list[str], first: dt.date, last: dt.date) -> StoreSlice:
    """The hourly Dataset of the ``wanted`` labels (codes or names) over the days ``first ..
    last`` from ``store``; days the store does not cover are missing hours (NaN)."""
    ds = xr.open_zarr(store, consolidated=False)
    held = {str(s): i for i, s in enumerate(ds["station"].values)}
    present = [w for w in dict.fromkeys(wanted) if w in held]
    lo, hi = 24 * day_number(first), 24 * (day_number(last) + 1)
    value = ds["value"].isel(station=[held[w] for w in present])
    value = value.reindex(hour=np.arange(lo, hi, dtype=np.int64), fill_value=np.float32(np.nan))
    value = value.astype(ds["value"].dtype).chunk(
        {"pollutant": -1, "station": -1, "hour": 24 * CHUNK_DAYS}
    )
    graph = HourlyGraph(first, hourly_dataset(value.data, present, lo), [])
    d_lo, d_hi = day_number(first) - 1, day_number(last) + 1

    def near(entry: dict[str, Any]) -> bool:
        return entry["day"] is None or d_lo <= int(entry["day"]) <= d_hi

    files = json.loads(ds.attrs.get("envmon_files", "[]"))
    bad = json.loads(ds.attrs.get("envmon_bad_files", "[]"))
    return StoreSlice(
        graph,
        set(present),
        sum(1 for f in files if f["read"] and near(f)),
        [b["why"] for b in bad if near(b)],
    )
