"""A bounded HTTP load generator for the reliability suite (loopback only).

``run_load`` keeps ``concurrency`` connections busy for ``duration`` seconds (and at most
``max_requests`` requests), each worker cycling through its request list; it returns counts,
error details and latency percentiles. Only 127.0.0.1 URLs are accepted.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np

#: A request: (method, path, kwargs for httpx, the statuses that count as success).
Request = tuple[str, str, dict[str, Any], frozenset[int]]
OK = frozenset({200})


def loopback_only(url: str) -> None:
    """Refuse any URL that is not on the loopback interface (the suite's network rule)."""
    host = urlsplit(url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError(f"reliability tests talk to loopback only, not {host!r}")


@dataclass
class LoadResult:
    concurrency: int
    duration_s: float
    requests: int = 0
    errors: int = 0
    server_errors: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    by_path: dict[str, list[float]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        lat = np.asarray(self.latencies_ms or [0.0])
        return {
            "concurrency": self.concurrency,
            "duration_s": round(self.duration_s, 2),
            "requests": self.requests,
            "requests_per_s": round(self.requests / max(self.duration_s, 1e-9), 1),
            "errors": self.errors,
            "server_errors": self.server_errors,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "p50_ms": round(float(np.percentile(lat, 50)), 1),
            "p90_ms": round(float(np.percentile(lat, 90)), 1),
            "p99_ms": round(float(np.percentile(lat, 99)), 1),
            "max_ms": round(float(lat.max()), 1),
            "error_samples": self.error_samples[:10],
            "p99_ms_by_path": {
                p: round(float(np.percentile(v, 99)), 1) for p, v in sorted(self.by_path.items())
            },
        }


async def _load(
    base: str,
    plans: Sequence[Sequence[Request]],
    concurrency: int,
    duration: float,
    max_requests: int,
    timeout: float,
) -> LoadResult:
    loopback_only(base)
    result = LoadResult(concurrency, 0.0)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        start = time.monotonic()
        deadline = start + duration
        budget = [max_requests]

        async def worker(i: int) -> None:
            plan = plans[i % len(plans)]
            n = i
            while time.monotonic() < deadline and budget[0] > 0:
                budget[0] -= 1
                method, path, kwargs, ok = plan[n % len(plan)]
                n += 1
                if callable(kwargs):
                    kwargs = kwargs()
                t0 = time.perf_counter()
                try:
                    response = await client.request(method, path, **kwargs)
                    await response.aread()
                except httpx.HTTPError as exc:
                    result.errors += 1
                    result.error_samples.append(f"{method} {path}: {type(exc).__name__}: {exc}")
                    continue
                ms = (time.perf_counter() - t0) * 1000
                result.latencies_ms.append(ms)
                result.by_path.setdefault(f"{method} {path.split('?')[0]}", []).append(ms)
                result.requests += 1
                result.statuses[response.status_code] += 1
                if response.status_code >= 500:
                    result.server_errors += 1
                if response.status_code not in ok:
                    result.errors += 1
                    result.error_samples.append(
                        f"{method} {path}: {response.status_code} {response.text[:200]}"
                    )

        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        result.duration_s = time.monotonic() - start
    return result


def run_load(
    base: str,
    plans: Sequence[Sequence[Request]] | Sequence[Request],
    *,
    concurrency: int,
    duration: float,
    max_requests: int = 2_000_000,
    timeout: float = 60.0,
) -> LoadResult:
    """Drive ``concurrency`` workers against ``base`` for ``duration`` seconds (bounded in count).

    ``plans`` is one request list shared by every worker, or a list of lists (worker i takes
    ``plans[i % len(plans)]``), which is how mixed roles are expressed.
    """
    if plans and isinstance(plans[0], tuple):
        plans = [plans]  # type: ignore[list-item]
    coro = _load(base, plans, concurrency, duration, max_requests, timeout)  # type: ignore[arg-type]
    # A loop of its own in its own thread: the browser tests' sync Playwright session keeps an
    # event loop running in the main thread for the whole pytest run.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


Factory = Callable[[], dict[str, Any]]
