"""Supplied rasters checked and read in a child process, never in the server's own (issue 22 rules).

The child (``service.isolated_parse``: forkserver, memory cap, wall-time limit, ``stop``) writes
envmon's own GeoTIFF of the accepted raster (``geodata.rasters.write_geotiff``) so the server never
opens the supplied file itself, and sends back only a small description.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from geodata.raster_upload import RasterLimits, RefusedRaster, read_supplied_geotiff
from geodata.rasters import bounds_wgs84, write_geotiff
from service.isolated_parse import ChildFailed, ParseLimits, Refused, Wording, run_isolated

#: The refusals when the child fails, in the words surface users have always been shown.
WORDING = Wording(
    died=("reader_died", "the reader stopped (exit code {code}); the file is refused"),
    silent=("reader_died", "the reader stopped before answering"),
    too_slow=("too_slow", "reading took longer than {seconds:g} s, the limit"),
    too_much_memory=("too_much_memory", "reading needs more than {mib} MiB of memory"),
    unreadable=("unreadable", "the file could not be read ({error})"),
)


@dataclass(frozen=True, slots=True)
class SurfaceWorkerLimits(ParseLimits[RasterLimits]):
    """Limits of one read: the raster's size (``RasterLimits``), wall time (s), memory (bytes)."""


def describe(path: Path, out: Path, limits: RasterLimits) -> dict[str, Any]:
    """Check and read the supplied raster at ``path``, write envmon's copy to ``out``; return its
    CRS (WKT), size, WGS-84 bounds and band-1 value range."""
    da = read_supplied_geotiff(path, limits)
    write_geotiff(da, out)
    first = np.asarray(da.isel(band=0).values)
    finite = first[np.isfinite(first)]
    if finite.size == 0:
        raise RefusedRaster("no_values", "band 1 holds no valid value (all nodata)")
    west, south, east, north = bounds_wgs84(da)
    return {
        "crs_wkt": da.coords["spatial_ref"].attrs["crs_wkt"],
        "width": int(da.sizes["x"]),
        "height": int(da.sizes["y"]),
        "bands": int(da.sizes["band"]),
        "min_lon": west,
        "min_lat": south,
        "max_lon": east,
        "max_lat": north,
        "value_min": float(finite.min()),
        "value_max": float(finite.max()),
    }


def _describe(path: str, out: str, limits: RasterLimits) -> dict[str, Any]:
    """Runs in the child: ``describe``; a refusal's payload is its rule and message."""
    try:
        return describe(Path(path), Path(out), limits)
    except RefusedRaster as exc:
        raise Refused((exc.rule, exc.message)) from None


def read_isolated(
    path: Path,
    target: Path,
    limits: SurfaceWorkerLimits,
    stop: Callable[[], str | None] = lambda: None,
) -> dict[str, Any]:
    """Check the supplied raster at ``path`` in a child process, which writes envmon's copy to
    ``target``; return its description (``describe``).

    Raises ``RefusedRaster`` (with the rule; also past the wall time or the memory cap; ``target``
    is then removed) or ``service.isolated_parse.ParseStopped`` when ``stop()`` returns a reason.
    """
    try:
        description: dict[str, Any] = run_isolated(
            _describe,
            (str(path), str(target)),
            limits,
            name="surface-read",
            preload=["geodata.raster_upload", "service.surface_worker"],
            wording=WORDING,
            stop=stop,
        )
    except (Refused, ChildFailed) as exc:
        rule, message = exc.payload if isinstance(exc, Refused) else (exc.rule, exc.message)
        target.unlink(missing_ok=True)
        raise RefusedRaster(rule, message) from None
    return description


__all__ = ["SurfaceWorkerLimits", "describe", "read_isolated"]
