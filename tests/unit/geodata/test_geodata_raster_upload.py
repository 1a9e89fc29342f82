"""Supplied GeoTIFFs read as hostile input (issue 22 rules): header, driver, size from the header,
CRS and transform checked; refusals name a rule and echo nothing from the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import xarray as xr
from affine import Affine

import geodata
from geodata.grids import attach_crs
from geodata.raster_upload import RasterLimits, RefusedRaster, read_supplied_geotiff
from geodata.rasters import write_geotiff


def _grid() -> xr.DataArray:
    x = 300_500.0 + 1000 * np.arange(4)
    y = 3_300_500.0 - 1000 * np.arange(3)
    v = np.arange(12.0).reshape(3, 4)
    v[0, 0] = np.nan
    return attach_crs(xr.DataArray(v, dims=("y", "x"), coords={"y": y, "x": x}), geodata.METRIC)


def test_a_plain_geotiff_is_read_with_nodata_as_nan(tmp_path: Path) -> None:
    path = write_geotiff(_grid(), tmp_path / "upload.tif")
    da = read_supplied_geotiff(path)
    assert da.sizes == {"band": 1, "y": 3, "x": 4}
    assert np.isnan(da.values[0, 0, 0]) and da.values[0, 2, 3] == 11.0


def _write(path: Path, width: int, height: int, **extra: object) -> Path:
    profile: dict[str, object] = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 1,
        "dtype": "uint8",
        "compress": "deflate",
        "tiled": True,
        **extra,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(
            np.zeros((1, min(height, 16), min(width, 16)), np.uint8),
            window=((0, min(height, 16)), (0, min(width, 16))),
        )
    return path


def test_a_huge_declared_size_is_refused_before_reading(tmp_path: Path) -> None:
    # 100,000 x 100,000 cells of zeros compress to a small file: refused from the header
    path = _write(
        tmp_path / "upload.tif",
        100_000,
        100_000,
        crs="EPSG:32651",
        transform=Affine(1, 0, 0, 0, -1, 0),
        sparse_ok=True,
    )
    assert path.stat().st_size < 20 * 1024 * 1024
    with pytest.raises(RefusedRaster) as err:
        read_supplied_geotiff(path, RasterLimits(max_cells=50_000_000))
    assert err.value.rule == "too_many_cells"


def test_no_crs_and_rotation_are_refused(tmp_path: Path) -> None:
    plain = _write(tmp_path / "a.tif", 8, 8, transform=Affine(1, 0, 0, 0, -1, 0))
    with pytest.raises(RefusedRaster) as err:
        read_supplied_geotiff(plain)
    assert err.value.rule == "no_crs"
    rotated = _write(
        tmp_path / "b.tif", 8, 8, crs="EPSG:32651", transform=Affine(1, 0.5, 0, 0.5, -1, 0)
    )
    with pytest.raises(RefusedRaster) as err:
        read_supplied_geotiff(rotated)
    assert err.value.rule == "transform"


@pytest.mark.parametrize(
    "body",
    [
        b"<VRTDataset rasterXSize='1' rasterYSize='1'></VRTDataset>",
        b"\x89HDF\r\n\x1a\n" + b"\x00" * 64,  # a NetCDF-4/HDF5 file
        b"GIF89a" + b"\x00" * 64,
    ],
)
def test_only_tiff_headers_reach_gdal(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "upload.tif"
    path.write_bytes(body)
    with pytest.raises(RefusedRaster) as err:
        read_supplied_geotiff(path)
    assert err.value.rule == "not_geotiff"


def test_sidecar_files_beside_the_upload_are_not_read(tmp_path: Path) -> None:
    # a world file and a PAM .aux.xml beside the upload would give GDAL a CRS and a transform;
    # directory listing and PAM are off, so the raster stays without CRS and is refused
    path = _write(tmp_path / "upload.tif", 8, 8)
    (tmp_path / "upload.tfw").write_text("1\n0\n0\n-1\n300000\n3300000\n")
    (tmp_path / "upload.tif.aux.xml").write_text("<PAMDataset><SRS>EPSG:32651</SRS></PAMDataset>")
    with pytest.raises(RefusedRaster) as err:
        read_supplied_geotiff(path)
    assert err.value.rule in ("no_crs", "transform")


def test_a_url_or_vsi_path_is_never_opened(tmp_path: Path) -> None:
    for text in ("/vsicurl/http://127.0.0.1/x.tif", "http://127.0.0.1/x.tif"):
        with pytest.raises(RefusedRaster) as err:
            read_supplied_geotiff(Path(text))
        assert err.value.rule == "path"
