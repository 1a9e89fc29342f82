"""Coordinate reference systems: the CRS constants envmon uses and the GCJ-02 <-> WGS-84 conversion.

GCJ-02 (国测局坐标, "Mars coordinates") is the obfuscated datum of AutoNavi/Amap, Tencent and DataV
maps. It is WGS-84 plus a smooth, non-linear offset (about +0.0042° lon / -0.0024° lat, roughly
400 m east and 270 m south, near Zhoushan). The forward formula is the one every open
implementation shares (Krasovsky ellipsoid constants ``a = 6378245 m``, ``ee = 0.00669342162296594323``);
the inverse has no closed form, so it is solved by fixed-point iteration to under 0.5 m.

CGCS2000 (China's official datum) agrees with WGS-84 to centimetres-decimetres; envmon treats it as
WGS-84 (EPSG:4326) at map scale.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

WGS84: Final = "EPSG:4326"
#: Metric CRS for distances and areas around Zhoushan (UTM zone 51N, WGS-84); metres.
METRIC: Final = "EPSG:32651"

#: Datum names accepted in zone files, normalised (upper case, no spaces/hyphens) -> canonical.
DATUMS: Final[dict[str, str]] = {
    "WGS84": "WGS84",
    "EPSG4326": "WGS84",
    "CGCS2000": "CGCS2000",
    "EPSG4490": "CGCS2000",
    "GCJ02": "GCJ02",
}

_A: Final = 6378245.0
_EE: Final = 0.00669342162296594323
_DEG_M: Final = 111_320.0  # metres per degree of latitude (approximate; only for the stop test)

FloatArray = NDArray[np.float64]


def normalise_datum(text: str) -> str | None:
    """Canonical datum name (``WGS84``, ``CGCS2000``, ``GCJ02``) for a free-text datum, or None."""
    key = "".join(ch for ch in text.upper() if ch.isalnum())
    return DATUMS.get(key)


def _outside_china(lon: FloatArray, lat: FloatArray) -> NDArray[np.bool_]:
    # The bounding box every public implementation uses; GCJ-02 is defined as identity outside it.
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _offset(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 minus WGS-84 offset (degrees) at WGS-84 position (lon, lat)."""
    x = lon - 105.0
    y = lat - 35.0
    sx = np.sqrt(np.abs(x))
    s6x = np.sin(6.0 * x * np.pi)
    s2x = np.sin(2.0 * x * np.pi)
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx
    dlat += (20.0 * s6x + 20.0 * s2x) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx
    dlon += (20.0 * s6x + 20.0 * s2x) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    lo = np.asarray(lon, dtype=np.float64)
    la = np.asarray(lat, dtype=np.float64)
    lo, la = np.broadcast_arrays(lo, la)
    return lo, la


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert WGS-84 (degrees) to GCJ-02 (degrees), vectorised; identity outside China."""
    lo, la = _as_arrays(lon, lat)
    dlon, dlat = _offset(lo, la)
    out = _outside_china(lo, la)
    return np.where(out, lo, lo + dlon), np.where(out, la, la + dlat)


def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike, *, tol_m: float = 0.01, max_iter: int = 20
) -> tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 (degrees) to WGS-84 (degrees), vectorised; identity outside China.

    Fixed-point iteration ``w <- w - (forward(w) - g)``: the offset changes by well under 1e-3 per
    metre, so each step shrinks the error ~1000-fold; two or three steps reach ``tol_m`` (metres,
    default 1 cm, far below the 0.5 m the service promises).
    """
    g_lon, g_lat = _as_arrays(lon, lat)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = f_lon - g_lon, f_lat - g_lat
        w_lon = w_lon - e_lon
        w_lat = w_lat - e_lat
        err_m = np.hypot(e_lon * np.cos(np.radians(g_lat)), e_lat) * _DEG_M
        if not np.any(err_m > tol_m):
            break
    out = _outside_china(g_lon, g_lat)
    return np.where(out, g_lon, w_lon), np.where(out, g_lat, w_lat)
