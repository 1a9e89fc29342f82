"""A surface as a staff-map layer: its label, legend rows and the table of its zonal statistics.

The service answers one JSON body per surface (``{"image", "bounds", "legend", "zonal_html"}``)
that ``maps/static/staff.js`` draws as an image overlay, off by default; the PNG itself is fetched
by URL when the layer is switched on. Every text from data goes through ``maps.escape.html_text``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from maps.escape import html_text
from maps.i18n import normalise_lang, t


@dataclass(frozen=True, slots=True)
class ZoneFigure:
    """One zone's row of the table: names, whether its outline is derived, the figures."""

    name: str
    name_en: str | None
    derived: bool
    mean: float | None
    vmin: float | None
    vmax: float | None
    covered_fraction: float | None


def _num(value: float | None, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("surface.no_value", lang)
    return f"{value:.3g}"


def surface_label(
    kind: str, name: str, name_en: str, lang: str, *, day: str | None, version: int | None
) -> str:
    """The layer-control label of a surface (plain text)."""
    lang = normalise_lang(lang)
    shown = name_en if lang == "en" else name
    if kind == "idw":
        return t("surface.idw", lang, name=shown, day=day or "—")
    return t("surface.raster", lang, name=shown, version=version or 1)


def legend_json(
    key: str, title: str, stops: Sequence[tuple[float, str]], units: str | None, note: str | None
) -> dict[str, object]:
    """The legend in the staff map's shape (``maps.staff_layers.legend_json``): value stops."""
    rows: list[list[object]] = [
        [colour, f"{value:.3g} {units or ''}".strip(), f"s{i}", False]
        for i, (value, colour) in enumerate(stops)
    ]
    return {"key": key, "title": title, "rows": rows, "note": note}


def zonal_table_html(zones: Sequence[ZoneFigure], units: str | None, lang: str) -> str:
    """The zonal statistics as an HTML table (every text escaped), with a note on derived outlines."""
    lang = normalise_lang(lang)
    unit = f" ({html_text(units)})" if units else ""
    head = (
        f"<tr><th>{html_text(t('surface.zone', lang))}</th>"
        f"<th>{html_text(t('surface.mean', lang))}{unit}</th>"
        f"<th>{html_text(t('surface.range', lang))}</th>"
        f"<th>{html_text(t('surface.covered', lang))}</th></tr>"
    )
    rows = []
    for z in zones:
        name = z.name_en if lang == "en" and z.name_en else z.name
        covered = "—" if z.covered_fraction is None else f"{z.covered_fraction:.0%}"
        span = "—" if z.vmin is None else f"{_num(z.vmin, lang)}–{_num(z.vmax, lang)}"
        rows.append(
            f"<tr data-zone-derived='{str(z.derived).lower()}'><td>{html_text(name)}</td>"
            f"<td class='envmon-zonal-mean'>{html_text(_num(z.mean, lang))}</td>"
            f"<td>{html_text(span)}</td><td>{html_text(covered)}</td></tr>"
        )
    note = ""
    if any(z.derived for z in zones):
        note = f"<div class='envmon-zonal-note'>{html_text(t('surface.derived', lang))}</div>"
    return (
        f"<div class='envmon-zonal'><div class='envmon-zonal-title'>"
        f"{html_text(t('surface.zonal', lang))}</div>"
        f"<table class='envmon-zonal-table'>{head}{''.join(rows)}</table>{note}</div>"
    )


__all__ = ["ZoneFigure", "legend_json", "surface_label", "zonal_table_html"]
