"""Supplied rasters checked and read in a child process, never in the server's own (issue 22 rules).

As for zone files (``service.zone_worker``): the child starts from a ``forkserver`` that has
already imported the readers, runs under a memory cap (``RLIMIT_DATA``) and a wall-time limit, and
is killed at once on timeout, on ``stop`` or on shutdown. The child writes envmon's own GeoTIFF of
the accepted raster (``geodata.rasters.write_geotiff``) so the server never opens the supplied file
itself, and sends back only a small description.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from geodata.raster_upload import RasterLimits, RefusedRaster
from service.zone_worker import PARSE_NICENESS

#: How often the parent looks at the child, the caller's ``stop`` and the clock (seconds).
POLL_SECONDS = 0.2


@dataclass(frozen=True, slots=True)
class SurfaceWorkerLimits:
    """Limits of one read: the raster's size, wall time (s), memory (bytes; 0: none)."""

    raster: RasterLimits
    wall_seconds: float = 60.0
    memory_bytes: int = 2 * 1024**3


class SurfaceStopped(Exception):
    """The read was stopped before it finished; ``reason`` is what ``stop`` returned."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_CONTEXT: Any = None


def _context() -> Any:
    global _CONTEXT
    if _CONTEXT is None:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["geodata.raster_upload", "service.surface_worker"])
        _CONTEXT = ctx
    return _CONTEXT


def describe(path: Path, out: Path, limits: RasterLimits) -> dict[str, Any]:
    """Check and read the supplied raster at ``path``, write envmon's copy to ``out``; return its
    CRS (WKT), size, WGS-84 bounds and band-1 value range."""
    import numpy as np

    from geodata.raster_upload import read_supplied_geotiff
    from geodata.rasters import bounds_wgs84, write_geotiff

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


def _child(out: Connection, path: str, target: str, limits: SurfaceWorkerLimits) -> None:
    """Runs in the child: send ``("ok", description)`` or ``("refused", (rule, message))``."""
    import resource

    os.nice(PARSE_NICENESS)  # background work: the server's answers come first
    if limits.memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_DATA, (limits.memory_bytes, limits.memory_bytes))
    try:
        message: tuple[str, Any] = ("ok", describe(Path(path), Path(target), limits.raster))
    except RefusedRaster as exc:
        message = ("refused", (exc.rule, exc.message))
    except MemoryError:
        mib = limits.memory_bytes // 2**20
        message = ("refused", ("too_much_memory", f"reading needs more than {mib} MiB of memory"))
    except Exception as exc:  # a reader bug: named, never a traceback or the file's text
        message = ("refused", ("unreadable", f"the file could not be read ({type(exc).__name__})"))
    out.send(message)
    out.close()


def read_isolated(
    path: Path,
    target: Path,
    limits: SurfaceWorkerLimits,
    stop: Callable[[], str | None] = lambda: None,
) -> dict[str, Any]:
    """Check the supplied raster at ``path`` in a child process, which writes envmon's copy to
    ``target``; return its description (``describe``).

    Raises ``RefusedRaster`` (with the rule; also past the wall time or the memory cap) or
    ``SurfaceStopped`` when ``stop()`` returns a reason.
    """
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_child,
        args=(send, str(path), str(target), limits),
        daemon=True,
        name="surface-read",
    )
    child.start()
    send.close()
    deadline = time.monotonic() + limits.wall_seconds
    try:
        while not receive.poll(POLL_SECONDS):
            if not child.is_alive() and not receive.poll(0):
                msg = f"the reader stopped (exit code {child.exitcode}); the file is refused"
                raise RefusedRaster("reader_died", msg)
            reason = stop()
            if reason is not None:
                raise SurfaceStopped(reason)
            if time.monotonic() > deadline:
                msg = f"reading took longer than {limits.wall_seconds:g} s, the limit"
                raise RefusedRaster("too_slow", msg)
        try:
            kind, payload = receive.recv()
        except EOFError:
            raise RefusedRaster("reader_died", "the reader stopped before answering") from None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
    if kind == "refused":
        rule, message = payload
        target.unlink(missing_ok=True)
        raise RefusedRaster(rule, message)
    description: dict[str, Any] = payload
    return description


__all__ = ["SurfaceStopped", "SurfaceWorkerLimits", "describe", "read_isolated"]
