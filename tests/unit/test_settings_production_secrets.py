"""Production start refuses guessable secrets and database passwords, and never prints the
password of ENVMON_DATABASE_URL, even a malformed one (issue 22 finding 13)."""

from __future__ import annotations

import secrets

import pytest

from service.settings import (
    MIN_SECRET_BITS,
    SettingsError,
    load_settings,
    mask_url_password,
    secret_bits,
    secret_weakness,
)

GOOD_DB = "postgresql+psycopg://envmon:Zq8-long-random-pw@db/envmon"


def _production(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "environment": "production",
        "database_url": GOOD_DB,
        "public_sites": "https://sthjj.zhoushan.gov.cn",
        "session_secret": "a-long-random-session-secret-1",
        "webhook_key": "a-different-long-random-webhook-key",
    }
    values.update(overrides)
    return values


def test_the_production_baseline_starts() -> None:
    assert load_settings(**_production()).environment == "production"
    assert load_settings(**_production(session_secret=secrets.token_urlsafe(32)))


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("aaaaaaaaaaaaaaaa", "fewer than 8 distinct"),  # the red team's value
        ("a" * 64, "fewer than 8 distinct"),
        ("abababababababababababab", "fewer than 8 distinct"),
        ("1234567" * 4, "fewer than 8 distinct"),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabcdefgh", "bits of entropy"),
        ("changeme", "insecure default"),
        ("Secret", "insecure default"),
        ("0123456789abcde", "shorter than 16"),
    ],
)
@pytest.mark.parametrize("name", ["session_secret", "webhook_key", "openaq_api_key"])
def test_low_entropy_secrets_are_refused(name: str, value: str, rule: str) -> None:
    with pytest.raises(SettingsError, match=f"ENVMON_{name.upper()} is an insecure default") as e:
        load_settings(**_production(**{name: value}))
    assert rule in str(e.value)
    assert value not in str(e.value)  # the secret itself is not echoed


def test_the_entropy_estimate() -> None:
    assert secret_bits("") == 0.0
    assert secret_bits("a" * 100) == 0.0
    assert secret_bits("ab" * 8) == pytest.approx(16.0)  # 1 bit per character
    assert secret_bits("0123456789abcdef") == pytest.approx(64.0)  # 4 bits per character
    assert secret_bits(secrets.token_urlsafe(32)) > 3 * MIN_SECRET_BITS
    assert secret_weakness("0123456789abcdef") is None  # exactly at the line


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("postgresql+psycopg://envmon@db/envmon", "has no password"),
        ("postgresql+psycopg://envmon:@db/envmon", "has no password"),
        ("postgresql://envmon:short-pw1@db/envmon", "shorter than 12"),
        ("postgresql://envmon:xxxxxxxxxxxxxxxx@db/envmon", "fewer than 8 distinct"),
        ("postgresql://envmon:postgres@db/envmon", "insecure default"),
    ],
)
def test_production_needs_a_real_database_password(url: str, rule: str) -> None:
    with pytest.raises(SettingsError, match="ENVMON_DATABASE_URL") as e:
        load_settings(**_production(database_url=url))
    assert rule in str(e.value)
    password = url.split("//", 1)[1].split("@")[0].partition(":")[2]
    assert not password or password not in str(e.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://envmon:Hunter2-S3cret-pw@db:notaport/envmon",  # bad port
        "postgres ql://envmon:Hunter2-S3cret-pw@db/envmon",  # bad scheme
        "mysql://envmon:Hunter2-S3cret-pw@db/envmon",  # unsupported backend
    ],
)
@pytest.mark.parametrize("environment", ["production", "development"])
def test_a_malformed_database_url_never_prints_its_password(url: str, environment: str) -> None:
    with pytest.raises(SettingsError) as e:
        load_settings(**_production(database_url=url, environment=environment))
    message = str(e.value)
    assert "ENVMON_DATABASE_URL" in message
    assert "Hunter2" not in message and "S3cret" not in message
    assert "envmon:***@" in message  # the rest stays, to find the mistake


def test_mask_url_password() -> None:
    assert mask_url_password("x postgresql://u:p@h/d y") == "x postgresql://u:***@h/d y"
    assert mask_url_password("'postgresql://u:p@q@h/d'") == "'postgresql://u:***@h/d'"
    assert mask_url_password("postgresql://u@h/d") == "postgresql://u@h/d"
    assert mask_url_password("sqlite:////tmp/x.sqlite3") == "sqlite:////tmp/x.sqlite3"
