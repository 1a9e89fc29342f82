"""GeoJSON writing per RFC 7946: WGS-84 lon/lat, counter-clockwise exterior rings, 6 decimals."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.crs import WGS84

#: 1e-6 degree is about 0.1 m: finer than any source we ship.
PRECISION = 6


def _clean(value: Any) -> Any:
    """JSON-safe property value: NaN/NaT/None -> null, numpy scalars -> Python, dates -> ISO text."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _clean(value.item())
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if value is pd.NaT or value is pd.NA:
        return None
    return value


def to_feature_collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """A GeoJSON FeatureCollection dict (RFC 7946 winding, rounded) from a GeoDataFrame."""
    gdf = frame.to_crs(WGS84) if frame.crs is not None else frame
    geoms = shapely.orient_polygons(np.asarray(gdf.geometry.values), exterior_cw=False)
    geoms = shapely.set_precision(geoms, 10.0**-PRECISION, mode="pointwise")
    props = gdf.drop(columns=gdf.geometry.name)
    features = []
    for geom, (_, row) in zip(geoms, props.iterrows(), strict=True):
        features.append(
            {
                "type": "Feature",
                "properties": {str(k): _clean(v) for k, v in row.items()},
                "geometry": None
                if geom is None or shapely.is_empty(geom)
                else shapely.geometry.mapping(geom),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_geojson(frame: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write ``frame`` as an RFC 7946 GeoJSON file (UTF-8, Chinese kept readable); returns the path."""
    out = Path(path)
    text = json.dumps(to_feature_collection(frame), ensure_ascii=False, separators=(",", ":"))
    out.write_text(text + "\n", encoding="utf-8")
    return out
