"""Zone supervision on a month of yard monitors (issue 16): what the zone page, the staff map's zone
layer and one alert evaluation cost.

A fresh SQLite store: ``BENCH_ZONES`` (20) ship-repair yards imported as a zone file (squares of
about 1 km in the harbour), three monitors each (two boundary, one in-plant) imported as registry
stations, and 30 days of hourly readings from the demo feed's monitor simulation (NMHC and the
aromatics; 60 monitors -> about 190,000 readings), plus the shipped national stations' NO2.
Timed (median of 5 where cheap): one zone's 30-day summary (public and staff), every zone's
staff summary, the staff map's whole zone layer (``/maps/staff/layers/zones.geojson`` on a cache
miss: wall and CPU seconds, and the SHA-256 of its body, so that two versions of the code can be
shown to draw the same bytes), and ``zone_checks`` (the zone part of one alert evaluation).
Run: ``.venv/bin/python -m tests.bench.bench_zone_supervision``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import geodata
from maps import basemaps
from service.clock import FixedClock
from service.figures.staff_layers import LayerRequest, staff_layer_body
from service.figures.zone_supervision import (
    SupervisionOptions,
    zone_checks,
    zone_summaries,
    zone_summary,
)
from service.registry import import_registry
from service.store.engine import init_store, writing
from service.store.ingest import ingest_readings
from service.store.payloads import archive_payload
from service.store.places import seed_places
from service.zones import import_zone_file
from stations.collectors.base import Payload, Window
from stations.collectors.demo import simulate_monitor_hours

ZONES = int(os.environ.get("BENCH_ZONES", "20"))
NOW = dt.datetime(2026, 11, 30, 16, tzinfo=dt.UTC)


def _zone_file() -> bytes:
    features = []
    for i in range(ZONES):
        lon, lat = 122.02 + 0.02 * (i % 10), 29.90 + 0.03 * (i // 10)
        ring = [
            [lon, lat],
            [lon + 0.01, lat],
            [lon + 0.01, lat + 0.01],
            [lon, lat + 0.01],
            [lon, lat],
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": f"yard{i:02d}", "name": f"船厂{i:02d}",
                               "kind": "ship_repair_yard", "datum": "WGS84"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _registry() -> bytes:
    rows = ["code,name,kind,zone,lon,lat,district"]
    for i in range(ZONES):
        lon, lat = 122.02 + 0.02 * (i % 10), 29.90 + 0.03 * (i // 10)
        for j, kind in enumerate(("厂界", "厂界", "厂区内")):
            rows.append(
                f"Y{i:02d}M{j},船厂{i:02d}监测点{j},{kind},yard{i:02d},{lon + 0.005},{lat},330902"
            )
    return ("\n".join(rows) + "\n").encode()


def _timed(fn, runs: int = 5) -> float:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = init_store(f"sqlite:///{Path(tmp) / 'envmon.sqlite3'}")
        clock = FixedClock(NOW)
        with writing(engine) as conn:
            seed_places(conn, NOW, include_demo=False)
        import_zone_file(engine, _zone_file(), "yards.geojson", who="bench", clock=clock)
        import_registry(engine, "stations", _registry(), "monitors.csv", who="bench", clock=clock)
        monitors = [
            (f"Y{i:02d}M{j}", "plant" if j == 2 else "boundary")
            for i in range(ZONES)
            for j in range(3)
        ]
        window = Window(NOW - dt.timedelta(days=30), NOW)
        frame = simulate_monitor_hours(
            [*monitors, ("1258A", "port"), ("1259A", "port"), ("1260A", "port")], window, seed=0
        )
        t = time.perf_counter()
        with writing(engine) as conn:
            archived = archive_payload(conn, Payload("bench", "bench://zones", b"zones"), NOW)
            ingest_readings(conn, frame, "bench", archived.id, NOW)
        ingest_s = time.perf_counter() - t
        end = (NOW + dt.timedelta(hours=8)).date() - dt.timedelta(days=1)
        options = SupervisionOptions(rise_limits={"NO2": 40.0, "NMHC": 1.0})
        one_public = _timed(lambda: zone_summary(engine, "yard00", end, 30, options=options))
        one_staff = _timed(
            lambda: zone_summary(engine, "yard00", end, 30, staff=True, options=options)
        )
        every = _timed(
            lambda: zone_summaries(engine, None, end, 30, staff=True, options=options), runs=3
        )
        checks = _timed(lambda: zone_checks(engine, NOW, options))
        req = LayerRequest(
            geodata.load_districts(), "zh", basemaps.osm(), end - dt.timedelta(days=29), end
        )
        layer_cpu: list[float] = []

        def layer() -> bytes:
            cpu = time.process_time()
            body = staff_layer_body(engine, clock, "zones", req)
            layer_cpu.append(time.process_time() - cpu)
            return json.dumps(body, sort_keys=True, ensure_ascii=False).encode()

        digest = hashlib.sha256(layer()).hexdigest()
        layer_s = _timed(layer, runs=5)
        engine.dispose()
    print(
        f"zones {ZONES}, monitors {len(monitors)}, readings {len(frame):,} (ingest {ingest_s:.1f} s)"
    )
    print(
        f"one zone, 30-day summary: public {one_public * 1000:.0f} ms, staff {one_staff * 1000:.0f} ms"
    )
    print(f"every zone's staff summary (the staff map's zone layer): {every:.2f} s")
    print(
        f"staff map zone layer (cache miss): {layer_s:.2f} s wall, "
        f"{statistics.median(layer_cpu):.2f} s CPU; body sha256 {digest[:16]}"
    )
    print(f"zone_checks (zone part of one alert evaluation): {checks * 1000:.0f} ms")


if __name__ == "__main__":
    main()
