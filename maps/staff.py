"""The staff map: every layer embedded, with layer control, legends, time slider, scale, fullscreen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr
from branca.element import Element, Figure
from folium.plugins import Fullscreen

from maps import palette
from maps.assets import VENDOR_PREFIX, use_local_assets
from maps.basemaps import Basemap, osm, point_to_display, to_display
from maps.controls import DailyAqiSlider, InfoBox
from maps.escape import html_text
from maps.i18n import normalise_lang, t
from maps.layers import (
    base_layer,
    district_layer,
    local_name,
    section_layer,
    station_layer,
    stations_near_zones,
    zone_layer,
)
from maps.legend import Legend


def _empty() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": []}, geometry=[], crs="EPSG:4326")


@dataclass(slots=True)
class MapData:
    """Computed figures and places a map is drawn from (see ``maps.layers`` for the columns)."""

    districts: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame = field(default_factory=_empty)
    sections: gpd.GeoDataFrame = field(default_factory=_empty)
    zones: gpd.GeoDataFrame = field(default_factory=_empty)
    station_days: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["station", "date", "aqi"])
    )
    city: gpd.GeoDataFrame | None = None


@dataclass(frozen=True, slots=True)
class Surface:
    """A gridded surface (EPSG:4326, dims ``y, x`` or ``lat, lon``) drawn as an image with a legend.

    An interpolated PM2.5/O3 grid or an imported raster (ship emissions, traffic density); a grid
    with a ``time`` dimension is drawn at its last time unless ``time`` names one.
    """

    grid: xr.DataArray
    name: str
    units: str
    key: str = "surface"
    time: str | None = None
    vmin: float | None = None
    vmax: float | None = None


def surface_image(surface: Surface) -> tuple[np.ndarray, list[list[float]], float, float]:
    """RGBA image (north row first), its bounds ``[[s, w], [n, e]]`` (cell edges), vmin, vmax."""
    grid = surface.grid
    if "time" in grid.dims:
        grid = grid.sel(time=surface.time) if surface.time else grid.isel(time=-1)
    ydim = "y" if "y" in grid.dims else "lat"
    xdim = "x" if "x" in grid.dims else "lon"
    grid = grid.transpose(ydim, xdim).sortby(ydim, ascending=False).sortby(xdim)
    values = grid.values.astype(float)
    ys, xs = grid[ydim].values.astype(float), grid[xdim].values.astype(float)
    dy = abs(ys[0] - ys[-1]) / max(len(ys) - 1, 1)
    dx = abs(xs[-1] - xs[0]) / max(len(xs) - 1, 1)
    finite = values[np.isfinite(values)]
    vmin = surface.vmin if surface.vmin is not None else float(finite.min()) if finite.size else 0.0
    vmax = surface.vmax if surface.vmax is not None else float(finite.max()) if finite.size else 1.0
    bounds = [
        [float(ys.min() - dy / 2), float(xs.min() - dx / 2)],
        [float(ys.max() + dy / 2), float(xs.max() + dx / 2)],
    ]
    return palette.ramp_rgba(values, vmin, vmax), bounds, vmin, vmax  # type: ignore[return-value]


def _add_surface(m: folium.Map, surface: Surface, lang: str, basemap: Basemap) -> None:
    image, bounds, vmin, vmax = surface_image(surface)
    (s, w), (n, e) = bounds
    w, s = point_to_display(w, s, basemap)
    e, n = point_to_display(e, n, basemap)
    layer = folium.FeatureGroup(name=surface.name, show=False)
    folium.raster_layers.ImageOverlay(
        image, bounds=[[s, w], [n, e]], opacity=0.7, mercator_project=True, interactive=False
    ).add_to(layer)
    layer.add_to(m)
    steps = np.linspace(vmin, vmax, len(palette.RAMP))
    swatches = [
        palette.Swatch(f"{i}", c, f"{v:.3g} {surface.units}", f"{v:.3g} {surface.units}")
        for i, (c, v) in enumerate(zip(palette.RAMP, steps, strict=True))
    ]
    Legend(surface.key, surface.name, swatches, lang, layer=layer, no_data=False).add_to(m)


def new_map(
    title: str,
    basemap: Basemap,
    bounds: Sequence[float],
    *,
    vendor_prefix: str = VENDOR_PREFIX,
    js: Sequence[str] = ("leaflet",),
    css: Sequence[str] = ("leaflet_css",),
    lang: str = "zh",
    scale: bool = True,
) -> folium.Map:
    """A ``folium.Map`` on ``basemap`` fitted to ``bounds`` (w, s, e, n, display datum), local assets."""
    figure = Figure(title=html_text(title))
    m = folium.Map(
        location=None, tiles=None, control_scale=scale, zoom_snap=0.25, prefer_canvas=False
    )
    figure.add_child(m)
    use_local_assets(m, list(js), list(css), vendor_prefix)
    for i, url in enumerate(basemap.tiles):
        folium.TileLayer(
            tiles=url,
            attr=basemap.attribution,
            name=basemap.name if i == 0 else f"{basemap.name} labels",
            subdomains=basemap.subdomains,
            max_zoom=basemap.max_zoom,
            overlay=i > 0,
            control=False,
        ).add_to(m)
    figure.header.add_child(
        Element(
            f"<meta name='referrer' content='no-referrer'><style>"
            f".leaflet-container{{background:{palette.SEA if basemap.offline else '#ddd'}}}</style>"
        ),
        name="envmon_style",
    )
    # ``<html lang>`` is written by the server (maps.render.page_html), not by a script.
    figure.envmon_lang = lang  # type: ignore[attr-defined]
    w, s, e, n = bounds
    m.fit_bounds([[s, w], [n, e]])
    return m


def daily_values(
    days: pd.DataFrame, codes: Sequence[str], period: tuple[str, str] | None
) -> tuple[list[str], dict[str, list[int | None]]]:
    """Dates (ISO) and per-station AQI lists over ``period`` (inclusive), None where missing."""
    if days.empty:
        return [], {}
    frame = days.assign(date=pd.to_datetime(days["date"]).dt.strftime("%Y-%m-%d"))
    if period:
        frame = frame[(frame["date"] >= period[0]) & (frame["date"] <= period[1])]
    dates = sorted(frame["date"].unique())
    table = frame.pivot_table(index="date", columns="station", values="aqi", aggfunc="last")
    table = table.reindex(index=dates)
    values = {
        c: [None if pd.isna(v) else int(round(v)) for v in table[c]] if c in table else []
        for c in codes
    }
    return dates, values


def staff_map(
    data: MapData,
    *,
    lang: str = "zh",
    basemap: Basemap | None = None,
    vendor_prefix: str = VENDOR_PREFIX,
    period: tuple[str, str] | None = None,
    highlight_km: float = 2.0,
    surfaces: Sequence[Surface] = (),
    data_time: str = "—",
    notices: Sequence[tuple[str, str]] = (),
) -> folium.Map:
    """The staff map of ``data`` (WGS-84 in; shifted for a GCJ-02 basemap)."""
    lang = normalise_lang(lang)
    basemap = basemap or osm()
    shown = to_display(data.districts, basemap)
    m = new_map(
        t("title.staff", lang),
        basemap,
        shown.total_bounds,
        vendor_prefix=vendor_prefix,
        js=("leaflet", "jquery"),
        css=("leaflet_css", "font_awesome_css"),
        lang=lang,
    )
    if basemap.offline:
        base_layer(data.districts, data.city, lang, basemap).add_to(m)

    eg = district_layer(data.districts, "excellent_good", lang, basemap, sections=data.sections)
    c3 = district_layer(
        data.districts, "class_iii", lang, basemap, sections=data.sections, show=False
    )
    zones = zone_layer(data.zones, lang, basemap)
    sections = section_layer(data.sections, lang, basemap)
    near_df = stations_near_zones(data.stations, data.zones, highlight_km)
    near = {str(r.station): f"{r.zone_name} ({r.distance_km:.1f} km)" for r in near_df.itertuples()}
    stations, _ = station_layer(data.stations, lang, basemap, days=data.station_days, near=near)
    daily, markers = station_layer(
        data.stations, lang, basemap, name=t("layer.daily_aqi", lang), show=False
    )
    for layer in (eg, c3, zones, sections, stations, daily):
        layer.add_to(m)
    for surface in surfaces:
        _add_surface(m, surface, lang, basemap)

    target = [
        palette.Swatch(s, palette.TARGET_COLOURS[s], t(f"status.{s}", "zh"), t(f"status.{s}", "en"))
        for s in palette.TARGET_STATUS
    ]
    Legend("eg_ratio", t("layer.eg_ratio", lang), target, lang, layer=eg).add_to(m)
    Legend("class_iii", t("layer.class_iii", lang), target, lang, layer=c3).add_to(m)
    Legend(
        "aqi",
        t("legend.aqi", lang),
        palette.aqi_swatches(),
        lang,
        layer=stations,
        round_marks=True,
        note=f"- - - {t('demo', lang)}; ◯ {t('legend.highlight', lang, km=highlight_km)}",
    ).add_to(m)
    Legend("water", t("legend.water", lang), palette.water_swatches(), lang, layer=sections).add_to(
        m
    )
    kinds = [
        palette.Swatch(k, c, t(f"zone.{k}", "zh"), t(f"zone.{k}", "en"))
        for k, c in palette.ZONE_COLOURS.items()
    ]
    Legend("zones", t("legend.zones", lang), kinds, lang, layer=zones, no_data=False).add_to(m)
    Legend("aqi_daily", t("legend.aqi", lang), palette.aqi_swatches(), lang, layer=daily).add_to(m)

    dates, values = daily_values(data.station_days, list(markers), period)
    if dates:
        names = {
            str(r["code"]): local_name(r, lang)
            for _, r in data.stations.iterrows()
            if str(r["code"]) in markers
        }
        DailyAqiSlider(daily, markers, dates, values, names, lang).add_to(m)

    folium.LayerControl(collapsed=False).add_to(m)
    fs = Fullscreen(  # type: ignore[no-untyped-call]
        title=t("control.fullscreen", lang), title_cancel=t("control.exit_fullscreen", lang)
    )
    use_local_assets(fs, ["fullscreen"], ["fullscreen_css"], vendor_prefix)
    fs.add_to(m)
    InfoBox(t("title.staff", lang), data_time, lang, notices).add_to(m)
    return m
