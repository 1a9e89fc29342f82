"""The derived emission control area: 12 nmi seaward of the baseline, labelled derived (推导)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import geodata
from geodata.eca import ECA_DISTANCE_M, derive_eca

SRC = Path(__file__).resolve().parents[4] / "shared/geodata-src"


def test_shipped_area_is_labelled_derived_everywhere() -> None:
    eca = geodata.load_derived_eca()
    assert len(eca) == 1
    row = eca.iloc[0]
    assert row["kind"] == "emission_control_area"
    assert bool(row["derived"]) is True
    assert "推导" in row["name"] and "derived" in row["name_en"]
    assert "derived" in row["note"]
    assert "eca_derived.geojson" in (Path(geodata.__file__).parent / "data/SOURCES.md").read_text()


def test_outer_edge_lies_12_nmi_from_the_baseline() -> None:
    # basepoints 12 海礁 (123°09.4'E 30°44.1'N) and 13 东南礁: the area's easternmost reach lies
    # due east of them at 12 nmi; every vertex of the area is within 12 nmi (+1 m) of the baseline
    # or west of it, and the baseline itself lies inside
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(
            [122.243333, 123.156667, 123.161667, 122.945, 122.275],
            [31.421667, 30.735, 30.725, 30.168333, 28.888333],
        ),
        crs=geodata.WGS84,
    ).to_crs(geodata.METRIC)
    baseline = shapely.LineString(shapely.get_coordinates(pts.geometry.to_numpy()))
    area = (
        gpd.GeoSeries(geodata.load_derived_eca().geometry, crs=geodata.WGS84)
        .to_crs(geodata.METRIC)
        .iloc[0]
    )
    east = max(x for x, _ in shapely.get_coordinates(area))
    haijiao, dongnanjiao = pts.geometry.iloc[1], pts.geometry.iloc[2]  # 东南礁 is the easternmost
    assert east - dongnanjiao.x == pytest.approx(ECA_DISTANCE_M, abs=60)  # 1e-6° rounding
    far = [shapely.distance(shapely.Point(p), baseline) for p in shapely.get_coordinates(area)]
    seaward = [
        d for d, (x, _) in zip(far, shapely.get_coordinates(area), strict=True) if x > haijiao.x
    ]
    assert seaward and max(seaward) <= ECA_DISTANCE_M + 60
    assert area.contains(haijiao)
    # the city (Zhoushan's islands) lies inside the derived area
    city = geodata.load_city().to_crs(geodata.METRIC).geometry.iloc[0]
    assert area.buffer(1).contains(city)


@pytest.mark.skipif(not SRC.exists(), reason="needs ../shared/geodata-src")
def test_shipped_file_is_what_the_derivation_gives() -> None:
    b = pd.read_csv(SRC / "territorial_sea_baseline_points_zhoushan.csv").set_index("basepoint_no")
    b = b.loc[[11, 12, 13, 14, 15]]
    again = derive_eca(b["lon"], b["lat"], geodata.load_city().geometry.iloc[0])
    shipped = geodata.load_derived_eca().geometry.iloc[0]
    assert shapely.equals_exact(
        shapely.normalize(again), shapely.normalize(shipped), tolerance=1e-6
    )


def test_the_bureaus_own_control_area_replaces_the_derived_one(tmp_path: Path) -> None:
    import json

    from service.store.engine import init_store
    from service.zones import import_zone_file, zones_with_derived_eca

    engine = init_store(f"sqlite:///{tmp_path / 'envmon.sqlite3'}")
    try:
        before = zones_with_derived_eca(engine)
        assert before["code"].tolist()[-1] == "eca_zhoushan_derived"
        assert before["derived"].tolist().count(True) == 1
        # a route only: still no official control area, the derived one stays
        route = {
            "type": "Feature",
            "properties": {"code": "r1", "name": "航路", "kind": "route", "datum": "WGS84"},
            "geometry": {"type": "LineString", "coordinates": [[122.30, 29.95], [122.35, 29.97]]},
        }
        area = {
            "type": "Feature",
            "properties": {
                "code": "eca_official",
                "name": "船舶排放控制区（正式）",
                "kind": "emission_control_area",
                "datum": "WGS84",
            },
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[122.0, 29.8], [122.6, 29.8], [122.6, 30.3], [122.0, 30.3], [122.0, 29.8]]
                ],
            },
        }
        for features, derived_left in (([route], 1), ([route, area], 0)):
            body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
            import_zone_file(engine, body, "zones.geojson", who="test")
            zones = zones_with_derived_eca(engine)
            assert zones["derived"].tolist().count(True) == derived_left
        assert "eca_official" in zones["code"].tolist()
        assert "eca_zhoushan_derived" not in zones["code"].tolist()
    finally:
        engine.dispose()
