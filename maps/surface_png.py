"""A surface drawn server-side as a PNG image for a Leaflet image overlay, with its legend stops.

The grid arrives already warped to Web Mercator (EPSG:3857, the map's own projection: Leaflet
stretches an overlay linearly between its corners in that projection) with north-up rows. Values
are coloured on ``maps.palette.RAMP`` between ``vmin`` and ``vmax``; nodata is transparent.
"""

from __future__ import annotations

import struct
import zlib
from typing import Final

import numpy as np
from numpy.typing import NDArray

from maps import palette

#: PNG file signature (PNG spec §5.2).
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def encode_png(rgba: NDArray[np.uint8]) -> bytes:
    """An 8-bit RGBA PNG of ``rgba`` (height, width, 4), filter 0 on every row."""
    height, width, depth = rgba.shape
    if depth != 4:
        raise ValueError("rgba must have 4 channels")
    rows = np.concatenate(
        [np.zeros((height, 1), np.uint8), rgba.reshape(height, width * 4)], axis=1
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
        + _chunk(b"IEND", b"")
    )


def surface_png(values: NDArray[np.float64], vmin: float, vmax: float) -> bytes:
    """PNG of a north-up value grid coloured on the ramp (``vmin``..``vmax``), NaN transparent."""
    rgba = np.asarray(palette.ramp_rgba(values, vmin, vmax), dtype=np.uint8)
    return encode_png(rgba)


def legend_stops(vmin: float, vmax: float) -> list[tuple[float, str]]:
    """(value, colour) at each ramp stop, for the legend."""
    steps = np.linspace(vmin, vmax, len(palette.RAMP))
    return [(float(v), c) for v, c in zip(steps, palette.RAMP, strict=True)]


__all__ = ["encode_png", "legend_stops", "surface_png"]
