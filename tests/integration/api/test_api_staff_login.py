"""Staff browser sign-in: the form, the server-side session behind the ``__Host-envmon_staff`` cookie
and where it counts (reads; writes only with the session's CSRF token from this site), the redirect
of browsers to the sign-in page, open-redirect and cross-site refusal, sign-out ending the session in
the store, the idle timeout, the security log, rate limit."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.api.app import create_app
from service.api.schemas import Problem, StaffWhoAmI
from service.auth import Role, create_key, revoke_key
from service.clock import FixedClock
from service.i18n import t
from service.store.api_tables import api_keys
from service.store.session_tables import staff_sessions

from .conftest import NOW, make_settings

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
EIGHT_HOURS = 8 * 3600
#: The cookie's name on http://testserver (not loopback, so Secure, so the __Host- prefix).
COOKIE = "__Host-envmon_staff"


def set_cookie(response: httpx.Response) -> SimpleCookie:
    """The response's ``Set-Cookie`` headers, parsed."""
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return jar


def sign_in(client: TestClient, key: str, next_: str | None = None, **kw) -> httpx.Response:
    data = {"key": key} if next_ is None else {"key": key, "next": next_}
    return client.post("/staff/login", data=data, follow_redirects=False, **kw)


def session_token(client: TestClient, key: str) -> str:
    response = sign_in(client, key)
    assert response.status_code == 303, response.text
    return set_cookie(response)[COOKIE].value


def with_cookie(token: str, **headers: str) -> dict[str, str]:
    return {"Cookie": f"{COOKIE}={token}", **headers}


def page_csrf(client: TestClient, token: str) -> str:
    """The CSRF token as the signed-in staff map's sign-out form carries it."""
    page = client.get("/maps/staff?basemap=offline", headers=with_cookie(token, **HTML))
    assert page.status_code == 200
    found = re.search(
        r'<form id="envmon-session"[^>]*>.*?<input type="hidden" name="csrf_token" '
        r'value="([^"]+)">',
        page.text,
        re.S,
    )
    assert found is not None
    return found.group(1)


def key_id(key: str) -> str:
    return key.split("_")[1]


# --- the page -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "headers", "lang"),
    [
        ("", {}, "zh"),
        ("?lang=en", {}, "en"),
        ("", {"Accept-Language": "en-GB,en;q=0.9"}, "en"),
        ("?lang=zh", {"Accept-Language": "en"}, "zh"),
    ],
)
def test_login_page_in_both_languages(client: TestClient, query: str, headers, lang: str) -> None:
    response = client.get(f"/staff/login{query}", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == lang
    page = response.text
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page
    for key in ("staff.login.title", "staff.login.key", "staff.login.submit"):
        assert t(key, lang) in page, key
    other = "en" if lang == "zh" else "zh"
    assert t("staff.login.title", other) not in page
    assert re.search(r'<input id="key" name="key" type="password"[^>]*required', page)
    assert '<label for="key">' in page
    assert '<input type="hidden" name="next" value="/maps/staff">' in page
    assert f'action="/staff/login?lang={lang}"' in page


def test_login_page_is_self_contained_under_a_strict_csp(client: TestClient) -> None:
    response = client.get("/staff/login")
    page = response.text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing from elsewhere
    assert "<script" not in page
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    # style-src allows exactly the page's one inline style sheet, by hash.
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert directives["style-src"] == f"'sha256-{digest}'"
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


def test_login_page_keeps_a_safe_next_and_drops_an_unsafe_one(client: TestClient) -> None:
    page = client.get("/staff/login", params={"next": "/maps/staff?basemap=offline&lang=en"}).text
    assert 'name="next" value="/maps/staff?basemap=offline&amp;lang=en"' in page
    page = client.get("/staff/login", params={"next": "//evil.example"}).text
    assert 'name="next" value="/maps/staff"' in page and "evil" not in page


# --- signing in -----------------------------------------------------------------------------------


def test_valid_key_starts_a_stored_session_and_redirects(client: TestClient, keys) -> None:
    key = keys["viewer"]
    response = sign_in(client, key, "/maps/staff?basemap=offline")
    assert response.status_code == 303
    assert response.headers["location"] == "/maps/staff?basemap=offline"
    assert response.headers["cache-control"] == "no-store"
    [header] = response.headers.get_list("set-cookie")
    morsel = set_cookie(response)[COOKIE]
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "strict"
    assert morsel["path"] == "/" and morsel["domain"] == ""  # what __Host- requires
    assert morsel["max-age"] == str(EIGHT_HOURS)
    assert morsel["secure"] is True  # http://testserver is not loopback
    token = morsel.value
    assert key not in header and key.split("_", 2)[2] not in header  # never the key or its secret
    assert key_id(key) not in token  # opaque: nothing to read or forge in it
    assert re.fullmatch(r"[0-9A-Za-z_-]{43}", token)
    with client.app.state.engine.connect() as conn:
        [row] = conn.execute(select(staff_sessions)).mappings().all()
    assert row["key_id"] == key_id(key)
    assert row["token_hash"] != token and token not in row["token_hash"]  # only its HMAC
    assert row["created_at"] == NOW == row["last_seen_at"]  # from the app's clock


def test_key_with_surrounding_whitespace_signs_in(client: TestClient, keys) -> None:
    assert sign_in(client, f"  {keys['viewer']}\n").status_code == 303


def test_plain_http_on_loopback_gets_an_unprefixed_cookie_without_secure(
    app: FastAPI, keys
) -> None:
    loopback = TestClient(app, base_url="http://127.0.0.1:8000")
    jar = set_cookie(sign_in(loopback, keys["viewer"]))
    assert COOKIE not in jar  # a browser refuses __Host- without Secure
    morsel = jar["envmon_staff"]
    assert morsel["secure"] == ""
    assert morsel["httponly"] is True
    token = morsel.value
    me = loopback.get("/api/v1/staff/me", headers={"Cookie": f"envmon_staff={token}"})
    assert me.status_code == 200
    https = TestClient(app, base_url="https://127.0.0.1:8000")
    morsel = set_cookie(sign_in(https, keys["viewer"]))[COOKIE]
    assert morsel["secure"] is True and morsel["path"] == "/"


def test_an_unprefixed_cookie_is_ignored_where_the_prefix_applies(client: TestClient, keys) -> None:
    """On https (or any non-loopback host) only __Host-envmon_staff counts: a plain envmon_staff
    cookie could have been planted by a subdomain or a plain-http page."""
    token = session_token(client, keys["viewer"])
    assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 200
    planted = {"Cookie": f"envmon_staff={token}"}
    assert client.get("/api/v1/staff/me", headers=planted).status_code == 401


def test_session_hours_set_the_lifetime(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, session_hours=2), FixedClock(NOW))
    with TestClient(app) as client:
        _, key = create_key(app.state.engine, Role.viewer, "short")
        token = session_token(client, key)
        morsel = set_cookie(sign_in(client, key))[COOKIE]
        assert morsel["max-age"] == "7200"
        clock: FixedClock = app.state.clock
        for _ in range(4):  # used every 29 minutes: never idle, but the lifetime still ends it
            clock.advance(dt.timedelta(minutes=29))
            assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 200
        clock.advance(dt.timedelta(hours=2) - dt.timedelta(minutes=4 * 29))
        assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 401


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_wrong_key_is_401_with_the_form_and_no_cookie(client: TestClient, keys, lang) -> None:
    engine = client.app.state.engine
    _, revoked = create_key(engine, Role.admin, "gone")
    revoke_key(engine, key_id(revoked))
    known_id_wrong_secret = keys["admin"][:-4] + "AAAA"
    bodies = set()
    for bad in (
        "envmon_0123456789ab_" + "x" * 43,  # unknown id
        known_id_wrong_secret,
        revoked,
        "not-a-key",
        "",
        "x" * 5000,
    ):
        response = client.post(
            f"/staff/login?lang={lang}", data={"key": bad, "next": "/maps/staff"}
        )
        assert response.status_code == 401, bad
        assert "set-cookie" not in response.headers, bad
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["www-authenticate"].startswith("Bearer")
        page = response.text
        assert 'role="alert"' in page and t("staff.login.failed", lang) in page
        assert 'aria-invalid="true"' in page
        assert len(bad) < 8 or bad.strip() not in page  # the key is never echoed
        bodies.add(page)
    # Unknown, revoked and malformed keys answer byte for byte the same.
    assert len(bodies) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # sandboxed frames, data: URLs
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "https://testserver"},  # another scheme is another origin
        {"Origin": "http://testserver", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_sign_in_from_another_site_is_refused(
    client: TestClient, keys, headers, caplog: pytest.LogCaptureFixture
) -> None:
    """Login CSRF: another site's form could sign the victim's browser into the attacker's key."""
    caplog.set_level("WARNING", logger="envmon.security")
    response = sign_in(client, keys["admin"], headers=headers)
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    assert t("staff.login.cross_site", "zh") in response.text
    with client.app.state.engine.connect() as conn:
        assert conn.execute(select(staff_sessions)).first() is None
    [line] = [r.getMessage() for r in caplog.records if r.name == "envmon.security"]
    assert line.startswith("security sign_in_refused ip=testclient ")
    assert f"key_id={key_id(keys['admin'])}" in line and keys["admin"] not in line


def test_sign_in_from_this_site_passes(client: TestClient, keys) -> None:
    for headers in (
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://testserver"},
        # Chromium's form post from a no-referrer page (the staff map) of this site:
        {"Origin": "null", "Sec-Fetch-Site": "same-origin"},
        {},  # not a browser: nothing to forge
    ):
        assert sign_in(client, keys["viewer"], headers=headers).status_code == 303, headers


def test_failed_sign_in_is_a_security_event(
    client: TestClient, keys, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="envmon.security")
    wrong = keys["admin"][:-4] + "AAAA"
    assert sign_in(client, wrong).status_code == 401
    assert sign_in(client, "not-a-key\nsecurity forged").status_code == 401
    lines = [r.getMessage() for r in caplog.records if r.name == "envmon.security"]
    assert lines == [
        f"security sign_in_failed ip=testclient key_id={key_id(wrong)} POST /staff/login "
        "reason=api_key",
        "security sign_in_failed ip=testclient key_id=- POST /staff/login reason=api_key",
    ]
    assert all("AAAA" not in line and "forged" not in line for line in lines)
    caplog.clear()
    bad_header = {"Authorization": f"Bearer {wrong}"}
    assert client.get("/api/v1/staff/me", headers=bad_header).status_code == 401
    [line] = [r.getMessage() for r in caplog.records if r.name == "envmon.security"]
    assert line == (
        f"security auth_failed ip=testclient key_id={key_id(wrong)} GET /api/v1/staff/me "
        "reason=api_key"
    )


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_open_redirects_fall_back_to_the_staff_map(client: TestClient, keys, target) -> None:
    response = sign_in(client, keys["viewer"], target)
    assert response.status_code == 303
    assert response.headers["location"] == "/maps/staff"


# --- where the cookie counts ----------------------------------------------------------------------


def test_cookie_opens_the_staff_map_and_the_staff_api(client: TestClient, keys) -> None:
    token = session_token(client, keys["viewer"])
    me = client.get("/api/v1/staff/me", headers=with_cookie(token))
    assert me.status_code == 200
    who = StaffWhoAmI.model_validate(me.json())
    assert (who.key_id, who.role, who.name) == (key_id(keys["viewer"]), "viewer", "test-viewer")
    page = client.get("/maps/staff?basemap=offline", headers=with_cookie(token, **HTML))
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    control = re.search(
        r'<form id="envmon-session" method="post" action="([^"]+)".*?</form>', page.text
    )
    assert control is not None and control.group(1) == "/staff/logout?lang=zh"
    who_text = t("staff.session.signed_in", "zh", name="test-viewer", role=t("staff.role.viewer"))
    assert who_text in control.group(0) and t("staff.session.logout", "zh") in control.group(0)
    english = client.get("/maps/staff?basemap=offline&lang=en", headers=with_cookie(token))
    assert "Signed in: test-viewer (viewer)" in english.text and ">Sign out<" in english.text


def test_header_key_pages_have_no_sign_out_control(client: TestClient, keys) -> None:
    page = client.get(
        "/maps/staff?basemap=offline", headers={"Authorization": f"Bearer {keys['viewer']}"}
    )
    assert page.status_code == 200 and "envmon-session" not in page.text


def test_a_cookie_write_needs_the_sessions_csrf_token(
    client: TestClient, keys, caplog: pytest.LogCaptureFixture
) -> None:
    """The attack: another site's form or fetch rides the admin's cookie to mint a key. Refused
    without the session's token (403 csrf_token), with another session's token, and from another
    origin even with the right token; the same write from this site's page succeeds."""
    caplog.set_level("WARNING", logger="envmon.security")
    token = session_token(client, keys["admin"])
    assert client.get("/api/v1/staff/keys", headers=with_cookie(token)).status_code == 200
    csrf = page_csrf(client, token)
    other_csrf = page_csrf(client, session_token(client, keys["admin"]))
    assert csrf != other_csrf

    def keys_now() -> int:
        return len(client.get("/api/v1/staff/keys", headers=with_cookie(token)).json())

    before = keys_now()
    refused = [
        ({}, "token"),  # no token at all (a plain cross-site form)
        ({"X-CSRF-Token": other_csrf}, "token"),  # another session's token
        ({"X-CSRF-Token": csrf[:-1]}, "token"),
        ({"X-CSRF-Token": csrf, "Origin": "https://evil.example"}, "origin"),
        ({"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"}, "sec_fetch_site"),
    ]
    for headers, rule in refused:
        response = client.post(
            "/api/v1/staff/keys", headers=with_cookie(token, **headers), json={"role": "viewer"}
        )
        assert response.status_code == 403, headers
        problem = Problem.model_validate(response.json())
        assert (problem.field, problem.rule) == ("csrf_token", rule)
    revoke = client.delete(
        f"/api/v1/staff/keys/{key_id(keys['viewer'])}", headers=with_cookie(token)
    )
    assert revoke.status_code == 403
    assert keys_now() == before
    events = [r.getMessage() for r in caplog.records if r.name == "envmon.security"]
    assert len(events) == len(refused) + 1
    assert all(e.startswith("security csrf_refused ip=testclient key_id=") for e in events)
    assert all(csrf not in e and token not in e for e in events)

    # From this site's page: the token in the header (fetch) or the form field.
    made = client.post(
        "/api/v1/staff/keys",
        headers=with_cookie(token, **{"X-CSRF-Token": csrf, "Origin": "http://testserver"}),
        json={"role": "viewer", "name": "from the console"},
    )
    assert made.status_code == 201, made.text
    assert keys_now() == before + 1
    viewer = {"Authorization": f"Bearer {keys['viewer']}"}
    assert client.get("/api/v1/staff/me", headers=viewer).status_code == 200  # not revoked


def test_api_key_header_writes_need_no_csrf_token(client: TestClient, keys) -> None:
    made = client.post(
        "/api/v1/staff/keys",
        headers={"Authorization": f"Bearer {keys['admin']}", "Origin": "https://evil.example"},
        json={"role": "viewer"},
    )
    assert made.status_code == 201


def test_a_viewer_cookie_with_a_token_still_needs_the_role(client: TestClient, keys) -> None:
    token = session_token(client, keys["viewer"])
    csrf = page_csrf(client, token)
    response = client.post(
        "/api/v1/staff/keys",
        headers=with_cookie(token, **{"X-CSRF-Token": csrf}),
        json={"role": "viewer"},
    )
    assert response.status_code == 403
    assert Problem.model_validate(response.json()).rule == "role>=admin"


def test_a_header_key_wins_over_the_cookie(client: TestClient, keys) -> None:
    token = session_token(client, keys["admin"])
    viewer = with_cookie(token, Authorization=f"Bearer {keys['viewer']}")
    assert client.get("/api/v1/staff/me", headers=viewer).json()["role"] == "viewer"
    assert client.get("/api/v1/staff/keys", headers=viewer).status_code == 403
    wrong = with_cookie(token, Authorization="Bearer envmon_0123456789ab_nope")
    assert client.get("/api/v1/staff/me", headers=wrong).status_code == 401


def test_forged_expired_and_revoked_sessions_are_refused(client: TestClient, keys) -> None:
    app = client.app
    token = session_token(client, keys["viewer"])
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for forged in (
        flipped,
        token + "A",
        f"{key_id(keys['admin'])}.{int(NOW.timestamp()) + 3600}.{'0' * 64}",  # the old format
        keys["viewer"],  # the key itself is not a session
    ):
        response = client.get("/api/v1/staff/me", headers=with_cookie(forged))
        assert response.status_code == 401, forged
    assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 200

    # Expired: the app's clock moves past the lifetime (used every 20 minutes: never idle).
    clock: FixedClock = app.state.clock
    for _ in range(23):
        clock.advance(dt.timedelta(minutes=20))
        assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 200
    clock.advance(dt.timedelta(hours=8) - dt.timedelta(minutes=23 * 20) - dt.timedelta(seconds=1))
    assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 200
    clock.advance(dt.timedelta(seconds=1))
    assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 401
    to_login = client.get("/maps/staff", headers=with_cookie(token, **HTML), follow_redirects=False)
    assert to_login.status_code == 303
    assert to_login.headers["location"].startswith("/staff/login?next=")

    # Revoked: a fresh session ends with its key.
    fresh = session_token(client, keys["operator"])
    assert client.get("/api/v1/staff/me", headers=with_cookie(fresh)).status_code == 200
    assert revoke_key(app.state.engine, key_id(keys["operator"]))
    assert client.get("/api/v1/staff/me", headers=with_cookie(fresh)).status_code == 401


def test_an_idle_session_ends(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, session_idle_minutes=15), FixedClock(NOW))
    with TestClient(app) as client:
        _, key = create_key(app.state.engine, Role.viewer, "idle")
        token = session_token(client, key)
        clock: FixedClock = app.state.clock
        clock.advance(dt.timedelta(minutes=14))
        assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 200
        clock.advance(dt.timedelta(minutes=14))  # 28 min after sign-in, 14 after last use
        assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 200
        clock.advance(dt.timedelta(minutes=15))
        assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 401
        with app.state.engine.connect() as conn:  # and the row is gone
            assert conn.execute(select(staff_sessions)).first() is None
        clock.advance(dt.timedelta(minutes=1))  # not revived by later use
        assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 401


def test_idle_timeout_defaults_to_30_minutes(client: TestClient, keys) -> None:
    token = session_token(client, keys["viewer"])
    client.app.state.clock.advance(dt.timedelta(minutes=30))
    assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 401


def test_a_session_records_use_like_a_key(client: TestClient, keys) -> None:
    engine = client.app.state.engine
    token = session_token(client, keys["viewer"])  # signing in records use at NOW

    def last_used() -> dt.datetime:
        with engine.connect() as conn:
            value = conn.execute(
                select(api_keys.c.last_used_at).where(api_keys.c.key_id == key_id(keys["viewer"]))
            ).scalar_one()
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value

    assert last_used() == NOW
    client.app.state.clock.advance(dt.timedelta(minutes=10))
    assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 200
    assert last_used() == NOW + dt.timedelta(minutes=10)


# --- browsers without credentials -----------------------------------------------------------------


def test_browser_without_credentials_is_sent_to_sign_in(client: TestClient) -> None:
    response = client.get(
        "/maps/staff?basemap=offline&lang=en", headers=HTML, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == (
        "/staff/login?next=/maps/staff%3Fbasemap%3Doffline%26lang%3Den&lang=en"
    )
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    page = client.get(response.headers["location"]).text
    assert 'name="next" value="/maps/staff?basemap=offline&amp;lang=en"' in page
    assert t("staff.login.title", "en") in page
    plain = client.get("/maps/staff", headers=HTML, follow_redirects=False)
    assert plain.headers["location"] == "/staff/login?next=/maps/staff"


def test_api_clients_still_get_401_problem_json(client: TestClient) -> None:
    for headers in ({}, {"Accept": "application/json"}, {"Accept": "*/*"}):
        response = client.get("/maps/staff", headers=headers, follow_redirects=False)
        assert response.status_code == 401, headers
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = Problem.model_validate(response.json())
        assert (problem.field, problem.rule) == ("Authorization", "api_key")
    # A browser that does send a key header gets the API's answer, not the sign-in page.
    wrong = client.get(
        "/maps/staff",
        headers={**HTML, "Authorization": "Bearer envmon_0123456789ab_nope"},
        follow_redirects=False,
    )
    assert wrong.status_code == 401
    # Other staff GET routes stay API routes even for browsers.
    assert client.get("/api/v1/staff/me", headers=HTML, follow_redirects=False).status_code == 401


# --- signing out ----------------------------------------------------------------------------------


def test_sign_out_ends_the_session_in_the_store(client: TestClient, keys) -> None:
    token = session_token(client, keys["viewer"])
    csrf = page_csrf(client, token)
    response = client.post(
        "/staff/logout",
        headers=with_cookie(token, Origin="http://testserver"),
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login"
    morsel = set_cookie(response)[COOKIE]
    assert morsel.value == "" and morsel["max-age"] == "0"
    assert morsel["path"] == "/" and morsel["httponly"] is True
    # A copy of the token (another tab, a stolen cookie) is dead too.
    assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 401
    with client.app.state.engine.connect() as conn:
        assert conn.execute(select(staff_sessions)).first() is None
    english = client.post("/staff/logout?lang=en", follow_redirects=False)
    assert english.headers["location"] == "/staff/login?lang=en"
    assert english.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("headers", "data", "rule"),
    [
        ({}, {}, "token"),  # <form action=https://envmon/staff/logout> on another site
        ({}, {"csrf_token": "x" * 43}, "token"),
        ({"Origin": "https://evil.example"}, None, "origin"),
        ({"Sec-Fetch-Site": "cross-site"}, None, "sec_fetch_site"),
    ],
)
def test_sign_out_from_another_site_is_refused(
    client: TestClient, keys, headers, data, rule
) -> None:
    token = session_token(client, keys["viewer"])
    form = data if data is not None else {"csrf_token": page_csrf(client, token)}
    response = client.post(
        "/staff/logout", headers=with_cookie(token, **headers), data=form, follow_redirects=False
    )
    assert response.status_code == 403
    assert Problem.model_validate(response.json()).rule == rule
    assert "set-cookie" not in response.headers
    assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 200


# --- rate limit -----------------------------------------------------------------------------------


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(
        make_settings(tmp_path, rate_limit_per_minute=1, rate_limit_burst=3), FixedClock(NOW)
    )
    with TestClient(app) as client:
        # The buckets' own clock, held still: no token comes back during the test.
        app.state.rate_limit.now = lambda: 0.0
        yield client


def test_sign_in_attempts_are_rate_limited_per_ip(limited: TestClient) -> None:
    codes = [
        limited.post("/staff/login", data={"key": f"envmon_{i:012x}_guess"}).status_code
        for i in range(5)
    ]
    assert codes[:3] == [401, 401, 401]
    assert codes[3:] == [429, 429]
    refused = limited.post("/staff/login", data={"key": "envmon_000000000000_guess"})
    assert refused.headers["retry-after"]
