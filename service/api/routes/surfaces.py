"""Surfaces (issue 16 item 4), staff only: the IDW surface of each pollutant for a day and the
rasters the bureau imported, with area-weighted statistics per harbour zone and a PNG overlay.

- ``GET /api/v1/surfaces?day=``: every surface, with the URLs of its overlay and statistics;
- ``GET /api/v1/surfaces/{id}/zonal?day=``: statistics per zone (``service.figures.surfaces``);
- ``GET /api/v1/surfaces/{id}/overlay?day=``: image URL, corners and legend stops for the map;
- ``GET /api/v1/surfaces/{id}/image.png?day=``: the PNG itself (Web Mercator, ramp colours);
- ``POST /api/v1/staff/surfaces/import`` (operator): a GeoTIFF, read in a worker process under the
  ``ENVMON_SURFACE_*`` limits (``service.surfaces``); 201 with the stored version, 413 over the
  size limit, 422 naming the rule a refused file broke.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import Field
from sqlalchemy import Engine

from service.api.bounds import checked_day
from service.api.deps import ClockDep, EngineDep, LangDep, OperatorDep, SettingsDep, ViewerDep
from service.api.errors import NotFound, PayloadTooLarge, ValidationFailed
from service.api.schemas import Model
from service.figures.surfaces import (
    SurfaceImage,
    SurfaceInfo,
    SurfaceLayerBody,
    SurfaceZonal,
    UnknownSurface,
    surface_image,
    surface_layer_body,
    surface_list,
    surface_zonal,
)
from service.settings import Settings
from service.surfaces import RefusedRaster, import_surface, refusal_message

router = APIRouter(tags=["staff"])

SurfaceId = Annotated[
    str,
    Path(
        pattern=r"^(idw-[a-z0-9]{1,8}|raster-[0-9]{1,12})$",
        description="idw-<pollutant> (pm25, pm10, no2, so2, o3, co) or raster-<id>",
    ),
]
Day = Annotated[dt.date | None, Query(description="CST day of an IDW surface (default: latest)")]
Band = Annotated[int, Query(ge=1, le=366, description="band of a multi-band raster (1-based)")]


class SurfaceLinks(Model):
    """A surface with where to fetch its overlay and its statistics."""

    surface: SurfaceInfo
    overlay_url: str
    image_url: str
    zonal_url: str


class SurfaceListing(Model):
    """Every surface of a day."""

    day: dt.date | None
    count: int
    items: list[SurfaceLinks]


class SurfaceOverlay(Model):
    """What the staff map needs to draw a surface: image, its corners, legend stops."""

    surface: SurfaceInfo
    image_url: str
    bounds: list[list[float]] = Field(description="[[south, west], [north, east]] (degrees)")
    stops: list[tuple[float, str]] = Field(description="(value, colour) along the legend")


def _query(day: dt.date | None, info: SurfaceInfo) -> str:
    the_day = day or info.day
    if info.kind == "idw":
        return f"?day={the_day.isoformat()}" if the_day else ""
    return f"?band={info.band}" if info.band != 1 else ""


def _links(request: Request, info: SurfaceInfo, day: dt.date | None) -> SurfaceLinks:
    q = _query(day, info)
    return SurfaceLinks(
        surface=info,
        overlay_url=str(request.url_for("surface_overlay", surface_id=info.id).path) + q,
        image_url=str(request.url_for("surface_png", surface_id=info.id).path) + q,
        zonal_url=str(request.url_for("surface_zonal_stats", surface_id=info.id).path) + q,
    )


def _image(
    engine: Engine, settings: Settings, surface_id: str, day: dt.date | None, band: int
) -> SurfaceImage:
    """The overlay image of a surface for ``day`` and ``band`` (404 for an unknown surface)."""
    try:
        return surface_image(
            engine, settings.store.data_dir, surface_id, checked_day(day, "day"), band=band
        )
    except UnknownSurface as exc:
        raise _missing(exc) from None


def _missing(exc: UnknownSurface) -> NotFound:
    return NotFound("thing.resource", ident=exc.message, field=exc.field)


@router.get("/api/v1/surfaces", response_model=SurfaceListing, operation_id="listSurfaces")
def list_surfaces(
    request: Request, _: ViewerDep, engine: EngineDep, day: Day = None
) -> SurfaceListing:
    """The IDW surface of each pollutant for ``day`` and every current imported raster."""
    listed = surface_list(engine, checked_day(day, "day"))
    items = [_links(request, info, listed.day) for info in listed.items]
    return SurfaceListing(day=listed.day, count=len(items), items=items)


@router.get(
    "/api/v1/surfaces/{surface_id}/zonal",
    response_model=SurfaceZonal,
    operation_id="surfaceZonalStatistics",
)
def surface_zonal_stats(
    _: ViewerDep,
    engine: EngineDep,
    settings: SettingsDep,
    surface_id: SurfaceId,
    day: Day = None,
    band: Band = 1,
) -> SurfaceZonal:
    """Area-weighted mean, min, max, sum and covered area of the surface over every zone."""
    try:
        return surface_zonal(
            engine, settings.store.data_dir, surface_id, checked_day(day, "day"), band=band
        )
    except UnknownSurface as exc:
        raise _missing(exc) from None


@router.get(
    "/api/v1/surfaces/{surface_id}/overlay",
    response_model=SurfaceOverlay,
    operation_id="surfaceOverlay",
)
def surface_overlay(
    request: Request,
    _: ViewerDep,
    engine: EngineDep,
    settings: SettingsDep,
    surface_id: SurfaceId,
    day: Day = None,
    band: Band = 1,
) -> SurfaceOverlay:
    """The surface's image URL, corners and legend for an image overlay."""
    image = _image(engine, settings, surface_id, day, band)
    links = _links(request, image.info, day)
    return SurfaceOverlay(
        surface=image.info, image_url=links.image_url, bounds=image.bounds, stops=image.stops
    )


@router.get(
    "/api/v1/surfaces/{surface_id}/image.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "the overlay image"}},
    operation_id="surfaceImage",
)
def surface_png(
    _: ViewerDep,
    engine: EngineDep,
    settings: SettingsDep,
    surface_id: SurfaceId,
    day: Day = None,
    band: Band = 1,
) -> Response:
    """The surface as a PNG in Web Mercator (transparent where there is no value)."""
    image = _image(engine, settings, surface_id, day, band)
    return Response(
        image.png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"}
    )


@router.get(
    "/maps/staff/surfaces/{surface_id}.json",
    response_model=SurfaceLayerBody,
    operation_id="staffMapSurfaceLayer",
)
def staff_map_surface_layer(
    request: Request,
    _: ViewerDep,
    engine: EngineDep,
    settings: SettingsDep,
    lang: LangDep,
    surface_id: SurfaceId,
    day: Day = None,
) -> SurfaceLayerBody:
    """A surface as a staff-map layer: image URL, corners, legend and zonal-statistics table."""
    the_day = checked_day(day, "day")
    try:
        image_url = str(request.url_for("surface_png", surface_id=surface_id).path)
        return surface_layer_body(
            engine, settings.store.data_dir, surface_id, the_day, lang, image_url
        )
    except UnknownSurface as exc:
        raise _missing(exc) from None


@router.post(
    "/api/v1/staff/surfaces/import",
    response_model=SurfaceInfo,
    status_code=201,
    operation_id="staffImportSurface",
)
async def import_surface_file(
    staff: OperatorDep,
    engine: EngineDep,
    settings: SettingsDep,
    clock: ClockDep,
    file: UploadFile,
    name: Annotated[str, Form(min_length=1, max_length=120, description="the surface's name")],
    units: Annotated[str | None, Form(max_length=40, description="units of the values")] = None,
) -> JSONResponse:
    """Import a GeoTIFF (any CRS) as the next version of the surface ``name``."""
    file_name = file.filename or ""
    if len(file_name) > 255:
        raise ValidationFailed("file", "max_length=255", "the file name has over 255 characters")
    if file.size is not None and file.size > settings.surfaces.surface_max_bytes:
        raise PayloadTooLarge(settings.surfaces.surface_max_bytes, field="file")
    data = await file.read(settings.surfaces.surface_max_bytes + 1)
    if len(data) > settings.surfaces.surface_max_bytes:
        raise PayloadTooLarge(settings.surfaces.surface_max_bytes, field="file")
    try:
        row = await asyncio.to_thread(
            import_surface,
            engine,
            settings,
            data,
            file_name,
            name=name,
            units=units,
            who=f"key:{staff.key_id}",
            clock=clock,
        )
    except RefusedRaster as exc:
        field = exc.rule if exc.rule in ("name", "units") else "file"
        raise ValidationFailed(field, exc.rule, refusal_message(exc)) from None
    listed = surface_list(engine)
    info = next(i for i in listed.items if i.id == f"raster-{row['id']}")
    return JSONResponse(info.model_dump(mode="json"), status_code=201)
