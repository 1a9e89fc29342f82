"""The API's district and station routes and the staff map over stored history (issue 21, items 4-5).

Three PostgreSQL stores, each served by ``envmon serve --no-scheduler`` (as shipped: monthly
partitions, the data-version cache), loaded at 16 connections in interleaved rounds (3d, 10y, 10x,
then 10x, 10y, 3d, ...) so that drift on a shared machine falls on all three:

- ``3d``: the seeded network (every air station of ``envmon init-db``) over three days;
- ``10y``: the same network over ten years;
- ``10x``: ten times the stations (the network plus synthetic stations, labelled demo) over one year.

History is synthetic and generated in the database (``INSERT ... SELECT`` over ``generate_series``,
no client transfer): hourly readings of six pollutants per station, and the daily tables the routes
read (``station_days``, ``district_days``) with random AQIs; it ends at the current hour so the
maps show fresh data. ``BENCH_SCALE_EXTRA`` adds that many synthetic stations to the network of
every store (default 0), to try a larger network.

Prints p50/p99 per route and store, the ratio of each to ``3d`` (goal: within 1.5x), the staff map's
p50 (goal: under 300 ms), row counts, database sizes, and ``uptime`` before and after.

``BENCH_SCALE_SECONDS`` (default 8 per store and round), ``BENCH_SCALE_ROUNDS`` (default 2),
``BENCH_SCALE_CONNECTIONS`` (default 16), ``BENCH_SCALE_STORES`` (default ``3d,10y,10x``), ``BENCH_SCALE_KEEP=1`` keeps the databases (rebuilt
only when missing), ``ENVMON_TEST_PG_URL`` names the server (its database part is replaced).
Run: ``.venv/bin/python -m tests.bench.bench_scale_store``.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from tests.reliability.conftest import envmon_env, envmon_server
from tests.reliability.loadgen import OK, run_load

PG_URL = os.environ.get("ENVMON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
POLLUTANTS = "(VALUES ('SO2', 6.0), ('NO2', 22.0), ('PM10', 55.0), ('PM25', 32.0), ('CO', 0.6), ('O3', 90.0))"
#: name -> (days of history, station multiplier)
STORES = {"3d": (3, 1), "10y": (3652, 1), "10x": (365, 10)}


def _url(name: str) -> str:
    return f"{PG_URL.rsplit('/', 1)[0]}/envmon_bench_scale_{name}"


def _admin() -> Any:
    import psycopg

    dsn = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(dsn, autocommit=True, connect_timeout=5)


def _exists(name: str) -> bool:
    with _admin() as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (f"envmon_bench_scale_{name}",)
        ).fetchone()
    return row is not None


def _drop(name: str) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "envmon_bench_scale_{name}" WITH (FORCE)')


def _synthetic_stations(network: Any, count: int) -> Any:
    """``count`` synthetic stations near the network's (labelled demo: not real places)."""
    import pandas as pd

    rng = np.random.default_rng(21)
    base = network.iloc[np.arange(count) % len(network)].reset_index(drop=True)
    frame = base.copy()
    frame["code"] = [f"SYN{i:04d}" for i in range(count)]
    frame["name"] = [f"合成站点 {i}（基准测试，非真实）" for i in range(count)]
    frame["name_en"] = [f"Synthetic station {i} (benchmark, not real)" for i in range(count)]
    frame["demo"] = True
    shift = rng.uniform(-0.03, 0.03, size=(count, 2))
    import geopandas as gpd

    lon = base.geometry.x.to_numpy() + shift[:, 0]
    lat = base.geometry.y.to_numpy() + shift[:, 1]
    return gpd.GeoDataFrame(
        pd.DataFrame(frame.drop(columns="geometry")),
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def build(name: str, days: int, multiplier: int, extra: int) -> dict[str, Any]:
    """Create store ``name`` with ``days`` of synthetic history ending now; its figures."""
    from sqlalchemy import text

    import geodata
    from service.auth import Role, create_key
    from service.store.engine import init_store, writing
    from service.store.partitions import ensure_months, months_of
    from service.store.places import seed_places, upsert_places
    from service.store.tables import stations

    _drop(name)
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "envmon_bench_scale_{name}"')
        with __import__("psycopg").connect(
            _url(name).replace("postgresql+psycopg://", "postgresql://"), autocommit=True
        ) as c:
            c.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    t0 = time.perf_counter()
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    engine = init_store(_url(name))
    try:
        with writing(engine) as conn:
            seed_places(conn, now, include_demo=True)
            network = geodata.load_stations(include_demo=True)
            count = len(network) * (multiplier - 1) + extra * multiplier
            if count:
                upsert_places(conn, stations, _synthetic_stations(network, count), now)
            codes = list(
                conn.execute(
                    text("SELECT code FROM stations WHERE zone IS NULL ORDER BY code")
                ).scalars()
            )
            districts = sorted(
                {
                    str(d)
                    for d in conn.execute(
                        text("SELECT DISTINCT district_code FROM stations WHERE zone IS NULL")
                    ).scalars()
                    if d
                }
            )
            payload = conn.execute(
                text(
                    "INSERT INTO raw_payloads (source, url, content_type, fetched_at, sha256, size, "
                    "compression, body, ingested_at) VALUES ('bench', 'bench://scale', 'text/csv', "
                    ":now, :sha, 0, 'zlib', '\\x789c030000000001', :now) RETURNING id"
                ),
                {"now": now, "sha": f"{name}-{now.isoformat()}"},
            ).scalar_one()
        start = now - dt.timedelta(days=days)
        months = months_of(__import__("pandas").Series([start, now]))
        first_month = months[0]
        all_months = []
        m = first_month
        while m <= months[-1]:
            all_months.append(m)
            m = dt.date(m.year + m.month // 12, m.month % 12 + 1, 1)
        with writing(engine) as conn:
            ensure_months(conn, all_months)
        # One statement per month (bounded transactions), generated in the database.
        edges = (
            [start]
            + [
                dt.datetime(m.year, m.month, 1, tzinfo=dt.UTC)
                for m in all_months[1:]
                if dt.datetime(m.year, m.month, 1, tzinfo=dt.UTC) > start
            ]
            + [now + dt.timedelta(hours=1)]
        )
        for a, b in zip(edges, edges[1:], strict=False):
            with writing(engine) as conn:
                conn.execute(
                    text(
                        "INSERT INTO readings (station, time, pollutant, source, value, flag, payload_id) "
                        "SELECT s, t, p.p, 'bench', round((p.base * (0.6 + 0.8 * random()))::numeric, 1), "
                        "NULL, :pid FROM unnest(CAST(:codes AS text[])) s, "
                        "generate_series(CAST(:a AS timestamptz), CAST(:b AS timestamptz) - interval '1 hour', "
                        f"interval '1 hour') t, {POLLUTANTS} AS p(p, base)"
                    ),
                    {"codes": codes, "a": a, "b": b, "pid": payload},
                )
        day0, day1 = (start + dt.timedelta(hours=8)).date(), (now + dt.timedelta(hours=8)).date()
        cols = "so2_24h, no2_24h, pm10_24h, co_24h, o3_8h, o3_1h, pm25_24h"
        values = (
            "6 * (0.6 + 0.8 * random()), 22 * (0.6 + 0.8 * random()), 55 * (0.6 + 0.8 * random()), "
            "0.6 * (0.6 + 0.8 * random()), 90 * (0.6 + 0.8 * random()), 110 * (0.6 + 0.8 * random()), "
            "32 * (0.6 + 0.8 * random())"
        )
        level = (
            "CASE WHEN a <= 50 THEN 1 WHEN a <= 100 THEN 2 WHEN a <= 150 THEN 3 "
            "WHEN a <= 200 THEN 4 WHEN a <= 300 THEN 5 ELSE 6 END"
        )
        with writing(engine) as conn:
            conn.execute(
                text(
                    f"INSERT INTO station_days (station, day, {cols}, aqi, level, primary_pollutants, "
                    f"iaqi, standard, ratio_valid, computed_at) SELECT s, d, {cols}, a, {level}, "
                    "CAST('[]' AS json), CAST('{}' AS json), 'HJ633-2026', 1, :now FROM ("
                    f"SELECT s, d::date AS d, {_aliased(values, cols)}, "
                    "(15 + random() * 140)::int AS a FROM unnest(CAST(:codes AS text[])) s, "
                    "generate_series(CAST(:d0 AS date), CAST(:d1 AS date), interval '1 day') d) q"
                ),
                {"codes": codes, "d0": day0, "d1": day1, "now": now},
            )
            conn.execute(
                text(
                    f"INSERT INTO district_days (district, day, {cols}, n_stations, stations, aqi, "
                    f"level, primary_pollutants, iaqi, standard, ratio_valid, computed_at) "
                    f"SELECT s, d, {cols}, 1, CAST('[]' AS json), a, {level}, CAST('[]' AS json), "
                    "CAST('{}' AS json), 'HJ633-2026', 1, :now FROM ("
                    f"SELECT s, d::date AS d, {_aliased(values, cols)}, "
                    "(15 + random() * 140)::int AS a FROM unnest(CAST(:codes AS text[])) s, "
                    "generate_series(CAST(:d0 AS date), CAST(:d1 AS date), interval '1 day') d) q"
                ),
                {"codes": [*districts, "city"], "d0": day0, "d1": day1, "now": now},
            )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        _, key = create_key(engine, Role.viewer, "bench")
        with engine.connect() as conn:
            figures = {
                "stations": len(codes),
                "readings": conn.execute(text("SELECT count(*) FROM readings")).scalar_one(),
                "station_days": conn.execute(
                    text("SELECT count(*) FROM station_days")
                ).scalar_one(),
                "partitions": conn.execute(
                    text("SELECT count(*) FROM pg_inherits WHERE inhparent = 'readings'::regclass")
                ).scalar_one(),
                "size": conn.execute(
                    text("SELECT pg_size_pretty(pg_database_size(current_database()))")
                ).scalar_one(),
                "built_s": round(time.perf_counter() - t0, 1),
                "key": key,
            }
    finally:
        engine.dispose()
    return figures


def _aliased(values: str, cols: str) -> str:
    """``values`` (comma list of expressions) each aliased by the matching name of ``cols``."""
    exprs = [v.strip() for v in values.split(", ")]
    names = [c.strip() for c in cols.split(",")]
    return ", ".join(f"{e} AS {n}" for e, n in zip(exprs, names, strict=True))


def _paths(today: dt.date) -> list[str]:
    year = f"{today.year}-01-01"
    return [
        "/api/v1/districts",
        f"/api/v1/districts/330902/days?from={year}",
        "/api/v1/stations",
        "/api/v1/stations/1258A",
        "/api/v1/stations/1258A/hours",
        f"/api/v1/stations/1258A/days?from={year}",
        "/maps/staff?basemap=offline",
        "/maps/staff/layers/stations.geojson?basemap=offline",
        "/maps/staff/layers/eg_ratio.geojson?basemap=offline",
        f"/maps/staff/days.json?from={today - dt.timedelta(days=6)}&to={today}",
    ]


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


@contextmanager
def _servers(stores: dict[str, dict[str, Any]], work: Path) -> Iterator[dict[str, str]]:
    with ExitStack() as stack:
        bases = {}
        for name in stores:
            env = envmon_env(work / name, ENVMON_DATABASE_URL=_url(name))
            base, _pid = stack.enter_context(envmon_server(env))
            bases[name] = base
        yield bases


def main() -> None:
    seconds = float(os.environ.get("BENCH_SCALE_SECONDS", "8"))
    rounds = int(os.environ.get("BENCH_SCALE_ROUNDS", "2"))
    connections = int(os.environ.get("BENCH_SCALE_CONNECTIONS", "16"))
    extra = int(os.environ.get("BENCH_SCALE_EXTRA", "0"))
    keep = os.environ.get("BENCH_SCALE_KEEP") == "1"
    print(f"uptime before: {_uptime()}")
    stores: dict[str, dict[str, Any]] = {}
    chosen = os.environ.get("BENCH_SCALE_STORES", ",".join(STORES)).split(",")
    for name, (days, multiplier) in STORES.items():
        if name not in chosen:
            continue
        kept = _existing(name) if keep and _exists(name) else None
        if kept is not None and kept["readings"] > 0:
            stores[name] = kept
        else:
            stores[name] = build(name, days, multiplier, extra)
        f = stores[name]
        print(
            f"store {name:4}: {f['stations']} stations, {f['readings']:,} readings, "
            f"{f['station_days']:,} station days, {f['partitions']} partitions, {f['size']}"
            + (f", built in {f['built_s']} s" if "built_s" in f else " (kept)")
        )
    today = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()
    paths = _paths(today)
    lat: dict[str, dict[str, list[float]]] = {n: {p: [] for p in paths} for n in stores}
    errors = dict.fromkeys(stores, 0)
    with (
        tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp,
        _servers(stores, Path(tmp)) as bases,
    ):
        cold: dict[str, dict[str, float]] = {}
        for name, base in bases.items():  # each route once: the first build per data version
            plan = [("GET", p, {"headers": {"X-API-Key": stores[name]["key"]}}, OK) for p in paths]
            res = run_load(base, plan, concurrency=1, duration=300, max_requests=len(paths))
            cold[name] = {p: res.by_path.get(f"GET {p.split('?')[0]}", [np.nan])[0] for p in paths}
        for r in range(rounds):
            order = list(bases) if r % 2 == 0 else list(reversed(bases))
            for name in order:
                headers = {"X-API-Key": stores[name]["key"]}
                plan = [("GET", p, {"headers": headers}, OK) for p in paths]
                res = run_load(bases[name], plan, concurrency=connections, duration=seconds)
                errors[name] += res.errors
                for p in paths:
                    lat[name][p] += res.by_path.get(f"GET {p.split('?')[0]}", [])
    print(f"uptime after:  {_uptime()}")
    print(
        f"{connections} connections, {rounds} interleaved rounds of {seconds:.0f} s per store, "
        f"{os.cpu_count()} CPUs shared with other sessions; errors: {errors}"
    )
    print(
        f"{'route':58} "
        + " ".join(f"{n + ' p50/p99 ms':>20}" for n in stores)
        + "  ratio p50 vs 3d"
    )
    for p in paths:
        cells, p50 = [], {}
        for n in stores:
            v = np.asarray(lat[n][p] or [np.nan])
            p50[n] = float(np.percentile(v, 50))
            cells.append(f"{p50[n]:9.1f}/{float(np.percentile(v, 99)):9.1f}")
        ratios = " ".join(f"{n} x{p50[n] / p50['3d']:.2f}" for n in stores if n != "3d")
        print(f"{p.split('?')[0]:58} " + " ".join(f"{c:>20}" for c in cells) + f"  {ratios}")
    print("first request after a write (cache miss, one connection), ms:")
    for p in paths:
        print(f"  {p.split('?')[0]:56} " + " ".join(f"{n} {cold[n][p]:8.1f}" for n in stores))
    staff = {
        n: float(np.percentile(lat[n]["/maps/staff?basemap=offline"] or [np.nan], 50))
        for n in stores
    }
    print(
        "staff map page p50 (goal < 300 ms): "
        + ", ".join(f"{n} {v:.0f} ms" for n, v in staff.items())
    )
    if not keep:
        for name in stores:
            _drop(name)


def _existing(name: str) -> dict[str, Any]:
    from sqlalchemy import text

    from service.auth import Role, create_key
    from service.store.engine import make_engine

    engine = make_engine(_url(name))
    try:
        _, key = create_key(engine, Role.viewer, "bench")
        with engine.connect() as conn:
            return {
                "stations": conn.execute(
                    text("SELECT count(*) FROM stations WHERE zone IS NULL")
                ).scalar_one(),
                "readings": conn.execute(text("SELECT count(*) FROM readings")).scalar_one(),
                "station_days": conn.execute(
                    text("SELECT count(*) FROM station_days")
                ).scalar_one(),
                "partitions": conn.execute(
                    text("SELECT count(*) FROM pg_inherits WHERE inhparent = 'readings'::regclass")
                ).scalar_one(),
                "size": conn.execute(
                    text("SELECT pg_size_pretty(pg_database_size(current_database()))")
                ).scalar_one(),
                "key": key,
            }
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
