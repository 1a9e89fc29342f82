"""Popups and place helpers of the staff map's layers (``maps.staff_features`` builds the layers).

Input frames (EPSG:4326, columns beyond these are ignored; figure columns may be missing or NaN):

- districts: ``code, name, name_en, geometry`` + ``excellent_good_ratio, excellent_good_target,
  class_iii_ratio, class_iii_target`` (fractions 0..1);
- stations: ``code, name, name_en, district_code, demo, geometry`` + latest hour ``aqi,
  primary_pollutant, time`` and concentrations ``SO2, NO2, PM10, PM25, CO, O3``;
- station days: ``station, date, aqi`` (daily AQI);
- sections: ``code, name, name_en, district_code, coord_status, geometry`` (empty/None when no
  source publishes a position) + ``water_class`` (``I``..``V``, ``V+``);
- zones: ``code, name, name_en, kind, source, datum, geometry`` + optional ``half_width_m``,
  ``notice_date``, ``imported_at``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

import geopandas as gpd
import pandas as pd

from geodata import METRIC
from maps import palette
from maps.escape import html_text
from maps.i18n import t
from stations.cst import format_cst

Indicator = Literal["excellent_good", "class_iii"]

#: Pollutants of the popup table, with their unit key (CO in mg/m³).
POPUP_POLLUTANTS: Final = (
    ("PM25", "PM2.5", "unit.ug"),
    ("PM10", "PM10", "unit.ug"),
    ("O3", "O3", "unit.ug"),
    ("NO2", "NO2", "unit.ug"),
    ("SO2", "SO2", "unit.ug"),
    ("CO", "CO", "unit.mg"),
)


def _e(value: object) -> str:
    return html_text(value)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _get(row: Mapping[str, Any] | pd.Series, key: str) -> Any:
    value = row.get(key)
    return None if _missing(value) else value


def local_name(row: Mapping[str, Any] | pd.Series, lang: str) -> str:
    """The place's name in ``lang`` (Chinese when no English name is known)."""
    if lang == "en" and _get(row, "name_en"):
        return str(row["name_en"])
    return str(_get(row, "name") or _get(row, "code") or "")


def _pct(value: object) -> str:
    return "—" if _missing(value) else f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]


def _time(value: object) -> str:
    if _missing(value):
        return "—"
    return format_cst(pd.Timestamp(value))  # type: ignore[arg-type]


def _placed(frame: gpd.GeoDataFrame) -> pd.Series:
    geom = frame.geometry
    return pd.Series(geom.notna() & ~geom.is_empty)


# --- districts --------------------------------------------------------------------------------


def unplaced_by_district(sections: gpd.GeoDataFrame | None) -> dict[str, list[pd.Series]]:
    """Sections with no published position, grouped by district code."""
    out: dict[str, list[pd.Series]] = {}
    if sections is None or sections.empty:
        return out
    for _, row in sections[~_placed(sections)].iterrows():
        out.setdefault(str(row.get("district_code")), []).append(row)
    return out


def _unplaced_html(rows: Iterable[pd.Series], lang: str) -> str:
    items = "".join(
        f"<li>{_e(local_name(r, lang))} ({_e(palette.water_class_label(_get(r, 'water_class')))})</li>"
        for r in rows
    )
    body = (
        f"<ul style='margin:2px 0 0 16px;padding:0'>{items}</ul>"
        if items
        else t("field.none", lang)
    )
    return f"<div class='envmon-unplaced'><b>{_e(t('field.unplaced', lang))}</b>{body}</div>"


def district_popup_html(
    row: pd.Series, indicator: Indicator, lang: str, unplaced: list[pd.Series] | None = None
) -> str:
    """Popup of one district: ratio, target, status and the sections not drawn."""
    ratio = _get(row, f"{indicator}_ratio")
    target = _get(row, f"{indicator}_target")
    status = palette.target_status(ratio, target)
    label = t("field.eg_ratio" if indicator == "excellent_good" else "field.class_iii", lang)
    parts = [
        f"<b>{_e(local_name(row, lang))}</b>",
        f"<br>{_e(label)}: {_pct(ratio)}",
        f"<br>{_e(t('field.target', lang))}: {_pct(target)}",
        f"<br>{_e(t('status.' + status, lang) if status else t('legend.no_data', lang))}",
    ]
    if unplaced is not None:
        parts.append(_unplaced_html(unplaced, lang))
    return "".join(parts)


# --- stations -------------------------------------------------------------------------------


def aqi_sparkline_svg(days: pd.DataFrame, lang: str, *, width: int = 220, height: int = 56) -> str:
    """A small inline SVG bar chart of daily AQI (``date, aqi``), each bar in its level's colour."""
    if days.empty:
        return ""
    days = days.sort_values("date").tail(30)
    values = [None if _missing(v) else float(v) for v in days["aqi"]]
    top = max([v for v in values if v is not None] + [100.0])
    n = len(values)
    bar = width / 30.0
    plot_h = height - 12
    rects = []
    for i, (d, v) in enumerate(zip(days["date"], values, strict=True)):
        x = (30 - n + i) * bar
        h = 1.5 if v is None else max(1.5, plot_h * v / top)
        colour = palette.aqi_colour(v)
        tip = f"{pd.Timestamp(d).date()}: {'—' if v is None else int(v)}"
        rects.append(
            f"<rect x='{x:.1f}' y='{plot_h - h:.1f}' width='{bar * 0.8:.1f}' height='{h:.1f}' "
            f"fill='{colour}' stroke='#666' stroke-width='0.3'><title>{_e(tip)}</title></rect>"
        )
    first, last = (
        pd.Timestamp(days["date"].iloc[0]).date(),
        pd.Timestamp(days["date"].iloc[-1]).date(),
    )
    y100 = plot_h - plot_h * 100 / top
    return (
        f"<svg class='envmon-spark' xmlns='http://www.w3.org/2000/svg' width='{width}' "
        f"height='{height}' viewBox='0 0 {width} {height}' role='img' "
        f"aria-label='{_e(t('field.chart', lang))}'>"
        f"<line x1='0' x2='{width}' y1='{y100:.1f}' y2='{y100:.1f}' stroke='#999' "
        f"stroke-dasharray='2 2' stroke-width='0.5'/>{''.join(rects)}"
        f"<text x='0' y='{height - 1}' font-size='9'>{first:%m-%d}</text>"
        f"<text x='{width}' y='{height - 1}' font-size='9' text-anchor='end'>{last:%m-%d}</text>"
        f"</svg>"
    )


def station_popup_html(
    row: pd.Series, lang: str, days: pd.DataFrame | None = None, near: str | None = None
) -> str:
    """Popup of one station: AQI and level, primary pollutant, concentrations, time, 30-day chart."""
    aqi = _get(row, "aqi")
    level = palette.aqi_level(aqi)
    level_label = (
        palette.aqi_swatches()[level - 1].label(lang) if level else t("legend.no_data", lang)
    )
    parts = [f"<div class='envmon-station' data-code='{_e(row['code'])}'>"]
    parts.append(f"<b>{_e(local_name(row, lang))}</b> ({_e(row['code'])})")
    if bool(_get(row, "demo")):
        parts.append(
            f"<br><span class='envmon-demo' style='color:#B00;font-weight:bold'>"
            f"{_e(t('demo', lang))}</span>"
        )
    aqi_text = "—" if aqi is None else str(int(round(float(aqi))))
    parts.append(
        f"<br>{_e(t('field.aqi', lang))}: <b class='envmon-aqi'>{aqi_text}</b> "
        f"<span style='background:{palette.aqi_colour(aqi)};padding:0 4px'>{_e(level_label)}</span>"
    )
    primary = _get(row, "primary_pollutant")
    parts.append(f"<br>{_e(t('field.primary', lang))}: {_e(primary or '—')}")
    parts.append(f"<br>{_e(t('field.data_time', lang))}: {_e(_time(_get(row, 'time')))}")
    cells = []
    for col, label, unit in POPUP_POLLUTANTS:
        v = _get(row, col)
        if v is not None:
            cells.append(
                f"<tr><td>{label}</td><td>{float(v):g}</td><td>{_e(t(unit, lang))}</td></tr>"
            )
    if cells:
        parts.append(
            f"<br><i>{_e(t('field.concentrations', lang))}</i>"
            f"<table style='font-size:11px'>{''.join(cells)}</table>"
        )
    if near:
        parts.append(f"<br>{_e(t('field.near_zone', lang))}: {_e(near)}")
    if days is not None and not days.empty:
        parts.append(f"<div>{_e(t('field.chart', lang))}</div>{aqi_sparkline_svg(days, lang)}")
    parts.append("</div>")
    return "".join(parts)


def stations_near_zones(
    stations: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, km: float
) -> pd.DataFrame:
    """Stations within ``km`` of a zone (routes: of their corridor): ``station, zone, distance_km``.

    Distances in UTM 51N metres; a route's corridor is its axis buffered by ``half_width_m``.
    """
    cols = ["station", "zone", "zone_name", "distance_km"]
    if stations.empty or zones.empty:
        return pd.DataFrame(columns=cols)
    st = stations[_placed(stations)].to_crs(METRIC)
    zn = zones[_placed(zones)].to_crs(METRIC)
    half = zn.get("half_width_m", pd.Series(0.0, index=zn.index)).fillna(0.0).astype(float)
    # Only a route with a half-width becomes its corridor: a zero buffer turns a Point (an ordinary
    # notice position) into an empty geometry with a NaN distance (issue 22, finding 7).
    corridor = ((zn["kind"] == "route") & (half > 0)).to_numpy()
    geoms = zn.geometry.copy()
    if corridor.any():
        geoms[corridor] = zn.geometry[corridor].buffer(half[corridor])
    rows = []
    for _, s in st.iterrows():
        dist = geoms.distance(s.geometry) / 1000.0
        if dist.isna().all():
            continue
        idx = dist.idxmin()
        if dist[idx] <= km:
            rows.append(
                (str(s["code"]), str(zn.at[idx, "code"]), str(zn.at[idx, "name"]), float(dist[idx]))
            )
    return pd.DataFrame(rows, columns=cols)


# --- sections and zones ------------------------------------------------------------------------


def zone_popup_html(row: pd.Series, lang: str) -> str:
    """Popup of one zone: kind, source, datum, notice and import dates."""
    source = _get(row, "source") or "—"
    src_html = (
        f"<a href='{_e(source)}' target='_blank' rel='noopener noreferrer'>{_e(source)}</a>"
        if str(source).startswith(("http://", "https://"))
        else _e(source)
    )
    kind = str(_get(row, "kind") or "other")
    parts = [
        f"<b>{_e(local_name(row, lang))}</b>",
        f"<br>{_e(t('field.kind', lang))}: {_e(t('zone.' + kind, lang))}",
        f"<br>{_e(t('field.source', lang))}: {src_html}",
        f"<br>{_e(t('field.datum', lang))}: {_e(_get(row, 'datum') or '—')}",
    ]
    if _get(row, "notice_date") is not None:
        parts.append(f"<br>{_e(t('field.notice_date', lang))}: {_e(str(row['notice_date'])[:10])}")
    imported = _get(row, "imported_at")
    parts.append(
        f"<br>{_e(t('field.imported', lang))}: {_e(str(imported)[:10] if imported else '—')}"
    )
    half = _get(row, "half_width_m")
    if kind == "route" and half:
        parts.append(f"<br>{_e(t('field.corridor', lang, m=int(half)))}")
    return f"<div class='envmon-zone'>{''.join(parts)}</div>"
