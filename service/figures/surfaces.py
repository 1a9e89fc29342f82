"""Surfaces: the IDW surface of a pollutant for a day and each imported raster, their images and
their area-weighted statistics per harbour zone (issue 16 item 4).

Surface ids: ``idw-<pollutant>`` (``idw-pm25``, ``idw-no2``, ...; the day is a parameter) and
``raster-<id>`` (a stored raster version, ``service.store.surfaces``). Zones are the current ones
(``service.zones.zones_with_derived_eca``: the derived emission control area while the bureau has
imported none), routes widened to their corridors.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Generic, Literal, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr
from pydantic import Field
from pyproj import CRS, Transformer
from sqlalchemy import Engine

import geodata
from geodata.grids import crs_of, idw
from geodata.rasters import read_geotiff, reproject_grid, transform_of
from geodata.spatial import route_corridors
from geodata.zonal import zonal_stats
from maps.i18n import t
from maps.staff_surfaces import ZoneFigure, legend_json, surface_label, zonal_table_html
from maps.surface_png import legend_stops, surface_png
from service.figures.demo_data import figures_are_demo
from service.figures.map_data import stations_frame
from service.figures.values import Value
from service.figures.zone_supervision import supervised_zones
from service.store import surfaces as store
from service.zones import zones_with_derived_eca

#: Pollutants with an IDW surface: id suffix -> (daily indicator, zh name, en name, units).
IDW_POLLUTANTS: Final = {
    "pm25": ("PM25_24h", "PM2.5 日均值", "PM2.5 daily mean", "µg/m³"),
    "pm10": ("PM10_24h", "PM10 日均值", "PM10 daily mean", "µg/m³"),
    "no2": ("NO2_24h", "NO2 日均值", "NO2 daily mean", "µg/m³"),
    "so2": ("SO2_24h", "SO2 日均值", "SO2 daily mean", "µg/m³"),
    "o3": ("O3_8h", "O3 日最大8小时滑动平均", "O3 daily max 8-h mean", "µg/m³"),
    "co": ("CO_24h", "CO 日均值", "CO daily mean", "mg/m³"),
}
#: Cell size of the IDW surfaces (metres, UTM 51N).
IDW_RESOLUTION_M: Final = 1000.0
_ID = re.compile(r"^(?:idw-(?P<pollutant>[a-z0-9]+)|raster-(?P<raster>[0-9]{1,12}))$")


class SurfaceInfo(Value):
    """One surface the staff map can show and the API can summarise per zone."""

    id: str = Field(description="idw-<pollutant> or raster-<id>")
    kind: Literal["idw", "raster"]
    name: str
    name_en: str
    units: str | None = None
    day: dt.date | None = Field(default=None, description="the CST day of an IDW surface")
    method: str = Field(description="how the values were made")
    demo: bool = Field(default=False, description="made from demo data")
    vmin: float | None = Field(default=None, description="lowest value on the colour scale")
    vmax: float | None = Field(default=None, description="highest value on the colour scale")
    bounds: list[float] | None = Field(
        default=None, description="west, south, east, north (degrees)"
    )
    version: int | None = None
    supersedes_id: int | None = None
    imported_at: dt.datetime | None = None
    who: str | None = None
    file_name: str | None = None
    sha256: str | None = None
    crs: str | None = Field(default=None, description="the raster's own CRS (name)")
    width: int | None = None
    height: int | None = None
    bands: int | None = None
    band: int = Field(default=1, description="the band shown and summarised (1-based)")


class SurfaceList(Value):
    """The surfaces of a day: one IDW surface per pollutant, and every current imported raster."""

    day: dt.date | None
    items: list[SurfaceInfo]


class ZoneStatistics(Value):
    """Area-weighted statistics of one surface over one zone (``geodata.zonal.zonal_stats``)."""

    zone: str
    name: str
    name_en: str | None = None
    kind: str | None = None
    derived: bool = Field(
        default=False, description="an outline envmon derived (推导), not official"
    )
    mean: float | None = Field(default=None, description="area-weighted mean of valid cells")
    min: float | None = None
    max: float | None = None
    sum: float | None = Field(default=None, description="Σ coverage × value (per-cell quantities)")
    count: float | None = Field(default=None, description="Σ coverage of valid cells")
    covered_area_km2: float | None = None
    zone_area_km2: float | None = None
    covered_fraction: float | None = Field(default=None, description="covered area / zone area")
    n_cells: int = 0


class SurfaceZonal(Value):
    """Per-zone statistics of one surface."""

    surface: SurfaceInfo
    zones: list[ZoneStatistics]


@dataclass(frozen=True, slots=True)
class SurfaceImage:
    """A surface as a PNG for an image overlay: the bytes, corners ``[[s, w], [n, e]]`` and legend."""

    png: bytes
    bounds: list[list[float]]
    stops: list[tuple[float, str]]
    info: SurfaceInfo


class UnknownSurface(LookupError):
    """No such surface (or no values for it that day); ``field`` names the part that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _latest_day(engine: Engine, day: dt.date | None, pollutant: str = "pm25") -> dt.date | None:
    """``day``, or the latest day with a valid daily value of ``pollutant`` at some station."""
    if day is not None:
        return day
    return store.latest_valid_day(engine, IDW_POLLUTANTS[pollutant][0])


def _idw_inputs(engine: Engine, pollutant: str, day: dt.date) -> tuple[pd.DataFrame, Any]:
    """The stations' valid daily values of ``pollutant`` on ``day`` and those stations' places."""
    indicator = IDW_POLLUTANTS[pollutant][0]
    values = store.station_day_values(engine, day, indicator)
    stations = stations_frame(engine, "zh")
    stations = stations[stations["code"].isin(values["station"])]
    if values.empty or stations.empty:
        raise UnknownSurface("day", f"no station has a valid {indicator} value on {day}")
    return values, stations


def _idw_grid(values: pd.DataFrame, stations: Any, pollutant: str, day: dt.date) -> xr.DataArray:
    table = pd.DataFrame(
        [values.set_index("station")["value"].to_dict()], index=pd.DatetimeIndex([day])
    )
    sea = gpd.GeoSeries([geodata.zhoushan_sea_area()], crs=geodata.WGS84).to_crs(geodata.METRIC)
    west, south, east, north = (float(v) for v in sea.total_bounds)
    grid = idw(
        stations[["code", "geometry"]],
        table,
        bounds=(west, south, east, north),
        resolution=IDW_RESOLUTION_M,
        name=pollutant,
        units=IDW_POLLUTANTS[pollutant][3],
    )
    return grid.isel(time=0)


def _raster_row(engine: Engine, raster_id: int) -> dict[str, object]:
    row = store.get_surface(engine, raster_id)
    if row is None:
        raise UnknownSurface("surface_id", f"no imported raster {raster_id}")
    return row


def _raster_info(row: dict[str, object]) -> SurfaceInfo:
    return SurfaceInfo(
        id=f"raster-{row['id']}",
        kind="raster",
        name=str(row["name"]),
        name_en=str(row["name"]),
        units=row["units"],  # type: ignore[arg-type]
        method="imported raster (band 1), values as supplied",
        vmin=row["value_min"],  # type: ignore[arg-type]
        vmax=row["value_max"],  # type: ignore[arg-type]
        bounds=[row["min_lon"], row["min_lat"], row["max_lon"], row["max_lat"]],  # type: ignore[list-item]
        version=row["version"],  # type: ignore[arg-type]
        supersedes_id=row["supersedes_id"],  # type: ignore[arg-type]
        imported_at=row["imported_at"],  # type: ignore[arg-type]
        who=row["who"],  # type: ignore[arg-type]
        file_name=row["file_name"],  # type: ignore[arg-type]
        sha256=row["sha256"],  # type: ignore[arg-type]
        crs=CRS.from_wkt(str(row["crs_wkt"])).name,
        width=row["width"],  # type: ignore[arg-type]
        height=row["height"],  # type: ignore[arg-type]
        bands=row["bands"],  # type: ignore[arg-type]
    )


def _idw_info(pollutant: str, day: dt.date | None, demo: bool) -> SurfaceInfo:
    _, zh, en, units = IDW_POLLUTANTS[pollutant]
    return SurfaceInfo(
        id=f"idw-{pollutant}",
        kind="idw",
        name=f"{zh}插值面（IDW）",
        name_en=f"{en}, interpolated (IDW)",
        units=units,
        day=day,
        method=(
            f"inverse distance weighting of the stations' valid daily values, power 2, "
            f"30 km radius, {IDW_RESOLUTION_M / 1000:g} km cells (UTM 51N)"
        ),
        demo=demo,
    )


def _parse(surface_id: str) -> tuple[str | None, int | None]:
    match = _ID.match(surface_id)
    if match is None:
        raise UnknownSurface("surface_id", "expected idw-<pollutant> or raster-<id>")
    pollutant = match.group("pollutant")
    if pollutant is not None and pollutant not in IDW_POLLUTANTS:
        raise UnknownSurface("surface_id", f"no IDW surface for {pollutant!r}")
    raster = match.group("raster")
    return pollutant, int(raster) if raster is not None else None


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Kept(Generic[K, V]):
    """The ``size`` most recently used values by key (thread-safe; a miss builds outside the lock,
    so two requests missing one key at once may both build it)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.values: OrderedDict[K, V] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: K, build: Callable[[], V]) -> V:
        with self.lock:
            if key in self.values:
                self.values.move_to_end(key)
                return self.values[key]
        value = build()
        with self.lock:
            self.values[key] = value
            self.values.move_to_end(key)
            while len(self.values) > self.size:
                self.values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.values.clear()


#: Surfaces kept built and drawn, by what they are made from (``_Source.key``): the overlay's
#: answer, the staff map's layer body, its zonal table and the PNG the page then fetches come from
#: one interpolation or raster read and one rendering. A grid of the sea area at 1 km is ~0.2 MB,
#: a PNG tens of kB; the staff map offers a few surfaces a day.
KEPT_SURFACES: Final = 16
_GRIDS: _Kept[Hashable, tuple[xr.DataArray, SurfaceInfo]] = _Kept(KEPT_SURFACES)
_IMAGES: _Kept[Hashable, SurfaceImage] = _Kept(KEPT_SURFACES)


@dataclass(frozen=True, slots=True)
class _Source:
    """What a surface is made from (``key``: the stations' values and places for an IDW day, the
    stored row and band of a raster; a new value or a new version is a new key) and how to make it."""

    key: Hashable
    build: Callable[[], tuple[xr.DataArray, SurfaceInfo]]


def _source(
    engine: Engine, data_dir: Path, surface_id: str, day: dt.date | None, band: int
) -> _Source:
    pollutant, raster_id = _parse(surface_id)
    if pollutant is not None:
        the_day = _latest_day(engine, day, pollutant)
        if the_day is None:
            raise UnknownSurface("day", "no station has daily values yet")
        values, stations = _idw_inputs(engine, pollutant, the_day)
        demo = figures_are_demo(engine)
        key = (
            "idw",
            pollutant,
            the_day,
            demo,
            tuple(zip(values["station"], values["value"], strict=True)),
            tuple(zip(stations["code"], stations.geometry.to_wkb(), strict=True)),
        )

        def idw_surface() -> tuple[xr.DataArray, SurfaceInfo]:
            grid = _idw_grid(values, stations, pollutant, the_day)
            info = _idw_info(pollutant, the_day, demo)
            finite = np.asarray(grid.values)[np.isfinite(grid.values)]
            info = info.model_copy(
                update={"vmin": float(finite.min()), "vmax": float(finite.max())}
                if finite.size
                else {}
            )
            return grid, info

        return _Source(key, idw_surface)
    assert raster_id is not None
    row = _raster_row(engine, raster_id)
    if not 1 <= band <= int(row["bands"]):  # type: ignore[call-overload]
        raise UnknownSurface("band", f"the raster has bands 1 to {row['bands']}")

    def raster_surface() -> tuple[xr.DataArray, SurfaceInfo]:
        grid = read_geotiff(data_dir / "surfaces" / str(row["stored_name"])).isel(band=band - 1)
        info = _raster_info(row)
        if band != 1:  # the stored range is band 1's: this band's own range colours it
            finite = np.asarray(grid.values)[np.isfinite(grid.values)]
            info = info.model_copy(
                update={
                    "band": band,
                    "vmin": float(finite.min()) if finite.size else None,
                    "vmax": float(finite.max()) if finite.size else None,
                }
            )
        return grid, info

    return _Source(("raster", str(data_dir), band, tuple(sorted(row.items()))), raster_surface)


def surface_grid(
    engine: Engine, data_dir: Path, surface_id: str, day: dt.date | None = None, *, band: int = 1
) -> tuple[xr.DataArray, SurfaceInfo]:
    """The grid of a surface (its own CRS, dims ``y, x``) and what it is; ``band`` (1-based)
    picks the band of a multi-band raster (a month of an inventory, a day of a stack). Kept
    while its inputs are unchanged: the caller must not modify the grid."""
    source = _source(engine, data_dir, surface_id, day, band)
    return _GRIDS.get(source.key, source.build)


def surface_list(engine: Engine, day: dt.date | None = None) -> SurfaceList:
    """Every surface of ``day`` (default: the latest day with station values)."""
    the_day = _latest_day(engine, day)
    demo = figures_are_demo(engine)
    items = [_idw_info(p, _latest_day(engine, day, p), demo) for p in IDW_POLLUTANTS]
    items += [_raster_info(r) for r in store.current_surfaces(engine)]
    return SurfaceList(day=the_day, items=items)


def _number(value: object) -> float | None:
    v = float(value)  # type: ignore[arg-type]
    return None if not np.isfinite(v) else v


def surface_zonal(
    engine: Engine, data_dir: Path, surface_id: str, day: dt.date | None = None, *, band: int = 1
) -> SurfaceZonal:
    """Area-weighted statistics of the surface (``band`` of a raster) over every current zone."""
    grid, info = surface_grid(engine, data_dir, surface_id, day, band=band)
    # the zones the staff map draws: the current ones (with the demo yard and port in demo mode)
    # and the derived emission control area until the bureau's zones hold one

    zones = route_corridors(zones_with_derived_eca(engine, supervised_zones(engine)))
    table = zonal_stats(grid, zones, id_column="code").set_index("zone")
    out = []
    for z in zones.itertuples():
        s = table.loc[z.code]
        out.append(
            ZoneStatistics(
                zone=str(z.code),
                name=str(z.name),
                name_en=None if pd.isna(z.name_en) else str(z.name_en),
                kind=str(z.kind),
                derived=bool(z.derived),
                mean=_number(s["mean"]),
                min=_number(s["min"]),
                max=_number(s["max"]),
                sum=_number(s["sum"]),
                count=_number(s["count"]),
                covered_area_km2=_number(s["covered_area_km2"]),
                zone_area_km2=_number(s["zone_area_km2"]),
                covered_fraction=_number(s["covered_fraction"]),
                n_cells=int(s["n_cells"]),
            )
        )
    return SurfaceZonal(surface=info, zones=out)


def surface_image(
    engine: Engine, data_dir: Path, surface_id: str, day: dt.date | None = None, *, band: int = 1
) -> SurfaceImage:
    """The surface (``band`` of a raster) warped to Web Mercator and drawn as a PNG, with its
    corners and legend; drawn once while its inputs are unchanged (``_IMAGES``)."""
    source = _source(engine, data_dir, surface_id, day, band)
    return _IMAGES.get(source.key, lambda: _render(*_GRIDS.get(source.key, source.build)))


def _render(grid: xr.DataArray, info: SurfaceInfo) -> SurfaceImage:
    merc = reproject_grid(grid, "EPSG:3857") if crs_of(grid).to_epsg() != 3857 else grid
    vmin = info.vmin if info.vmin is not None else 0.0
    vmax = info.vmax if info.vmax is not None else 1.0
    png = surface_png(np.asarray(merc.values, dtype=np.float64), vmin, vmax)
    tr = transform_of(merc)
    west, north = tr.c, tr.f
    east, south = west + tr.a * merc.sizes["x"], north + tr.e * merc.sizes["y"]
    to_ll = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    w, s = to_ll.transform(west, south)
    e, n = to_ll.transform(east, north)
    return SurfaceImage(png, [[s, w], [n, e]], legend_stops(vmin, vmax), info)


#: IDW surfaces offered on the staff map (the pollutants ships emit most of).
STAFF_MAP_IDW: Final = ("pm25", "no2", "so2")


class StaffSurfaceLayer(Value):
    """A surface's entry in the staff map's layer control: id, label, the day it shows."""

    key: str
    name: str
    day: dt.date | None = None


def staff_surface_layers(engine: Engine, lang: str) -> list[StaffSurfaceLayer]:
    """The surfaces the staff map offers (off by default): the latest day's IDW surfaces of
    ``STAFF_MAP_IDW`` and every current imported raster, labelled in ``lang``."""
    listed = surface_list(engine)
    out = []
    for info in listed.items:
        if info.kind == "idw" and (info.id[4:] not in STAFF_MAP_IDW or info.day is None):
            continue
        day = info.day.isoformat() if info.day else None
        name = surface_label(
            info.kind, info.name, info.name_en, lang, day=day, version=info.version
        )
        out.append(StaffSurfaceLayer(key=info.id, name=name, day=info.day))
    return out


class SurfaceLayerBody(Value):
    """What the staff map draws for a surface layer: the image (fetched by URL when the layer is
    switched on), its corners, the legend and the zonal-statistics table (escaped HTML)."""

    key: str
    name: str
    image: str
    bounds: list[list[float]]
    opacity: float = 0.7
    legend: dict[str, Any]
    zonal_html: str


def surface_layer_body(
    engine: Engine,
    data_dir: Path,
    surface_id: str,
    day: dt.date | None,
    lang: str,
    image_url: str,
) -> SurfaceLayerBody:
    """The staff map's body of one surface layer, labels in ``lang``; ``image_url``: where the
    PNG is served (the day of an IDW surface is added as ``?day=``)."""
    image = surface_image(engine, data_dir, surface_id, day)
    info = image.info
    if info.kind == "idw" and info.day is not None:
        image_url += f"?day={info.day.isoformat()}"
    zonal = surface_zonal(engine, data_dir, surface_id, info.day)
    name = surface_label(
        info.kind,
        info.name,
        info.name_en,
        lang,
        day=info.day.isoformat() if info.day else None,
        version=info.version,
    )
    note = t("surface.demo", lang) if info.demo else None
    figures = [
        ZoneFigure(z.name, z.name_en, z.derived, z.mean, z.min, z.max, z.covered_fraction)
        for z in zonal.zones
    ]
    return SurfaceLayerBody(
        key=info.id,
        name=name,
        image=image_url,
        bounds=image.bounds,
        legend=legend_json(info.id, name, image.stops, info.units, note),
        zonal_html=zonal_table_html(figures, info.units, lang),
    )


__all__ = [
    "IDW_POLLUTANTS",
    "STAFF_MAP_IDW",
    "StaffSurfaceLayer",
    "SurfaceLayerBody",
    "SurfaceImage",
    "SurfaceInfo",
    "SurfaceList",
    "SurfaceZonal",
    "UnknownSurface",
    "ZoneStatistics",
    "surface_grid",
    "surface_image",
    "surface_layer_body",
    "surface_list",
    "surface_zonal",
    "staff_surface_layers",
]
