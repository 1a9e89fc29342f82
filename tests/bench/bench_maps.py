"""Public map page: its bytes (raw, gzip) and p50/p99 latency under 64 keep-alive connections for
30 s on loopback, side by side with a static file server (uvicorn + Starlette StaticFiles) serving
the same bytes. Each server runs in its own process; the client is a small asyncio HTTP/1.1 loop.

The two servers are loaded in turn, ``BENCH_MAPS_ROUNDS`` rounds (default 3) of A then B, each
``BENCH_MAPS_SECONDS / rounds`` long; min / median / max over the rounds are printed with the req/s ratio
round by round. ``BENCH_MAPS_SECONDS`` (default 30) is each server's total; ``BENCH_MAPS_CONNECTIONS``
(default 64).
"""

from __future__ import annotations

import asyncio
import gzip
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PAGE = "/maps/public?basemap=offline"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return bytes(r.read())
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


async def _worker(
    port: int, path: str, deadline: float, out: list[float], errors: list[str]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    try:
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = head.split(b" ", 2)[1]
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            out.append(time.perf_counter() - t0)
            if status != b"200":
                errors.append(status.decode())
    finally:
        writer.close()


async def _load(port: int, path: str, seconds: float, connections: int) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    t0 = time.perf_counter()
    await asyncio.gather(
        *(_worker(port, path, deadline, latencies, errors) for _ in range(connections))
    )
    wall = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "errors": len(errors),
    }


def serve_envmon(data_dir: str, port: str) -> None:
    """Child process: envmon on ``port`` over a seeded store, rate limit off."""
    import uvicorn

    from service.api.app import create_app
    from service.settings import Settings

    settings = Settings(data_dir=Path(data_dir), scheduler_enabled=False, rate_limit_per_minute=0)
    uvicorn.run(create_app(settings), host="127.0.0.1", port=int(port), log_level="warning")


def serve_static(folder: str, port: str) -> None:
    """Child process: the same bytes from a static file server on the same server stack."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.staticfiles import StaticFiles

    app = Starlette()
    app.mount("/", StaticFiles(directory=folder))
    uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning")


def _spawn(kind: str, arg: str, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.bench.bench_maps", kind, arg, str(port)],
        cwd=Path(__file__).resolve().parents[2],
    )


def _spread(values: list[float], fmt: str = ".1f") -> str:
    return " / ".join(format(v, fmt) for v in (min(values), statistics.median(values), max(values)))


def main() -> None:
    """Print the page's size and both servers' latency figures."""
    from tests.browser.conftest import _seed_store

    seconds = float(os.environ.get("BENCH_MAPS_SECONDS", "30"))
    connections = int(os.environ.get("BENCH_MAPS_CONNECTIONS", "64"))
    with tempfile.TemporaryDirectory() as tmp:
        data_dir, static_dir = Path(tmp) / "data", Path(tmp) / "static"
        data_dir.mkdir()
        static_dir.mkdir()
        _seed_store(data_dir)
        envmon_port, static_port = _free_port(), _free_port()
        procs = [_spawn("serve-envmon", str(data_dir), envmon_port)]
        try:
            body = _wait(f"http://127.0.0.1:{envmon_port}{PAGE}", procs[0])
            (static_dir / "public.html").write_bytes(body)
            procs.append(_spawn("serve-static", str(static_dir), static_port))
            _wait(f"http://127.0.0.1:{static_port}/public.html", procs[1])
            print(f"public page: {len(body):,} bytes raw, {len(gzip.compress(body)):,} gzip")
            print(f"load: {connections} keep-alive connections, {seconds:g} s each, loopback")
            # Interleaved A, B, A, B... (the machine's speed drifts): medians over the rounds.
            rounds = int(os.environ.get("BENCH_MAPS_ROUNDS", "3"))
            runs: dict[str, list[dict[str, float]]] = {"envmon": [], "static": []}
            for _ in range(rounds):
                runs["envmon"].append(
                    asyncio.run(_load(envmon_port, PAGE, seconds / rounds, connections))
                )
                runs["static"].append(
                    asyncio.run(_load(static_port, "/public.html", seconds / rounds, connections))
                )
            names = {"envmon": "envmon /maps/public", "static": "static file, same bytes"}
            print(f"{rounds} interleaved rounds; min / median / max over the rounds")
            for key, got in runs.items():
                total = sum(r["requests"] for r in got)
                errors = sum(r["errors"] for r in got)
                cells = "; ".join(
                    f"{k} {_spread([r[k] for r in got])}" for k in ("rps", "p50_ms", "p99_ms")
                )
                print(f"{names[key]:<26} {total:.0f} requests, {errors:.0f} errors; {cells}")
            pairs = [
                a["rps"] / b["rps"] for a, b in zip(runs["envmon"], runs["static"], strict=True)
            ]
            print(
                f"envmon / static req/s, round by round: {', '.join(f'{x:.2f}' for x in pairs)}; "
                f"min / median / max {_spread(pairs, '.2f')}"
            )
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=10)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve-envmon":
        serve_envmon(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "serve-static":
        serve_static(sys.argv[2], sys.argv[3])
    else:
        main()
