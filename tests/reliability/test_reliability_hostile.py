"""Hostile input into every upload and staff write endpoint (hypothesis): never a 5xx, every refusal
a 4xx ``application/problem+json`` naming a field and rule; the browser sign-in form never answers
5xx and never redirects off the site. The parsers themselves are fuzzed in
``tests/property/test_parsers_fuzz.py``; this run also drives all six collector parsers (the
same ``PARSERS`` table) with every generated payload.

CI: ``FUZZ_CI`` examples per target; ``make soak``: ``FUZZ_SOAK`` per target (>= 100,000 in all),
counted and printed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from service.api.app import create_app
from service.auth import Role, create_key
from service.clock import FixedClock
from stations.model import Parsed
from tests.integration.api.conftest import NOW, make_settings
from tests.property.test_parsers_fuzz import PARSERS

#: Where the soak run keeps hypothesis's failing examples (git-ignored).
SOAK_EXAMPLES = Path(__file__).resolve().parents[2] / ".hypothesis" / "soak"
FUZZ_CI = 30
FUZZ_SOAK = 15_000
COUNTS: Counter[str] = Counter()

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
feature = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["Feature", "feature", "Point", ""]),
        "properties": st.dictionaries(
            st.sampled_from(["code", "name", "kind", "datum", "source", "half_width_m", "x"]),
            json_values,
        ),
        "geometry": json_values
        | st.fixed_dictionaries(
            {
                "type": st.sampled_from(["Polygon", "Point", "LineString", "MultiPolygon"]),
                "coordinates": json_values,
            }
        ),
    }
)
zone_bodies = (
    st.binary(max_size=2000)
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.lists(feature, max_size=4).map(
        lambda fs: json.dumps({"type": "FeatureCollection", "features": fs}).encode()
    )
)
zone_names = st.sampled_from(
    ["z.geojson", "z.json", "z.csv", "z.kml", "z.gpkg", "z.zip", "../z.geojson"]
)


@pytest.fixture(scope="module")
def hostile(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    app = create_app(make_settings(tmp_path_factory.mktemp("hostile")), FixedClock(NOW))
    with TestClient(app) as client:
        keys = {r.name: create_key(app.state.engine, r, f"fuzz-{r.name}")[1] for r in Role}
        yield client, keys
    print(f"\n[hostile] generated inputs: {dict(COUNTS)} total {sum(COUNTS.values())}")


def _check(r, target: str) -> None:
    COUNTS[target] += 1
    assert r.status_code < 500, (target, r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert r.headers["content-type"].startswith("application/problem+json"), r.text[:200]
        problem = r.json()
        assert problem.get("status") == r.status_code and problem.get("title"), problem


def _targets(
    client: TestClient,
    keys: dict[str, str],
    n: int,
    database: ExampleDatabase | None = None,
) -> None:
    op = {"Authorization": f"Bearer {keys['operator']}"}
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    opts = settings(
        max_examples=n, deadline=None, suppress_health_check=list(HealthCheck), database=database
    )

    @opts
    @given(zone_bodies, zone_names)
    def zones(body: bytes, name: str) -> None:
        files = {"file": (name, body, "application/octet-stream")}
        # waits for the job (parsed in a worker process) so that a parser bug answers 500 here
        waiting = {**op, "Prefer": "wait=30"}
        _check(
            client.post("/api/v1/staff/zones/import", headers=waiting, files=files), "zones_import"
        )

    @opts
    @given(
        json_values,
        st.sampled_from(["330902", "city", "999999", "3309021"]),
        st.integers(1990, 2200),
    )
    def target(body, district: str, year: int) -> None:
        url = f"/api/v1/staff/targets/{district}/air_excellent_good/{year}"
        _check(client.put(url, headers=op, json=body), "targets_put")

    @opts
    @given(
        json_values
        | st.fixed_dictionaries({"name": st.text(max_size=200), "role": st.text(max_size=12)})
    )
    def key(body) -> None:
        _check(client.post("/api/v1/staff/keys", headers=admin, json=body), "keys_post")

    @opts
    @given(
        json_values
        | st.fixed_dictionaries(
            {
                "name": st.text(max_size=130),
                "url": st.text(max_size=200),
                "format": st.text(max_size=12),
            }
        )
    )
    def webhook(body) -> None:
        _check(
            client.post("/api/v1/staff/webhooks/subscriptions", headers=admin, json=body),
            "webhooks_post",
        )

    @opts
    @given(json_values)
    def recompute(body) -> None:
        if body is not None and not isinstance(body, dict):
            return
        body = {k: v for k, v in (body or {}).items() if k != "full"}
        _check(client.post("/api/v1/staff/recompute", headers=op, json=body), "recompute_post")

    @opts
    @given(st.binary(max_size=3000))
    def parsers(raw: bytes) -> None:
        for name, parse in PARSERS.items():  # every collector's parser, one input each
            parsed = parse(raw)  # must not raise
            assert isinstance(parsed, Parsed)
            assert all(r.reason for r in parsed.rejected), name  # every refusal says why
            COUNTS[f"parse:{name}"] += 1

    @opts
    @given(
        st.one_of(st.text(max_size=120), st.sampled_from([keys["viewer"], keys["admin"]])),
        st.one_of(
            st.text(max_size=80),
            st.sampled_from(["//evil.example", "/\\evil", "/\t/evil", "https://evil.example"]),
            st.from_regex(r"/[ -~]{0,40}", fullmatch=True),
        ),
    )
    def login(key_text: str, target: str) -> None:
        """The browser sign-in form: never a 5xx, and a redirect never leaves the site."""
        client.cookies.clear()
        r = client.post(
            "/staff/login", data={"key": key_text, "next": target}, follow_redirects=False
        )
        COUNTS["staff_login"] += 1
        assert r.status_code < 500, (r.status_code, r.text[:300])
        if r.status_code == 303:
            location = r.headers["location"]
            assert location.startswith("/") and not location.startswith(("//", "/\\")), location
            assert not any(c in location for c in "\t\r\n\\"), location
        else:
            assert r.status_code in (400, 401, 422), r.status_code

    for fn in (zones, target, key, webhook, recompute, parsers, login):
        fn()


def test_hostile_input_ci(hostile) -> None:
    client, keys = hostile
    _targets(client, keys, FUZZ_CI)


@pytest.mark.slow
def test_hostile_input_soak(hostile) -> None:
    client, keys = hostile
    # The soak keeps its failing examples (replayed first by the next soak run) so that a failure
    # seen once can be reproduced; CI runs with no database, derandomised.
    _targets(client, keys, FUZZ_SOAK, DirectoryBasedExampleDatabase(SOAK_EXAMPLES))
    assert sum(COUNTS.values()) >= 100_000, COUNTS
