"""Places for envmon: districts, station and section positions, harbour zones, CRS, grids, rasters.

Pure: reads its own shipped files and files it is handed; no network, database, clock or settings.
"""

from geodata.crs import METRIC, WGS84, gcj02_to_wgs84, wgs84_to_gcj02
from geodata.places import (
    ZONE_KINDS,
    load_city,
    load_derived_eca,
    load_districts,
    load_sections,
    load_stations,
    load_zones,
    zhoushan_sea_area,
)

__all__ = [
    "METRIC",
    "WGS84",
    "ZONE_KINDS",
    "gcj02_to_wgs84",
    "load_city",
    "load_derived_eca",
    "load_districts",
    "load_sections",
    "load_stations",
    "load_zones",
    "wgs84_to_gcj02",
    "zhoushan_sea_area",
]
