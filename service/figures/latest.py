"""Latest values: stations with their latest hourly AQI, sections with their latest class, zones,
and the GeoJSON of each. Shared by the API's list, GeoJSON and CSV routes, the maps and
``envmon render-maps`` so that all of them agree. Only public fields leave here (the values refuse
extras).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from geodata.geojson import to_feature_collection
from service.figures.sea_values import SeaPoint
from service.figures.values import (
    Concentrations,
    Feature,
    FeatureCollection,
    SectionLatest,
    StationLatest,
    Zone,
)
from service.store.latest import sections_with_latest_class, stations_with_latest
from service.zones import load_zones
from stations.model import POLLUTANTS
from stations.standards import hour_aqi
from stations.standards.aqi import HOURLY_INDICATORS


def _num(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _hour_inputs(rows: pd.DataFrame) -> dict[str, float | None]:
    """``hour_aqi`` inputs from one station-hour of long-form readings (first source per code)."""
    values: dict[str, float | None] = {}
    for code, value in zip(rows["pollutant"], rows["value"], strict=True):
        key = f"{code}_1h" if code in POLLUTANTS else code
        if key in HOURLY_INDICATORS and key not in values:
            values[key] = _num(value)
    return values


def station_items(
    engine: Engine, lang: str = "zh", district: str | None = None
) -> list[StationLatest]:
    """Every station with its latest hour's concentrations and real-time AQI (HJ 633 实时报)."""
    places, latest = stations_with_latest(engine, district)
    by_station = (
        dict(tuple(latest.groupby("station"))) if latest is not None and len(latest) else {}
    )
    items = []
    for place in places:
        item = StationLatest(
            code=place["code"],
            name=place["name"],
            name_en=place["name_en"],
            district_code=place["district_code"],
            kind=place["kind"],
            demo=bool(place["demo"]),
            lon=place["lon"],
            lat=place["lat"],
        )
        rows = by_station.get(place["code"])
        if rows is not None and len(rows):
            hour = rows["time"].iloc[0].to_pydatetime()
            inputs = _hour_inputs(rows)
            result = hour_aqi(inputs, hour)
            item.time = hour
            item.aqi = result.aqi
            item.level = result.level
            item.category = result.category_en if lang == "en" else result.category_zh
            item.primary_pollutant = result.primary
            item.iaqi = result.iaqi
            item.standard = result.standard
            item.concentrations = Concentrations(**{p: inputs.get(f"{p}_1h") for p in POLLUTANTS})
        items.append(item)
    return items


def section_items(engine: Engine, district: str | None = None) -> list[SectionLatest]:
    """Every section with its latest monthly class (GB 3838 single factor; ``V+`` = 劣Ⅴ)."""
    rows = sections_with_latest_class(engine, district)
    return [
        SectionLatest(
            code=r["code"],
            name=r["name"],
            name_en=r["name_en"],
            district_code=r["district_code"],
            waterbody=r["waterbody"],
            provincial=r["provincial"],
            coord_status=r["coord_status"],
            lon=r["lon"],
            lat=r["lat"],
            period=r["period"],
            water_class=r["cls"],
            deciding_items=list(r["deciding"] or []),
        )
        for r in rows
    ]


def zones_frame(engine: Engine) -> gpd.GeoDataFrame:
    """Harbour zones as a GeoDataFrame: the store's current version, else the shipped ones."""
    return load_zones(engine)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def zone_items(engine: Engine, kind: str | None = None) -> list[Zone]:
    """Every zone's public attributes."""
    frame = zones_frame(engine)
    items = [
        Zone(
            code=str(r["code"]),
            name=str(r["name"]),
            name_en=_text(r.get("name_en")),
            kind=_text(r.get("kind")),
            district_code=_text(r.get("district_code")),
            source=_text(r.get("source")),
        )
        for r in frame.drop(columns="geometry").to_dict("records")
    ]
    return [z for z in items if kind is None or z.kind == kind]


def point_features(items: Iterable[StationLatest | SectionLatest | SeaPoint]) -> FeatureCollection:
    """Points from items with ``lon``/``lat`` (null geometry when unpublished)."""
    features = []
    for item in items:
        props = item.model_dump(mode="json", exclude={"lon", "lat"})
        geometry = (
            {"type": "Point", "coordinates": [item.lon, item.lat]}
            if item.lon is not None and item.lat is not None
            else None
        )
        features.append(Feature(id=item.code, geometry=geometry, properties=props))
    return FeatureCollection(features=features)


def frame_features(frame: Any, public: Iterable[str]) -> FeatureCollection:
    """A FeatureCollection of a GeoDataFrame keeping only the ``public`` columns as properties."""
    keep = [c for c in public if c in frame.columns]
    collection = to_feature_collection(frame[[*keep, "geometry"]])
    features = [
        Feature(
            id=f.get("properties", {}).get("code"),
            geometry=f.get("geometry"),
            properties={k: v for k, v in (f.get("properties") or {}).items() if k in keep},
        )
        for f in collection["features"]
    ]
    return FeatureCollection(features=features)


#: Public attributes of districts and zones (no internal notes).
DISTRICT_PUBLIC = ("code", "name", "name_en", "kind", "area_km2_official", "source")
ZONE_PUBLIC = (
    "code",
    "name",
    "name_en",
    "kind",
    "district_code",
    "datum",
    "issuer",
    "notice",
    "notice_date",
    "valid_from",
    "valid_to",
    "source",
)
