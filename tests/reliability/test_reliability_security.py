"""Security probes against the app's own route table (not a hand list).

Every staff route (any route whose dependencies require a role) refuses a missing key (401), a
wrong key (401) and every role below the one it needs (403); the only staff paths open without a key
are the browser sign-in and sign-out, and a signed-in browser's cookie reads but never writes; every
staff POST/PUT/PATCH refuses an oversized body with 413 before authentication; webhook URLs aimed
at loopback, private, link-local or metadata addresses are refused; SQL-injection and path-traversal
probes in query strings, path parameters, vendor paths and upload names never give a 5xx and never
reach outside the data folder; public pages carry CSP with frame-ancestors and nosniff; the real
server sends no ``server`` header.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.api.security import is_staff_path
from service.auth import Role, create_key
from service.clock import FixedClock
from tests.integration.api.conftest import NOW, make_settings, seed_readings

from .conftest import envmon_env, envmon_server, run_envmon

#: Plausible values for path parameters (auth is checked before they are validated anyway).
PATH_VALUES = {
    "key_id": "0123abcd",
    "district": "330902",
    "indicator": "air_excellent_good",
    "year": "2026",
    "code": "330902",
    "sub_id": "1",
    "msg_id": "msg_1",
    "fingerprint": "abc",
}
INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE readings;--",
    "330902' UNION SELECT secret_hash FROM api_keys--",
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%00",
    "%00' --",
]


def _required_role(route: APIRoute) -> Role | None:
    """The role a route's dependencies require (from the ``require_role`` closure), if any."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        call = dep.call
        if call is not None and "require_role" in getattr(call, "__qualname__", ""):
            for cell in call.__closure__ or ():
                if isinstance(cell.cell_contents, Role):
                    return cell.cell_contents
        stack.extend(dep.dependencies)
    return None


def _fill(path: str) -> str:
    return re.sub(r"\{(\w+)(:path)?\}", lambda m: PATH_VALUES.get(m.group(1), "x"), path)


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, also inside included routers (FastAPI >= 0.165 keeps them nested)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _api_routes(route.original_router.routes)


def staff_routes(app: FastAPI) -> list[tuple[str, str, Role]]:
    found = []
    for route in _api_routes(app.routes):
        if isinstance(route, APIRoute):
            role = _required_role(route)
            if role is not None:
                found += [(m, route.path, role) for m in sorted(route.methods - {"HEAD"})]
    return found


@pytest.fixture(scope="module")
def secured(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    app = create_app(make_settings(tmp_path_factory.mktemp("sec")), FixedClock(NOW))
    with TestClient(app) as client:
        seed_readings(app)
        keys = {r.name: create_key(app.state.engine, r, f"sec-{r.name}")[1] for r in Role}
        yield client, keys


def _call(client: TestClient, method: str, path: str, key: str | None, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    body = {} if method in {"POST", "PUT", "PATCH"} else None
    return client.request(method, _fill(path), headers=headers, json=body, **kw)


def test_every_staff_route_refuses_missing_wrong_and_lower_keys(secured) -> None:
    client, keys = secured
    routes = staff_routes(client.app)
    paths = {p for _, p, _ in routes}
    # The enumeration finds the known families (guards against an empty or broken walk).
    assert any("/staff/keys" in p for p in paths) and any("webhooks" in p for p in paths)
    assert any("/staff/zones/import" in p for p in paths) and any("targets" in p for p in paths)
    checked = 0
    for method, path, role in routes:
        assert _call(client, method, path, None).status_code == 401, (method, path)
        for wrong in ("envmon_0000_nope", keys["admin"][:-1] + "x", "Bearer", "' OR 1=1 --"):
            assert _call(client, method, path, wrong).status_code == 401, (method, path, wrong)
        for lower in (r for r in Role if r.value < role.value):
            assert _call(client, method, path, keys[lower.name]).status_code == 403, (
                method,
                path,
                lower,
            )
        checked += 1
    print(f"\n[security] {checked} staff operations checked: {sorted(paths)}")


#: Routes on staff paths that need no key by nature: the sign-in page and form, and sign-out.
SIGN_IN_ROUTES = {("GET", "/staff/login"), ("POST", "/staff/login"), ("POST", "/staff/logout")}
#: The console's one style sheet: the sign-in page needs it before anyone is signed in.
STATIC_STAFF_ROUTES = {("GET", "/staff/static/console.css")}


def test_staff_paths_need_a_role_except_sign_in_and_out(secured) -> None:
    client, _ = secured
    open_staff = {
        (m, route.path)
        for route in _api_routes(client.app.routes)
        if is_staff_path(route.path) and _required_role(route) is None
        for m in route.methods - {"HEAD"}
    }
    assert open_staff == SIGN_IN_ROUTES | STATIC_STAFF_ROUTES
    for method, path in sorted(STATIC_STAFF_ROUTES):  # a style sheet, nothing of the store
        r = client.request(method, path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/css"), path
    for method, path in sorted(SIGN_IN_ROUTES):
        r = client.request(method, path, follow_redirects=False)
        assert r.status_code in (200, 303, 401), (method, path, r.status_code)
        assert r.headers["cache-control"] == "no-store", (method, path)
        assert "'none'" in r.headers["content-security-policy"].split("frame-ancestors")[1], path


def test_session_cookie_reads_but_never_writes_without_csrf(secured) -> None:
    """A signed-in admin's cookie alone: every staff GET passes authentication, every write is
    403 without the session's CSRF token (the cookie could otherwise be ridden by a cross-site
    form)."""
    client, keys = secured
    signed_in = client.post("/staff/login", data={"key": keys["admin"]}, follow_redirects=False)
    assert signed_in.status_code == 303
    token = signed_in.cookies.get("__Host-envmon_staff") or ""
    assert len(token) == 43
    cookie = {"Cookie": f"__Host-envmon_staff={token}"}
    for method, path, _ in staff_routes(client.app):
        body = {} if method in {"POST", "PUT", "PATCH"} else None
        r = client.request(method, _fill(path), headers=cookie, json=body, follow_redirects=False)
        if method == "GET":
            assert r.status_code not in (401, 403), (method, path, r.status_code)
        else:
            assert r.status_code == 403, (method, path, r.status_code)
            assert r.json()["field"] == "csrf_token", (method, path)


def test_oversized_bodies_refused_before_auth(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, max_upload_bytes=2048), FixedClock(NOW))
    with TestClient(app) as client:
        for method, path, _ in staff_routes(app):
            if method not in {"POST", "PUT", "PATCH"}:
                continue
            r = client.request(
                method,
                _fill(path),
                content=b"{" + b" " * 8192 + b"}",
                headers={"Content-Type": "application/json"},
            )
            assert r.status_code == 413, (method, path, r.status_code)
            assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.1/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/hook",
        "http://2130706433/hook",
        "http://0x7f000001/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "file:///etc/passwd",
        "gopher://127.0.0.1:25/",
    ],
)
def test_webhook_urls_to_private_ranges_refused(secured, url: str) -> None:
    client, keys = secured
    r = client.post(
        "/api/v1/staff/webhooks/subscriptions",
        headers={"Authorization": f"Bearer {keys['admin']}"},
        json={"name": "probe", "url": url},
    )
    assert r.status_code in (400, 422), (url, r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")


def test_injection_probes_in_queries_and_paths(secured) -> None:
    client, keys = secured
    schema = client.get("/openapi.json").json()
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    probes = 0
    for path, ops in schema["paths"].items():
        get = ops.get("get")
        if get is None:
            continue
        params = [p for p in get.get("parameters", []) if p["in"] in {"query", "path"}]
        for probe in INJECTIONS:
            url = re.sub(r"\{\w+\}", probe.replace("/", "%2F"), path)
            query = {p["name"]: probe for p in params if p["in"] == "query"}
            r = client.get(url, params=query, headers=admin)
            probes += 1
            assert r.status_code < 500, (url, query, r.status_code, r.text[:300])
            assert not re.search(r"\b[0-9a-f]{64}\b", r.text)  # no hash or secret leaks
    # Vendor files: traversal out of the vendor folder is a 404, never a file.
    for bad in ("../../service/settings.py", "..%2F..%2Fpyproject.toml", "%2e%2e/%2e%2e/README.md"):
        r = client.get(f"/static/vendor/leaflet/{bad}")
        assert r.status_code in (400, 404), (bad, r.status_code)
    print(f"\n[security] {probes} injection probes, no 5xx")


def test_upload_names_with_traversal_stay_inside(secured, tmp_path: Path) -> None:
    client, keys = secured
    data_dir = client.app.state.settings.store.data_dir
    before = set(Path("/tmp").iterdir())
    for name in ("../../../tmp/evil.geojson", "..\\..\\evil.geojson", "/etc/cron.d/x.geojson"):
        r = client.post(
            "/api/v1/staff/zones/import",
            headers={"Authorization": f"Bearer {keys['operator']}", "Prefer": "wait=30"},
            files={
                "file": (
                    name,
                    b'{"type": "FeatureCollection", "features": []}',
                    "application/geo+json",
                )
            },
        )
        assert 400 <= r.status_code < 500, (name, r.status_code)
    assert not (Path("/tmp") / "evil.geojson").exists()
    # multiprocessing's own folder (pymp-*) for the zone-parse worker's socket is not upload data.
    new = {p for p in set(Path("/tmp").iterdir()) - before if not p.name.startswith("pymp-")}
    assert new <= {p for p in Path("/tmp").iterdir() if p.is_relative_to(data_dir)}
    # The CLI imports: a file named with ../ is read where it is; nothing is written beside it.
    env = envmon_env(tmp_path / "data")
    run_envmon(env, "init-db")
    weird = tmp_path / "a" / ".." / "lab.csv"
    (tmp_path / "a").mkdir()
    weird.write_text("序号,断面名称,采样日期\n1,'; DROP TABLE samples;--,2024-03-05\n")
    out = run_envmon(env, "import-lab", str(weird))
    assert "quarantined" in out or "rejected" in out or "0" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "data", "lab.csv"]


def test_public_headers_and_real_server(tmp_path: Path) -> None:
    env = envmon_env(tmp_path / "data")
    with envmon_server(env) as (base, _pid):
        for path in (
            "/maps/public",
            "/api/v1/districts",
            "/api/v1/geo/districts.geojson",
            "/healthz",
        ):
            r = httpx.get(f"{base}{path}", timeout=60)
            assert r.status_code == 200, path
            assert "server" not in r.headers, path
            assert r.headers.get("x-content-type-options") == "nosniff", path
            csp = r.headers.get("content-security-policy", "")
            assert "frame-ancestors" in csp, (path, csp)
        page = httpx.get(f"{base}/maps/public", timeout=60)
        assert "https://sthjj.zhoushan.gov.cn" in page.headers["content-security-policy"]
        missing = httpx.get(f"{base}/api/v1/nothing-here", timeout=30)
        assert missing.status_code == 404 and "uvicorn" not in missing.text.lower()
