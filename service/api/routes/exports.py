"""CSV exports (UTF-8 with BOM so that Excel opens Chinese text): ``/api/v1/export/{name}.csv`` and
the ``?format=csv`` of each public list. Columns are the response model's fields, flattened.

``districts.csv`` is the figures export: per district and the city, the year-to-date figures that
``/api/v1/districts`` serves (``service.figures.exports``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Engine

from service.api.cache import cached_response
from service.api.deps import ClockDep, EngineDep, LangDep
from service.clock import Clock
from service.compute import ytd_as_of
from service.figures.demo_data import figures_are_demo
from service.figures.exports import FIGURE_COLUMNS, district_export_rows
from service.figures.latest import section_items, station_items, zone_items
from service.figures.spreadsheet_cells import safe_cell
from service.i18n import t

router = APIRouter(prefix="/api/v1/export", tags=["export"])

CSV_MEDIA = "text/csv; charset=utf-8"
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV, UTF-8 BOM"}
}


class Format(StrEnum):
    """Representation of a public list."""

    json = "json"
    csv = "csv"


FormatQuery = Annotated[Format, Query(description="json (default) or csv (UTF-8 with BOM)")]


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, out)
    elif isinstance(value, list):
        out[prefix] = ",".join(str(v) for v in value)
    else:
        out[prefix] = value


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str] | None = None) -> bytes:
    """CSV bytes with a BOM; nested dicts become ``a.b`` columns, lists comma-joined cells; text a
    spreadsheet would run as a formula gets a leading apostrophe (``safe_cell``)."""
    flat = []
    for row in rows:
        out: dict[str, Any] = {}
        _flatten("", row, out)
        flat.append(out)
    if columns is None:
        columns = list(dict.fromkeys(k for row in flat for k in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(c) for c in columns])
    # every text cell neutralised against formula injection (service.figures.spreadsheet_cells)
    writer.writerows([safe_cell(row.get(c)) for c in columns] for row in flat)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def demo_columns(rows: Iterable[dict[str, Any]], demo: bool) -> list[dict[str, Any]]:
    """Rows with, when built from demo data, the two columns that say so on every row
    (``data_demo`` = true, ``data_note``: demo data, not an official release)."""
    rows = list(rows)
    if not demo:
        return rows

    note = f"{t('export.demo.note', 'zh')} / {t('export.demo.note', 'en')}"
    return [{**row, "data_demo": True, "data_note": note} for row in rows]


def csv_response(items: Sequence[BaseModel], name: str, *, demo: bool = False) -> Response:
    """A CSV download of ``items`` named ``<name>.csv`` (marked demo on every row when ``demo``)."""
    body = to_csv(demo_columns((item.model_dump(mode="json") for item in items), demo))
    return Response(
        body,
        media_type=CSV_MEDIA,
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get(
    "/districts.csv",
    response_class=Response,
    responses=CSV_RESPONSE,
    operation_id="exportDistricts",
)
def export_districts(
    request: Request, engine: EngineDep, clock: ClockDep, lang: LangDep
) -> Response:
    """Districts (区/县) and the city with their public attributes and year-to-date figures
    (优良天数比例 and Ⅰ–Ⅲ类断面比例 with numerator, denominator, target and budget), as CSV."""
    key = ("export", "districts", lang, ytd_as_of(clock))
    return cached_response(request, key, lambda: _districts_csv(engine, clock))


def _districts_csv(engine: Engine, clock: Clock) -> Response:
    demo = figures_are_demo(engine)
    rows = district_export_rows(engine, clock)
    columns = list(dict.fromkeys(k for row in rows for k in row if k not in FIGURE_COLUMNS))
    # The demo columns go before the figures: the figures stay the file's last columns.
    extra = ["data_demo", "data_note"] if demo else []
    body = to_csv(demo_columns(rows, demo), [*columns, *extra, *FIGURE_COLUMNS])
    return Response(
        body,
        media_type=CSV_MEDIA,
        headers={"Content-Disposition": 'attachment; filename="districts.csv"'},
    )


@router.get(
    "/stations.csv", response_class=Response, responses=CSV_RESPONSE, operation_id="exportStations"
)
def export_stations(request: Request, engine: EngineDep, lang: LangDep) -> Response:
    """Stations with their latest hourly AQI and concentrations, as CSV."""
    return cached_response(
        request,
        ("export", "stations", lang),
        lambda: csv_response(
            station_items(engine, lang), "stations", demo=figures_are_demo(engine)
        ),
    )


@router.get(
    "/sections.csv", response_class=Response, responses=CSV_RESPONSE, operation_id="exportSections"
)
def export_sections(request: Request, engine: EngineDep) -> Response:
    """Sections with their latest water class, as CSV."""
    return cached_response(
        request,
        ("export", "sections"),
        lambda: csv_response(section_items(engine), "sections", demo=figures_are_demo(engine)),
    )


@router.get(
    "/zones.csv", response_class=Response, responses=CSV_RESPONSE, operation_id="exportZones"
)
def export_zones(request: Request, engine: EngineDep) -> Response:
    """Harbour ship-pollution zones, as CSV."""
    return cached_response(
        request,
        ("export", "zones"),
        lambda: csv_response(zone_items(engine), "zones", demo=figures_are_demo(engine)),
    )


__all__ = [
    "CSV_RESPONSE",
    "FIGURE_COLUMNS",
    "Format",
    "FormatQuery",
    "csv_response",
    "demo_columns",
    "router",
    "to_csv",
]
