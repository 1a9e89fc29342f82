"""Signatures: Standard Webhooks headers and DingTalk's signed robot URL.

Standard Webhooks (https://www.standardwebhooks.com/): ``webhook-id`` (stable across retries),
``webhook-timestamp`` (integer Unix seconds of this attempt) and ``webhook-signature`` =
``v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>``, where the key is the base64 part of the
subscription's ``whsec_...`` secret. The published ``standardwebhooks`` libraries verify it.

DingTalk robot with 加签: append ``timestamp`` (milliseconds) and ``sign`` =
urlencode(base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}"))) to the robot URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import urllib.parse
import uuid

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh per-subscription secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    raw = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    key = base64.b64decode(raw + "==")
    if not key:
        raise ValueError("webhook secret may not be empty")
    return key


def new_message_id() -> str:
    """A ``webhook-id``: unique per message, the same on every retry of it."""
    return f"msg_{uuid.uuid4().hex}"


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for one attempt."""
    to_sign = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), to_sign, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def webhook_headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign`` parameter (already URL-encoded) for ``timestamp_ms``."""
    msg = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), msg, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with ``&timestamp=...&sign=...`` appended (DingTalk 加签)."""
    sep = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{sep}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def redact_url(url: str) -> str:
    """A URL safe for logs and the API: the query (robot tokens, keys) and any password hidden."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    query = "…" if parts.query else ""
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))
