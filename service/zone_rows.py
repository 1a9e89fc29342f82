"""The store's rows for a validated zone frame: GeoJSON text (WGS-84, RFC 7946) and a bbox per zone.

Built where the file was parsed (the import's child process, ``service.zone_worker``), so that the
server process receives plain rows: turning 1,000 polygons of 400 vertices into GeoJSON text takes
about 1.8 s of Python, which in the server's own process held the interpreter lock and stretched
the public API's slowest answers while an import ran (issue 22, "Must show").
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import shapely

from geodata.geojson import to_feature_collection


def zone_feature_rows(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """One row per zone of ``frame`` for ``zone_features``, without its ``version_id``."""
    collection = to_feature_collection(frame)
    bounds = shapely.bounds(frame.geometry.to_numpy())
    rows = []
    for feat, (minx, miny, maxx, maxy) in zip(collection["features"], bounds, strict=True):
        p = feat["properties"]
        rows.append(
            {
                "code": p["code"],
                "name": p["name"],
                "name_en": p.get("name_en"),
                "kind": p["kind"],
                "datum": p["datum"],
                "valid_from": p.get("valid_from"),
                "valid_to": p.get("valid_to"),
                "source": p.get("source"),
                "note": p.get("note"),
                "geometry_geojson": json.dumps(feat["geometry"], separators=(",", ":")),
                "min_lon": float(minx),
                "min_lat": float(miny),
                "max_lon": float(maxx),
                "max_lat": float(maxy),
            }
        )
    return rows


__all__ = ["zone_feature_rows"]
