"""The nearshore seawater layer of the staff map: points coloured by GB 3097 class, bays / zones
filled by their 优良（一、二类）比例, popups from escaped text (``maps.escape``).

Inputs: ``points`` (GeoDataFrame: ``code, name, name_en, demo, sea_class, target_class,
meets_target, deciding_items`` (list), ``period, n_samples``) and ``areas`` (GeoDataFrame: ``code,
name, name_en, demo, target_class, ratio`` (0..1 or None), ``percent``, ``numerator``,
``denominator``, ``by_area``, ``period``). Demo rows say so in their tooltip and popup.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from maps import palette
from maps.basemaps import Basemap, to_display
from maps.escape import html_text
from maps.i18n import t
from maps.layers import local_name


def sea_class_label(cls: str | None, lang: str) -> str:
    """一类..劣四类 (Class I..Worse than IV); "—" when missing."""
    for s in palette.sea_class_swatches():
        if s.key == cls:
            return s.label(lang)
    return "—"


def sea_ratio_colour(ratio: float | None) -> str:
    """Fill of a bay's 优良比例 on ``palette.SEA_RATIO_SCALE`` (grey without a ratio)."""
    if ratio is None or ratio != ratio:
        return palette.NO_DATA
    for bound, colour in palette.SEA_RATIO_SCALE:
        if bound is None or ratio <= bound:
            return colour
    return palette.NO_DATA


def _line(label_key: str, value: str, lang: str) -> str:
    return f"<br>{html_text(t(label_key, lang))}: {html_text(value)}"


def sea_point_popup_html(row: Any, lang: str) -> str:
    """A point's popup: name, demo note, class, target and whether it is met, deciding items."""
    html = f"<div class='envmon-sea-popup'><b>{html_text(local_name(row, lang))}</b>"
    if bool(row.get("demo")):
        html += f"<br><i>{html_text(t('field.demo_point', lang))}</i>"
    cls = row.get("sea_class")
    html += (
        f"<br>{html_text(t('field.sea_class', lang))}: "
        f"<b class='envmon-sea-class'>{html_text(sea_class_label(cls, lang))}</b>"
    )
    target = row.get("target_class")
    if target:
        met = row.get("meets_target")
        word = "—" if met is None else t("field.yes" if met else "field.no", lang)
        html += _line("field.sea_target", f"{sea_class_label(target, lang)} ({word})", lang)
    deciding = ", ".join(row.get("deciding_items") or []) or "—"
    html += _line("field.deciding", deciding, lang)
    html += _line("field.period", f"{row.get('period')} · n={row.get('n_samples')}", lang)
    return html + "</div>"


def sea_area_popup_html(row: Any, lang: str) -> str:
    """A bay's popup: name, demo note, target class, 优良比例 by points and by area."""
    html = f"<div class='envmon-sea-popup'><b>{html_text(local_name(row, lang))}</b>"
    if bool(row.get("demo")):
        html += f"<br><i>{html_text(t('field.demo_area', lang))}</i>"
    html += _line("field.sea_target", sea_class_label(row.get("target_class"), lang), lang)
    percent, n, d = row.get("percent"), row.get("numerator"), row.get("denominator")
    shown = "—" if percent is None else f"{percent}% ({n}/{d})"
    html += _line("field.sea_ratio", shown, lang)
    by_area = row.get("by_area")
    missing = by_area is None or by_area != by_area
    html += _line("field.sea_ratio_area", "—" if missing else f"{by_area * 100:.1f}%", lang)
    html += _line("field.period", str(row.get("period")), lang)
    return html + "</div>"


def sea_features(
    points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, lang: str, basemap: Basemap
) -> dict[str, Any]:
    """Bays first (drawn under), then points, as the staff map's GeoJSON body."""
    features: list[dict[str, Any]] = []
    demo_word = t("demo.short", lang)
    if not areas.empty:
        for _, row in to_display(areas, basemap).iterrows():
            if row.geometry is None or row.geometry.is_empty:
                continue
            style = {
                "color": "#2B5F8A",
                "weight": 1.5,
                "fillColor": sea_ratio_colour(row.get("ratio")),
                "fillOpacity": 0.35,
                "dashArray": "5 4" if row.get("demo") else None,
            }
            name = local_name(row, lang) + (f" [{demo_word}]" if row.get("demo") else "")
            features.append(
                {
                    "type": "Feature",
                    "geometry": row.geometry.__geo_interface__,
                    "properties": {
                        "code": str(row["code"]),
                        "style": style,
                        "tooltip": name,
                        "popup": sea_area_popup_html(row, lang),
                        "popup_width": 300,
                    },
                }
            )
    if not points.empty:
        shown = to_display(points, basemap)
        for _, row in shown[shown.geometry.notna()].iterrows():
            cls = row.get("sea_class")
            style = {
                "color": "#123",
                "weight": 1.5,
                "fillColor": palette.SEA_CLASS_COLOURS.get(cls or "", palette.NO_DATA),
                "fillOpacity": 0.95,
                "dashArray": "3 2" if row.get("demo") else None,
                "className": f"envmon-sea-marker envmon-sea-{row['code']}",
            }
            name = local_name(row, lang) + (f" [{demo_word}]" if row.get("demo") else "")
            features.append(
                {
                    "type": "Feature",
                    "geometry": row.geometry.__geo_interface__,
                    "properties": {
                        "code": str(row["code"]),
                        "radius": 7,
                        "style": style,
                        "tooltip": f"{name}: {sea_class_label(cls, lang)}",
                        "popup": sea_point_popup_html(row, lang),
                        "popup_width": 300,
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


__all__ = [
    "sea_area_popup_html",
    "sea_class_label",
    "sea_features",
    "sea_point_popup_html",
    "sea_ratio_colour",
]
