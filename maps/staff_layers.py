"""The staff map's layers, declared in one place: name, URL, bilingual label, default on/off, legend.

The staff page is a small shell (``maps.staff.staff_map``); ``maps/static/staff.js`` fetches each
layer declared here from its URL (``layer_url``) and draws it. A layer's body is a GeoJSON
``FeatureCollection`` whose features carry what to draw (``maps.staff_features``): ``style``
(Leaflet path options), ``popup`` (HTML already escaped by ``maps.escape``), ``tooltip`` (plain
text, inserted as text), ``radius`` for points. The service builds each body in
``service.figures.staff_layers`` (one builder per key) and caches it by data version.

To add a layer: append a ``StaffLayer`` to ``STAFF_LAYERS`` (its label and legend title in
``maps.i18n``), a builder to ``service.figures.staff_layers.BUILDERS`` under the same key, and a
legend to ``LEGENDS`` if it has one (docs/architecture.md, "How to add a staff map layer").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from maps import palette
from maps.i18n import t

#: ``features``: a GeoJSON body drawn as is; ``daily``: station points recoloured per day by the
#: time slider from ``/days`` windows; ``image``: ``{"image": url, "bounds": [[s, w], [n, e]]}``.
LayerKind = Literal["features", "daily", "image"]


@dataclass(frozen=True, slots=True)
class StaffLayer:
    """One layer of the staff map.

    ``key``: URL segment and name in the page (``window.envmonLayers[key]``); ``label``: the
    ``maps.i18n`` key of its name in the layer control (Chinese and English); ``show``: on when the
    page opens; ``legend``: key in ``LEGENDS`` (shown while the layer is on); ``pane``: drawing order
    (Leaflet pane z-index, higher on top); ``control``: listed in the layer control; ``offline_only``:
    drawn only on the offline basemap (the land it draws replaces tiles).
    """

    key: str
    label: str
    show: bool = True
    legend: str | None = None
    pane: int = 400
    kind: LayerKind = "features"
    control: bool = True
    offline_only: bool = False


#: Every staff layer, in layer-control order.
STAFF_LAYERS: Final[tuple[StaffLayer, ...]] = (
    StaffLayer("base", "layer.base_offline", pane=200, control=False, offline_only=True),
    StaffLayer("eg_ratio", "layer.eg_ratio", legend="eg_ratio", pane=405),
    StaffLayer("class_iii", "layer.class_iii", show=False, legend="class_iii", pane=406),
    StaffLayer("zones", "layer.zones", legend="zones", pane=410),
    StaffLayer("sea", "layer.sea", legend="sea_class", pane=415),
    StaffLayer("sections", "layer.sections", legend="water", pane=420),
    StaffLayer("stations", "layer.stations", legend="aqi", pane=430),
    StaffLayer(
        "daily_aqi", "layer.daily_aqi", show=False, legend="aqi_daily", pane=431, kind="daily"
    ),
)

#: Days the time slider fetches at once (``/maps/staff/days.json?from=&to=``); the longest window
#: that route serves is ``MAX_WINDOW_DAYS``.
SLIDER_WINDOW_DAYS: Final = 7
MAX_WINDOW_DAYS: Final = 62


def slider_windows(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The time slider's windows over ``[start, end]``: ``SLIDER_WINDOW_DAYS`` days each from
    ``start`` (the last may be shorter), as ``staff.js`` asks for them."""
    out = []
    first = start
    while first <= end:
        last = min(first + dt.timedelta(days=SLIDER_WINDOW_DAYS - 1), end)
        out.append((first, last))
        first = last + dt.timedelta(days=1)
    return out


def staff_layer(key: str) -> StaffLayer:
    """The declared layer ``key``; ``KeyError`` for an unknown one."""
    for layer in STAFF_LAYERS:
        if layer.key == key:
            return layer
    raise KeyError(key)


def layer_url(base: str, key: str) -> str:
    """URL of layer ``key`` under the staff map's URL ``base`` (e.g. ``/maps/staff``)."""
    return f"{base.rstrip('/')}/layers/{key}.geojson"


def days_url(base: str) -> str:
    """URL template of a time-slider window under ``base`` (``{from}``, ``{to}``: ISO days)."""
    return f"{base.rstrip('/')}/days.json?from={{from}}&to={{to}}"


def _target_rows(lang: str) -> list[palette.Swatch]:
    return [
        palette.Swatch(s, palette.TARGET_COLOURS[s], t(f"status.{s}", "zh"), t(f"status.{s}", "en"))
        for s in palette.TARGET_STATUS
    ]


def _zone_rows(lang: str) -> list[palette.Swatch]:
    return [
        palette.Swatch(k, c, t(f"zone.{k}", "zh"), t(f"zone.{k}", "en"))
        for k, c in palette.ZONE_COLOURS.items()
    ]


@dataclass(frozen=True, slots=True)
class LegendSpec:
    """A legend: ``title`` (``maps.i18n`` key), its rows, a no-data row, round swatches, a note."""

    title: str
    rows: Callable[[str], Sequence[palette.Swatch]]
    no_data: bool = True
    round_marks: bool = False
    note: Callable[[str, float], str] | None = None


def _aqi_note(lang: str, km: float) -> str:
    return f"- - - {t('demo', lang)}; ◯ {t('legend.highlight', lang, km=km)}"


#: Legends by key (``StaffLayer.legend``).
LEGENDS: Final[dict[str, LegendSpec]] = {
    "eg_ratio": LegendSpec("layer.eg_ratio", _target_rows),
    "class_iii": LegendSpec("layer.class_iii", _target_rows),
    "aqi": LegendSpec(
        "legend.aqi", lambda _l: palette.aqi_swatches(), round_marks=True, note=_aqi_note
    ),
    "water": LegendSpec("legend.water", lambda _l: palette.water_swatches()),
    "zones": LegendSpec("legend.zones", _zone_rows, no_data=False),
    "aqi_daily": LegendSpec("legend.aqi", lambda _l: palette.aqi_swatches()),
    "sea_class": LegendSpec(
        "legend.sea_class", lambda _l: palette.sea_class_swatches(), round_marks=True
    ),
}


def legend_json(key: str, lang: str, highlight_km: float) -> dict[str, object]:
    """Legend ``key`` as the page's JSON: ``key, title, rows [[colour, label, key, round]], note``."""
    spec = LEGENDS[key]
    rows: list[list[object]] = [
        [s.colour, s.label(lang), s.key, spec.round_marks] for s in spec.rows(lang)
    ]
    if spec.no_data:
        rows.append([palette.NO_DATA, t("legend.no_data", lang), "no_data", spec.round_marks])
    note = spec.note(lang, highlight_km) if spec.note else None
    return {"key": key, "title": t(spec.title, lang), "rows": rows, "note": note}


def layers_json(
    base: str | Callable[[str], str], lang: str, *, offline: bool, highlight_km: float
) -> list[dict[str, object]]:
    """The page's layer list: ``key, name, url, show, control, pane, kind, legend``.

    ``base``: the staff map's URL (each layer at ``layer_url``), or a function giving a layer's URL
    (the offline files of ``envmon render-maps`` hold their layers as ``data:`` URLs).
    """
    out = []
    for layer in STAFF_LAYERS:
        if layer.offline_only and not offline:
            continue
        url = base(layer.key) if callable(base) else layer_url(base, layer.key)
        out.append(
            {
                "key": layer.key,
                "name": t(layer.label, lang),
                "url": url,
                "show": layer.show,
                "control": layer.control,
                "pane": layer.pane,
                "kind": layer.kind,
                "legend": legend_json(layer.legend, lang, highlight_km) if layer.legend else None,
            }
        )
    return out
