"""Webhook secrets at rest: AES-256-GCM sealing, the key's forms, the key file, the production rules."""

from __future__ import annotations

import base64
import logging
import os
import secrets
import stat
from pathlib import Path

import pytest

from service.alerts.sealing import (
    PREFIX,
    ROBOT_SECRET_AAD,
    SECRET_AAD,
    SecretBox,
    UndecryptableSecret,
    is_sealed,
    key_from_text,
)
from service.alerts.signing import new_secret
from service.alerts.webhook_key import KEY_FILE, _create, key_file, webhook_box
from service.settings import Settings, SettingsError, load_settings

KEY = bytes(range(32))


def test_round_trip_and_the_stored_form() -> None:
    box, secret = SecretBox(KEY), new_secret()
    sealed = box.seal(secret, SECRET_AAD)
    assert sealed.startswith(PREFIX) and is_sealed(sealed)
    assert secret not in sealed and secret.removeprefix("whsec_") not in sealed
    raw = base64.urlsafe_b64decode(sealed.removeprefix(PREFIX))
    assert len(raw) == 12 + len(secret.encode()) + 16  # nonce, ciphertext, tag
    assert box.open(sealed, SECRET_AAD) == secret
    robot = "SEC" + "0123456789abcdef" * 4
    assert box.open(box.seal(robot, ROBOT_SECRET_AAD), ROBOT_SECRET_AAD) == robot
    assert box.open(box.seal("非ASCII 密钥", SECRET_AAD), SECRET_AAD) == "非ASCII 密钥"


def test_every_seal_takes_a_fresh_nonce() -> None:
    box = SecretBox(KEY)
    sealed = {box.seal("whsec_same", SECRET_AAD) for _ in range(50)}
    assert len(sealed) == 50
    nonces = {base64.urlsafe_b64decode(s.removeprefix(PREFIX))[:12] for s in sealed}
    assert len(nonces) == 50


def test_wrong_key_tampering_and_the_other_column_are_refused() -> None:
    box = SecretBox(KEY)
    sealed = box.seal("whsec_c2VjcmV0", SECRET_AAD)
    with pytest.raises(UndecryptableSecret):
        SecretBox(secrets.token_bytes(32)).open(sealed, SECRET_AAD)
    with pytest.raises(UndecryptableSecret):
        box.open(sealed, ROBOT_SECRET_AAD)  # copied into robot_secret: does not open
    raw = bytearray(base64.urlsafe_b64decode(sealed.removeprefix(PREFIX)))
    for i in (0, 12, len(raw) - 1):  # nonce, ciphertext, tag
        bad = raw.copy()
        bad[i] ^= 1
        with pytest.raises(UndecryptableSecret):
            box.open(PREFIX + base64.urlsafe_b64encode(bytes(bad)).decode(), SECRET_AAD)
    for broken in (PREFIX, PREFIX + "AAAA", PREFIX + "not base64 at all!", sealed[:-8]):
        with pytest.raises(UndecryptableSecret):
            box.open(broken, SECRET_AAD)
    assert issubclass(UndecryptableSecret, ValueError)


def test_legacy_plaintext_passes_through() -> None:
    box, secret = SecretBox(KEY), new_secret()
    assert not is_sealed(secret) and not is_sealed("SEC123") and not is_sealed("ENC:V1:x")
    assert box.open(secret, SECRET_AAD) == secret
    assert box.open("SEC123", ROBOT_SECRET_AAD) == "SEC123"


def test_key_forms() -> None:
    key = secrets.token_bytes(32)
    assert key_from_text(key.hex()) == key
    assert key_from_text(key.hex().upper()) == key
    assert key_from_text(base64.b64encode(key).decode()) == key
    assert key_from_text(base64.urlsafe_b64encode(key).decode().rstrip("=")) == key
    assert key_from_text(f"  {key.hex()}\n") == key  # a file's trailing newline
    # Anything else is a passphrase: HKDF-SHA256, deterministic, 32 bytes.
    phrase = "a long passphrase, with spaces & punctuation: 7f3c9a!"
    assert key_from_text(phrase) == key_from_text(phrase) and len(key_from_text(phrase)) == 32
    assert key_from_text(phrase) != key_from_text(phrase + "x")
    # Stray characters are not dropped (as lenient base64 decoding does) to make a key.
    b64 = base64.b64encode(key).decode()
    assert base64.b64decode(b64[:20] + "!" + b64[20:]) == key
    assert key_from_text(b64[:20] + "!" + b64[20:]) != key
    with pytest.raises(ValueError, match="empty"):
        key_from_text("   ")
    with pytest.raises(ValueError, match="32 bytes"):
        SecretBox(b"short")
    assert "hidden" in repr(SecretBox(KEY)) and KEY.hex() not in repr(SecretBox(KEY))


def test_key_file_made_once_private_and_reusable_as_the_setting(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data, environment="development")
    caplog.set_level(logging.INFO, logger="service.alerts.webhook_key")
    sealed = webhook_box(settings).seal("whsec_abc", SECRET_AAD)
    path = data / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(base64.b64decode(path.read_text())) == 32
    assert str(path.resolve()) in caplog.text and "back it up" in caplog.text
    # A restart (a new box from the same settings) opens what the first one sealed.
    before = path.read_bytes()
    assert webhook_box(settings).open(sealed, SECRET_AAD) == "whsec_abc"
    assert path.read_bytes() == before
    # The file's text works as ENVMON_WEBHOOK_KEY, e.g. when moving to production.
    moved = Settings(data_dir=tmp_path / "other", webhook_key=path.read_text().strip())
    assert webhook_box(moved).open(sealed, SECRET_AAD) == "whsec_abc"
    assert not (tmp_path / "other" / KEY_FILE).exists()
    assert [p.name for p in data.iterdir()] == [KEY_FILE]  # no temporary file left behind


def test_a_key_file_made_meanwhile_by_another_process_is_kept(tmp_path: Path) -> None:
    # Web workers and the scheduler start together: the one that comes second must not replace
    # the first one's key (its secrets would no longer open).
    path = tmp_path / KEY_FILE
    path.write_text(base64.b64encode(KEY).decode())
    assert _create(path) is False
    assert key_file(path) == KEY
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILE]


def test_key_file_warnings_and_errors(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    loose = tmp_path / "loose.key"
    loose.write_text(base64.b64encode(KEY).decode())
    os.chmod(loose, 0o644)
    with caplog.at_level(logging.WARNING, logger="service.alerts.webhook_key"):
        assert key_file(loose) == KEY
    assert "readable by others" in caplog.text
    empty = tmp_path / "empty.key"
    empty.write_text("")
    with pytest.raises(RuntimeError, match="ENVMON_WEBHOOK_KEY"):
        key_file(empty)


def _production(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "environment": "production",
        "database_url": "postgresql+psycopg://envmon:Zq8-long-random-pw@db/envmon",
        "public_sites": "https://sthjj.zhoushan.gov.cn",
        "session_secret": "a-long-random-session-secret-1",
    }
    values.update(overrides)
    return values


def test_production_needs_a_strong_webhook_key_of_its_own() -> None:
    with pytest.raises(SettingsError, match="ENVMON_WEBHOOK_KEY is required in production"):
        load_settings(**_production())
    with pytest.raises(SettingsError, match="ENVMON_WEBHOOK_KEY is required in production"):
        load_settings(**_production(webhook_key="   "))  # compose passes unset as blank
    for weak in ("changeme", "short-key", "secret"):
        with pytest.raises(SettingsError, match="ENVMON_WEBHOOK_KEY is an insecure default"):
            load_settings(**_production(webhook_key=weak))
    with pytest.raises(SettingsError, match="ENVMON_WEBHOOK_KEY must differ from ENVMON_SESSION"):
        load_settings(**_production(webhook_key="a-long-random-session-secret-1"))
    good = secrets.token_urlsafe(32)
    settings = load_settings(**_production(webhook_key=good))
    assert settings.alerts.webhook_key is not None and good not in repr(settings)
    # The production box comes from the setting; no key file is made.
    sealed = SecretBox(key_from_text(good)).seal("whsec_x", SECRET_AAD)
    assert webhook_box(settings).open(sealed, SECRET_AAD) == "whsec_x"


def test_outside_production_the_key_is_optional() -> None:
    assert load_settings(environment="test", webhook_key="").alerts.webhook_key is None
    assert load_settings(environment="development").alerts.webhook_key is None
