"""Water laboratory result files (manual monthly monitoring): CSV or XLSX, one row per section and date.

Layout, as bureau laboratories export it: optional title lines, then a header row holding a section
column and a date column, then one column per item under its Chinese or English name with the unit in
brackets (see ``stations.collectors._water`` for names, units and non-detect notations). A row whose
section cell reads 检出限 / 方法检出限 / detection limit gives the detection limit of each item (in the
column's unit) for the ``ND``/``未检出`` cells. Columns such as 序号, 备注, 水期, 区县 are ignored; any
other column that is not a recognised item is reported once as a ``Rejected`` (field ``header``) so
nothing disappears unnoticed.

Section column: 断面名称 / 断面 / 断面编码 / 点位 / section / section_code ... With a ``sections``
mapping (name or code -> code) a cell is mapped, and a section not in it is rejected; without one the
cell is kept as given. Date column: 采样日期 / 监测日期 / 日期 / date / sampling_date ..., in
``2024-03-05``, ``2024/3/5``, ``20240305``, ``2024年3月5日`` (optionally with ``HH:MM``), or an Excel date.
Dates are China Standard Time; a date without a time means 00:00 CST of that day. Output times UTC.

Format detection is by content: ``PK\\x03\\x04`` (zip) is XLSX (first worksheet), anything else is
CSV text (UTF-8, UTF-8 with BOM, or GB18030).

Public names: :func:`parse_lab_file`, :func:`table_to_samples`, :class:`LabFilesCollector`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping
from typing import Any, ClassVar, Final

import httpx
import numpy as np
import openpyxl
import pandas as pd

from stations.collectors._checks import (
    check_samples,
    never_raises,
    parse_local_times,
    payload_rejected,
)
from stations.collectors._water import cells_to_text, match_header, pad, parse_cells
from stations.collectors.base import ParseContext, Payload, Window
from stations.cst import CST
from stations.model import Parsed, Rejected
from stations.names import resolve_name

SECTION_HEADERS: Final = frozenset(
    {
        "断面名称",
        "断面",
        "断面编码",
        "断面代码",
        "监测断面",
        "点位",
        "点位名称",
        "站点",
        "站点名称",
        "section",
        "section_code",
        "section_name",
        "site",
    }
)
DATE_HEADERS: Final = frozenset(
    {
        "采样日期",
        "采样时间",
        "监测日期",
        "监测时间",
        "日期",
        "时间",
        "date",
        "sampling_date",
        "sample_date",
        "time",
        "datetime",
    }
)
IGNORED_HEADERS: Final = frozenset(
    {
        "序号",
        "no",
        "no.",
        "备注",
        "remark",
        "remarks",
        "note",
        "水期",
        "区县",
        "所属区县",
        "district",
        "河流",
        "流域",
        "水体",
        "waterbody",
        "省份",
        "经度",
        "纬度",
        "水质类别",
        "class",
        "实验室",
        "lab",
        "样品编号",
        "sample_id",
    }
)
DL_ROW_LABELS: Final = frozenset(
    {"检出限", "方法检出限", "detection limit", "detection_limit", "dl", "lod"}
)
_HEADER_SCAN_ROWS: Final = 15
#: Caps on one lab file (issue 22, finding 16: a 1.1 MB XLSX cost 78 s of CPU and 900 MB): a
#: month's lab results for the bureau's sections are a few hundred rows of a few dozen columns.
#: A file over a cap is refused whole (quarantined), the cap named in the reason.
LAB_MAX_BYTES: Final = 10 * 1024 * 1024
#: Rows read (blank rows count: a sheet whose cells reach row 1,048,576 is refused, not read).
LAB_MAX_ROWS: Final = 20_000
#: Columns read per row; cells beyond are not read.
LAB_MAX_COLUMNS: Final = 200
#: Total unpacked size of an XLSX's parts (its XML; a small zip can unpack to gigabytes).
LAB_MAX_UNZIPPED_BYTES: Final = 100 * 1024 * 1024


def _norm(h: str) -> str:
    return re.sub(r"\s+", " ", h.strip().lower())


def _decode_rows(raw: bytes) -> list[list[str]]:
    """Bytes -> rows of cell strings. Raises ``ValueError`` with a reason when unreadable."""
    if len(raw) > LAB_MAX_BYTES:
        raise ValueError(f"file of {len(raw)} bytes; the limit is {LAB_MAX_BYTES} (LAB_MAX_BYTES)")
    if raw[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as zf:
                unpacked = sum(i.file_size for i in zf.infolist())
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ValueError(f"not a readable XLSX workbook ({type(exc).__name__})") from exc
        if unpacked > LAB_MAX_UNZIPPED_BYTES:
            limit = LAB_MAX_UNZIPPED_BYTES
            raise ValueError(f"XLSX unpacks to {unpacked} bytes; the limit is {limit}")
        try:
            # read_only: rows are streamed from the sheet's XML, never built as a whole workbook
            wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            raise ValueError(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from exc
        rows: list[list[object]] = []
        try:
            ws = wb.worksheets[0]
            for r in ws.iter_rows(values_only=True, max_col=LAB_MAX_COLUMNS):
                if len(rows) >= LAB_MAX_ROWS:
                    raise ValueError(
                        f"more than {LAB_MAX_ROWS} rows; the limit is {LAB_MAX_ROWS} (LAB_MAX_ROWS)"
                    )
                rows.append(list(r))
        except ValueError as exc:
            if "LAB_MAX_ROWS" in str(exc):
                raise
            raise ValueError(f"unreadable XLSX sheet ({type(exc).__name__}: {exc})") from exc
        except Exception as exc:  # openpyxl raises many things on corrupt sheets
            raise ValueError(f"unreadable XLSX sheet ({type(exc).__name__}: {exc})") from exc
        finally:
            wb.close()
        return cells_to_text(rows)
    text: str | None = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise ValueError("not XLSX, and not UTF-8/GB18030 CSV text")
    if "\x00" in text:
        raise ValueError("binary data (NUL bytes), not CSV text")
    try:
        rows_text: list[list[str]] = []
        for row in csv.reader(io.StringIO(text)):
            if len(rows_text) >= LAB_MAX_ROWS:
                raise ValueError(f"more than {LAB_MAX_ROWS} rows; the limit is {LAB_MAX_ROWS}")
            rows_text.append(row[:LAB_MAX_COLUMNS])
        return rows_text
    except csv.Error as exc:
        raise ValueError(f"broken CSV: {exc}") from exc


def _find_header(cells: np.ndarray) -> tuple[int, int, int] | None:
    """(header row index, section column, date column) in the first rows, or None."""
    for i in range(min(_HEADER_SCAN_ROWS, cells.shape[0])):
        names = [_norm(str(c)) for c in cells[i]]
        sec = next((j for j, n in enumerate(names) if n in SECTION_HEADERS), None)
        date = next((j for j, n in enumerate(names) if n in DATE_HEADERS), None)
        if sec is not None and date is not None:
            return i, sec, date
    return None


def _parse_dates(
    text: pd.Series, year: int | None, reference: dt.datetime | None = None
) -> pd.Series:
    """Local (CST) date/time text -> aware UTC.

    ``MM-DD HH:MM`` (no year) takes ``year`` when given; else the year of ``reference`` (when the
    file was published or fetched), or the year before for a time more than a day after
    ``reference`` -- a file fetched on 1 January still holds 31 December's rows. Without either,
    such rows are NaT (rejected).
    """
    s = text.astype("string").str.strip()
    s = s.str.replace(r"(\d{4})年(\d{1,2})月(\d{1,2})日?", r"\1-\2-\3", regex=True)
    s = s.str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
    s = s.str.replace(r"^(\d{4})/(\d{1,2})/(\d{1,2})", r"\1-\2-\3", regex=True)
    no_year = s.str.match(r"^\d{1,2}-\d{1,2}(\s|$)", na=False)
    if not no_year.any() or (year is None and reference is None):
        if no_year.any():
            s = s.where(~no_year, pd.Series(pd.NA, index=s.index, dtype="string"))
        return parse_local_times(s)
    if year is not None:
        return parse_local_times(s.where(~no_year, f"{year}-" + s))
    assert reference is not None
    ref_year = reference.astimezone(CST).year
    this_year = parse_local_times(s.where(~no_year, f"{ref_year}-" + s))
    last_year = parse_local_times(s.where(~no_year, f"{ref_year - 1}-" + s))
    future = no_year & (this_year > pd.Timestamp(reference) + pd.Timedelta(days=1))
    return this_year.where(~future, last_year)


def _no_header(cells: np.ndarray) -> Parsed:
    """The whole file rejected: no header row found in the first rows."""
    return Parsed(
        rejected=[
            Rejected(
                row=",".join(str(c) for c in cells[0])[:300],
                reason="header: no row with both a section column (断面名称/section...) and a "
                f"date column (采样日期/date...) in the first {_HEADER_SCAN_ROWS} rows",
                field="header",
                line=1,
            )
        ]
    )


def _item_columns(
    header: list[str], skip: tuple[int, int], hi: int, rejected: list[Rejected]
) -> list[tuple[int, str, float]]:
    """The header's item columns (index, item, unit factor); unknown columns are named in
    ``rejected`` (header on file line ``hi + 1``)."""
    item_cols: list[tuple[int, str, float]] = []
    for j, h in enumerate(header):
        if j in skip or not h.strip():
            continue
        m = match_header(h)
        if isinstance(m, tuple):
            item_cols.append((j, m[0], m[1]))
        elif isinstance(m, str):
            rejected.append(
                Rejected(row=h, reason=f"header: {h!r}: {m}", field="header", line=hi + 1)
            )
        elif _norm(h) not in IGNORED_HEADERS and _norm(h) not in DATE_HEADERS:
            rejected.append(
                Rejected(
                    row=h,
                    reason=f"header: column {h!r} is not a known item; its values were not imported",
                    field="header",
                    line=hi + 1,
                )
            )
    return item_cols


def _nonblank_body(cells: np.ndarray, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """The non-blank rows under the header (row ``hi``) and their file lines."""
    body = cells[hi + 1 :]
    line = np.arange(hi + 2, hi + 2 + len(body))
    nonblank = (
        (np.char.strip(body.astype(str)) != "").any(axis=1) if len(body) else np.array([], bool)
    )
    return body[nonblank], line[nonblank]


def _split_dl_row(
    body: np.ndarray, line: np.ndarray, sec_col: int
) -> tuple[np.ndarray, np.ndarray, pd.Series, np.ndarray | None]:
    """The sample rows with their lines and section text, and the detection-limit row (检出限)
    apart, when the file has one."""
    sec_text = pd.Series(body[:, sec_col], dtype="string").str.strip()
    is_dl_row = sec_text.str.lower().isin(DL_ROW_LABELS).to_numpy()
    dl_row = body[is_dl_row][0] if is_dl_row.any() else None
    return (
        body[~is_dl_row],
        line[~is_dl_row],
        sec_text[~is_dl_row].reset_index(drop=True),
        dl_row,
    )


def _resolve_sections(
    body: np.ndarray,
    line: np.ndarray,
    sec_text: pd.Series,
    sections: Mapping[str, str] | None,
    rejected: list[Rejected],
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Section names -> registry codes (when ``sections`` is given); unknown ones rejected."""
    if sections is None:
        return body, line, sec_text.astype(object)
    resolved = [resolve_name(sections, str(s)) for s in sec_text]
    mapped = pd.Series([code for code, _ in resolved], dtype=object)
    bad_sec = mapped.isna().to_numpy()
    for i in np.flatnonzero(bad_sec):
        rejected.append(
            Rejected(
                row=",".join(str(c) for c in body[i])[:300],
                reason=f"section: {resolved[i][1]}",
                field="section",
                line=int(line[i]),
            )
        )
    keep = ~bad_sec
    return body[keep], line[keep], mapped[keep].reset_index(drop=True)


def _item_frame(
    raw_cells: pd.Series,
    factor: float,
    dl_cell: object | None,
    common: Mapping[str, Any],
) -> pd.DataFrame:
    """One item column's candidate samples; a non-detect without its own limit takes the
    detection-limit row's. ``common``: the section, time and line columns and the item."""
    value, dl, below, missing, bad = parse_cells(raw_cells, factor)
    if dl_cell is not None:
        dlv, _, _, _, _ = parse_cells(pd.Series([dl_cell], dtype="string"), factor)
        nd_no_dl = below & dl.isna()
        dl = dl.where(~nd_no_dl, dlv.iloc[0])
        value = value.where(~nd_no_dl, dlv.iloc[0])
    keep = ~missing.to_numpy()
    return pd.DataFrame(
        {
            "section": common["section"][keep].to_numpy(),
            "time": common["time"][keep].to_numpy(),
            "item": common["item"],
            "value": value[keep].to_numpy(),
            "detection_limit": dl[keep].to_numpy(),
            "below_limit": below[keep].to_numpy(),
            "method": common["method"],
            "line": common["line"][keep],
            "raw": raw_cells[keep].to_numpy(),
            "_bad": bad[keep].to_numpy(),
        }
    )


def table_to_samples(
    rows: list[list[str]],
    *,
    method: str,
    sections: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
    year: int | None = None,
    reference: dt.datetime | None = None,
) -> Parsed:
    """A wide table (header row with section, date and item columns) -> water samples.

    ``year`` / ``reference``: how ``MM-DD`` dates get their year (see ``_parse_dates``).
    """
    if not rows:
        return Parsed()
    cells = pad(rows)
    found = _find_header(cells)
    if found is None:
        return _no_header(cells)
    hi, sec_col, date_col = found
    rejected: list[Rejected] = []
    item_cols = _item_columns([str(c) for c in cells[hi]], (sec_col, date_col), hi, rejected)
    body, line = _nonblank_body(cells, hi)
    if len(body) == 0 or not item_cols:
        return Parsed(rejected=rejected)
    body, line, sec_text, dl_row = _split_dl_row(body, line, sec_col)
    body, line, section = _resolve_sections(body, line, sec_text, sections, rejected)
    if len(body) == 0:
        return Parsed(rejected=rejected)
    times = _parse_dates(pd.Series(body[:, date_col], dtype="string"), year, reference)
    frames = [
        _item_frame(
            pd.Series(body[:, j], dtype="string"),
            factor,
            None if dl_row is None else dl_row[j],
            {"section": section, "time": times, "item": item, "method": method, "line": line},
        )
        for j, item, factor in item_cols
    ]
    cand = pd.concat(frames, ignore_index=True)
    cand["time"] = pd.to_datetime(cand["time"], utc=True)
    cand["value"] = cand["value"].where(~cand["_bad"], np.nan)
    samples, bad_rows = check_samples(cand.drop(columns="_bad"), now=now)
    return Parsed(samples=samples, rejected=rejected + bad_rows)


@never_raises
def parse_lab_file(
    raw: bytes,
    *,
    sections: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Parsed:
    """Parse one lab result file (CSV or XLSX bytes) into manual samples; never raises on bad data."""
    try:
        rows = _decode_rows(raw)
    except ValueError as exc:
        return payload_rejected(raw, f"payload: {exc}")
    try:
        return table_to_samples(rows, method="manual", sections=sections, now=now)
    except (ValueError, TypeError, OverflowError) as exc:  # last guard: report, never raise
        return payload_rejected(raw, f"payload: {exc}")


class LabFilesCollector:
    """Lab files arrive by upload or a watched folder (``envmon import-lab FILE``), not by polling."""

    name: ClassVar[str] = "lab_files"

    def __init__(self, sections: Mapping[str, str] | None = None) -> None:
        self.sections = dict(sections) if sections is not None else None

    def parse(self, raw: bytes, now: dt.datetime | None = None) -> Parsed:
        return parse_lab_file(raw, sections=self.sections, now=now)

    def parse_with(self, raw: bytes, ctx: ParseContext) -> Parsed:
        """Parse with the registry's section names (a section not in it is rejected)."""
        sections = ctx.sections if ctx.sections is not None else self.sections
        return parse_lab_file(raw, sections=sections, now=ctx.fetched_at)

    def fetch(self, client: httpx.Client, window: Window) -> list[Payload]:
        """Nothing to poll: the service feeds files to ``parse`` (upload / watched folder)."""
        return []
