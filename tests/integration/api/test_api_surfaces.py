"""Surfaces through the API (issue 16 item 4): a GeoTIFF imported as versions, hostile files
refused naming the rule, the IDW surface of a day, statistics per zone, the overlay PNG."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr
from fastapi import FastAPI
from fastapi.testclient import TestClient

import geodata
from geodata.grids import attach_crs
from geodata.rasters import write_geotiff
from service.store.compute_tables import station_days
from tests.integration.api.conftest import NOW

IMPORT = "/api/v1/staff/surfaces/import"
DAY = dt.date(2026, 5, 19)


def _tiff(tmp_path: Path, value: float = 5.0, crs: str = geodata.METRIC) -> bytes:
    """A constant field over Zhoushan on 1 km cells in UTM 51N (or ``crs`` warped from it)."""
    x = 360_500.0 + 1000 * np.arange(120)
    y = 3_420_500.0 - 1000 * np.arange(140)
    da = attach_crs(
        xr.DataArray(np.full((140, 120), value), dims=("y", "x"), coords={"y": y, "x": x}),
        geodata.METRIC,
    )
    if crs != geodata.METRIC:
        from geodata.rasters import reproject_grid

        da = reproject_grid(da, crs)
    path = write_geotiff(da, tmp_path / "inventory.tif")
    return path.read_bytes()


def _import(client: TestClient, key: str, body: bytes, name: str = "船舶排放清单") -> Any:
    return client.post(
        IMPORT,
        headers={"X-API-Key": key},
        files={"file": ("inventory.tif", body, "image/tiff")},
        data={"name": name, "units": "t/cell"},
    )


def _zone(payload: dict[str, Any], code: str) -> dict[str, Any]:
    return next(z for z in payload["zones"] if z["zone"] == code)


def test_import_list_and_zonal_statistics(
    client: TestClient, keys: dict[str, str], tmp_path: Path
) -> None:
    first = _import(client, keys["operator"], _tiff(tmp_path, crs="EPSG:3857"))
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["id"].startswith("raster-") and body["version"] == 1
    assert body["crs"] == "WGS 84 / Pseudo-Mercator" and body["units"] == "t/cell"
    second = _import(client, keys["operator"], _tiff(tmp_path, value=7.0))
    assert second.json()["version"] == 2
    assert second.json()["supersedes_id"] == int(body["id"].split("-")[1])

    view = {"X-API-Key": keys["viewer"]}
    listing = client.get("/api/v1/surfaces", headers=view).json()
    rasters = [i for i in listing["items"] if i["surface"]["kind"] == "raster"]
    assert [r["surface"]["version"] for r in rasters] == [2]  # only the current version
    zonal_url = rasters[0]["zonal_url"]
    stats = client.get(zonal_url, headers=view).json()
    dredge = _zone(stats, "ztbq_zhoushan_wharf_dredging_area")
    # a constant 7 over the whole zone: mean = min = max = 7, all of it covered
    assert dredge["mean"] == pytest.approx(7.0, abs=1e-9)
    assert dredge["min"] == 7.0 and dredge["max"] == 7.0
    assert dredge["covered_fraction"] == pytest.approx(1.0, abs=1e-4)
    eca = _zone(stats, "eca_zhoushan_derived")
    assert eca["derived"] is True and "推导" in eca["name"]
    # the grid (120 x 140 km) does not reach the derived area's 12 nmi edge
    assert 0 < eca["covered_fraction"] < 1
    png = client.get(rasters[0]["image_url"], headers=view)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_surfaces_are_staff_only(client: TestClient, keys: dict[str, str]) -> None:
    assert client.get("/api/v1/surfaces").status_code == 401
    assert client.get("/api/v1/surfaces/idw-pm25/zonal").status_code == 401
    refused = client.post(
        IMPORT,
        headers={"X-API-Key": keys["viewer"]},
        files={"file": ("a.tif", b"II*\x00", "image/tiff")},
        data={"name": "x"},
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("file_body", "rule"),
    [
        (b"<VRTDataset rasterXSize='1'><VRTRasterBand/></VRTDataset>", "not_geotiff"),
        (b"II*\x00" + b"\x00" * 64, "unreadable"),
        (b'{"type": "FeatureCollection"}', "not_geotiff"),
    ],
)
def test_hostile_files_are_refused_naming_the_rule(
    client: TestClient, keys: dict[str, str], file_body: bytes, rule: str
) -> None:
    answer = _import(client, keys["operator"], file_body)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["rule"] == rule and problem["field"] == "file"
    assert "/tmp" not in answer.text and "VRTDataset" not in answer.text


def test_a_vrt_named_tif_reads_nothing(
    client: TestClient, keys: dict[str, str], tmp_path: Path
) -> None:
    # a VRT that points at another file is not a TIFF: refused before GDAL sees it
    secret = tmp_path / "secret.tif"
    secret.write_bytes(_tiff(tmp_path))
    vrt = (
        f"<VRTDataset rasterXSize='2' rasterYSize='2'><VRTRasterBand dataType='Float64' band='1'>"
        f"<SimpleSource><SourceFilename>{secret}</SourceFilename></SimpleSource>"
        f"</VRTRasterBand></VRTDataset>"
    ).encode()
    answer = _import(client, keys["operator"], vrt)
    assert answer.status_code == 422 and answer.json()["rule"] == "not_geotiff"
    assert str(secret) not in answer.text


def test_oversized_raster_is_refused_from_its_header(
    client: TestClient, keys: dict[str, str], tmp_path: Path, app: FastAPI
) -> None:
    app.state.settings.surfaces.surface_max_cells = 1000  # the test file holds 16,800 cells
    answer = _import(client, keys["operator"], _tiff(tmp_path))
    assert answer.status_code == 422
    assert answer.json()["rule"] == "too_many_cells"
    assert "ENVMON_SURFACE_MAX_CELLS" in answer.json()["detail"]


def _seed_day(app: FastAPI, values: dict[str, float]) -> None:
    with app.state.engine.begin() as conn:
        conn.execute(
            station_days.insert(),
            [
                {
                    "station": code,
                    "day": DAY,
                    "pm25_24h": v,
                    "valid": {"PM25_24h": True},
                    "standard": "HJ633-2012",
                    "ratio_valid": 1,
                    "computed_at": NOW,
                }
                for code, v in values.items()
            ],
        )


def test_idw_surface_of_a_day_and_its_zone_statistics(
    client: TestClient, keys: dict[str, str], app: FastAPI
) -> None:
    # the three national stations all report 35 µg/m³: the IDW surface is 35 wherever a
    # station lies within 30 km, so every zone near Dinghai/Putuo has mean = min = max = 35
    _seed_day(app, {"1258A": 35.0, "1259A": 35.0, "1260A": 35.0})
    view = {"X-API-Key": keys["viewer"]}
    listing = client.get("/api/v1/surfaces", headers=view).json()
    assert listing["day"] == DAY.isoformat()
    pm25 = next(i for i in listing["items"] if i["surface"]["id"] == "idw-pm25")
    assert pm25["zonal_url"].endswith(f"?day={DAY.isoformat()}")
    stats = client.get(pm25["zonal_url"], headers=view).json()
    assert stats["surface"]["units"] == "µg/m³"
    route = _zone(stats, "sjm_route_north")
    assert route["mean"] == pytest.approx(35.0, abs=1e-9)
    assert route["min"] == pytest.approx(35.0, abs=1e-9) and route["max"] == pytest.approx(
        35.0, abs=1e-9
    )
    overlay = client.get(pm25["overlay_url"], headers=view).json()
    (south, west), (north, east) = overlay["bounds"]
    assert 121 < west < east < 124 and 29 < south < north < 32
    assert overlay["image_url"].startswith("/api/v1/surfaces/idw-pm25/image.png")
    missing = client.get("/api/v1/surfaces/idw-pm25/zonal?day=2026-01-01", headers=view)
    assert missing.status_code == 404
    assert client.get("/api/v1/surfaces/idw-xyz/zonal", headers=view).status_code == 404


def test_staff_map_layer_body_shows_zonal_figures(
    client: TestClient, keys: dict[str, str], app: FastAPI
) -> None:
    _seed_day(app, {"1258A": 35.0, "1259A": 35.0, "1260A": 35.0})
    view = {"X-API-Key": keys["viewer"]}
    zh = client.get("/maps/staff/surfaces/idw-pm25.json", headers=view).json()
    assert zh["name"] == f"PM2.5 日均值插值面（IDW）（{DAY.isoformat()}）"
    assert zh["image"] == f"/api/v1/surfaces/idw-pm25/image.png?day={DAY.isoformat()}"
    table = zh["zonal_html"]
    assert "分区统计（面积加权）" in table and "舟山港船舶大气污染物排放控制区（推导）" in table
    assert "<td class='envmon-zonal-mean'>35</td>" in table
    assert "非官方边界" in table  # the derived outline is said to be derived
    assert [r[0] for r in zh["legend"]["rows"]][0] == "#FFFFB2"
    en = client.get("/maps/staff/surfaces/idw-pm25.json?lang=en", headers=view).json()
    assert "Zonal statistics (area-weighted)" in en["zonal_html"]
    assert "Zhoushan port ship emission control area (derived)" in en["zonal_html"]
    assert client.get("/maps/staff/surfaces/idw-pm25.json").status_code == 401


def test_a_band_of_a_multi_band_raster(
    client: TestClient, keys: dict[str, str], tmp_path: Path
) -> None:
    # three monthly bands: 1, 2 and 3 t/cell everywhere
    x = 360_500.0 + 1000 * np.arange(120)
    y = 3_420_500.0 - 1000 * np.arange(140)
    stack = attach_crs(
        xr.DataArray(
            np.stack([np.full((140, 120), float(m)) for m in (1, 2, 3)]),
            dims=("band", "y", "x"),
            coords={"band": [1, 2, 3], "y": y, "x": x},
        ),
        geodata.METRIC,
    )
    body = write_geotiff(stack, tmp_path / "months.tif").read_bytes()
    made = _import(client, keys["operator"], body, name="月度清单").json()
    assert made["bands"] == 3
    view = {"X-API-Key": keys["viewer"]}
    url = f"/api/v1/surfaces/{made['id']}/zonal"
    third = client.get(url + "?band=3", headers=view).json()
    assert third["surface"]["band"] == 3
    assert _zone(third, "ztbq_zhoushan_wharf_dredging_area")["mean"] == pytest.approx(3.0)
    overlay = client.get(f"/api/v1/surfaces/{made['id']}/overlay?band=2", headers=view).json()
    assert overlay["image_url"].endswith("?band=2")
    missing = client.get(url + "?band=4", headers=view)
    assert missing.status_code == 404 and missing.json()["field"] == "band"


def test_a_surface_is_drawn_once_until_its_inputs_change(
    client: TestClient,
    keys: dict[str, str],
    app: FastAPI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from service.figures import surfaces as figures

    drawn: list[tuple[float, float]] = []
    real = figures.surface_png

    def counted(values: np.ndarray, vmin: float, vmax: float) -> bytes:
        drawn.append((vmin, vmax))
        return real(values, vmin, vmax)

    monkeypatch.setattr(figures, "surface_png", counted)
    view = {"X-API-Key": keys["viewer"]}
    # values no other test draws: the drawings are kept by what they are made from
    _seed_day(app, {"1258A": 41.0, "1259A": 43.0, "1260A": 47.0})
    overlay = client.get(f"/api/v1/surfaces/idw-pm25/overlay?day={DAY}", headers=view).json()
    png = client.get(overlay["image_url"], headers=view)
    assert png.status_code == 200 and len(drawn) == 1
    assert drawn[0] == pytest.approx((41.0, 47.0))  # the colour scale: lowest to highest
    layer = client.get("/maps/staff/surfaces/idw-pm25.json", headers=view).json()
    assert client.get(layer["image"], headers=view).content == png.content
    assert len(drawn) == 1  # the overlay, the PNG, the staff map's layer and its PNG: one drawing
    # a recompute that changes a station's value for that day draws it again
    with app.state.engine.begin() as conn:
        conn.execute(
            station_days.update()
            .where(station_days.c.station == "1260A", station_days.c.day == DAY)
            .values(pm25_24h=53.0)
        )
    redrawn = client.get(overlay["image_url"], headers=view)
    assert len(drawn) == 2 and drawn[1] == pytest.approx((41.0, 53.0))
    assert redrawn.content != png.content
    # an imported raster: its PNG after its overlay is not drawn again; a new version of the
    # same name is a new surface id, drawn from its own file
    first = _import(client, keys["operator"], _tiff(tmp_path, value=3.0), name="密度").json()
    before = len(drawn)
    raster = client.get(f"/api/v1/surfaces/{first['id']}/overlay", headers=view).json()
    client.get(raster["image_url"], headers=view)
    assert len(drawn) == before + 1
    second = _import(client, keys["operator"], _tiff(tmp_path, value=4.0), name="密度").json()
    assert second["id"] != first["id"]
    newer = client.get(f"/api/v1/surfaces/{second['id']}/image.png", headers=view)
    assert newer.status_code == 200 and len(drawn) == before + 2
