"""Reliability suite: shared helpers (real uvicorn server in a subprocess, bounded load loops, RSS,
artefacts) and the soak switch.

Tests marked ``slow`` are the soak runs: skipped unless the run selects them (``make soak``, i.e.
``-m slow``) or ``ENVMON_SOAK=1`` is set, so ``make test`` stays inside its budget without a marker
expression of its own.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
ENVMON = Path(sys.executable).parent / "envmon"
SOAK = os.environ.get("ENVMON_SOAK") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    markexpr = config.getoption("markexpr", "") or ""
    selected = "slow" in markexpr and "not slow" not in markexpr
    if SOAK or selected:
        return
    skip = pytest.mark.skip(reason="soak run: make soak (or ENVMON_SOAK=1)")
    here = Path(__file__).parent
    for item in items:
        if item.get_closest_marker("slow") and here in Path(str(item.fspath)).parents:
            item.add_marker(skip)


def write_artifact(name: str, data: dict[str, Any]) -> Path:
    """Write ``tests/artifacts/<name>.json`` (figures of a run) and print it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.json"
    data = {"machine": machine(), **data}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\n[{name}] " + json.dumps(data, ensure_ascii=False, default=str))
    return path


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": sys.platform}


def rss_mb(pid: int | None = None) -> float:
    """Resident set size of ``pid`` (this process by default), MiB, from /proc."""
    status = Path(f"/proc/{pid or 'self'}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def envmon_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment of an ``envmon`` subprocess: its own data directory, test mode, no rate limit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVMON_")}
    env.update(
        {
            "ENVMON_DATA_DIR": str(data_dir),
            "ENVMON_ENVIRONMENT": "test",
            "ENVMON_RATE_LIMIT_PER_MINUTE": "0",
            "ENVMON_PUBLIC_SITES": "https://sthjj.zhoushan.gov.cn",
        }
    )
    env.update(extra)
    return env


def run_envmon(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    """Run one ``envmon`` command; its output (raises with stderr on failure)."""
    done = subprocess.run(
        [str(ENVMON), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"envmon {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextmanager
def envmon_server(env: dict[str, str], *, scheduler: bool = False) -> Iterator[tuple[str, int]]:
    """``envmon serve`` on a free loopback port, as a subprocess; yields (base URL, pid)."""
    port = free_port()
    Path(env["ENVMON_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    log = open(Path(env["ENVMON_DATA_DIR"]) / f"serve-{port}.log", "w")
    proc = subprocess.Popen(
        [
            str(ENVMON),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--scheduler" if scheduler else "--no-scheduler",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"envmon serve exited {proc.returncode}; see {log.name}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("envmon serve did not come up in 60 s")
            time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
