"""What a staff user's first look at an IDW surface costs: the requests the page makes, in order.

A fresh SQLite store with the shipped stations and one day of PM2.5 daily values. Each round
writes new values for the day (as a recompute would), then times, as the routes call them:
the overlay (``surface_image``, ``/api/v1/surfaces/idw-pm25/overlay``) followed by its PNG
(``surface_image`` again, ``/image.png``), and the staff map's layer body (``surface_layer_body``,
``/maps/staff/surfaces/idw-pm25.json``) followed by its PNG. Also counts the PNG renderings.
Medians of ``BENCH_OVERLAY_ROUNDS`` (default 5), wall and CPU.
Run: ``.venv/bin/python -m tests.bench.bench_surface_overlay``.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from service.figures import surfaces as figures
from service.store.compute_tables import station_days
from service.store.engine import init_store, writing
from service.store.places import seed_places

ROUNDS = int(os.environ.get("BENCH_OVERLAY_ROUNDS", "5"))
DAY = dt.date(2026, 11, 30)
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def main() -> None:
    drawn = 0
    real = figures.surface_png

    def counted(values: np.ndarray, vmin: float, vmax: float) -> bytes:
        nonlocal drawn
        drawn += 1
        return real(values, vmin, vmax)

    figures.surface_png = counted  # type: ignore[assignment]
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        engine = init_store(f"sqlite:///{data_dir / 'envmon.sqlite3'}")
        with writing(engine) as conn:
            seed_places(conn, NOW, include_demo=False)
        codes = [str(s.code) for s in figures.stations_frame(engine, "zh").itertuples()]

        def new_values() -> None:
            with writing(engine) as conn:
                conn.execute(station_days.delete())
                conn.execute(
                    station_days.insert(),
                    [
                        {
                            "station": code,
                            "day": DAY,
                            "pm25_24h": float(rng.uniform(10, 80)),
                            "valid": {"PM25_24h": True},
                            "standard": "HJ633-2012",
                            "ratio_valid": 1,
                            "computed_at": NOW,
                        }
                        for code in codes
                    ],
                )

        def overlay_then_png() -> None:
            figures.surface_image(engine, data_dir, "idw-pm25", DAY)
            figures.surface_image(engine, data_dir, "idw-pm25", DAY)

        def layer_then_png() -> None:
            figures.surface_layer_body(engine, data_dir, "idw-pm25", DAY, "zh", "/png")
            figures.surface_image(engine, data_dir, "idw-pm25", DAY)

        def timed(step: Callable[[], None]) -> tuple[float, float, int]:
            walls, cpus, draws = [], [], []
            for _ in range(ROUNDS):
                new_values()
                before = drawn
                wall, cpu = time.perf_counter(), time.process_time()
                step()
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
                draws.append(drawn - before)
            return statistics.median(walls), statistics.median(cpus), max(draws)

        timed(overlay_then_png)  # imports and first-use costs out of the figures
        results = {"overlay + PNG": timed(overlay_then_png), "layer + PNG": timed(layer_then_png)}
        engine.dispose()
    print(f"{len(codes)} stations, IDW PM2.5 of one day, {ROUNDS} rounds (new values each)")
    for name, (wall, cpu, draws) in results.items():
        print(f"{name}: {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU, {draws} renderings")


if __name__ == "__main__":
    main()
