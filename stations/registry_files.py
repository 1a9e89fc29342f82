"""What every registry file reader shares: stations and sections (``stations.registry_io``) and
seawater points and areas (``stations.sea_registry_io``).

The file's format, its rows as text (CSV in UTF-8 or GB18030, the first sheet of an XLSX workbook,
the properties of GeoJSON features, with each feature's geometry beside), its columns matched to a
reader's header names, the checks every registry row has (code and name, datum, district, aliases)
and the problems that refuse the file. Each reader keeps its own columns and row rules.
Pure: bytes in, text out (no store, clock or settings).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import openpyxl
import pandas as pd

from geodata.crs import normalise_datum
from geodata.places import load_districts
from stations.names import name_key

#: Column names of a place's coordinates and their datum, in every registry file.
COORDINATE_HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "lon": ("lon", "lng", "longitude", "经度", "x"),
    "lat": ("lat", "latitude", "纬度", "y"),
    "datum": ("datum", "crs", "坐标系", "坐标系统"),
}
#: Most rows one file may hold (a registry, not an archive).
MAX_ROWS: Final = 20_000
#: How a datum is written in the frames read (``geodata.crs.normalise_datum``'s names -> label).
DATUM_LABEL: Final = {"WGS84": "WGS-84", "CGCS2000": "CGCS2000", "GCJ02": "GCJ-02"}
_NO_ROWS: Final = "the file holds no rows"
_CODE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
_ALIAS_SPLIT: Final = re.compile(r"[;|、，；]")


@dataclass(frozen=True, slots=True)
class RegistryProblem:
    """One broken rule: ``line`` is the file's line (CSV/XLSX, header = 1) or feature number."""

    line: int | None
    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "file"
        return f"{where}, {self.field}: {self.message} ({self.rule})"


class RegistryFileError(ValueError):
    """A registry file was refused; ``problems`` names every bad row. Nothing was imported."""

    def __init__(self, problems: list[RegistryProblem], source: str = "registry file") -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems[:200])
        more = f"\n  ... and {len(self.problems) - 200} more" if len(self.problems) > 200 else ""
        super().__init__(f"{source}: refused, {len(self.problems)} problem(s):\n{lines}{more}")


def file_error(message: str, rule: str = "readable") -> RegistryFileError:
    """The refusal of a whole file (no line) for ``rule``."""
    return RegistryFileError([RegistryProblem(None, "file", rule, message)])


def detect_format(file_name: str, raw: bytes) -> str:
    """``csv``, ``xlsx`` or ``geojson`` from the bytes (zip = XLSX, ``{`` = GeoJSON) and the name."""
    if raw[:4] == b"PK\x03\x04":
        return "xlsx"
    if raw.lstrip()[:1] == b"{" or file_name.lower().endswith((".geojson", ".json")):
        return "geojson"
    return "csv"


def _features(raw: bytes) -> tuple[pd.DataFrame, list[Any]]:
    """A GeoJSON file's properties as text, and each feature's geometry (a dict, else None)."""
    try:
        obj = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise file_error(f"broken GeoJSON ({exc})") from exc
    feats = obj.get("features") if isinstance(obj, dict) else None
    if not isinstance(feats, list):
        raise file_error("GeoJSON without a 'features' list")
    props, geoms = [], []
    for f in feats:
        # A feature or properties that are not objects leave the row without code and name, which
        # the code check names; the row is refused, never skipped.
        p = f.get("properties") if isinstance(f, dict) else None
        p = p if isinstance(p, dict) else {}
        props.append({str(k): "" if v is None else str(v) for k, v in p.items()})
        geoms.append(f.get("geometry") if isinstance(f, dict) else None)
    return pd.DataFrame(props, index=range(len(props)), dtype=object).fillna(""), geoms


def _cells(raw: bytes, fmt: str) -> list[list[str]]:
    """The cells of an XLSX workbook's first sheet or of a CSV file, as stripped text."""
    if fmt == "xlsx":
        try:
            wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
            wb.close()
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError) as exc:
            raise file_error(f"not a readable XLSX workbook ({type(exc).__name__})") from exc
        return [["" if c is None else str(c).strip() for c in r] for r in rows]
    text = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        raise file_error("not UTF-8/GB18030 CSV text")
    try:
        return [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    except csv.Error as exc:  # a cell over the csv module's field limit (131,072 characters)
        raise file_error(f"broken CSV ({exc})") from exc


def read_table(raw: bytes, fmt: str) -> tuple[pd.DataFrame, list[Any]]:
    """Rows as text (columns as written), and each row's GeoJSON geometry (None outside GeoJSON)."""
    if fmt == "geojson":
        return _features(raw)
    cells = [r for r in _cells(raw, fmt) if any(c for c in r)]
    if not cells:
        raise file_error(_NO_ROWS, rule="has_rows")
    width = max(len(r) for r in cells)
    cells = [r + [""] * (width - len(r)) for r in cells]
    frame = pd.DataFrame(cells[1:], columns=cells[0], dtype=object)
    return frame, [None] * len(frame)


def match_columns(
    frame: pd.DataFrame, headers: dict[str, tuple[str, ...]]
) -> tuple[dict[str, str], list[RegistryProblem]]:
    """Our field -> the file's column, by the names in ``headers``; unknown columns are a problem
    (nothing is dropped silently)."""
    by_key = {name_key(alias): field for field, names in headers.items() for alias in names}
    found: dict[str, str] = {}
    problems = []
    seen: set[str] = set()
    for j, col in enumerate(frame.columns):
        if not str(col).strip() and any(str(v).strip() for v in frame.iloc[:, j]):
            where = f"column {j + 1}"
            problems.append(
                RegistryProblem(1, where, "known_column", f"{where} has values but no name")
            )
            continue
        if str(col) in seen:
            if str(col).strip():
                problems.append(
                    RegistryProblem(1, str(col), "one_column", f"column {col!r} given twice")
                )
            continue
        seen.add(str(col))
        field = by_key.get(name_key(col))
        if field is None:
            if str(col).strip():
                problems.append(
                    RegistryProblem(1, str(col), "known_column", f"unknown column {col!r}")
                )
            continue
        if field in found:
            problems.append(RegistryProblem(1, str(col), "one_column", f"{field!r} given twice"))
        found[field] = str(col)
    for field in ("code", "name"):
        if field not in found:
            problems.append(RegistryProblem(1, field, "required_column", f"no {field} column"))
    return found, problems


@dataclass(slots=True)
class Rows:
    """The file's rows under their known columns, and the problems found so far."""

    table: pd.DataFrame
    cols: dict[str, str]
    problems: list[RegistryProblem]
    first: int  # the file line (or feature number) of the first row

    @property
    def n(self) -> int:
        return len(self.table)

    def col(self, field: str) -> list[str]:
        """The stripped text of ``field`` per row ("" everywhere when the column is absent)."""
        if field in self.cols:
            return [str(v).strip() for v in self.table[self.cols[field]]]
        return [""] * self.n

    def series(self, field: str) -> pd.Series:
        """``col`` as a series on the table's index."""
        return pd.Series(self.col(field), index=self.table.index, dtype=object)

    def bad(self, i: int, field: str, rule: str, message: str) -> None:
        """Name row ``i``'s ``field`` as breaking ``rule``."""
        self.problems.append(RegistryProblem(self.first + i, field, rule, message))


def read_rows(
    raw: bytes, file_name: str, headers: dict[str, tuple[str, ...]]
) -> tuple[str, Rows, list[Any]]:
    """The file's format, its rows under the columns ``headers`` names, and each row's GeoJSON
    geometry (None outside GeoJSON)."""
    fmt = detect_format(file_name, raw)
    try:
        table, geoms = read_table(raw, fmt)
    except RegistryFileError as exc:  # the refusal names the file it refuses
        raise RegistryFileError(exc.problems, file_name) from None
    if not len(table):
        raise RegistryFileError([RegistryProblem(None, "file", "has_rows", _NO_ROWS)], file_name)
    cols, problems = match_columns(table, headers)
    named = [str(c) for c in table.columns if str(c).strip()]
    if len(named) != len(set(named)):
        # Which cell a repeated column name means is unknowable, so no row can be read: the
        # header's problems (each repeat named) alone refuse the file.
        raise RegistryFileError(problems, file_name)
    return fmt, Rows(table, cols, problems, 1 if fmt == "geojson" else 2), geoms


def coordinate(value: Any) -> float | None:
    """A coordinate as a finite number (None for text that is no number, booleans, NaN, inf and
    integers too large for a float)."""
    if isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return out if np.isfinite(out) else None


def in_degrees(lon: Any, lat: Any) -> np.ndarray:
    """Which (lon, lat) pairs are a longitude and a latitude in degrees (NaN: no)."""
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.asarray((np.abs(x) <= 180) & (np.abs(y) <= 90), dtype=bool)


def checked_codes(rows: Rows) -> tuple[list[str], list[str]]:
    """Codes (well-formed, unique) and names (1-200 characters) of every row."""
    codes, names = rows.col("code"), rows.col("name")
    seen: dict[str, int] = {}
    for i, (c, nm) in enumerate(zip(codes, names, strict=True)):
        if not _CODE.match(c):
            rows.bad(i, "code", "code_format", f"code {c!r}: 1-32 letters, digits, - _ .")
        elif c in seen:
            rows.bad(i, "code", "unique", f"code {c!r} repeats line {seen[c]}")
        else:
            seen[c] = rows.first + i
        if not nm or len(nm) > 200:
            rows.bad(i, "name", "name_required", f"name {nm!r}: 1-200 characters")
    return codes, names


def datums(rows: Rows, datum: str | None) -> list[str | None]:
    """Each row's datum: its own, else the file's ``datum``, else WGS-84."""
    out: list[str | None] = []
    default = datum or "WGS84"
    for i, d in enumerate(rows.col("datum")):
        canon = normalise_datum(d or default)
        if canon is None:
            rows.bad(
                i, "datum", "known_datum", f"datum {d or default!r}: WGS-84, CGCS2000 or GCJ-02"
            )
        out.append(canon)
    return out


def known_words(
    rows: Rows,
    field: str,
    known: Mapping[str, str],
    default: str,
    rule: str,
    choices: str,
    only: Sequence[bool] | np.ndarray | None = None,
) -> list[str | None]:
    """Each row's ``field`` as the value ``known`` gives its word (``name_key``; ``default`` when
    empty); None where the word is unknown (named as breaking ``rule``, ``choices`` telling what
    is known) and where ``only`` is false."""
    out: list[str | None] = []
    for i, text in enumerate(rows.col(field)):
        if only is not None and not only[i]:
            out.append(None)
            continue
        value = known.get(name_key(text)) if text else default
        if value is None:
            rows.bad(i, field, rule, f"{field} {text!r}: {choices}")
        out.append(value)
    return out


def _district_codes() -> dict[str, str]:
    """Zhoushan's district codes by every way files write them (code, name, short name, English)."""
    d = load_districts()
    out: dict[str, str] = {}
    for code, name, name_en in zip(d["code"], d["name"], d["name_en"], strict=True):
        for text in (code, name, name_en, str(name)[:-1], str(name_en).split()[0]):
            out[name_key(text)] = str(code)
    return out


def given_districts(rows: Rows) -> list[str | None]:
    """Each row's district code as given (code or name), None when empty."""
    known = _district_codes()
    given: list[str | None] = []
    for i, d in enumerate(rows.col("district")):
        value = known.get(name_key(d)) if d else None
        if d and value is None:
            rows.bad(
                i, "district", "known_district", f"district {d!r}: a Zhoushan district code or name"
            )
        given.append(value)
    return given


def aliases(rows: Rows) -> list[list[str]]:
    """Each row's other names, split at ; | 、 or ，, sorted."""
    return [
        sorted({a.strip() for a in _ALIAS_SPLIT.split(text) if a.strip()})
        for text in rows.col("aliases")
    ]


__all__ = [
    "COORDINATE_HEADERS",
    "DATUM_LABEL",
    "MAX_ROWS",
    "RegistryFileError",
    "RegistryProblem",
    "Rows",
    "aliases",
    "checked_codes",
    "coordinate",
    "datums",
    "detect_format",
    "file_error",
    "given_districts",
    "in_degrees",
    "known_words",
    "read_rows",
    "read_table",
]
