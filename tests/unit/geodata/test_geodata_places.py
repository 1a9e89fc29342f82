"""Shipped places: columns, districts, stations in their districts, demo stations, sections, zones."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point

import geodata
from geodata.spatial import assign_district, distance_to_zone_kinds, route_corridors

DISTRICT_CODES = ["330902", "330903", "330921", "330922"]
COMMON = ["code", "name", "name_en", "district_code", "kind", "source", "demo"]


def test_every_loader_is_wgs84_with_stable_columns() -> None:
    for frame in (
        geodata.load_districts(),
        geodata.load_stations(include_demo=True),
        geodata.load_sections(),
        geodata.load_zones(),
    ):
        assert frame.crs.to_epsg() == 4326
        assert set(COMMON) <= set(frame.columns)
        assert frame["demo"].dtype == bool


def test_districts_are_the_four_valid_and_rfc7946_wound() -> None:
    d = geodata.load_districts()
    assert d["code"].tolist() == DISTRICT_CODES
    assert d["name"].tolist() == ["定海区", "普陀区", "岱山县", "嵊泗县"]
    assert d.geometry.is_valid.all()
    for geom in d.geometry:
        assert all(shapely.is_ccw(p.exterior) for p in geom.geoms)
    assert d["area_km2_official"].tolist() == [568.8, 458.6, 326.5, 86.0]


def test_city_outline_is_union_of_districts() -> None:
    city = geodata.load_city().geometry.iloc[0]
    union = shapely.union_all(geodata.load_districts().geometry.values)
    assert city.symmetric_difference(union).area < 1e-9


@pytest.mark.parametrize(
    ("code", "district"), [("1258A", "330902"), ("1259A", "330903"), ("1260A", "330902")]
)
def test_national_station_lands_in_its_district(code: str, district: str) -> None:
    s = assign_district(geodata.load_stations())
    row = s.set_index("code").loc[code]
    assert row["district_code"] == district
    assert row["district_match"] == "inside"


def test_demo_stations_only_where_no_national_station() -> None:
    assert not geodata.load_stations()["demo"].any()
    s = geodata.load_stations(include_demo=True)
    demo = s[s["demo"]]
    assert demo["code"].tolist() == ["DEMO-330921", "DEMO-330922"]
    assert (demo["name"] == "示例站点 (demo)").all() and (demo["name_en"] == "Demo station").all()
    d = geodata.load_districts().set_index("code")
    for _, r in demo.iterrows():
        assert d.loc[r["district_code"], "geometry"].contains(r.geometry)


def test_loader_returns_copies() -> None:
    a = geodata.load_stations()
    a.loc[0, "name"] = "changed"
    assert geodata.load_stations().loc[0, "name"] == "定海檀枫"


def test_sections_have_no_invented_coordinates() -> None:
    s = geodata.load_sections()
    assert len(s) == 25
    assert s.geometry.isna().all() and (s["coord_status"] == "not_published").all()
    assert sorted(s.loc[s["provincial"], "name"]) == sorted(
        ["虹桥水库", "城关河", "临城河", "芦东水库", "磨心水库", "基湖水库"]
    )
    assert set(s["waterbody"]) == {"river", "lake"}
    assert s.loc[s["name"] == "基湖水库", "district_code"].item() == "330922"
    # assign_district keeps the published district of a row without position
    a = assign_district(s)
    assert (a["district_code"] == s["district_code"]).all()
    assert (a["district_match"] == "unassigned").all()


def test_zones_have_kinds_datum_dates_and_sources() -> None:
    z = geodata.load_zones().set_index("code")
    assert set(z["kind"]) <= set(geodata.ZONE_KINDS)
    assert z.loc["sjm_route_north", "kind"] == "route"
    assert z.loc["sjm_route_north"].geometry.geom_type == "LineString"
    assert z.loc["ztbq_zhoushan_wharf_dredging_area", "valid_to"] == "2023-12-01"
    assert z["source"].str.startswith("http").all()
    assert z["datum"].notna().all()


def test_route_corridor_is_500_m_either_side() -> None:
    z = geodata.load_zones()
    axis = z[z["code"] == "sjm_route_south"].to_crs(geodata.METRIC).geometry.iloc[0]
    corridor = route_corridors(z)
    poly = corridor[corridor["code"] == "sjm_route_south"].to_crs(geodata.METRIC).geometry.iloc[0]
    # flat caps, round joins: area = 2 * 500 * length + joins (each a sector of radius 500 m)
    assert poly.area == pytest.approx(1000 * axis.length, rel=0.01)
    assert poly.buffer(-499).intersects(axis)


# ---- tiny hand-built world: two 10 km squares side by side in UTM 51N


def _toy_districts() -> gpd.GeoDataFrame:
    a = shapely.box(300_000, 3_300_000, 310_000, 3_310_000)
    b = shapely.box(310_000, 3_300_000, 320_000, 3_310_000)
    return gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[a, b], crs=geodata.METRIC)


def test_assign_district_toy_inside_nearest_unassigned() -> None:
    pts = gpd.GeoDataFrame(
        {"code": ["in_a", "edge", "sea_2km", "sea_6km", "none"]},
        geometry=[
            Point(305_000, 3_305_000),
            Point(310_000, 3_305_000),  # on the shared border: first polygon wins
            Point(322_000, 3_305_000),
            Point(326_000, 3_305_000),
            None,
        ],
        crs=geodata.METRIC,
    )
    out = assign_district(pts, _toy_districts(), max_distance_m=5000)
    assert out["district_code"].tolist() == ["A", "A", "B", None, None]
    assert out["district_match"].tolist() == [
        "inside",
        "inside",
        "nearest",
        "unassigned",
        "unassigned",
    ]
    np.testing.assert_allclose(out["district_distance_m"].to_numpy()[:3], [0, 0, 2000])


def test_point_2km_offshore_goes_to_nearest_district_and_is_flagged() -> None:
    # 2 km due north (geodesic) of the northernmost vertex of 定海区's largest polygon
    d = geodata.load_districts()
    dinghai = d.loc[d["code"] == "330902"].geometry.iloc[0]
    main_island = max(dinghai.geoms, key=lambda p: p.area)
    x, y = np.asarray(main_island.exterior.coords).T
    i = int(np.argmax(y))
    lon, lat, _ = Geod(ellps="WGS84").fwd(x[i], y[i], 0, 2000)
    pts = gpd.GeoDataFrame({"code": ["offshore"]}, geometry=[Point(lon, lat)], crs=4326)
    city = geodata.load_city().geometry.iloc[0]
    assert not city.contains(pts.geometry.iloc[0])
    out = assign_district(pts).iloc[0]
    assert out["district_match"] == "nearest"
    assert 1500 < out["district_distance_m"] <= 2000.5  # UTM vs geodesic metres: < 0.1 %
    assert out["district_code"] == "330902"
    far = assign_district(pts, max_distance_m=100).iloc[0]
    assert far["district_match"] == "unassigned" and far["district_code"] is None


def test_distance_to_zone_kinds_exact_on_toy_zones() -> None:
    zones = gpd.GeoDataFrame(
        {"code": ["r", "b"], "kind": ["route", "bunkering"], "half_width_m": [500.0, None]},
        geometry=[
            shapely.LineString([(300_000, 3_300_000), (310_000, 3_300_000)]),
            Point(300_000, 3_310_000),
        ],
        crs=geodata.METRIC,
    )
    pts = gpd.GeoDataFrame(
        {"code": ["p"]}, geometry=[Point(305_000, 3_302_000)], crs=geodata.METRIC
    )
    d = distance_to_zone_kinds(pts, zones)
    assert d.loc[0, "route"] == pytest.approx(1500, abs=1e-6)  # 2000 m from the axis, corridor 500
    assert d.loc[0, "bunkering"] == pytest.approx(np.hypot(5000, 8000))
    assert distance_to_zone_kinds(pts, zones, corridors=False).loc[0, "route"] == pytest.approx(
        2000
    )
    w = geodata.spatial.within_km_of_zone_kinds(pts, zones, 2.0)
    assert w.loc[0].to_dict() == {"route": True, "bunkering": False}
