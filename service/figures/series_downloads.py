"""Downloads of a station's hours or days, or a district's days, as CSV (UTF-8 with a BOM so that
Excel opens Chinese text) or XLSX: Chinese headers by default, English with ``lang=en``; values as
the API publishes them, times in CST.

A text cell that a spreadsheet would run as a formula (starting ``= + - @``, tab or CR) is written
with a leading apostrophe (OWASP "CSV injection"); station names come from registry files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from openpyxl import Workbook

from service.figures.spreadsheet_cells import safe_cell
from service.figures.station_series import StationDays, StationHours
from service.i18n import t
from stations.standards.tables import DAILY_INDICATORS

CSV_MEDIA: Final = "text/csv; charset=utf-8"
XLSX_MEDIA: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Table = tuple[list[str], list[list[Any]]]


def _unit(key: str) -> str:
    return "mg/m³" if key.startswith("CO") else "µg/m³"


def _name(key: str, lang: str, day: bool = False) -> str:
    return t(f"pollutant.day.{key}" if day else f"pollutant.{key}", lang)


def _col(key: str, lang: str, day: bool = False) -> str:
    return f"{_name(key, lang, day)} ({_unit(key)})"


def _yes(v: bool, lang: str) -> str:
    return t("download.yes" if v else "download.no", lang)


def _primary(keys: Sequence[str], lang: str, day: bool) -> str:
    return ", ".join(_name(k, lang, day) for k in keys)


def hours_table(series: StationHours, lang: str) -> Table:
    """Header and rows of a station's hourly series."""
    keys = [
        k for k in series.units if any(h.concentrations.get(k) is not None for h in series.items)
    ]
    head = [
        t("download.col.station", lang),
        t("download.col.station_name", lang),
        t("download.col.time", lang),
        *[_col(k, lang) for k in keys],
        t("download.col.aqi", lang),
        t("download.col.level", lang),
        t("download.col.category", lang),
        t("download.col.primary", lang),
        t("download.col.standard", lang),
    ]
    st = series.station
    name = st.name_en if lang == "en" and st.name_en else st.name
    rows = [
        [
            st.code,
            name,
            h.time.strftime("%Y-%m-%d %H:%M"),
            *[h.concentrations.get(k) for k in keys],
            h.aqi,
            h.level,
            h.category,
            _primary(h.primary_pollutant, lang, day=False),
            h.standard,
        ]
        for h in series.items
    ]
    return head, rows


def station_days_table(series: StationDays, lang: str) -> Table:
    """Header and rows of a station's daily series (with each indicator's validity)."""
    keys = list(DAILY_INDICATORS)
    head = [
        t("download.col.station", lang),
        t("download.col.station_name", lang),
        t("download.col.day", lang),
        *[_col(k, lang, day=True) for k in keys],
        *[t("download.col.valid", lang, name=_name(k, lang, day=True)) for k in keys],
        t("download.col.aqi", lang),
        t("download.col.level", lang),
        t("download.col.category", lang),
        t("download.col.primary", lang),
        t("download.col.counts_in_ratio", lang),
        t("download.col.standard", lang),
    ]
    st = series.station
    name = st.name_en if lang == "en" and st.name_en else st.name
    rows = [
        [
            st.code,
            name,
            d.day.isoformat(),
            *[d.concentrations.get(k) for k in keys],
            *[_yes(bool(d.valid.get(k)), lang) if k in d.valid else None for k in keys],
            d.aqi,
            d.level,
            d.category,
            _primary(d.primary_pollutant, lang, day=True),
            _yes(d.counts_in_ratio, lang),
            d.standard,
        ]
        for d in series.items
    ]
    return head, rows


def district_days_table(code: str, items: Iterable[Mapping[str, Any]], lang: str) -> Table:
    """Header and rows of a district's (or the city's) daily series: ``items`` as the API's day
    items (``day, concentrations, aqi, level, category_zh/en, primary_pollutant, ...``)."""
    keys = list(DAILY_INDICATORS)
    head = [
        t("download.col.district", lang),
        t("download.col.day", lang),
        *[_col(k, lang, day=True) for k in keys],
        t("download.col.aqi", lang),
        t("download.col.level", lang),
        t("download.col.category", lang),
        t("download.col.primary", lang),
        t("download.col.counts_in_ratio", lang),
        t("download.col.stations", lang),
        t("download.col.standard", lang),
    ]
    rows = []
    for d in items:
        day = d["day"]
        rows.append(
            [
                code,
                day.isoformat() if isinstance(day, dt.date) else str(day),
                *[d["concentrations"].get(k) for k in keys],
                d["aqi"],
                d["level"],
                d["category_en"] if lang == "en" else d["category_zh"],
                _primary(d["primary_pollutant"], lang, day=True),
                _yes(bool(d["counts_in_ratio"]), lang),
                d["n_stations"],
                d["standard"],
            ]
        )
    return head, rows


@dataclass(frozen=True, slots=True)
class SeriesFile:
    """A series as a file to download: its bytes, media type and file name."""

    body: bytes
    media_type: str
    filename: str


def series_file(
    table: Table, fmt: Literal["csv", "xlsx"], name: str, *, demo: bool, lang: str
) -> SeriesFile:
    """``table`` as a CSV or XLSX file ``name.csv``/``name.xlsx``; built from demo data, every
    row says so in two more columns (``with_demo_note``)."""
    if demo:
        table = with_demo_note(table, lang)
    if fmt == "csv":
        return SeriesFile(to_csv(table), CSV_MEDIA, f"{name}.csv")
    return SeriesFile(to_xlsx(table, name), XLSX_MEDIA, f"{name}.xlsx")


def with_demo_note(table: Table, lang: str) -> Table:
    """``table`` with two more columns saying, on every row, that the data are demo data."""
    head, rows = table
    yes, note = t("download.yes", lang), t("export.demo.note", lang)
    extra = [t("export.demo.column", lang), t("export.demo.note_column", lang)]
    return [*head, *extra], [[*row, yes, note] for row in rows]


def to_csv(table: Table) -> bytes:
    """CSV bytes with a UTF-8 BOM."""
    head, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in head])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table, sheet: str) -> bytes:
    """One-sheet XLSX workbook bytes (header row frozen)."""
    head, rows = table
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.freeze_panes = "A2"
    ws.append([safe_cell(h) for h in head])
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = [
    "CSV_MEDIA",
    "XLSX_MEDIA",
    "SeriesFile",
    "district_days_table",
    "hours_table",
    "safe_cell",
    "series_file",
    "station_days_table",
    "to_csv",
    "to_xlsx",
    "with_demo_note",
]
