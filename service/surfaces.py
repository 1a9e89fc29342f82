"""Rasters the bureau supplies (AIS ship density, emission inventories): import as versions.

An import reads the supplied GeoTIFF in a child process under the ``ENVMON_SURFACE_*`` limits
(``service.surface_worker``, the issue-22 rules of ``geodata.raster_upload``); that process writes
envmon's own GeoTIFF of it into ``<data dir>/surfaces/``, and one store row records it as the next
version of its name (``service.store.surfaces``). A refused file leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from geodata.raster_upload import RasterLimits, RefusedRaster
from service.clock import Clock, SystemClock
from service.settings import Settings
from service.store import surfaces as store
from service.store.files import make_data_dir
from service.surface_worker import SurfaceWorkerLimits, read_isolated

#: File names a supplied raster may have (the GTiff driver is the only one used).
SUFFIXES = (".tif", ".tiff")
#: Settings that bound each limit, named in refusals (rule -> environment variable).
LIMIT_SETTINGS = {
    "too_large": "ENVMON_SURFACE_MAX_BYTES",
    "too_many_cells": "ENVMON_SURFACE_MAX_CELLS",
    "too_slow": "ENVMON_SURFACE_PARSE_SECONDS",
    "too_much_memory": "ENVMON_SURFACE_PARSE_MEMORY_MB",
}
NAME_MAX = 120
UNITS_MAX = 40


def surface_limits(settings: Settings) -> SurfaceWorkerLimits:
    """The read limits ``settings`` set (``ENVMON_SURFACE_*``)."""
    return SurfaceWorkerLimits(
        content=RasterLimits(max_cells=settings.surfaces.surface_max_cells),
        wall_seconds=settings.surfaces.surface_parse_seconds,
        memory_bytes=settings.surfaces.surface_parse_memory_mb * 1024 * 1024,
    )


def surfaces_dir(settings: Settings) -> Path:
    """Where envmon keeps its copies of imported rasters (inside the 0700 data directory)."""
    return make_data_dir(settings.store.data_dir) / "surfaces"


def refusal_message(exc: RefusedRaster) -> str:
    """The refusal's message, with the setting behind a limit named."""
    setting = LIMIT_SETTINGS.get(exc.rule)
    return f"{exc.message} ({setting})" if setting else exc.message


def import_surface(
    engine: Engine,
    settings: Settings,
    data: bytes,
    file_name: str,
    *,
    name: str,
    units: str | None,
    who: str,
    note: str | None = None,
    clock: Clock | None = None,
    stop: Callable[[], str | None] = lambda: None,
) -> dict[str, Any]:
    """Check, read and store the GeoTIFF ``data`` (uploaded as ``file_name``) as the next version
    of the surface ``name``; returns the stored row.

    Raises ``RefusedRaster`` (rule and message) when the file or the request breaks a rule; the
    store and the data directory are then unchanged.
    """
    base = Path(file_name).name
    if not base.lower().endswith(SUFFIXES):
        raise RefusedRaster("suffix", f"the file must be a GeoTIFF ({' '.join(SUFFIXES)})")
    if not name.strip() or len(name) > NAME_MAX:
        raise RefusedRaster("name", f"name must hold 1 to {NAME_MAX} characters")
    if units is not None and len(units) > UNITS_MAX:
        raise RefusedRaster("units", f"units may hold at most {UNITS_MAX} characters")
    if len(data) > settings.surfaces.surface_max_bytes:
        msg = f"the file has {len(data)} bytes; the limit is {settings.surfaces.surface_max_bytes}"
        raise RefusedRaster("too_large", msg)
    folder = surfaces_dir(settings)
    folder.mkdir(mode=0o700, exist_ok=True)
    stored_name = f"{secrets.token_hex(12)}.tif"
    target = folder / stored_name
    with tempfile.TemporaryDirectory(prefix="envmon-raster-") as tmp:
        # A fixed name in a fresh folder: the uploader's name never reaches GDAL, nothing beside it.
        upload = Path(tmp) / "upload.tif"
        upload.write_bytes(data)
        described = read_isolated(upload, target, surface_limits(settings), stop)
    row = {
        "name": name.strip(),
        "imported_at": (clock or SystemClock()).now(),
        "who": who[:80],
        "file_name": base[:255],
        "sha256": hashlib.sha256(data).hexdigest(),
        "size_bytes": len(data),
        "stored_name": stored_name,
        "units": units,
        "note": note,
        **described,
    }
    try:
        return store.add_surface(engine, row)
    except Exception:
        target.unlink(missing_ok=True)
        raise


__all__ = ["RefusedRaster", "import_surface", "refusal_message", "surface_limits", "surfaces_dir"]
