"""Hostile zone files of every kind GDAL can write (issue 22: the suite that would have found
findings 1 and 3): each driver's output, under each declared zone-file suffix, is read or refused
with a rule -- never another exception, never a refusal quoting a temporary path -- and only GPKG
content passes as ``.gpkg``, only a Shapefile's parts as ``.zip``. A Point-only file is read.
(HTML output in Chromium: ``tests/browser/test_stored_xss_browser.py``; a 100,000-feature upload
through the API: ``tests/integration/test_zone_upload_jobs.py``.)"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geodata.zones_io import ZoneValidationError, read_zone_file

#: Drivers that write a file from a frame without extra options (a directory or a server: skipped).
DRIVERS = {
    "GeoJSON": "geojson",
    "GeoJSONSeq": "geojsonl",
    "KML": "kml",
    "GPKG": "gpkg",
    "SQLite": "sqlite",
    "CSV": "csv",
    "GML": "gml",
    "GPX": "gpx",
    "FlatGeobuf": "fgb",
    "MapInfo File": "tab",
    "DXF": "dxf",
    "JML": "jml",
    "GeoRSS": "xml",
    "ODS": "ods",
    "XLSX": "xlsx",
    "PGDUMP": "sql",
    "ESRI Shapefile": "shp",
}
SUFFIXES = ("gpkg", "zip", "geojson", "kml", "csv")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One file (or, for multi-file formats, a zip of its parts) per driver."""
    root = tmp_path_factory.mktemp("drivers")
    frame = gpd.GeoDataFrame(
        {"name": ["锚地"], "kind": ["anchorage"]}, geometry=[Point(122.2, 30.02)], crs=4326
    )
    out: dict[str, Path] = {}
    for driver, ext in DRIVERS.items():
        folder = root / driver.replace(" ", "_")
        folder.mkdir()
        target = folder / f"zones.{ext}"
        try:
            frame.to_file(target, driver=driver, engine="pyogrio")
        except Exception:  # a driver this GDAL build cannot write here
            continue
        parts = [p for p in folder.iterdir() if p.is_file()]
        if len(parts) == 1:
            out[driver] = parts[0]
        else:
            packed = folder / "parts.zip"
            with zipfile.ZipFile(packed, "w") as zf:
                for p in parts:
                    zf.write(p, p.name)
            out[driver] = packed
    assert {"GeoJSON", "GPKG", "ESRI Shapefile", "KML"} <= set(out)
    return out


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_every_driver_under_every_suffix_is_read_or_refused_by_rule(
    written: dict[str, Path], tmp_path: Path, suffix: str
) -> None:
    accepted = []
    for driver, source in written.items():
        upload = tmp_path / f"upload-{driver.replace(' ', '_')}.{suffix}"
        upload.write_bytes(source.read_bytes())
        try:
            frame = read_zone_file(upload, source=f"zones.{suffix}")
        except ZoneValidationError as exc:
            text = str(exc)
            assert str(tmp_path) not in text and "/tmp" not in text, (driver, text)
            assert all(p.rule for p in exc.problems)
            continue
        assert len(frame) == 1 and frame.geometry.iloc[0].geom_type == "Point", driver
        accepted.append(driver)
    own = {"gpkg": {"GPKG"}, "zip": {"ESRI Shapefile"}, "geojson": {"GeoJSON"}, "kml": {"KML"}}
    if suffix in own:
        assert set(accepted) <= own[suffix] | ({"GeoJSON"} if suffix == "geojson" else set())
        assert own[suffix] <= set(accepted), (suffix, accepted)
