"""The public, embeddable map: small page, layers fetched by URL from the public API.

Only public layers and fields: district ratios, latest station AQI, section classes, zones. The page
itself carries configuration and a small script of ours (``templates/public.js``); the data come
from the API's GeoJSON routes, optionally joined with a JSON list of figures by ``code``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Final

import folium
from branca.element import MacroElement
from folium.template import Template

from maps import palette
from maps.assets import VENDOR_PREFIX
from maps.basemaps import Basemap, osm
from maps.controls import InfoBox
from maps.i18n import bundle, data_credit, normalise_lang, t
from maps.staff import ZHOUSHAN_BOUNDS, new_map
from stations.standards.health import HEALTH_ADVICE
from stations.standards.tables import HJ633_2026

#: Public layers in drawing order.
PUBLIC_LAYERS: Final = ("districts", "zones", "sea", "sections", "stations")


#: The page's own files (``maps/static``, served with the vendor files); no inline page script
#: beyond the one line that hands the config to ``public.js``.
PUBLIC_JS: Final = ("leaflet", "uplot", "public_js")
PUBLIC_CSS: Final = ("leaflet_css", "uplot_css", "public_css")


@dataclass(frozen=True, slots=True)
class LayerSource:
    """Where a public layer's features come from: a GeoJSON URL, optionally a JSON list joined by key."""

    url: str
    join_url: str | None = None
    join_key: str = "code"


def default_sources(api: str = "/api/v1") -> dict[str, LayerSource]:
    """The service's public API routes for each layer under ``api``.

    Station and section GeoJSON carry their figures; district ratios are always joined from
    ``{api}/districts``. The sea layer draws two sources: the bays / zones (``sea_areas``, with
    their 优良比例) and the points (``sea``, with their class). The caller names ``api`` (the
    service passes its mount point); the page never guesses which routes exist.
    """
    return {
        "districts": LayerSource(f"{api}/geo/districts.geojson", f"{api}/districts"),
        "stations": LayerSource(f"{api}/geo/stations.geojson"),
        "sections": LayerSource(f"{api}/geo/sections.geojson"),
        "zones": LayerSource(f"{api}/geo/zones.geojson"),
        "sea": LayerSource(f"{api}/sea/points.geojson"),
        "sea_areas": LayerSource(f"{api}/sea/areas.geojson"),
    }


def parse_layers(text: str | None) -> tuple[str, ...]:
    """``?layers=stations,districts`` -> known layers in drawing order; all when empty."""
    if not text:
        return PUBLIC_LAYERS
    asked = {p.strip() for p in text.split(",") if p.strip()}
    unknown = asked - set(PUBLIC_LAYERS)
    if unknown:
        raise ValueError(f"unknown layers: {', '.join(sorted(unknown))}")
    return tuple(k for k in PUBLIC_LAYERS if k in asked)


class PublicLayers(MacroElement):
    """Hands the config to ``public.js`` (a static file), which fetches each layer's GeoJSON and
    draws it; it exposes ``window.envmonLayers`` and ``window.envmonReady``."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "window.envmonPublicStart({{ this.cfg|tojson }}, {{ this._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self, cfg: Mapping[str, object]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "PublicLayers"
        self.cfg = dict(cfg)


def _layer_names(lang: str) -> dict[str, str]:
    """Each public layer's name in the layer control."""
    return {
        "districts": t("layer.eg_ratio", lang),
        "stations": t("layer.stations", lang),
        "sections": t("layer.sections", lang),
        "zones": t("layer.zones", lang),
        "sea": t("layer.sea", lang),
    }


def _colour_cfg(lang: str) -> dict[str, object]:
    """The colours and class labels ``public.js`` paints the layers with."""
    classes = ("I", "II", "III", "IV", "V", "V+")
    return {
        "land": palette.LAND,
        "no_data": palette.NO_DATA,
        "aqi_scale": palette.aqi_scale(),
        "aqi_labels": [s.label(lang) for s in palette.aqi_swatches()],
        "near_margin": palette.NEAR_MARGIN,
        "target_colours": palette.TARGET_COLOURS,
        "status": {s: t(f"status.{s}", lang) for s in palette.TARGET_STATUS},
        "water_colours": {c: palette.water_colour(c) for c in classes},
        "water_labels": {c: palette.water_class_label(c) for c in classes},
        "zone_colours": palette.ZONE_COLOURS,
        "sea_colours": palette.SEA_CLASS_COLOURS,
        "sea_labels": {s.key: s.label(lang) for s in palette.sea_class_swatches()},
        "sea_ratio_scale": palette.SEA_RATIO_SCALE,
        "zone_kinds": bundle("zone.", lang),
    }


def _page_labels(lang: str) -> dict[str, str]:
    """Popup field names, notices and chart words in ``lang``."""
    return {
        **bundle("field.", lang),
        "no_data": t("legend.no_data", lang),
        "demo": t("demo", lang),
        "demo_short": t("demo.short", lang),
        "loading_failed": t("notice.loading_failed", lang),
        "legend": t("control.legend", lang),
        "health_effects": t("field.health_effects", lang),
        "health_measures": t("field.health_measures", lang),
        "chart_hours": t("chart.hours", lang),
        "chart_days": t("chart.days", lang),
        "chart_no_data": t("chart.no_data", lang),
        "calendar": t("chart.calendar", lang, year="{year}"),
        "download": t("field.download", lang),
    }


def _layer_legends(lang: str) -> dict[str, tuple[str, str, list[palette.Swatch]]]:
    """Each layer's legend: its key, title and colour rows."""
    return {
        "districts": (
            "eg_ratio",
            t("layer.eg_ratio", lang),
            [
                palette.Swatch(
                    s, palette.TARGET_COLOURS[s], t(f"status.{s}", "zh"), t(f"status.{s}", "en")
                )
                for s in palette.TARGET_STATUS
            ],
        ),
        "stations": ("aqi", t("legend.aqi", lang), list(palette.aqi_swatches())),
        "sections": ("water", t("legend.water", lang), list(palette.water_swatches())),
        "sea": (
            "sea",
            t("legend.sea_class", lang),
            list(palette.sea_class_swatches()),
        ),
        "zones": (
            "zones",
            t("legend.zones", lang),
            [
                palette.Swatch(k, c, t(f"zone.{k}", "zh"), t(f"zone.{k}", "en"))
                for k, c in palette.ZONE_COLOURS.items()
            ],
        ),
    }


def _legend_cfg(chosen: Sequence[str], lang: str) -> list[dict[str, object]]:
    """One collapsible legend panel (public.js); each layer's rows show while the layer is on."""
    legends = _layer_legends(lang)
    legend_cfg: list[dict[str, object]] = [
        {
            "key": legends[key][0],
            "layer": key,
            "title": legends[key][1],
            "rows": [[s.colour, s.label(lang), s.key] for s in legends[key][2]]
            + ([[palette.NO_DATA, t("legend.no_data", lang), "no_data"]] if key != "zones" else []),
        }
        for key in chosen
    ]
    if "sea" in chosen:  # the bays' ratio scale, shown with the sea layer
        legend_cfg.append(
            {
                "key": "sea_ratio",
                "layer": "sea",
                "title": t("legend.sea_ratio", lang),
                "rows": [[s.colour, s.label(lang), s.key] for s in palette.sea_ratio_swatches()]
                + [[palette.NO_DATA, t("legend.no_data", lang), "no_data"]],
            }
        )
    return legend_cfg


def _notices(lang: str, data_time: str, stale: bool, demo_feed: bool) -> list[tuple[str, str]]:
    """The info box's notices: stale data (with its time), demo feed."""
    notices = []
    if stale:
        notices.append(("stale", t("notice.stale", lang, time=data_time)))
    if demo_feed:
        notices.append(("demo", t("notice.demo_feed", lang)))
    return notices


def public_map(
    sources: Mapping[str, LayerSource] | None = None,
    *,
    lang: str = "zh",
    layers: Sequence[str] = PUBLIC_LAYERS,
    district: str | None = None,
    basemap: Basemap | None = None,
    bounds: Sequence[float] = ZHOUSHAN_BOUNDS,
    vendor_prefix: str = VENDOR_PREFIX,
    data_time: str = "—",
    stale: bool = False,
    demo_feed: bool = False,
    today: str | None = None,
) -> folium.Map:
    """The public map page: ``layers`` loaded from ``sources``, optionally one ``district``.

    ``today``: the service's CST day (YYYY-MM-DD), which the popups' "last 30 days" and year
    calendar count from (the browser's clock may differ)."""
    lang = normalise_lang(lang)
    basemap = basemap or osm()
    sources = dict(sources or default_sources())
    m = new_map(
        t("title.public", lang),
        basemap,
        bounds,
        vendor_prefix=vendor_prefix,
        lang=lang,
        js=PUBLIC_JS,
        css=PUBLIC_CSS,
        scale=False,  # public.js adds a metric-only scale
    )
    api = sources["districts"].url.rsplit("/geo/", 1)[0]
    chosen = [k for k in PUBLIC_LAYERS if k in layers]
    cfg: dict[str, object] = {
        "lang": lang,
        "api": api,
        "today": today,
        "credit": data_credit(lang),
        "pollutants": bundle("pollutant.", lang),
        "pollutants_day": bundle("pollutant.day.", lang),
        "health": [[a.effects(lang), a.measures(lang)] for a in HEALTH_ADVICE[HJ633_2026]],
        "district": district,
        "layers": chosen,
        "layer_names": _layer_names(lang),
        "sources": {k: asdict(s) for k, s in sources.items()},
        "offline": basemap.offline,
        "gcj02": basemap.datum == "GCJ02",
        **_colour_cfg(lang),
        "labels": _page_labels(lang),
    }
    InfoBox(
        t("title.public", lang), data_time, lang, _notices(lang, data_time, stale, demo_feed)
    ).add_to(m)
    cfg["legends"] = _legend_cfg(chosen, lang)
    PublicLayers(cfg).add_to(m)
    return m
