"""Zone versions in the store (SQLite, and PostgreSQL when a server answers): imports, refusals, history."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from geodata.zones_io import ZoneValidationError, read_zone_file
from service.clock import FixedClock
from service.store.engine import init_store
from service.store.zone_tables import zone_features, zone_versions
from service.zones import export_zones, import_zone_file, load_zones, zone_history

DATA = Path(__file__).parent / "data"
CLOCK = FixedClock(dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC))
DREDGE = [
    [122.211389, 30.111111],
    [122.211389, 30.109444],
    [122.213611, 30.109444],
    [122.213611, 30.111111],
    [122.211389, 30.111111],
]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgis)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/store.sqlite3"
    else:
        url = request.getfixturevalue("pg_url")
    eng = init_store(url)
    try:
        yield eng
    finally:
        eng.dispose()


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(zone_versions)).scalar_one(),
            conn.execute(select(func.count()).select_from(zone_features)).scalar_one(),
        )


def _good_files(tmp_path: Path) -> dict[str, Path]:
    gpkg = tmp_path / "good.gpkg"
    read_zone_file(DATA / "good_zones.geojson").to_file(gpkg, driver="GPKG", engine="pyogrio")
    polys = read_zone_file(DATA / "good_zones.csv")
    polys = polys[polys.geometry.geom_type == "Polygon"][["name", "kind", "geometry"]]
    shp = tmp_path / "shp" / "zones.shp"
    shp.parent.mkdir()
    polys.to_file(shp, driver="ESRI Shapefile", engine="pyogrio")
    zipped = tmp_path / "zones.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for f in shp.parent.iterdir():
            zf.write(f, f.name)
    return {
        "geojson": DATA / "good_zones.geojson",
        "kml": DATA / "good_zones.kml",
        "csv": DATA / "good_zones.csv",
        "gpkg": gpkg,
        "zip": zipped,
    }


def test_good_file_of_each_format_imports_as_a_new_version(engine: Engine, tmp_path: Path) -> None:
    expected = {"geojson": 2, "kml": 2, "csv": 3, "gpkg": 2, "zip": 1}
    previous = None
    for fmt, path in _good_files(tmp_path).items():
        result = import_zone_file(engine, path, who="tester", clock=CLOCK)
        assert result.imported == expected[fmt], fmt
        assert result.supersedes_id == previous
        previous = result.version_id
        assert len(load_zones(engine)) == expected[fmt]
    history = zone_history(engine)
    assert [h["file_name"] for h in history][:2] == ["zones.zip", "good.gpkg"]
    assert history[0]["current"] and not any(h["current"] for h in history[1:])
    assert history[0]["imported_at"] == CLOCK.now() and history[0]["who"] == "tester"
    assert len(history[0]["sha256"]) == 64


def test_reimport_is_a_new_version_not_an_overwrite(engine: Engine) -> None:
    a = import_zone_file(engine, DATA / "good_zones.csv", who="a", clock=CLOCK)
    b = import_zone_file(
        engine, (DATA / "good_zones.csv").read_bytes(), "again.csv", who="b", clock=CLOCK
    )
    assert b.version_id != a.version_id and b.supersedes_id == a.version_id
    assert a.sha256 == b.sha256
    assert len(load_zones(engine, a.version_id)) == 3  # the old version is still there


def _bad(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    def gj(name: str, geometry: dict, **props: str) -> Path:  # type: ignore[type-arg]
        feat = {
            "type": "Feature",
            "properties": {"name": "测试区", "kind": "other", **props},
            "geometry": geometry,
        }
        p = tmp_path / name
        p.write_text(
            json.dumps({"type": "FeatureCollection", "features": [feat]}), encoding="utf-8"
        )
        return p

    def csv(name: str, body: str) -> Path:
        p = tmp_path / name
        p.write_text("name,kind,seq,lat,lon,datum\n" + body, encoding="utf-8")
        return p

    a, b, c, d, _ = DREDGE
    return {
        "unclosed": (
            gj("u.geojson", {"type": "Polygon", "coordinates": [DREDGE[:-1]]}),
            "ring_not_closed",
        ),
        "self-intersecting": (
            gj("s.geojson", {"type": "Polygon", "coordinates": [[a, c, b, d, a]]}),
            "self_intersection",
        ),
        "swapped": (
            csv("w.csv", "衢山锚地,bunkering,1,122.467889,30.459833,WGS84\n"),
            "swapped_lat_lon",
        ),
        "outside": (csv("o.csv", "天安门,other,1,39.9087,116.3975,WGS84\n"), "outside_sea_area"),
        "datum": (
            csv("d.csv", "衢山锚地,bunkering,1,30.459833,122.467889,Xian80\n"),
            "unknown_datum",
        ),
        "kind": (
            gj(
                "k.geojson",
                {"type": "Point", "coordinates": [122.467889, 30.459833]},
                kind="harbour",
            ),
            "unknown_kind",
        ),
    }


def test_each_bad_file_is_refused_and_the_store_is_unchanged(
    engine: Engine, tmp_path: Path
) -> None:
    import_zone_file(engine, DATA / "good_zones.csv", who="tester", clock=CLOCK)
    before = _counts(engine)
    current = load_zones(engine)
    for case, (path, rule) in _bad(tmp_path).items():
        with pytest.raises(ZoneValidationError) as info:
            import_zone_file(engine, path, who="tester", clock=CLOCK)
        assert rule in {p.rule for p in info.value.problems}, case
        assert rule in str(info.value)
        assert _counts(engine) == before, case
    assert load_zones(engine)["code"].tolist() == current["code"].tolist()


def test_shipped_zones_are_current_until_an_import_and_export(
    engine: Engine, tmp_path: Path
) -> None:
    assert zone_history(engine) == []
    assert "sjm_route_north" in load_zones(engine)["code"].tolist()
    out = export_zones(engine, tmp_path / "zones.geojson")
    assert len(read_zone_file(out)) == 6
