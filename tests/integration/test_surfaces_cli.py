"""``envmon surfaces import/list/zonal`` as an operator runs them (a real process per command)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from geodata.grids import attach_crs
from geodata.rasters import write_geotiff
from tests.integration.test_cli_user_errors import run


def _tiff(path: Path) -> Path:
    """A constant 4.0 over Zhoushan on 2 km cells in CGCS2000 / 3-degree Gauss-Kruger CM 123E."""
    x = 380_000.0 + 2000 * np.arange(70)
    y = 3_420_000.0 - 2000 * np.arange(80)
    da = attach_crs(
        xr.DataArray(np.full((80, 70), 4.0), dims=("y", "x"), coords={"y": y, "x": x}),
        "EPSG:4550",
    )
    return write_geotiff(da, path)


def test_import_twice_list_and_zonal(tmp_path: Path) -> None:
    tif = _tiff(tmp_path / "emissions.tif")
    first = run(["surfaces", "import", str(tif), "--name", "排放清单", "--units", "t"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("raster-1\t排放清单 version 1\t70x80x1")
    second = run(["surfaces", "import", str(tif), "--name", "排放清单"], tmp_path)
    assert "version 2, supersedes raster-1" in second.stdout
    listed = run(["surfaces", "list"], tmp_path).stdout.splitlines()
    assert [line.split("\t")[0] for line in listed if line.startswith("raster-")] == ["raster-2"]
    zonal = run(["surfaces", "zonal", "raster-2"], tmp_path)
    assert zonal.returncode == 0, zonal.stderr
    rows = {r.split("\t")[0]: r.split("\t") for r in zonal.stdout.splitlines()[2:]}
    assert rows["ztbq_zhoushan_wharf_dredging_area"][2] == "4"  # the mean of a constant field
    assert "舟山港船舶大气污染物排放控制区（推导）" in rows["eca_zhoushan_derived"][1]


def test_a_refused_file_names_its_rule(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"not a tiff at all")
    done = run(["surfaces", "import", str(bad), "--name", "x"], tmp_path)
    assert done.returncode == 1
    assert "[not_geotiff]" in done.stderr and "Traceback" not in done.stderr
    assert run(["surfaces", "zonal", "raster-9"], tmp_path).returncode == 1
