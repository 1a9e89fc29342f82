"""Public latency while one client uploads a 10 MB zone file and another holds 2,000 half-open
connections, against the idle figure, in one run (issue 22 "Must show").

One real ``envmon serve --no-scheduler`` (one worker, the default limits: header deadline
``ENVMON_HTTP_HEADER_TIMEOUT_S``, connection cap, the upload parsed in a worker process) on a
store with three days of the demo feed. A probe client asks the public API one request at a time
on a kept-alive connection. Phases alternate idle and attack (I A A I I A) so that drift on a shared
machine falls on both. During an attack phase:

- the holder keeps ``BENCH_ATTACK_HALF_OPEN`` (2,000) connections open, each having sent half a
  request line and headers; those the server closes (header deadline) are opened again at once;
- the uploader posts a 10 MB GeoJSON zone file (1,000 polygons of 400 vertices) with an operator
  key, polls the import job to its end, and posts it again, until the phase ends.

The probe starts once the holder has its connections. Loopback only; bounded by
``BENCH_ATTACK_SECONDS`` per phase (default 15, longer than the 10 s header deadline, so that the
holder's connections are closed and opened again during a phase) and six phases. The rate limit
stays on but high (the probe is one client asking as fast as it can).

``BENCH_ATTACK_PARTS`` (default ``holder,uploader``) picks the attack's parts, to tell which one a
tail comes from. ``BENCH_ATTACK_PARTS=crowd`` is finding 9's attack instead: four anonymous clients
ask the costliest public reads as fast as they can (day and hour windows that miss the cache, CSV
and XLSX downloads, the public map) against the shipped rate limit, and the probe, one more
anonymous client, asks once every 0.15 s (within that limit). Run:
``.venv/bin/python -m tests.bench.bench_under_attack``.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

from tests.bench.bench_public_api import demo_store, stop_all, wait_healthy
from tests.reliability.conftest import ENVMON, free_port, run_envmon

PROBE_PATHS = ("/api/v1/stations", "/api/v1/districts", "/healthz")
#: Anonymous clients of the crowd part (finding 9: four clients raised public latency 40-100x).
CROWD_CLIENTS = 4
HALF_REQUEST = b"GET /api/v1/stations HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\n"


def zone_file(features: int = 1000, vertices: int = 400) -> bytes:
    """A GeoJSON FeatureCollection of ``features`` polygons near Zhoushan (about 10 MB)."""
    angles = np.linspace(0.0, 2 * np.pi, vertices, endpoint=False)
    items = []
    for i in range(features):
        lon0, lat0 = 121.9 + (i % 40) * 0.02, 29.9 + (i // 40) * 0.02
        ring = [
            [round(lon0 + 0.005 * float(np.cos(a)), 6), round(lat0 + 0.005 * float(np.sin(a)), 6)]
            for a in angles
        ]
        ring.append(ring[0])
        items.append(
            {
                "type": "Feature",
                "properties": {"name": f"bench zone {i}", "kind": "emission_control_area"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": items}).encode()


class Holder(threading.Thread):
    """Keeps ``count`` half-open connections to ``port``; reopens those the server closes."""

    def __init__(self, port: int, count: int) -> None:
        super().__init__(daemon=True)
        self.port, self.count = port, count
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.reopened = 0
        self.held: list[int] = []

    def _open(self) -> socket.socket | None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            sock.sendall(HALF_REQUEST)
            sock.setblocking(False)
            return sock
        except OSError:
            return None

    def run(self) -> None:
        socks: list[socket.socket] = []
        while len(socks) < self.count and not self.stop.is_set():
            sock = self._open()
            if sock is not None:
                socks.append(sock)
        self.ready.set()
        while not self.stop.is_set():
            alive: list[socket.socket] = []
            for sock in socks:
                try:
                    if sock.recv(4096, socket.MSG_DONTWAIT) == b"":
                        raise ConnectionResetError
                    alive.append(sock)  # an answer (400/503): keep holding the socket anyway
                except BlockingIOError:
                    alive.append(sock)
                except OSError:
                    sock.close()
                    fresh = self._open()
                    self.reopened += 1
                    if fresh is not None:
                        alive.append(fresh)
            socks = alive
            self.held.append(len(socks))
            self.stop.wait(0.2)
        for sock in socks:
            sock.close()


class Uploader(threading.Thread):
    """Posts ``body`` as a zone import and polls the job to its end, again and again."""

    def __init__(self, port: int, key: str, body: bytes) -> None:
        super().__init__(daemon=True)
        self.port, self.key, self.body = port, key, body
        self.stop = threading.Event()
        self.started = self.finished = 0
        self.outcomes: list[str] = []

    def run(self) -> None:
        import httpx

        with httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=300) as client:
            headers = {"X-API-Key": self.key, "X-Forwarded-For": "198.51.100.200"}
            while not self.stop.is_set():
                self.started += 1
                r = client.post(
                    "/api/v1/staff/zones/import",
                    headers=headers,
                    files={"file": ("zones.geojson", self.body, "application/geo+json")},
                )
                job = r.headers.get("location")
                state = "queued" if job and r.status_code == 202 else str(r.status_code)
                while state in {"queued", "running"} and not self.stop.is_set():
                    self.stop.wait(0.5)
                    r = client.get(job or "", headers=headers)
                    if r.status_code != 200:
                        state = str(r.status_code)
                        break
                    state = str(r.json().get("state"))
                self.finished += 1
                self.outcomes.append(state)


class Crowd(threading.Thread):
    """``clients`` anonymous clients (each its own address behind the trusted proxy), each asking
    the costliest public reads as fast as it can: day and hour windows that miss the cache, CSV
    exports and the public map page (finding 9). Counts answers by status."""

    def __init__(self, port: int, clients: int, station: str) -> None:
        super().__init__(daemon=True)
        self.port, self.clients, self.station = port, clients, station
        self.stop = threading.Event()
        self.statuses: dict[int, int] = {}
        self._lock = threading.Lock()

    def _paths(self, i: int) -> str:
        today = dt.date.today()
        start = today - dt.timedelta(days=1 + i % 3)
        fmt = ("json", "csv", "xlsx")[i % 3]
        paths = (
            f"/api/v1/districts/city/days?from={start}&to={today}",
            f"/api/v1/stations/{self.station}/hours?from={start}&to={today}&format={fmt}",
            "/api/v1/export/districts.csv",
            "/api/v1/export/stations.csv",
            "/maps/public",
        )
        return paths[i % len(paths)]

    def _client(self, n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"X-Forwarded-For": f"203.0.113.{10 + n}"}
        i = n
        while not self.stop.is_set():
            i += 1
            try:
                conn.request("GET", self._paths(i), headers=headers)
                response = conn.getresponse()
                response.read()
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                continue
            with self._lock:
                self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
        conn.close()

    def run(self) -> None:
        threads = [
            threading.Thread(target=self._client, args=(n,), daemon=True)
            for n in range(self.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def probe(port: int, seconds: float, pace_s: float = 0.0) -> list[float]:
    """Latencies (ms) of sequential public GETs on one kept-alive connection for ``seconds``, one
    every ``pace_s`` seconds (0: as fast as answers come)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies: list[float] = []
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        if pace_s:
            time.sleep(pace_s)
        path = PROBE_PATHS[i % len(PROBE_PATHS)]
        i += 1
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"X-Forwarded-For": "198.51.100.7"})
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - t0) * 1000)
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status} to the probe")
    conn.close()
    return latencies


def main() -> None:
    seconds = float(os.environ.get("BENCH_ATTACK_SECONDS", "15"))
    half_open = int(os.environ.get("BENCH_ATTACK_HALF_OPEN", "2000"))
    parts = set(os.environ.get("BENCH_ATTACK_PARTS", "holder,uploader").split(","))
    work = Path(tempfile.mkdtemp(prefix="bench-attack-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        env = demo_store(work)
        crowd_only = parts == {"crowd"}
        if crowd_only:  # the shipped limit; the probe is then paced
            for name in ("ENVMON_RATE_LIMIT_PER_MINUTE", "ENVMON_RATE_LIMIT_BURST"):
                env.pop(name, None)
        else:
            env["ENVMON_RATE_LIMIT_PER_MINUTE"] = "1000000"
            env["ENVMON_RATE_LIMIT_BURST"] = "100000"
        pace_s = 0.15 if crowd_only else 0.0
        key = run_envmon(env, "keys", "create", "--role", "operator", "--name", "bench")
        key = next(w for w in key.split() if w.startswith("envmon_"))
        port = free_port()
        log = work / "serve.log"
        cmd = [str(ENVMON), "serve", "--no-scheduler", "--port", str(port)]
        procs.append(
            subprocess.Popen(cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        )
        wait_healthy(procs[0], f"http://127.0.0.1:{port}", log)
        body = zone_file()
        probe(port, 2.0, pace_s)  # warm the caches
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/stations") as answer:
            station = str(json.load(answer)["items"][0]["code"])
        results: dict[str, list[float]] = {"idle": [], "attack": []}
        notes = []
        for phase in ("idle", "attack", "attack", "idle", "idle", "attack"):
            if phase == "idle":
                results["idle"] += probe(port, seconds, pace_s)
                continue
            holder, uploader = Holder(port, half_open), Uploader(port, key, body)
            crowd = Crowd(port, CROWD_CLIENTS, station)
            if "crowd" in parts:
                crowd.start()
            if "holder" in parts:
                holder.start()
                holder.ready.wait(120)
            if "uploader" in parts:
                uploader.start()
            results["attack"] += probe(port, seconds, pace_s)
            crowd.stop.set()
            holder.stop.set()
            uploader.stop.set()
            if holder.is_alive():
                holder.join(60)
            if uploader.is_alive():
                uploader.join(300)
            if crowd.is_alive():
                crowd.join(60)
            notes.append(
                f"held {min(holder.held or [0])}..{max(holder.held or [0])} half-open, "
                f"reopened {holder.reopened}, uploads started {uploader.started} "
                f"finished {uploader.finished} ({', '.join(uploader.outcomes) or '-'}), "
                f"crowd answers by status {crowd.statuses or '-'}"
            )
        idle, attack = (np.asarray(results[k]) for k in ("idle", "attack"))
        figures = {
            k: (float(np.percentile(v, 50)), float(np.percentile(v, 99)), len(v))
            for k, v in (("idle", idle), ("attack", attack))
        }
        print(f"zone file {len(body) / 1e6:.1f} MB; {half_open} half-open connections")
        for note in notes:
            print("  attack phase:", note)
        for k, (p50, p99, n) in figures.items():
            print(f"{k:>7}: p50 {p50:.1f} ms, p99 {p99:.1f} ms ({n} requests)")
        print(
            f"attack / idle: p50 {figures['attack'][0] / figures['idle'][0]:.2f}x, "
            f"p99 {figures['attack'][1] / figures['idle'][1]:.2f}x (target <= 2x)"
        )
    finally:
        stop_all(procs)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
