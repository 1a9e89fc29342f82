"""``envmon sea import FILE``: a bureau file of seawater points and bays in one command (datum
converted, versioned, demo rows replaced by nothing), then a lab file with seawater items attached to
the points by name, classed under GB 3097 and kept out of the river/reservoir section periods."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from geodata.crs import gcj02_to_wgs84
from service.cli import app
from service.store.compute_tables import section_periods
from service.store.registry_tables import registry_versions
from service.store.sea_tables import sea_areas, sea_points
from service.store.tables import samples

#: Two bays off Dinghai (a WGS-84 square and a GCJ-02 square) and three points; SYNTHETIC.
BAYS_AND_POINTS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [122.30, 30.00],
                        [122.40, 30.00],
                        [122.40, 30.05],
                        [122.30, 30.05],
                        [122.30, 30.00],
                    ]
                ],
            },
            "properties": {"编码": "BAY-A", "名称": "测试湾A", "类型": "海湾", "水质目标": "二类"},
        },
        {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [122.00, 29.90],
                        [122.05, 29.90],
                        [122.05, 29.95],
                        [122.00, 29.95],
                        [122.00, 29.90],
                    ]
                ],
            },
            "properties": {
                "编码": "ZONE-B",
                "名称": "测试功能区B",
                "类型": "功能区",
                "水质目标": "第四类",
                "坐标系": "GCJ-02",
            },
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [122.32, 30.02]},
            "properties": {
                "编码": "ZS01",
                "名称": "测试点一",
                "所属海湾": "BAY-A",
                "别名": "一号站",
            },
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [122.38, 30.03]},
            "properties": {"编码": "ZS02", "名称": "测试点二", "所属海湾": "BAY-A"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [122.03, 29.93]},
            "properties": {
                "编码": "ZS03",
                "名称": "测试点三",
                "所属海湾": "ZONE-B",
                "坐标系": "GCJ-02",
            },
        },
    ],
}

LAB = """舟山市近岸海域监测结果（SYNTHETIC, written for this test）
点位名称,采样日期,pH(无量纲),溶解氧(mg/L),化学需氧量(mg/L),无机氮(mg/L),活性磷酸盐(mg/L),石油类(mg/L)
一号站,2026-05-06,8.1,7.2,1.1,0.18,0.012,0.02
测试点二,2026-05-06,8.0,5.5,1.8,0.35,0.020,0.03
"""


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENVMON_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ENVMON_DEMO", "false")
    return tmp_path / "data"


def test_one_command_imports_points_and_bays_then_lab_samples_attach(
    data_dir: Path, tmp_path: Path
) -> None:
    bureau = tmp_path / "海水点位与海湾.geojson"
    bureau.write_text(json.dumps(BAYS_AND_POINTS, ensure_ascii=False), encoding="utf-8")
    out = CliRunner().invoke(app, ["sea", "import", str(bureau), "--who", "tester"])
    assert out.exit_code == 0, out.output
    assert "version 1: 3 sea points and 2 sea areas" in out.output
    assert "added 5, changed 0, unchanged 0" in out.output

    engine = create_engine(f"sqlite:///{data_dir / 'envmon.sqlite3'}")
    with engine.connect() as conn:
        points = {r.code: r for r in conn.execute(select(sea_points))}
        areas = {r.code: r for r in conn.execute(select(sea_areas))}
        versions = conn.execute(select(registry_versions)).all()
    assert set(points) == {"ZS01", "ZS02", "ZS03"} and set(areas) == {"BAY-A", "ZONE-B"}
    assert not any(p.demo for p in points.values()) and not any(a.demo for a in areas.values())
    # targets: the bay's 二类 is written down; a point takes its bay's target
    assert areas["BAY-A"].target_class == "II" and areas["ZONE-B"].target_class == "IV"
    assert points["ZS01"].target_class == "II" and points["ZS03"].target_class == "IV"
    assert points["ZS01"].district_code == "330903"  # from the coordinates (Putuo)
    # WGS-84 stays as written; GCJ-02 is converted (a few hundred metres south-west here)
    assert (points["ZS01"].lon, points["ZS01"].lat) == (122.32, 30.02)
    lon, lat = gcj02_to_wgs84([122.03], [29.93])
    assert (points["ZS03"].lon, points["ZS03"].lat) == (round(lon[0], 6), round(lat[0], 6))
    assert 0.002 < 122.03 - points["ZS03"].lon < 0.008
    ring = areas["ZONE-B"].geometry["coordinates"][0]
    assert all(x < 122.05 - 0.002 for x, _ in ring if x > 122.04)
    # 0.1° x 0.05° at 30° N: 9.64 km x 5.54 km = 53.4 km² (UTM 51N)
    assert areas["BAY-A"].area_km2 == pytest.approx(53.4, abs=0.3)
    assert [(v.kind, v.who, v.row_count, v.added) for v in versions] == [("sea", "tester", 5, 5)]

    # a second import of the same file changes nothing and supersedes the first version
    again = CliRunner().invoke(app, ["sea", "import", str(bureau), "--who", "tester"])
    assert "version 2" in again.output and "added 0, changed 0, unchanged 5" in again.output
    assert "supersedes version 1" in again.output
    listed = CliRunner().invoke(app, ["sea", "points"])
    assert "ZS01\t测试点一\t330903\tII (122.32000, 30.02000)" in listed.output
    assert "[demo]" not in listed.output

    # lab samples: by alias and by name, stored under the points' codes, no GB 3838 periods
    lab = tmp_path / "sea_lab.csv"
    lab.write_text(LAB, encoding="utf-8")
    out = CliRunner().invoke(app, ["import-lab", str(lab)])
    assert out.exit_code == 0, out.output
    assert "quarantined=0" in out.output
    with engine.connect() as conn:
        stored = {r[0] for r in conn.execute(select(samples.c.section).distinct())}
        periods = conn.execute(select(section_periods)).all()
    engine.dispose()
    assert stored == {"ZS01", "ZS02"}
    assert periods == []  # sea points are never classed as GB 3838 sections


def test_a_bad_sea_file_is_refused_whole_naming_every_bad_row(
    data_dir: Path, tmp_path: Path
) -> None:
    bad = json.loads(json.dumps(BAYS_AND_POINTS))
    bad["features"][0]["properties"]["水质目标"] = "五类"
    bad["features"][3]["properties"]["所属海湾"] = "NOWHERE"
    bad["features"][4]["geometry"] = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    out = CliRunner().invoke(app, ["sea", "import", str(path)])
    assert out.exit_code == 1
    assert "refused, 3 problem(s)" in out.output
    assert "line 1, target: target '五类': 一类..四类 (I..IV) (sea_class)" in out.output
    assert "line 4, area: area 'NOWHERE' is not a sea area of this file (known_area)" in out.output
    assert "line 5, geometry: geometry 'LineString'" in out.output
    engine = create_engine(f"sqlite:///{data_dir / 'envmon.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(select(sea_points)).all() == []
    engine.dispose()


def test_sea_figures_command_and_demo_purge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the demo feed the store holds the demo sea points (labelled [demo]); ``envmon sea
    figures`` prints them; ``envmon demo purge`` deletes them with the rest of the demo data."""
    monkeypatch.setenv("ENVMON_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ENVMON_DEMO", "true")
    listed = CliRunner().invoke(app, ["sea", "points"])
    assert listed.exit_code == 0, listed.output
    lines = [x for x in listed.output.splitlines() if x.startswith("DEMO-SEA-")]
    assert len(lines) == 8 and all(x.endswith("[demo]") for x in lines)
    shown = CliRunner().invoke(app, ["sea", "figures", "--period", "2026-05"])
    assert shown.exit_code == 0, shown.output
    assert (
        "DEMO-SEA-330902-1\t示例海水点位 (demo) 定海区1\t-\ttarget III -\t-\tn=0 [demo]"
        in shown.output
    )
    bad = CliRunner().invoke(app, ["sea", "figures", "--period", "2026-13"])
    assert bad.exit_code == 2 and "period '2026-13': YYYY or YYYY-MM" in bad.output
    monkeypatch.setenv("ENVMON_DEMO", "false")
    purged = CliRunner().invoke(app, ["demo", "purge", "--yes"])
    assert purged.exit_code == 0, purged.output
    engine = create_engine(f"sqlite:///{tmp_path / 'data' / 'envmon.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(select(sea_points)).all() == []
        assert conn.execute(select(sea_areas)).all() == []
    engine.dispose()
