"""CSV exports (UTF-8 with BOM so that Excel opens Chinese text): ``/api/v1/export/{name}.csv`` and
the ``?format=csv`` of each public list. Columns are the response model's fields, flattened."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from service.api.deps import EngineDep, LangDep
from service.api.views import DISTRICT_PUBLIC, section_items, station_items, zone_items

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


def csv_response(items: Sequence[BaseModel], name: str) -> Response:
    """A CSV download of ``items`` named ``<name>.csv``."""
    body = to_csv(item.model_dump(mode="json") for item in items)
    return Response(
        body,
        media_type=CSV_MEDIA,
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _districts_rows(lang: str) -> list[dict[str, Any]]:
    import geodata

    frame = geodata.load_districts()
    return frame[[c for c in DISTRICT_PUBLIC if c in frame.columns]].to_dict("records")


@router.get(
    "/districts.csv",
    response_class=Response,
    responses=CSV_RESPONSE,
    operation_id="exportDistricts",
)
def export_districts(lang: LangDep) -> Response:
    """Districts (区/县) with their public attributes, as CSV."""
    body = to_csv(_districts_rows(lang))
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
    return csv_response(station_items(engine, lang), "stations")


@router.get(
    "/sections.csv", response_class=Response, responses=CSV_RESPONSE, operation_id="exportSections"
)
def export_sections(engine: EngineDep) -> Response:
    """Sections with their latest water class, as CSV."""
    return csv_response(section_items(engine), "sections")


@router.get(
    "/zones.csv", response_class=Response, responses=CSV_RESPONSE, operation_id="exportZones"
)
def export_zones(engine: EngineDep) -> Response:
    """Harbour ship-pollution zones, as CSV."""
    return csv_response(zone_items(engine), "zones")


__all__ = ["CSV_RESPONSE", "Format", "FormatQuery", "csv_response", "router", "to_csv"]
