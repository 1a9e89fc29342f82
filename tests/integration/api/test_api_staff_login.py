"""Staff browser sign-in: the form, the signed ``envmon_staff`` cookie and where it counts (GET/HEAD
only), the redirect of browsers to the sign-in page, open-redirect refusal, sign-out, rate limit."""

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

from .conftest import NOW, make_settings

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
EIGHT_HOURS = 8 * 3600


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
    return set_cookie(response)["envmon_staff"].value


def with_cookie(token: str, **headers: str) -> dict[str, str]:
    return {"Cookie": f"envmon_staff={token}", **headers}


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


def test_valid_key_sets_the_signed_cookie_and_redirects(client: TestClient, keys) -> None:
    key = keys["viewer"]
    response = sign_in(client, key, "/maps/staff?basemap=offline")
    assert response.status_code == 303
    assert response.headers["location"] == "/maps/staff?basemap=offline"
    assert response.headers["cache-control"] == "no-store"
    [header] = response.headers.get_list("set-cookie")
    morsel = set_cookie(response)["envmon_staff"]
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "strict"
    assert morsel["path"] == "/"
    assert morsel["max-age"] == str(EIGHT_HOURS)
    assert morsel["secure"] is True  # http://testserver is not loopback
    token = morsel.value
    assert key not in header and key.split("_")[2] not in header  # never the key or its secret
    kid, expires, signature = token.split(".")
    assert kid == key_id(key)
    assert int(expires) == int(NOW.timestamp()) + EIGHT_HOURS  # from the app's clock
    assert re.fullmatch(r"[0-9a-f]{64}", signature)


def test_key_with_surrounding_whitespace_signs_in(client: TestClient, keys) -> None:
    assert sign_in(client, f"  {keys['viewer']}\n").status_code == 303


def test_plain_http_on_loopback_gets_a_cookie_without_secure(app: FastAPI, keys) -> None:
    loopback = TestClient(app, base_url="http://127.0.0.1:8000")
    morsel = set_cookie(sign_in(loopback, keys["viewer"]))["envmon_staff"]
    assert morsel["secure"] == ""
    assert morsel["httponly"] is True
    https = TestClient(app, base_url="https://127.0.0.1:8000")
    assert set_cookie(sign_in(https, keys["viewer"]))["envmon_staff"]["secure"] is True


def test_session_hours_set_the_lifetime(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, session_hours=2), FixedClock(NOW))
    with TestClient(app) as client:
        _, key = create_key(app.state.engine, Role.viewer, "short")
        morsel = set_cookie(sign_in(client, key))["envmon_staff"]
        assert morsel["max-age"] == "7200"
        assert int(morsel.value.split(".")[1]) == int(NOW.timestamp()) + 7200


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


def test_sign_in_from_another_site_is_refused(client: TestClient, keys) -> None:
    response = sign_in(client, keys["admin"], headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    assert t("staff.login.cross_site", "zh") in response.text
    same = sign_in(client, keys["viewer"], headers={"Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 303


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


def test_cookie_does_not_count_for_writes(client: TestClient, keys) -> None:
    token = session_token(client, keys["admin"])
    # The admin cookie reads admin GET routes...
    assert client.get("/api/v1/staff/keys", headers=with_cookie(token)).status_code == 200
    # ...but a write with only the cookie is answered as one without any key.
    response = client.post(
        "/api/v1/staff/keys", headers=with_cookie(token), json={"role": "viewer"}
    )
    assert response.status_code == 401
    problem = Problem.model_validate(response.json())
    assert (problem.field, problem.rule) == ("Authorization", "api_key")
    revoke = client.delete(
        f"/api/v1/staff/keys/{key_id(keys['viewer'])}", headers=with_cookie(token)
    )
    assert revoke.status_code == 401
    viewer = {"Authorization": f"Bearer {keys['viewer']}"}
    assert client.get("/api/v1/staff/me", headers=viewer).status_code == 200  # not revoked


def test_a_header_key_wins_over_the_cookie(client: TestClient, keys) -> None:
    token = session_token(client, keys["admin"])
    viewer = with_cookie(token, Authorization=f"Bearer {keys['viewer']}")
    assert client.get("/api/v1/staff/me", headers=viewer).json()["role"] == "viewer"
    assert client.get("/api/v1/staff/keys", headers=viewer).status_code == 403
    wrong = with_cookie(token, Authorization="Bearer envmon_0123456789ab_nope")
    assert client.get("/api/v1/staff/me", headers=wrong).status_code == 401


def test_tampered_expired_and_revoked_sessions_are_refused(client: TestClient, keys) -> None:
    app = client.app
    token = session_token(client, keys["viewer"])
    kid, expires, signature = token.split(".")
    other = key_id(keys["admin"])
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    for forged in (
        f"{kid}.{expires}.{flipped}",
        f"{other}.{expires}.{signature}",  # an admin's id under the viewer's signature
        f"{kid}.{int(expires) + 3600}.{signature}",
        keys["viewer"],  # the key itself is not a session
    ):
        response = client.get("/api/v1/staff/me", headers=with_cookie(forged))
        assert response.status_code == 401, forged
    assert client.get("/api/v1/staff/me", headers=with_cookie(token)).status_code == 200

    # Expired: the app's clock moves past the lifetime.
    clock: FixedClock = app.state.clock
    clock.advance(dt.timedelta(hours=8) - dt.timedelta(seconds=1))
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


def test_sign_out_clears_the_cookie(client: TestClient, keys) -> None:
    token = session_token(client, keys["viewer"])
    response = client.post("/staff/logout", headers=with_cookie(token), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login"
    morsel = set_cookie(response)["envmon_staff"]
    assert morsel.value == "" and morsel["max-age"] == "0"
    assert morsel["path"] == "/" and morsel["httponly"] is True
    english = client.post("/staff/logout?lang=en", follow_redirects=False)
    assert english.headers["location"] == "/staff/login?lang=en"
    assert english.headers["cache-control"] == "no-store"


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
