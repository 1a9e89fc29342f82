"""A seawater buoy through the existing automatic water collector (``water_auto``, a real local HTTP
server): rows naming a sea point (by name or alias) are stored under its code as automatic samples
and classed under GB 3097; a row naming no known place is quarantined with its reason.

Buoy values (SYNTHETIC), 2026-02-25 08:00 and 12:00 CST at 测试点一 (alias 一号浮标): pH 8.1 and 8.0,
DO 7.0 and 6.2 (mean 6.6 > 6: 一类), DIN 0.26 and 0.30 (mean 0.28: 二类), PO4_P 0.012 and 0.016
(mean 0.014: 一类) -> 二类, deciding DIN.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from service.clock import FixedClock
from service.figures.sea import sea_points
from service.scheduler import Collection, config_from_settings
from service.sea_registry import import_sea
from service.settings import Settings
from service.store.engine import init_store
from service.store.tables import quarantine, samples
from tests.integration.files_server import serve_files

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 2, 25, 14, 0, tzinfo=CST).astimezone(dt.UTC)

SEA = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [122.32, 30.02]},
            "properties": {
                "code": "ZS01",
                "name": "测试点一",
                "aliases": "一号浮标",
                "target": "II",
            },
        }
    ],
}
BUOY = {
    "format": "envmon.water_auto/1",
    "records": [
        {
            "section": "一号浮标",
            "time": "2026-02-25T08:00:00+08:00",
            "values": {"pH": 8.1, "DO": 7.0, "DIN": 0.26, "PO4_P": 0.012},
        },
        {
            "section": "测试点一",
            "time": "2026-02-25T12:00:00+08:00",
            "values": {"pH": 8.0, "DO": 6.2, "DIN": 0.30, "PO4_P": 0.016},
        },
        {
            "section": "无名浮标",
            "time": "2026-02-25T12:00:00+08:00",
            "values": {"pH": 8.0},
        },
    ],
}


def test_buoy_rows_attach_to_sea_points_and_are_classed(tmp_path: Path) -> None:
    body = json.dumps(BUOY, ensure_ascii=False).encode()
    with serve_files({"/buoy.json": (body, "application/json")}) as base:
        settings = Settings(data_dir=tmp_path, water_auto_url=f"{base}/buoy.json", demo=False)
        engine = init_store(settings.store.effective_database_url)
        raw = json.dumps(SEA, ensure_ascii=False).encode()
        import_sea(engine, raw, "sea.geojson", who="test", clock=FixedClock(NOW))
        sched = Collection(engine, config_from_settings(settings), FixedClock(NOW))
        try:
            sched.collect("water_auto", trigger="cli")
        finally:
            sched.close()
    with engine.connect() as conn:
        stored = conn.execute(select(samples.c.section, samples.c.method).distinct()).all()
        reasons = [r for (r,) in conn.execute(select(quarantine.c.reason))]
    assert stored == [("ZS01", "automatic")]
    assert any("无名浮标" in r for r in reasons)
    (zs01,) = sea_points(engine, "2026-02")
    assert (zs01.sea_class, zs01.deciding_items, zs01.n_samples) == ("II", ["DIN"], 2)
    assert zs01.means["DO"] == pytest.approx(6.6) and zs01.meets_target is True
    engine.dispose()
