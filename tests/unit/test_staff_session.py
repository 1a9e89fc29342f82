"""Staff session token hashing, the cookie name, ``next`` targets, the cookie's Secure rule and the session settings."""

from __future__ import annotations

import pytest

from service.api.session import (
    COOKIE_NAME,
    DEFAULT_NEXT,
    HOST_COOKIE_NAME,
    cookie_name,
    cookie_secure,
    find_cookie,
    safe_next,
    token_hash,
)
from service.settings import SettingsError, load_settings

SECRET = b"k" * 32
TOKEN = "Vh4bM2o1Q8sB6yq5y2XJm2c9Jm0eQ1z9m8Q4s6i0abc"


def test_the_store_keeps_a_keyed_hash_of_the_token() -> None:
    stored = token_hash(SECRET, TOKEN)
    assert len(stored) == 64 and TOKEN not in stored
    assert stored == token_hash(SECRET, TOKEN)
    assert stored != token_hash(b"x" * 32, TOKEN)  # another secret: no session found
    assert stored != token_hash(SECRET, TOKEN[:-1] + "d")


def test_host_prefix_exactly_when_secure() -> None:
    assert cookie_name(True) == HOST_COOKIE_NAME == "__Host-envmon_staff"
    assert cookie_name(False) == COOKIE_NAME == "envmon_staff"
    both = {COOKIE_NAME: "plain", HOST_COOKIE_NAME: "prefixed"}
    assert find_cookie(both, secure=True) == "prefixed"
    assert find_cookie(both, secure=False) == "plain"
    assert find_cookie({COOKIE_NAME: "planted"}, secure=True) is None
    assert find_cookie({HOST_COOKIE_NAME: ""}, secure=True) is None


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "//evil.example",
        "//evil.example/maps/staff",
        "https://evil.example",
        "http:/evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "/maps/staff\\..\\x",
        "/\t/evil.example",
        "/\n/evil.example",
        "/ /evil.example",
        "javascript:alert(1)",
        "maps/staff",
        "/" + "a" * 5000,
    ],
)
def test_unsafe_next_falls_back(value: str | None) -> None:
    assert safe_next(value) == DEFAULT_NEXT


@pytest.mark.parametrize(
    "value",
    ["/maps/staff", "/maps/staff?basemap=offline&lang=en", "/api/v1/staff/me", "/maps/staff#x"],
)
def test_site_paths_are_kept(value: str) -> None:
    assert safe_next(value) == value


@pytest.mark.parametrize(
    ("environment", "scheme", "host", "secure"),
    [
        ("development", "http", "127.0.0.1", False),
        ("test", "http", "localhost", False),
        ("development", "http", "[::1]", False),
        ("development", "http", "127.8.9.10", False),
        ("development", "https", "127.0.0.1", True),
        ("development", "http", "envmon.example", True),
        ("development", "http", "192.168.1.5", True),
        ("development", "http", None, True),
        ("production", "http", "127.0.0.1", True),
        ("production", "https", "envmon.example", True),
    ],
)
def test_cookie_secure_except_plain_http_on_loopback_outside_production(
    environment: str, scheme: str, host: str | None, secure: bool
) -> None:
    assert cookie_secure(environment, scheme, host) is secure


def _production(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "environment": "production",
        "database_url": "postgresql+psycopg://envmon:Zq8-long-random-pw@db/envmon",
        "public_sites": "https://sthjj.zhoushan.gov.cn",
        "webhook_key": "a-different-long-random-webhook-key",
    }
    values.update(overrides)
    return values


def test_production_needs_a_session_secret() -> None:
    with pytest.raises(SettingsError, match="ENVMON_SESSION_SECRET is required"):
        load_settings(**_production())
    with pytest.raises(SettingsError, match="ENVMON_SESSION_SECRET is an insecure default"):
        load_settings(**_production(session_secret="changeme"))
    with pytest.raises(SettingsError, match="ENVMON_SESSION_SECRET"):
        load_settings(**_production(session_secret="short"))
    settings = load_settings(**_production(session_secret="a-long-random-session-secret-1"))
    assert settings.sessions.session_secret is not None
    assert settings.sessions.session_hours == 8
    assert settings.sessions.session_idle_minutes == 30


def test_session_hours_bounds_and_blank_secret_outside_production() -> None:
    assert load_settings(environment="test", session_secret="  ").sessions.session_secret is None
    assert load_settings(environment="test", session_hours=2).sessions.session_hours == 2
    with pytest.raises(SettingsError, match="ENVMON_SESSION_HOURS"):
        load_settings(environment="test", session_hours=0)
    assert (
        load_settings(environment="test", session_idle_minutes=5).sessions.session_idle_minutes == 5
    )
    with pytest.raises(SettingsError, match="ENVMON_SESSION_IDLE_MINUTES"):
        load_settings(environment="test", session_idle_minutes=0)
