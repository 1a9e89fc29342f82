"""The rate limit counts per trusted client address, shared by every worker process (issue 22
finding 5): behind the proxy each client has its own bucket, a forged X-Forwarded-For from anyone
else changes nothing, a client cannot escape by prepending hops, and N workers grant the limit
once, not N times. ENVMON_FORWARDED_ALLOW_IPS=* is refused in production."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api import security
from service.api.app import create_app
from service.api.client import TrustedProxies, client_address
from service.clock import FixedClock
from service.settings import SettingsError, load_settings
from service.shared_buckets import FILE_NAME, SharedTokenBuckets

from .conftest import NOW, make_settings

PROXY = ("172.28.0.1", 40000)  # the compose network's gateway: the host's reverse proxy
BURST = 3


def _app(data_dir: Path) -> FastAPI:
    return create_app(
        make_settings(
            data_dir,
            rate_limit_per_minute=1,
            rate_limit_burst=BURST,
            forwarded_allow_ips="127.0.0.1,172.28.0.1",
        ),
        FixedClock(NOW),
    )


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    application = _app(tmp_path)
    with TestClient(application):
        application.state.rate_limit.now = lambda: 0.0  # no token comes back during the test
        yield application


def _codes(client: TestClient, n: int, **headers: str) -> list[int]:
    return [client.get("/api/v1/stations", headers=headers).status_code for _ in range(n)]


def test_clients_behind_the_proxy_get_a_bucket_each(app: FastAPI) -> None:
    proxy = TestClient(app, client=PROXY)
    assert _codes(proxy, BURST + 1, **{"X-Forwarded-For": "198.51.100.7"}) == [200] * BURST + [429]
    # Another citizen behind the same proxy is not limited by the first one's requests.
    assert _codes(proxy, BURST, **{"X-Forwarded-For": "198.51.100.8"}) == [200] * BURST


def test_a_forged_header_from_an_untrusted_peer_is_ignored(app: FastAPI) -> None:
    direct = TestClient(app, client=("203.0.113.9", 5000))
    codes = [
        direct.get("/api/v1/stations", headers={"X-Forwarded-For": f"192.0.2.{i}"}).status_code
        for i in range(BURST + 2)
    ]
    assert codes == [200] * BURST + [429, 429]


def test_prepended_hops_do_not_escape_the_bucket(app: FastAPI) -> None:
    proxy = TestClient(app, client=PROXY)
    codes = [
        proxy.get(
            "/api/v1/stations", headers={"X-Forwarded-For": f"10.9.9.{i}, 198.51.100.7"}
        ).status_code
        for i in range(BURST + 1)
    ]
    assert codes == [200] * BURST + [429]


def test_the_client_address_rule() -> None:
    proxies = TrustedProxies("127.0.0.1, 172.28.0.0/24")

    def scope(peer: str, *xff: str) -> dict[str, object]:
        return {"client": (peer, 1), "headers": [(b"x-forwarded-for", v.encode()) for v in xff]}

    assert client_address(scope("203.0.113.9", "1.2.3.4"), proxies) == "203.0.113.9"
    assert client_address(scope("172.28.0.1", "1.2.3.4"), proxies) == "1.2.3.4"
    assert client_address(scope("172.28.0.1", "6.6.6.6, 1.2.3.4, 172.28.0.5"), proxies) == "1.2.3.4"
    assert client_address(scope("172.28.0.1", "6.6.6.6", "1.2.3.4"), proxies) == "1.2.3.4"
    assert client_address(scope("172.28.0.1", "172.28.0.9"), proxies) == "172.28.0.9"
    assert client_address(scope("172.28.0.1"), proxies) == "172.28.0.1"
    assert client_address(scope("172.28.0.1", "garbage, 1.2.3.4"), proxies) == "1.2.3.4"
    assert client_address({"headers": []}, proxies) == "unknown"


def test_two_workers_share_one_budget(tmp_path: Path) -> None:
    """Two app instances on one data directory stand for two ``serve --workers`` processes."""
    first, second = _app(tmp_path), _app(tmp_path)
    with TestClient(first) as one, TestClient(second) as two:
        first.state.rate_limit.now = second.state.rate_limit.now = lambda: 0.0
        assert _codes(one, BURST) == [200] * BURST
        assert _codes(two, 1) == [429]  # the other worker knows the bucket is spent


def _spend(path: str, n: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    buckets = SharedTokenBuckets(Path(path), per_minute=1, burst=10, now=lambda: 0.0)
    queue.put([buckets.take("198.51.100.7") for _ in range(n)])
    buckets.close()


def test_buckets_are_shared_across_processes(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_spend, args=(str(path), 6, queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    waits = queue.get(timeout=60) + queue.get(timeout=60)
    for worker in workers:
        worker.join(60)
    assert sum(1 for wait in waits if wait == 0.0) == 10  # the burst, once for both processes
    assert path.stat().st_mode & 0o777 == 0o600


def test_forwarding_from_everyone_is_refused_in_production() -> None:
    production = {
        "environment": "production",
        "database_url": "postgresql+psycopg://envmon:Zq8-long-random-pw@db/envmon",
        "public_sites": "https://sthjj.zhoushan.gov.cn",
        "session_secret": "a-long-random-session-secret-1",
        "webhook_key": "a-different-long-random-webhook-key",
    }
    for value in ("*", "172.28.0.1,*"):
        with pytest.raises(SettingsError, match="ENVMON_FORWARDED_ALLOW_IPS=\\* trusts"):
            load_settings(**production, forwarded_allow_ips=value)
    assert load_settings(**production, forwarded_allow_ips="172.28.0.1").http.forwarded_allow_ips
    assert load_settings(environment="development", forwarded_allow_ips="*")


def test_a_refusal_is_held_back_for_the_clients_wait(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 9: four anonymous clients asking again at once after each 429 kept everyone else
    waiting; a refusal is now sent only after the client's wait for a token, at most
    ``TARPIT_MAX_S``, so a client past its limit sends a refusal a second, not hundreds."""
    held: list[float] = []

    async def record(seconds: float) -> None:
        held.append(seconds)

    monkeypatch.setattr(security, "_hold_back", record)
    proxy = TestClient(app, client=PROXY)
    codes = _codes(proxy, BURST + 2, **{"X-Forwarded-For": "198.51.100.9"})
    assert codes == [200] * BURST + [429, 429]
    # One token a minute and none back during the test: the wait is a minute, held back 1 s.
    assert held == [security.TARPIT_MAX_S, security.TARPIT_MAX_S] == [1.0, 1.0]
