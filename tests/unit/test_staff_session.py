"""Staff session tokens, ``next`` targets, the cookie's Secure rule and the session settings."""

from __future__ import annotations

import pytest

from service.api.session import DEFAULT_NEXT, cookie_secure, safe_next, sign, verify
from service.settings import SettingsError, load_settings

SECRET = b"k" * 32
NOW = 1_779_249_600  # 2026-05-20T04:00Z, Unix seconds
HOUR = 3600


def test_token_round_trip_names_the_key_and_expiry() -> None:
    token = sign(SECRET, "8576e1255b9f", NOW + 8 * HOUR)
    key_id, expires, signature = token.split(".")
    assert (key_id, int(expires), len(signature)) == ("8576e1255b9f", NOW + 8 * HOUR, 64)
    session = verify(SECRET, token, NOW, 8 * HOUR)
    assert session is not None
    assert (session.key_id, session.expires) == ("8576e1255b9f", NOW + 8 * HOUR)


def test_token_refused_when_tampered_or_signed_with_another_secret() -> None:
    token = sign(SECRET, "8576e1255b9f", NOW + HOUR)
    key_id, expires, signature = token.split(".")
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    for bad in (
        f"{key_id}.{expires}.{flipped}",
        f"aaaaaaaaaaaa.{expires}.{signature}",  # another key's id with this signature
        f"{key_id}.{int(expires) + HOUR}.{signature}",  # a later expiry
        sign(b"x" * 32, key_id, int(expires)),
        f"{key_id}.{expires}.{signature.upper()}",
        f"{key_id}.{expires}",
        "",
        "envmon_8576e1255b9f_secret",
    ):
        assert verify(SECRET, bad, NOW, 8 * HOUR) is None, bad


def test_token_expires_and_obeys_a_shortened_lifetime() -> None:
    token = sign(SECRET, "abc", NOW + 8 * HOUR)
    assert verify(SECRET, token, NOW + 8 * HOUR - 1, 8 * HOUR) is not None
    assert verify(SECRET, token, NOW + 8 * HOUR, 8 * HOUR) is None
    # ENVMON_SESSION_HOURS lowered to 2 since sign-in: the 8-hour token no longer counts.
    assert verify(SECRET, token, NOW, 2 * HOUR) is None


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
    assert settings.session_secret is not None
    assert settings.session_hours == 8


def test_session_hours_bounds_and_blank_secret_outside_production() -> None:
    assert load_settings(environment="test", session_secret="  ").session_secret is None
    assert load_settings(environment="test", session_hours=2).session_hours == 2
    with pytest.raises(SettingsError, match="ENVMON_SESSION_HOURS"):
        load_settings(environment="test", session_hours=0)
