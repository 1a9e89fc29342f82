"""Webhook secrets at rest: AES-256-GCM, one random 96-bit nonce per value.

A sealed value is the text ``enc:v1:<base64url(nonce || ciphertext || tag)>``. The associated
data names the purpose and the column (``envmon:webhook:secret``, ``envmon:webhook:robot_secret``),
so a value copied into another column, or another use of the same key, does not open. A value
without the ``enc:v1:`` prefix is a legacy plaintext row; ``open`` hands it back unchanged (start-up
seals such rows, see ``service.store.alert_repo.seal_plaintext_secrets``).

The key (``key_from_text``): 32 bytes given as 64 hex digits or as base64/base64url, used as is;
any other text is a passphrase, turned into 32 bytes with HKDF-SHA256. HKDF adds no brute-force
cost, so a passphrase must itself be long and random.
"""

from __future__ import annotations

import base64
import binascii
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "enc:v1:"
#: Associated data of the two sealed columns of ``webhook_subscriptions``.
SECRET_AAD = b"envmon:webhook:secret"
ROBOT_SECRET_AAD = b"envmon:webhook:robot_secret"
#: Associated data of a subscription URL's sealed query (DingTalk ``access_token``, WeCom ``key``).
URL_QUERY_AAD = b"envmon:webhook:url_query"

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_HKDF_SALT = b"envmon webhook key v1"
_HKDF_INFO = b"envmon:webhook:aes-256-gcm"
_HEX = re.compile(r"[0-9a-fA-F]{64}")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]{42,44}={0,2}")
_URLSAFE = str.maketrans("-_", "+/")


class UndecryptableSecret(ValueError):
    """A sealed value does not open: wrong key, tampered text or the wrong column."""


def is_sealed(stored: str) -> bool:
    """Whether ``stored`` is a sealed value (else: legacy plaintext)."""
    return stored.startswith(PREFIX)


def key_from_text(text: str) -> bytes:
    """The 32-byte key that ``ENVMON_WEBHOOK_KEY`` (or the key file) ``text`` stands for."""
    text = text.strip()
    if not text:
        raise ValueError("the webhook key is empty")
    if _HEX.fullmatch(text):
        return bytes.fromhex(text)
    if _BASE64.fullmatch(text):
        # Strict decoding: the lenient default drops stray characters, which would turn some
        # passphrases into a key with less in it than they had.
        bare = text.rstrip("=").translate(_URLSAFE)
        raw = base64.b64decode(bare + "=" * (-len(bare) % 4), validate=True)
        if len(raw) == KEY_BYTES:
            return raw
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=_HKDF_SALT, info=_HKDF_INFO)
    return hkdf.derive(text.encode("utf-8"))


class SecretBox:
    """Seals and opens the webhook secrets with one 32-byte key (AES-256-GCM)."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"the webhook key must be {KEY_BYTES} bytes, not {len(key)}")
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"

    def seal(self, plaintext: str, aad: bytes) -> str:
        """``plaintext`` sealed for the column ``aad`` names (a fresh nonce every call)."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), aad)
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, stored: str, aad: bytes) -> str:
        """The plaintext of ``stored`` (legacy plaintext passes through); raises
        ``UndecryptableSecret`` when a sealed value does not open with this key and ``aad``."""
        if not is_sealed(stored):
            return stored
        try:
            raw = base64.urlsafe_b64decode(stored[len(PREFIX) :].encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
            raise UndecryptableSecret("sealed value is not valid base64url") from exc
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise UndecryptableSecret("sealed value is too short")
        try:
            plain = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
        except InvalidTag as exc:
            raise UndecryptableSecret(
                "sealed value does not open (wrong key, tampered, or another column's)"
            ) from exc
        return plain.decode("utf-8")


__all__ = [
    "PREFIX",
    "ROBOT_SECRET_AAD",
    "SECRET_AAD",
    "SecretBox",
    "UndecryptableSecret",
    "is_sealed",
    "key_from_text",
]
