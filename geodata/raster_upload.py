"""A raster someone else supplies (an AIS ship-density grid, an emission inventory), read as hostile.

The same rules as zone files (issue 22; ``geodata.zone_ogr``): GDAL may read such a file only
through the one driver its format allows, with nothing else reachable.

- the file must start with a TIFF or BigTIFF header; it is opened with the ``GTiff`` driver alone
  (GDAL's allowed-driver list), and the opened dataset must say ``GTiff``;
- the caller hands a path it chose (a fixed name in a fresh folder): never ``/vsi…``, never a
  URL; while GDAL reads, network access, directory listing (so no ``.aux.xml``, ``.ovr``, ``.msk``
  or world-file sidecars) and PAM are off;
- width, height and bands are checked against ``RasterLimits`` from the header, before any pixel
  is decoded (a few kilobytes of DEFLATE can declare gigapixels);
- the raster needs a CRS and a north-up, unrotated transform;
- refusals name a rule and never echo GDAL's message.

The caller runs this in a child process with a memory cap and a wall-time limit
(``service.surface_worker``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import rasterio
import xarray as xr
from rasterio.errors import RasterioError

from geodata.rasters import grid_from_array
from geodata.zone_ogr import GDAL_OPTIONS as OGR_OPTIONS

#: The one GDAL driver an uploaded raster may be opened with.
DRIVER: Final = "GTiff"
#: TIFF (TIFF 6.0 §2, "II*\0"/"MM\0*") and BigTIFF ("II+\0"/"MM\0+") file headers.
TIFF_MAGICS: Final = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
#: GDAL configuration while reading an upload: the zone-file options plus no PAM sidecars.
GDAL_OPTIONS: Final[dict[str, str]] = {**OGR_OPTIONS, "GDAL_PAM_ENABLED": "NO"}
#: Sample types accepted (GDAL names); complex and other exotic types are refused.
DTYPES: Final = (
    "uint8",
    "int8",
    "uint16",
    "int16",
    "uint32",
    "int32",
    "uint64",
    "int64",
    "float32",
    "float64",
)


@dataclass(frozen=True, slots=True)
class RasterLimits:
    """The most one supplied raster may hold; the service sets them from ``ENVMON_SURFACE_*``.

    ``max_cells``: width × height × bands; ``max_bands``: bands (days of a yearly stack fit).
    """

    max_cells: int = 50_000_000
    max_bands: int = 366


class RefusedRaster(ValueError):
    """The file is not a raster envmon accepts; ``rule`` names why (no file contents)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


def check_header(path: Path) -> None:
    """Refuse ``path`` unless it starts with a TIFF or BigTIFF header."""
    with path.open("rb") as f:
        head = f.read(4)
    if head not in TIFF_MAGICS:
        raise RefusedRaster("not_geotiff", "the file is not a GeoTIFF (no TIFF header)")


def read_supplied_geotiff(
    path: Path, limits: RasterLimits = RasterLimits(), name: str = "surface"
) -> xr.DataArray:
    """Check and read a supplied GeoTIFF at ``path`` (a local file the caller named) as a
    ``(band, y, x)`` float64 grid with its CRS; nodata and non-finite values become NaN."""
    text = str(path)
    if text.startswith("/vsi") or "://" in text or not path.is_file():
        raise RefusedRaster("path", "only a local file may be read")
    check_header(path)
    with rasterio.Env(**GDAL_OPTIONS):
        try:
            with rasterio.open(path, driver=DRIVER) as src:
                if src.driver != DRIVER:
                    raise RefusedRaster("wrong_driver", f"opened as {src.driver!r}, not {DRIVER!r}")
                _check_shape(src.width, src.height, src.count, limits)
                if any(d not in DTYPES for d in src.dtypes):
                    raise RefusedRaster("dtype", f"sample type must be one of {', '.join(DTYPES)}")
                if src.crs is None:
                    raise RefusedRaster("no_crs", "the raster has no coordinate reference system")
                tr = src.transform
                if tr.b != 0 or tr.d != 0 or tr.a <= 0 or tr.e >= 0:
                    msg = "the raster must be north-up without rotation (a > 0, e < 0, b = d = 0)"
                    raise RefusedRaster("transform", msg)
                data = src.read(masked=True).astype(np.float64).filled(np.nan)
                crs_wkt = src.crs.to_wkt()
                descriptions = list(src.descriptions)
                transform = src.transform
        except RefusedRaster:
            raise
        except (RasterioError, ValueError, OSError):  # GDAL's own text is never shown
            raise RefusedRaster("unreadable", "the file cannot be read as a GeoTIFF") from None
    data[~np.isfinite(data)] = np.nan
    da = grid_from_array(data, transform, crs_wkt, name)
    da.attrs["band_descriptions"] = [d or "" for d in descriptions]
    return da


def _check_shape(width: int, height: int, bands: int, limits: RasterLimits) -> None:
    if width < 2 or height < 2:
        raise RefusedRaster("too_small", "the raster needs at least 2 x 2 cells")
    if bands > limits.max_bands:
        msg = f"the raster has {bands} bands; the limit is {limits.max_bands}"
        raise RefusedRaster("too_many_bands", msg)
    cells = width * height * bands
    if cells > limits.max_cells:
        msg = f"the raster holds {cells} cells (width x height x bands); the limit is {limits.max_cells}"
        raise RefusedRaster("too_many_cells", msg)


__all__ = ["DRIVER", "RasterLimits", "RefusedRaster", "check_header", "read_supplied_geotiff"]
