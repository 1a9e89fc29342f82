"""CSV exports (UTF-8 with BOM so that Excel opens Chinese text): ``/api/v1/export/{name}.csv`` and
the ``?format=csv`` of each public list. Columns are the response model's fields, flattened.

``districts.csv`` is the figures export: per district and the city, the year-to-date figures that
``/api/v1/districts`` serves (``district_figures_for``, which the staff map uses too).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Engine

from service.api.deps import ClockDep, EngineDep, LangDep
from service.api.views import DISTRICT_PUBLIC, section_items, station_items, zone_items
from service.clock import Clock
from service.figures.demo_data import figures_are_demo

if TYPE_CHECKING:
    from service.api.schemas_figures import DistrictFigures

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
    """CSV bytes with a BOM; nested dicts become ``a.b`` columns, lists comma-joined cells."""
    flat = []
    for row in rows:
        out: dict[str, Any] = {}
        _flatten("", row, out)
        flat.append(out)
    if columns is None:
        columns = list(dict.fromkeys(k for row in flat for k in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(flat)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def demo_columns(rows: Iterable[dict[str, Any]], demo: bool) -> list[dict[str, Any]]:
    """Rows with, when built from demo data, the two columns that say so on every row
    (``data_demo`` = true, ``data_note``: demo data, not an official release)."""
    rows = list(rows)
    if not demo:
        return rows
    from service.i18n import t

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


def district_figures_for(
    engine: Engine, clock: Clock, year: int | None = None
) -> list[DistrictFigures]:
    """The figures of every district and the city, from ``service.api.routes.districts``.

    ``year`` None, or the current year-to-date's year or later: exactly what ``/api/v1/districts``
    serves (1 January through yesterday, CST, with the budgets). An earlier year: that whole year
    (no budget: the year is over).
    """
    from service.api.routes.districts import _names, air_figures, district_figures, water_figures
    from service.api.schemas_figures import DistrictFigures
    from service.compute import ytd_as_of
    from service.targets import district_codes

    as_of = ytd_as_of(clock)
    if year is None or year >= as_of.year:
        return [district_figures(engine, clock, code) for code in district_codes()]
    names = _names(engine)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return [
        DistrictFigures(
            code=code,
            name=names.get(code, (code, code))[0],
            name_en=names.get(code, (code, code))[1],
            air=air_figures(engine, code, first, last, budget=False),
            water=water_figures(engine, code, f"{year:04d}"),
        )
        for code in district_codes()
    ]


#: The figures columns of ``districts.csv`` after the district's public attributes.
FIGURE_COLUMNS = (
    "period_start",
    "period_end",
    "excellent_good_ratio",
    "excellent_good_days",
    "valid_days",
    "excellent_good_target",
    "meets_air_target",
    "air_budget_days",
    "air_budget_status",
    "water_period",
    "class_iii_ratio",
    "class_iii_sections",
    "sections_evaluated",
    "class_iii_target",
    "meets_water_target",
    "water_budget_sections",
)


def _figure_row(f: DistrictFigures) -> dict[str, Any]:
    air, water = f.air, f.water
    return {
        "period_start": air.start.isoformat(),
        "period_end": air.end.isoformat(),
        "excellent_good_ratio": air.excellent_good_ratio.value,
        "excellent_good_days": air.excellent_good_ratio.numerator,
        "valid_days": air.excellent_good_ratio.denominator,
        "excellent_good_target": air.target,
        "meets_air_target": air.meets_target,
        "air_budget_days": None if air.budget is None else air.budget.budget,
        "air_budget_status": None if air.budget is None else air.budget.status,
        "water_period": water.period,
        "class_iii_ratio": water.class_iii_ratio.value,
        "class_iii_sections": water.class_iii_ratio.numerator,
        "sections_evaluated": water.class_iii_ratio.denominator,
        "class_iii_target": water.target,
        "meets_water_target": water.meets_target,
        "water_budget_sections": water.budget.budget,
    }


def _districts_rows(engine: Engine, clock: Clock) -> list[dict[str, Any]]:
    import geodata

    frame = geodata.load_districts()
    attrs = {
        str(r["code"]): r
        for r in frame[[c for c in DISTRICT_PUBLIC if c in frame.columns]].to_dict("records")
    }
    rows = []
    for f in district_figures_for(engine, clock):
        base = attrs.get(f.code) or {"code": f.code, "name": f.name, "name_en": f.name_en}
        rows.append({**base, **_figure_row(f)})
    return rows


@router.get(
    "/districts.csv",
    response_class=Response,
    responses=CSV_RESPONSE,
    operation_id="exportDistricts",
)
def export_districts(engine: EngineDep, clock: ClockDep, lang: LangDep) -> Response:
    """Districts (区/县) and the city with their public attributes and year-to-date figures
    (优良天数比例 and Ⅰ–Ⅲ类断面比例 with numerator, denominator, target and budget), as CSV."""
    demo = figures_are_demo(engine)
    rows = _districts_rows(engine, clock)
    columns = list(dict.fromkeys(k for row in rows for k in row if k not in FIGURE_COLUMNS))
    extra = ["data_demo", "data_note"] if demo else []
    body = to_csv(demo_columns(rows, demo), [*columns, *FIGURE_COLUMNS, *extra])
    return Response(
        body,
        media_type=CSV_MEDIA,
        headers={"Content-Disposition": 'attachment; filename="districts.csv"'},
    )


@router.get(
    "/stations.csv", response_class=Response, responses=CSV_RESPONSE, operation_id="exportStations"
)
def export_stations(engine: EngineDep, lang: LangDep) -> Response:
    """Stations with their latest hourly AQI and concentrations, as CSV."""
    return csv_response(station_items(engine, lang), "stations", demo=figures_are_demo(engine))


@router.get(
    "/sections.csv", response_class=Response, responses=CSV_RESPONSE, operation_id="exportSections"
)
def export_sections(engine: EngineDep) -> Response:
    """Sections with their latest water class, as CSV."""
    return csv_response(section_items(engine), "sections", demo=figures_are_demo(engine))


@router.get(
    "/zones.csv", response_class=Response, responses=CSV_RESPONSE, operation_id="exportZones"
)
def export_zones(engine: EngineDep) -> Response:
    """Harbour ship-pollution zones, as CSV."""
    return csv_response(zone_items(engine), "zones", demo=figures_are_demo(engine))


__all__ = [
    "CSV_RESPONSE",
    "FIGURE_COLUMNS",
    "district_figures_for",
    "Format",
    "FormatQuery",
    "csv_response",
    "demo_columns",
    "router",
    "to_csv",
]
