"""National hourly archive CSV (全国空气质量历史数据, quotsoft layout): one file per day.

Layout: ``date,hour,type,<station>,<station>,...`` — ``date`` is ``YYYYMMDD``, ``hour`` 0..23 in China
Standard Time, ``type`` one of ``AQI, PM2.5, PM2.5_24h, PM10, PM10_24h, SO2, SO2_24h, NO2, NO2_24h, O3,
O3_24h, O3_8h, O3_8h_24h, CO, CO_24h`` (all or some present), then one column per station, headed by
the national code (``1001A``) or, in municipal variants, by the station's name (``东四``). An empty cell
is a missing value (no reading, no rejection). Units: µg/m³, CO in mg/m³. Header codes may repeat
(``1961A`` twice in 2022 files): the second occurrence is rejected as a duplicated hour.

Hour convention (decided here, with evidence)
    Row ``date=D, hour=H`` is the value **labelled D H:00 CST, i.e. the hour ending at H:00** — so
    hour 0 of file D is the hour D−1 23:00–24:00. Evidence: ``tests/unit/collectors/
    test_collector_national_archive.py::test_hour0_is_cnemc_timepoint_0000`` shows that the real
    ``china_sites_20220101`` hour-0 rows equal, station by station, the CNEMC real-time release
    rows with ``TimePoint 2022-01-01T00:00:00``, and CNEMC labels an hour by its end ("16时的小时均值
    为15:00-16:00的算术平均值"). The ``_24h`` values at hour 0 are therefore the means of day D−1.
    Output times are aware UTC: ``D H:00 CST − 8 h``.

Station keys: a column named like a national code (``^\\d{4}[A-Z]$``) is kept. A name-keyed column is
mapped to a code through the ``registry`` mapping (name -> code) when one is passed; otherwise (or if
the name is not in it) the name is kept as the station key and every reading of it is flagged
``unmapped_name``.

Public names: :func:`parse_archive_csv`, :func:`parse_file`, :func:`iter_archive_files`,
:class:`NationalArchiveCollector`, :data:`TYPE_TO_CODE`; for offline figures over many files,
:func:`read_archive_block` (one file straight to arrays, the same reading rules, no frames).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Final

import httpx
import numpy as np
import numpy.typing as npt
import pandas as pd

from stations.collectors._checks import (
    AIR_CEILINGS,
    CO_UNIT_LIMIT_MG,
    check_readings,
    never_raises,
    payload_rejected,
)
from stations.collectors._http import get_payload
from stations.collectors.base import Payload, UpstreamError, Window
from stations.cst import CST_OFFSET
from stations.model import POLLUTANTS, Parsed, Rejected

#: Archive ``type`` -> our pollutant code.
#: The hour convention above in one line, as the archive commands print it.
HOUR_CONVENTION: Final = (
    "hour H of file D is the hour ending at D H:00 CST (hour 0 = D-1 23:00-24:00); "
    "natural day D = D 01:00 .. D+1 00:00"
)

TYPE_TO_CODE: Final[dict[str, str]] = {
    "AQI": "AQI",
    "PM2.5": "PM25",
    "PM2.5_24h": "PM25_24h",
    "PM10": "PM10",
    "PM10_24h": "PM10_24h",
    "SO2": "SO2",
    "SO2_24h": "SO2_24h",
    "NO2": "NO2",
    "NO2_24h": "NO2_24h",
    "O3": "O3",
    "O3_24h": "O3_24h",
    "O3_8h": "O3_8h",
    "O3_8h_24h": "O3_8h_24h",
    "CO": "CO",
    "CO_24h": "CO_24h",
}

FLAG_UNMAPPED_NAME: Final = "unmapped_name"
#: Decimals of the archive's values: integers in µg/m³, CO in mg/m³ to 0.001 (``0.625``).
ARCHIVE_DECIMALS: Final = 3
_CODE_RE: Final = re.compile(r"^\d{4}[A-Z]$")
_DATE_IN_NAME: Final = re.compile(r"(\d{8})(?=\D*$)")


def _decode(raw: bytes) -> str | None:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def _read_cells(text: str) -> tuple[pd.DataFrame, list[Rejected]]:
    """All cells as strings (no NA conversion); ragged long lines rejected, not dropped."""
    bad: list[Rejected] = []
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        return pd.DataFrame(), []
    except (pd.errors.ParserError, ValueError):
        # Slow path only for broken files: keep every line, reject the ragged ones with their number.
        rows = list(csv.reader(io.StringIO(text)))
        width = len(rows[0]) if rows else 0
        good: list[list[str]] = []
        for i, fields in enumerate(rows, start=1):
            if len(fields) > width:
                bad.append(
                    Rejected(
                        row=",".join(fields)[:300],
                        reason=f"line: {len(fields)} fields, header has {width} (rule: one cell per header column)",
                        field="line",
                        line=i,
                    )
                )
                good.append([])
            else:
                good.append(fields + [""] * (width - len(fields)))
        frame = pd.DataFrame([g if g else [""] * width for g in good], dtype=str)
        if bad:
            keep = np.ones(len(frame), dtype=bool)
            for r in bad:
                keep[(r.line or 1) - 1] = False
            frame = frame[keep]
    return frame.fillna(""), bad


@never_raises
def parse_archive_csv(
    raw: bytes,
    *,
    registry: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Parsed:
    """Parse one national archive day file (bytes) into readings; never raises on bad data."""
    text = _decode(raw)
    if text is None:
        return payload_rejected(raw, "payload: not UTF-8 or GB18030 text")
    try:
        cells, rejected = _read_cells(text)
    except Exception as exc:  # csv/pandas internals on garbage: report, never raise
        return payload_rejected(raw, f"payload: unreadable CSV ({exc})", row=text[:200])
    if cells.empty or cells.shape[1] < 4:
        if text.strip():
            rejected.append(
                Rejected(
                    row=text[:200],
                    reason="header: expected 'date,hour,type' then at least one station column",
                    field="header",
                    line=1,
                )
            )
        return Parsed(rejected=rejected)
    header = [str(h).strip() for h in cells.iloc[0].tolist()]
    if [h.lower() for h in header[:3]] != ["date", "hour", "type"]:
        return Parsed(
            rejected=rejected
            + [
                Rejected(
                    row=",".join(header)[:300],
                    reason="header: expected columns 'date,hour,type' first",
                    field="header",
                    line=1,
                )
            ]
        )
    body = cells.iloc[1:]
    line_no = body.index.to_numpy() + 1  # header is line 1, index 0
    nonblank = (body.to_numpy(dtype=object) != "").any(axis=1)
    body, line_no = body[nonblank], line_no[nonblank]
    date = pd.to_datetime(body.iloc[:, 0].str.strip(), format="%Y%m%d", errors="coerce")
    hour = pd.to_numeric(body.iloc[:, 1].str.strip(), errors="coerce")
    typ = body.iloc[:, 2].str.strip()
    code = typ.map(TYPE_TO_CODE)

    bad_date = date.isna().to_numpy()
    bad_hour = ~(hour.between(0, 23) & (hour == hour.round())).to_numpy()
    bad_type = code.isna().to_numpy()
    line_bad = bad_date | bad_hour | bad_type
    if line_bad.any():
        for i in np.flatnonzero(line_bad):
            fields = body.iloc[i, :3].tolist()
            if bad_date[i]:
                fld, why = "date", f"date: {fields[0]!r} is not a YYYYMMDD date"
            elif bad_hour[i]:
                fld, why = "hour", f"hour: {fields[1]!r} is not an hour 0..23"
            else:
                fld, why = (
                    "type",
                    f"type: unknown type {fields[2]!r} (expected one of {', '.join(TYPE_TO_CODE)})",
                )
            rejected.append(
                Rejected(
                    row=",".join(str(c) for c in body.iloc[i].tolist())[:300],
                    reason=why,
                    field=fld,
                    line=int(line_no[i]),
                )
            )
    ok = ~line_bad
    if not ok.any():
        return Parsed(rejected=rejected)

    local = date[ok] + pd.to_timedelta(hour[ok], unit="h")
    times = (local - CST_OFFSET).dt.tz_localize("UTC").to_numpy()
    codes = code[ok].to_numpy()
    lines = line_no[ok]
    values = body.iloc[:, 3:].to_numpy(dtype=object)[ok]

    stations, flags = _station_keys(header[3:], registry)
    r, c = np.nonzero(values != "")
    cell_text = values[r, c]
    numbers = pd.to_numeric(pd.Series(cell_text), errors="coerce").to_numpy(dtype="float64")
    nan = np.isnan(numbers)
    if nan.any():  # whitespace-only cells are empty cells, not bad values
        blank = np.zeros(len(numbers), dtype=bool)
        blank[nan] = [str(t).strip() == "" for t in cell_text[nan]]
        keep = ~blank
        r, c, cell_text, numbers = r[keep], c[keep], cell_text[keep], numbers[keep]
    candidates = pd.DataFrame(
        {
            "station": stations[c],
            "time": pd.DatetimeIndex(times[r]),
            "pollutant": codes[r],
            "value": numbers,
            "flag": flags[c],
            "line": lines[r],
            "raw": cell_text,
        }
    )
    readings, bad = check_readings(candidates, now=now)
    return Parsed(readings=readings, rejected=rejected + bad)


class ArchiveFileError(ValueError):
    """A whole archive file that cannot be read (not text, no ``date,hour,type`` header)."""


@dataclass(frozen=True, slots=True)
class ArchiveBlock:
    """The hourly pollutant rows of one archive file for the wanted station columns, as arrays.

    ``hour[i]`` is the CST hour that row ``i`` covers, counted from 1970-01-01 00:00-01:00 CST
    (row ``date=D, hour=H`` is the hour ending D H:00, so ``days(D) * 24 + H - 1``); ``pollutant[i]``
    indexes ``stations.model.POLLUTANTS``; ``values[i, j]`` is station ``stations[j]``'s value
    (µg/m³, CO mg/m³), NaN where empty or refused. (hour, pollutant) pairs are unique: a repeated row
    keeps, per station, the first accepted value, as :func:`parse_archive_csv` does. ``refused``
    counts the cells the reading rules refused (not a number, negative, CO unit, above the ceiling).
    """

    stations: tuple[str, ...]
    hour: npt.NDArray[np.int64]
    pollutant: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]
    refused: int


#: Archive ``type`` of the measured hourly rows -> index into ``POLLUTANTS``.
_HOURLY_TYPE_INDEX: Final[dict[str, int]] = {
    t: POLLUTANTS.index(c) for t, c in TYPE_TO_CODE.items() if c in POLLUTANTS
}
_CEILINGS: Final = np.array(
    [CO_UNIT_LIMIT_MG if p == "CO" else AIR_CEILINGS[p] for p in POLLUTANTS], dtype=np.float64
)
_EPOCH: Final = np.datetime64("1970-01-01", "D")
#: Up to this many columns are read with ``usecols``; more are read whole (see read_archive_block).
_FEW_COLUMNS: Final = 64


def _empty_block(stations: tuple[str, ...] = ()) -> ArchiveBlock:
    return ArchiveBlock(
        stations,
        np.empty(0, np.int64),
        np.empty(0, np.int64),
        np.empty((0, len(stations))),
        0,
    )


def read_archive_block(raw: bytes, wanted: Collection[str]) -> ArchiveBlock:
    """One archive file's measured hourly rows for the ``wanted`` header labels (codes or names).

    The reading rules are :func:`parse_archive_csv`'s (via ``check_readings``): empty cells are
    missing; text, negative values, CO above the unit limit and values above the physical ceiling
    are refused; a repeated column or row keeps its first accepted value. Rows with a bad date, hour
    or type are skipped, as they are rejected there. Raises :class:`ArchiveFileError` when the file
    is not text or has no ``date,hour,type`` header: the caller names the file.
    """
    text = _decode(raw)
    if text is None:
        raise ArchiveFileError("not UTF-8 or GB18030 text")
    first_line = text.split("\n", 1)[0]
    header = [h.strip() for h in next(csv.reader([first_line]), [])]
    if [h.lower() for h in header[:3]] != ["date", "hour", "type"]:
        raise ArchiveFileError("header: expected columns 'date,hour,type' first")
    want = set(wanted)
    positions: dict[str, list[int]] = {}
    for i, h in enumerate(header[3:], start=3):
        if h in want:
            positions.setdefault(h, []).append(i)
    if not positions:
        return _empty_block()
    cols = sorted({0, 1, 2, *(i for ps in positions.values() for i in ps)})
    # A few wanted columns: let the reader convert only those. Many (a national run): converting
    # every column as one float block is faster than building a typed Series per selected column.
    few = len(cols) <= _FEW_COLUMNS
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            skiprows=1,
            usecols=cols if few else None,
            dtype={0: str, 1: str, 2: str} if few else None,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
            engine="c",
        )
    except pd.errors.EmptyDataError:  # a header and nothing else
        return _empty_block()
    except (pd.errors.ParserError, ValueError):
        # Ragged lines: the slow reader keeps every good line (and rejects the long ones).
        cells, _ = _read_cells(text)
        frame = cells.iloc[1:].reindex(columns=cols).fillna("")
        frame = frame.replace("", np.nan).astype(dict.fromkeys(cols, object))
    if frame.empty:
        return _empty_block()
    date_text = frame[0].astype(str).str.strip().str.removesuffix(".0")
    date = pd.to_datetime(date_text, format="%Y%m%d", errors="coerce")
    hour = pd.to_numeric(frame[1].astype(str).str.strip(), errors="coerce")
    ptype = frame[2].astype(str).str.strip().map(_HOURLY_TYPE_INDEX)
    ok = (date.notna() & hour.between(0, 23) & (hour == hour.round()) & ptype.notna()).to_numpy()
    stations = tuple(positions)
    if not ok.any():
        return _empty_block(stations)
    days = (date[ok].to_numpy(dtype="datetime64[D]") - _EPOCH).astype(np.int64)
    hours = days * 24 + hour[ok].to_numpy(dtype=np.int64) - 1
    pidx = ptype[ok].to_numpy(dtype=np.int64)

    order = [i for name in stations for i in positions[name]]  # each station's columns together
    kinds = frame.dtypes
    numeric = np.array([kinds[c].kind in "iuf" for c in order], dtype=bool)
    grid = np.full((int(ok.sum()), len(order)), np.nan)
    has_text = np.zeros(grid.shape, dtype=bool)
    if numeric.any():  # the common case: whole columns parsed as numbers by the C reader
        picked = [c for c, n in zip(order, numeric, strict=True) if n]
        grid[:, numeric] = frame[picked].to_numpy(dtype=np.float64)[ok]
    for k in np.flatnonzero(~numeric):  # columns holding some text (rare): cell by cell rules
        col = frame[order[k]][ok]
        grid[:, k] = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)
        # whitespace-only cells are empty cells, not bad values
        has_text[:, k] = col.notna().to_numpy() & col.astype(str).str.strip().ne("").to_numpy()
    with np.errstate(invalid="ignore"):
        bad = (has_text & np.isnan(grid)) | (grid < 0) | (grid > _CEILINGS[pidx][:, None])
    refused = int(bad.sum())
    grid[bad] = np.nan
    values = grid
    if len(order) != len(stations):  # a repeated column fills only what the earlier one left empty
        values = np.full((grid.shape[0], len(stations)), np.nan)
        at = 0
        for j, name in enumerate(stations):
            for _ in positions[name]:
                values[:, j] = np.where(np.isnan(values[:, j]), grid[:, at], values[:, j])
                at += 1
    key = hours * len(POLLUTANTS) + pidx
    if len(np.unique(key)) != len(key):  # repeated rows: first accepted value per station
        firsts = pd.DataFrame(values).groupby(key, sort=False).first()
        key = firsts.index.to_numpy(dtype=np.int64)
        values = firsts.to_numpy(dtype=np.float64)
        hours, pidx = key // len(POLLUTANTS), key % len(POLLUTANTS)
    return ArchiveBlock(stations, hours, pidx.astype(np.int64), values, refused)


def _station_keys(
    columns: list[str], registry: Mapping[str, str] | None
) -> tuple[np.ndarray, np.ndarray]:
    keys: list[str] = []
    flags: list[str] = []
    for col in columns:
        if _CODE_RE.match(col):
            keys.append(col)
            flags.append("")
        elif registry is not None and col in registry:
            keys.append(registry[col])
            flags.append("")
        else:
            keys.append(col)
            flags.append(FLAG_UNMAPPED_NAME)
    return np.array(keys, dtype=object), np.array(flags, dtype=object)


def parse_file(
    path: str | Path,
    *,
    registry: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Parsed:
    """Read and parse one archive file from disk (the only file I/O here; the caller chose the path)."""
    return parse_archive_csv(Path(path).read_bytes(), registry=registry, now=now)


def archive_file_date(path: str | Path) -> dt.date | None:
    """The day a file holds, from the last 8-digit run in its name (``china_sites_20220101.csv``)."""
    m = _DATE_IN_NAME.search(Path(path).stem)
    if not m:
        return None
    try:
        return dt.datetime.strptime(m.group(1), "%Y%m%d").date()
    except ValueError:
        return None


def iter_archive_files(directory: str | Path) -> Iterator[Path]:
    """Every ``*.csv`` under ``directory`` (recursively), ordered by the date in its name, then by name.

    Files without a date in their name come last, ordered by name (their rows carry dates anyway).
    Used by ``envmon import-archive DIR``.
    """
    files = [p for p in Path(directory).rglob("*") if p.is_file() and p.suffix.lower() == ".csv"]

    def key(p: Path) -> tuple[int, dt.date, str]:
        d = archive_file_date(p)
        return (0, d, p.name) if d is not None else (1, dt.date.min, p.name)

    yield from sorted(files, key=key)


class NationalArchiveCollector:
    """Daily archive files over HTTP from a mirror (``base_url``) or, without one, only ``parse``.

    ``fetch`` asks for one file per CST day touched by the window, at
    ``{base_url}/{filename_template.format(date=day)}``; a 404 means "not published yet" and is
    skipped (no payload), other errors raise ``UpstreamError``.
    """

    name: ClassVar[str] = "national_archive"

    def __init__(
        self,
        base_url: str | None = None,
        *,
        registry: Mapping[str, str] | None = None,
        filename_template: str = "china_sites_{date:%Y%m%d}.csv",
    ) -> None:
        self.base_url = base_url.rstrip("/") if base_url else None
        self.registry = dict(registry) if registry is not None else None
        self.filename_template = filename_template

    def parse(self, raw: bytes, now: dt.datetime | None = None) -> Parsed:
        return parse_archive_csv(raw, registry=self.registry, now=now)

    def fetch(self, client: httpx.Client, window: Window) -> list[Payload]:
        if self.base_url is None:
            raise UpstreamError("national_archive: no base_url configured (import files instead)")
        first = (window.start + CST_OFFSET).date()
        last = (max(window.start, window.end - dt.timedelta(microseconds=1)) + CST_OFFSET).date()
        out: list[Payload] = []
        day = first
        while day <= last:
            url = f"{self.base_url}/{self.filename_template.format(date=day)}"
            try:
                payload, _ = get_payload(client, self.name, url, meta={"date": day.isoformat()})
            except UpstreamError as exc:
                if exc.status != 404:
                    raise
            else:
                out.append(payload)
            day += dt.timedelta(days=1)
        return out
