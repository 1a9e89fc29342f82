"""The staff map: a small page whose layers are fetched by URL (``maps.staff_layers``), with layer
control, legends, a time slider that loads days on demand, scale and fullscreen (``staff.js``).

The page's cost does not grow with the stored history: it holds configuration only; each layer is
one request, built by the service from the precomputed daily tables and cached by data version."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr
from branca.element import Element, Figure, MacroElement
from folium.plugins import Fullscreen
from folium.template import Template

from maps import palette
from maps.assets import VENDOR_PREFIX, use_local_assets
from maps.basemaps import Basemap, osm, point_to_display
from maps.controls import InfoBox, MetricScale
from maps.escape import html_text
from maps.i18n import data_credit, normalise_lang, t
from maps.legend import Legend
from maps.staff_layers import SLIDER_WINDOW_DAYS, days_url, layers_json


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


#: Zhoushan's extent (w, s, e, n, WGS-84), the first view of the staff map.
ZHOUSHAN_BOUNDS: Final = (121.5, 29.5, 123.3, 31.0)


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
        location=None, tiles=None, control_scale=False, zoom_snap=0.25, prefer_canvas=False
    )
    figure.add_child(m)
    if scale:
        MetricScale().add_to(m)
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


class StaffLayers(MacroElement):
    """Hands the config to ``staff.js`` (a static file), which fetches each declared layer
    (``maps.staff_layers``) by URL and draws it; it exposes ``window.envmonLayers`` and
    ``window.envmonReady`` (layer key -> promise of true once drawn, false if loading failed)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "window.envmonStaffStart({{ this.cfg|tojson }}, {{ this._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self, cfg: Mapping[str, object]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "StaffLayers"
        self.cfg = dict(cfg)


#: Drawing order of surface images: above the district fills, below zones, sections and stations.
SURFACE_PANE: Final = 408

#: The staff page's own files (``maps/static``).
STAFF_JS: Final = ("leaflet", "staff_js")
STAFF_CSS: Final = ("leaflet_css",)


def _daily_cfg(period: tuple[str, str], days: str | Mapping[str, str]) -> dict[str, object]:
    """The daily-AQI slider: first and last day, window length, where its windows come from."""
    return {
        "start": period[0],
        "end": period[1],
        "window": SLIDER_WINDOW_DAYS,
        "url": days if isinstance(days, str) else None,
        "windows": {} if isinstance(days, str) else dict(days),
    }


def _surfaces_cfg(surface_layers: Sequence[Mapping[str, object]]) -> list[dict[str, object]]:
    """Surfaces (maps.staff_surfaces): {key, name, url}, off until switched on, then fetched.

    The layer control inserts a name as HTML: a raster's name is the importer's text, escaped."""
    return [
        {
            "key": s["key"],
            "name": f"<span class='envmon-surface-label'>{html_text(s['name'])}</span>",
            "url": s["url"],
            "pane": SURFACE_PANE,
        }
        for s in surface_layers
    ]


def _add_fullscreen(m: folium.Map, lang: str, vendor_prefix: str) -> None:
    """The full-screen control, its files served locally."""
    fs = Fullscreen(  # type: ignore[no-untyped-call]
        title=t("control.fullscreen", lang), title_cancel=t("control.exit_fullscreen", lang)
    )
    use_local_assets(fs, ["fullscreen"], ["fullscreen_css"], vendor_prefix)
    fs.add_to(m)


def staff_map(
    base: str | Callable[[str], str] = "/maps/staff",
    *,
    lang: str = "zh",
    basemap: Basemap | None = None,
    vendor_prefix: str = VENDOR_PREFIX,
    period: tuple[str, str] = ("", ""),
    days: str | Mapping[str, str] | None = None,
    highlight_km: float = 2.0,
    bounds: Sequence[float] = ZHOUSHAN_BOUNDS,
    surfaces: Sequence[Surface] = (),
    surface_layers: Sequence[Mapping[str, object]] = (),
    data_time: str = "—",
    notices: Sequence[tuple[str, str]] = (),
) -> folium.Map:
    """The staff map's page: a shell whose layers (``maps.staff_layers``) are fetched by URL.

    ``base``: the staff map's URL (layers under ``{base}/layers/``), or a function giving a layer's
    URL; ``period``: the time slider's first and last day (ISO, CST); ``days``: where the slider's
    windows come from: a URL template with ``{from}`` and ``{to}`` (default under ``base``), or
    window start -> URL (offline files); ``bounds``: w, s, e, n (WGS-84) of the first view;
    ``surface_layers``: ``{key, name, url}`` of each surface layer (off by default; its body,
    ``service.figures.surfaces.SurfaceLayerBody``, and its image are fetched when switched on).
    """
    lang = normalise_lang(lang)
    basemap = basemap or osm()
    w, s, e, n = bounds
    x0, y0 = point_to_display(w, s, basemap)
    x1, y1 = point_to_display(e, n, basemap)
    m = new_map(
        t("title.staff", lang),
        basemap,
        (x0, y0, x1, y1),
        vendor_prefix=vendor_prefix,
        js=STAFF_JS,
        css=STAFF_CSS,
        lang=lang,
    )
    for surface in surfaces:
        _add_surface(m, surface, lang, basemap)
    if days is None:
        days = days_url(base if isinstance(base, str) else "/maps/staff")
    cfg: dict[str, object] = {
        "lang": lang,
        "layers": layers_json(base, lang, offline=basemap.offline, highlight_km=highlight_km),
        "daily": _daily_cfg(period, days),
        "surfaces": _surfaces_cfg(surface_layers),
        "credit": data_credit(lang),
        "aqi_scale": palette.aqi_scale(),
        "no_data": palette.NO_DATA,
        "labels": {
            "date": t("field.date", lang),
            "play": t("control.play", lang),
            "loading_failed": t("notice.loading_failed", lang),
            "legend": t("control.legend", lang),
        },
    }
    # The data box first: it heads the top-right stack, above the layer control and the legend.
    InfoBox(t("title.staff", lang), data_time, lang, notices).add_to(m)
    StaffLayers(cfg).add_to(m)
    _add_fullscreen(m, lang, vendor_prefix)
    return m
