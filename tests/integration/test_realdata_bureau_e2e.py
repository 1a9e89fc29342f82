"""The bureau's own data reaches every figure: real files no one here wrote, over a real local HTTP
server, into the running service (issue 13, "Must show").

* the CNEMC release capture (``cnemc_air_realtime``, 2017-07-07 16:00) gives the three Zhoushan
  stations the AQI the release published (48, 31, 30);
* the national automatic surface-water CSV fills the registry's sections by name (the bureau's
  registry here lists the file's own section names under codes of its own);
* a lab file naming sections in Chinese changes 330902's Class III ratio, no recompute asked;
* a station imported by its coordinates only (in 岱山县) counts for 330921 at once.

The lab file and the Daishan station's readings are SYNTHETIC (written here, marked so); everything
fetched over HTTP is a verbatim file from ``../shared/validation``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.api.app import create_app
from service.auth import Role, create_key
from service.cli import app as cli
from service.clock import FixedClock
from service.compute import make_ingest_hook
from service.scheduler import Collection, config_from_settings
from service.settings import Settings
from service.store.engine import writing
from service.store.ingest import ingest_readings
from service.store.payloads import archive_payload
from stations.collectors.base import Payload
from tests.integration.files_server import serve_files

pytestmark = pytest.mark.realdata

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 2, 25, 12, 0, tzinfo=CST).astimezone(dt.UTC)
XML = "geoinsights_201707071644_GetAQIDataPublishLives.xml"
WATER = "water_quality_20260225_094940_part1.csv"

LAB = """SYNTHETIC lab file written for this test (not real measurements)
断面名称,采样日期,pH(无量纲),溶解氧(mg/L),高锰酸盐指数(mg/L),氨氮(mg/L),总磷(mg/L)
虹桥水库,2026-02-10,7.6,9.1,2.3,0.12,0.021
城关河,2026-02-10,7.8,4.0,2.9,0.21,0.035
"""
DAISHAN = "站点编码,站点名称,经度,纬度\nDS-T01,岱山测试站 (test),122.2040,30.2450\n"


def _water_registry(water_csv: bytes) -> bytes:
    """A sections registry listing the water file's own section names under codes of ours."""
    names = sorted({row["断面名称"] for row in csv.DictReader(io.StringIO(water_csv.decode()))})
    lines = ["断面编码,断面名称"] + [f"NW-{i:03d},{n}" for i, n in enumerate(names, 1)]
    return ("\n".join(lines) + "\n").encode()


def _daishan_readings(engine) -> None:
    """24 SYNTHETIC hours for DS-T01 on 2026-02-24 (CST), stored before the station is known."""
    hours = pd.date_range("2026-02-24 01:00", periods=24, freq="h", tz=CST).tz_convert("UTC")
    values = {"SO2": 5.0, "NO2": 20.0, "PM10": 40.0, "PM25": 25.0, "CO": 0.5, "O3": 80.0}
    frame = pd.DataFrame(
        [
            {"station": "DS-T01", "time": t, "pollutant": p, "value": v, "flag": ""}
            for t in hours
            for p, v in values.items()
        ]
    )
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    raw = frame.to_csv(index=False).encode()
    with writing(engine) as conn:
        arch = archive_payload(conn, Payload("test_synthetic", "test://daishan", raw), NOW)
        ingest_readings(conn, frame, "test_synthetic", arch.id, NOW)


def test_bureau_files_reach_every_figure(
    validation_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xml = (validation_dir / "cnemc_air_realtime" / XML).read_bytes()
    water = (validation_dir / "cnemc_surface_water" / WATER).read_bytes()
    monkeypatch.setenv("ENVMON_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ENVMON_DEMO", "false")
    clock = FixedClock(NOW)
    served = {f"/{XML}": (xml, "application/xml"), f"/{WATER}": (water, "text/csv")}
    with serve_files(served) as base:
        settings = Settings(
            data_dir=tmp_path,
            demo=False,
            environment="test",
            scheduler_enabled=False,
            rate_limit_per_minute=0,
            realtime_feed_url=f"{base}/{XML}",
            water_auto_url=f"{base}/{WATER}",
        )
        app = create_app(settings, clock)
        with TestClient(app) as client:
            engine = app.state.engine
            operator = create_key(engine, Role.operator, "test-operator")[1]
            sched = Collection(
                engine,
                config_from_settings(settings),
                clock,
                hooks=[make_ingest_hook(engine, clock)],
            )
            try:
                # 1. The national release: only the registry's stations, with the published AQI.
                air = sched.collect_window(
                    "cnemc_realtime",
                    window_of(dt.datetime(2017, 7, 7, 8, tzinfo=dt.UTC)),
                )
                assert [r.status for r in air] == ["ok"]
                stations = {s["code"]: s for s in client.get("/api/v1/stations").json()["items"]}
                zhoushan = ("1258A", "1259A", "1260A")
                assert all(stations[c]["aqi"] is not None for c in zhoushan)
                assert all(stations[c]["time"].startswith("2017-07-07T08:00") for c in zhoushan)
                with engine.connect() as conn:
                    from sqlalchemy import select

                    from service.store.tables import readings

                    published = dict(
                        conn.execute(
                            select(readings.c.station, readings.c.value).where(
                                readings.c.pollutant == "AQI"
                            )
                        ).all()
                    )
                # the release's own AQI, kept beside the readings; no other station of the nation
                assert published == {"1258A": 48, "1259A": 31, "1260A": 30}
                # ours scores the 8-h O3 too (docs/assumptions.md), the release does not: never lower
                assert all(stations[c]["aqi"] >= published[c] for c in zhoushan)
                # 2. The national water file fills the registry's sections by name.
                registry = _water_registry(water)
                answer = client.post(
                    "/api/v1/staff/registry/sections/import",
                    headers={"Authorization": f"Bearer {operator}"},
                    files={"file": ("sections.csv", registry, "text/csv")},
                )
                assert answer.status_code == 201, answer.text
                n_names = len(answer.json()["added"])
                runs = sched.collect("water_auto", trigger="cli")
                assert runs[0].status == "ok" and runs[0].counts.quarantined == 0
                sections = {s["name"]: s for s in client.get("/api/v1/sections").json()["items"]}
                filled = [s for s in sections.values() if s["code"].startswith("NW-")]
                assert len(filled) == n_names == 197
                with engine.connect() as conn:
                    from service.store.tables import samples

                    ph = conn.execute(
                        select(samples.c.value).where(
                            samples.c.section == sections["鼓楼外大街"]["code"],
                            samples.c.item == "pH",
                        )
                    ).scalar_one()
                assert ph == pytest.approx(7.91)  # the file's row, under the registry's code
            finally:
                sched.close()

            # 3. A lab file naming sections in Chinese: 330902's Class III ratio, no recompute.
            def c3(code: str) -> dict:
                items = client.get("/api/v1/districts").json()["items"]
                return next(d for d in items if d["code"] == code)["water"]["class_iii_ratio"]

            before = c3("330902")
            lab = tmp_path / "lab_202602.csv"
            lab.write_text(LAB, encoding="utf-8")
            out = CliRunner().invoke(cli, ["import-lab", str(lab)])
            assert out.exit_code == 0, out.output
            after = c3("330902")
            assert before != after
            # 虹桥水库 (Class II) and 城关河 (DO 4.0 mg/L: Class IV), both provincial sections
            assert before["denominator"] == 0
            assert (after["numerator"], after["denominator"]) == (1, 2)

            # 4. A station imported by coordinates only counts for 岱山县 (330921) at once.
            _daishan_readings(engine)
            st = tmp_path / "stations.csv"
            st.write_text(DAISHAN, encoding="utf-8")
            out = CliRunner().invoke(cli, ["stations", "import", str(st), "--who", "test"])
            assert out.exit_code == 0, out.output
            assert "DS-T01: district 330921 assigned from the coordinates" in out.output
            assert "alerts: " in out.output  # judged at once on the new registry's figures
            days = client.get("/api/v1/districts/330921/days").json()["items"]
            day = next(d for d in days if d["day"] == "2026-02-24")
            assert day["stations"] == ["DS-T01"] and day["aqi"] is not None


def window_of(end: dt.datetime):
    from stations.collectors.base import Window

    return Window(end - dt.timedelta(hours=1), end)
