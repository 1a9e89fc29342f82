"""The staff map's layer bodies: GeoJSON ``FeatureCollection`` dicts that ``maps/static/staff.js``
draws as they are (see ``maps.staff_layers``).

Each feature's properties: ``code``; ``popup``: HTML built from escaped text (``maps.escape``);
``tooltip``: plain text (the page inserts it as text); ``permanent``: tooltip always shown;
``style``: Leaflet path options; ``radius``: a point's marker radius in pixels (points only);
``interactive``: false for drawing-only shapes (a route's corridor). Geometries are in the
basemap's display datum (``maps.basemaps.to_display``). Inputs are the frames of ``maps.layers``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from geodata import METRIC
from maps import palette
from maps.basemaps import Basemap, to_display
from maps.escape import html_text
from maps.i18n import t
from maps.layers import (
    Indicator,
    _get,
    _pct,
    _placed,
    district_popup_html,
    local_name,
    station_popup_html,
    unplaced_by_district,
    zone_popup_html,
)

Feature = dict[str, Any]
FeatureCollection = dict[str, Any]


def _collection(features: list[Feature]) -> FeatureCollection:
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry: Any, **properties: Any) -> Feature:
    return {"type": "Feature", "properties": properties, "geometry": geometry.__geo_interface__}


def base_features(
    districts: gpd.GeoDataFrame, city: gpd.GeoDataFrame | None, basemap: Basemap
) -> FeatureCollection:
    """Offline land: district polygons filled, the city's coast outlined; not interactive."""
    features = []
    frames = [(districts, 0.8, 1.0)]
    if city is not None and not city.empty:
        frames.append((city, 1.6, 0.0))
    for frame, weight, fill in frames:
        for geom in to_display(frame, basemap).geometry:
            if geom is None or geom.is_empty:
                continue
            style = {"fillColor": palette.LAND, "fillOpacity": fill, "color": "#7A8A99"}
            features.append(_feature(geom, interactive=False, style={**style, "weight": weight}))
    return _collection(features)


def district_features(
    districts: gpd.GeoDataFrame,
    indicator: Indicator,
    lang: str,
    basemap: Basemap,
    sections: gpd.GeoDataFrame | None = None,
) -> FeatureCollection:
    """Districts filled by their ratio against target (meets / within one point / below)."""
    unplaced = unplaced_by_district(sections)
    features = []
    for _, row in to_display(districts, basemap).iterrows():
        code = str(row["code"])
        ratio = _get(row, f"{indicator}_ratio")
        status = palette.target_status(ratio, _get(row, f"{indicator}_target"))
        style = {
            "fillColor": palette.target_colour(status),
            "color": "#333333",
            "weight": 1,
            "fillOpacity": 0.55,
            "className": f"envmon-district envmon-district-{code}",
        }
        features.append(
            _feature(
                row.geometry,
                code=code,
                status=status or "no_data",
                style=style,
                tooltip=f"{local_name(row, lang)}: {_pct(ratio)}",
                popup=district_popup_html(row, indicator, lang, unplaced.get(code, [])),
                popup_width=320,
            )
        )
    return _collection(features)


def station_features(
    stations: gpd.GeoDataFrame,
    lang: str,
    basemap: Basemap,
    days: pd.DataFrame | None = None,
    near: Mapping[str, str] | None = None,
) -> FeatureCollection:
    """Stations coloured by latest AQI level; demo stations dashed and labelled; near-zone ringed;
    the popup holds the latest hour and the daily AQI chart of ``days`` (``station, date, aqi``)."""
    near = near or {}
    by_station = (
        {str(k): g for k, g in days.groupby("station")}
        if days is not None and not days.empty
        else {}
    )
    features = []
    shown = to_display(stations, basemap)
    for _, row in shown[_placed(shown)].iterrows():
        code = str(row["code"])
        demo = bool(_get(row, "demo"))
        ringed = code in near
        style = {
            "color": palette.HIGHLIGHT if ringed else "#222222",
            "weight": 4 if ringed else 1.5,
            "dashArray": "4 3" if demo else None,
            "fillColor": palette.aqi_colour(_get(row, "aqi")),
            "fillOpacity": 0.9,
            "className": f"envmon-station-marker envmon-station-{code}"
            + (" envmon-demo" if demo else ""),
        }
        features.append(
            _feature(
                row.geometry,
                code=code,
                radius=9,
                style=style,
                tooltip=local_name(row, lang) + (f" [{t('demo.short', lang)}]" if demo else ""),
                permanent=demo,
                popup=station_popup_html(row, lang, by_station.get(code), near.get(code)),
                popup_width=300,
            )
        )
    return _collection(features)


def daily_station_features(
    stations: gpd.GeoDataFrame, lang: str, basemap: Basemap
) -> FeatureCollection:
    """Station points for the time slider: ``name`` (plain text) and a no-data fill until a day is
    shown; the slider recolours them from ``daily_window``."""
    features = []
    shown = to_display(stations, basemap)
    for _, row in shown[_placed(shown)].iterrows():
        code = str(row["code"])
        style = {
            "color": "#222222",
            "weight": 1.5,
            "fillColor": palette.NO_DATA,
            "fillOpacity": 0.9,
            "className": f"envmon-daily-marker envmon-daily-{code}",
        }
        name = local_name(row, lang)
        features.append(
            _feature(row.geometry, code=code, name=name, radius=9, style=style, tooltip=name)
        )
    return _collection(features)


def daily_window(days: pd.DataFrame, codes: list[str], start: str, end: str) -> dict[str, Any]:
    """The time slider's values over ISO days ``[start, end]``: ``{"dates": [...], "values":
    {code: [aqi or None per date]}}``, every day of the window listed (None where missing)."""
    dates = [d.strftime("%Y-%m-%d") for d in pd.date_range(start, end, freq="D")]
    values: dict[str, list[int | None]] = {c: [None] * len(dates) for c in codes}
    if not days.empty:
        frame = days.assign(date=pd.to_datetime(days["date"]).dt.strftime("%Y-%m-%d"))
        frame = frame[frame["station"].astype(str).isin(values) & frame["aqi"].notna()]
        index = {d: i for i, d in enumerate(dates)}
        for station, date, aqi in zip(frame["station"], frame["date"], frame["aqi"], strict=True):
            i = index.get(date)
            if i is not None:
                values[str(station)][i] = int(round(float(aqi)))
    return {"dates": dates, "values": values}


def section_features(sections: gpd.GeoDataFrame, lang: str, basemap: Basemap) -> FeatureCollection:
    """Sections with a published position, coloured by class; the rest go to district popups."""
    features = []
    shown = to_display(sections, basemap)
    if shown.empty:
        return _collection([])
    for _, row in shown[_placed(shown)].iterrows():
        wc = _get(row, "water_class")
        label = palette.water_class_label(wc)
        name = local_name(row, lang)
        style = {
            "color": "#223",
            "weight": 1,
            "fillColor": palette.water_colour(wc),
            "fillOpacity": 0.9,
            "className": "envmon-section-marker",
        }
        features.append(
            _feature(
                row.geometry,
                code=str(row["code"]),
                radius=7,
                shape="diamond",
                style=style,
                tooltip=f"{name}: {label}",
                popup=(
                    f"<b>{html_text(name)}</b><br>{html_text(t('field.class', lang))}: "
                    f"{html_text(label)}"
                ),
                popup_width=240,
            )
        )
    return _collection(features)


def zone_features(
    zones: gpd.GeoDataFrame,
    lang: str,
    basemap: Basemap,
    supervision: Mapping[str, str] | None = None,
) -> FeatureCollection:
    """Harbour zones coloured by kind; a route is its axis plus its derived corridor (drawn first,
    not interactive). ``supervision``: zone code -> the popup's supervision section (HTML from
    ``maps.zone_supervision``), appended to that zone's popup; a demo zone is dashed."""
    supervision = supervision or {}
    if zones.empty:
        return _collection([])
    placed = zones[_placed(zones)]
    corridors = placed[placed["kind"] == "route"]
    if not corridors.empty and "half_width_m" in corridors:
        buf = corridors.to_crs(METRIC)
        buf["geometry"] = buf.geometry.buffer(buf["half_width_m"].fillna(0.0).astype(float))
        corridors = to_display(buf.to_crs(zones.crs), basemap)
    features = []
    for idx, row in to_display(placed, basemap).iterrows():
        kind = str(_get(row, "kind") or "other")
        colour = palette.ZONE_COLOURS.get(kind, palette.ZONE_COLOURS["other"])
        geom = row.geometry
        code = str(row.get("code") or "")
        demo = bool(_get(row, "demo"))
        common = {
            "code": code,
            "tooltip": f"{local_name(row, lang)} ({t('zone.' + kind, lang)})"
            + (f" [{t('demo.short', lang)}]" if demo else ""),
            "popup": zone_popup_html(row, lang) + supervision.get(code, ""),
            "popup_width": 400 if code in supervision else 320,
        }
        if code in supervision:
            common["popup_max_height"] = 520
        if geom.geom_type == "Point":
            style = {"color": colour, "fillColor": colour, "fillOpacity": 0.8, "weight": 3}
            features.append(_feature(geom, radius=6, style=style, **common))
            continue
        corridor = corridors.geometry.get(idx) if kind == "route" else None
        if corridor is not None and not corridor.is_empty and corridor.geom_type != "Point":
            style = {"color": colour, "weight": 0.5, "fillColor": colour, "fillOpacity": 0.15}
            features.append(_feature(corridor, interactive=False, style=style))
        style = {
            "color": colour,
            "weight": 2,
            "dashArray": "6 4" if kind == "route" or demo else None,
            "fillColor": colour,
            "fillOpacity": 0.25,
            "className": f"envmon-zone-shape envmon-zone-{code}" + (" envmon-demo" if demo else ""),
        }
        if kind == "emission_control_area":
            # it holds the whole archipelago: an outline only, so clicks reach what lies inside;
            # a derived outline (推导, not official) is dotted
            style.update(fill=False, dashArray="2 6" if _get(row, "derived") else None)
        features.append(_feature(geom, style=style, **common))
    return _collection(features)


def monitor_features(
    monitors: gpd.GeoDataFrame,
    lang: str,
    basemap: Basemap,
    popups: Mapping[str, str] | None = None,
) -> FeatureCollection:
    """Yard-boundary, in-plant and port monitors as small points (``code, name, kind, demo``);
    ``popups``: code -> popup HTML (escaped, ``maps.zone_supervision.monitor_popup_html``)."""
    popups = popups or {}
    features = []
    shown = to_display(monitors, basemap)
    for _, row in shown[_placed(shown)].iterrows():
        code = str(row["code"])
        demo = bool(_get(row, "demo"))
        style = {
            "color": "#222222",
            "weight": 1.5,
            "dashArray": "3 2" if demo else None,
            "fillColor": "#FFFFFF",
            "fillOpacity": 1.0,
            "className": f"envmon-monitor envmon-monitor-{code}" + (" envmon-demo" if demo else ""),
        }
        features.append(
            _feature(
                row.geometry,
                code=code,
                radius=5,
                style=style,
                tooltip=local_name(row, lang) + (f" [{t('demo.short', lang)}]" if demo else ""),
                popup=popups.get(code, f"<b>{html_text(local_name(row, lang))}</b>"),
                popup_width=280,
            )
        )
    return _collection(features)
