"""Staff API keys: create (shown once), list, revoke, authenticate. Roles viewer < operator < admin.

Keys are ``envmon_<key_id>_<secret>`` with 256 bits of randomness; the store keeps only the SHA-256 of
the whole key (a fast hash is enough for random keys of this length), compared in constant time.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from service.clock import Clock, SystemClock
from service.store.api_keys import insert_key, key_row, key_rows, mark_key_used, revoke_key_row

KEY_PREFIX = "envmon"
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


class Role(enum.IntEnum):
    """Staff roles, ordered: a higher role may do everything a lower one may."""

    viewer = 1
    operator = 2
    admin = 3

    @classmethod
    def parse(cls, name: str) -> Role:
        """The role called ``name``; ``ValueError`` naming the valid ones otherwise."""
        try:
            return cls[name.strip().lower()]
        except KeyError:
            raise ValueError(f"unknown role {name!r}; one of viewer, operator, admin") from None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key's id, name and role."""

    key_id: str
    name: str
    role: Role

    def allows(self, needed: Role) -> bool:
        """Whether this principal's role is at least ``needed``."""
        return self.role >= needed


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """A stored key as listed (never its secret)."""

    key_id: str
    name: str
    role: Role
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


#: Compared against when a key id is unknown or revoked (no key hashes to it).
_UNKNOWN_HASH = "0" * 64


def _stale(last_used: dt.datetime | None, now: dt.datetime) -> bool:
    """Record use at most every few minutes, so that reads do not each write."""
    return last_used is None or now - last_used > LAST_USED_RESOLUTION


def _split(key: str) -> str | None:
    """The key id of a well-formed key, else ``None``."""
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


def create_key(
    engine: Engine, role: Role, name: str = "", clock: Clock | None = None
) -> tuple[KeyInfo, str]:
    """Store a new key for ``role``; returns its info and the plain key, which is never shown again."""
    now = (clock or SystemClock()).now()
    key_id = secrets.token_hex(6)
    plain = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    insert_key(engine, key_id, _hash(plain), role.name, name, now)
    return KeyInfo(key_id, name, role, now, None, None), plain


def list_keys(engine: Engine, include_revoked: bool = True) -> list[KeyInfo]:
    """Every stored key, oldest first."""
    return [
        KeyInfo(
            r["key_id"],
            r["name"],
            Role[r["role"]],
            r["created_at"],
            r["last_used_at"],
            r["revoked_at"],
        )
        for r in key_rows(engine, include_revoked)
    ]


def revoke_key(engine: Engine, key_id: str, clock: Clock | None = None) -> bool:
    """Revoke the key ``key_id``; ``False`` if no active key has that id."""
    now = (clock or SystemClock()).now()
    return revoke_key_row(engine, key_id, now)


def _principal(engine: Engine, row: Any, clock: Clock | None) -> Principal:
    """The principal of an active key's ``row``; records its use when the record is stale."""
    if clock is not None and _stale(row["last_used_at"], clock.now()):
        mark_key_used(engine, row["id"], clock.now())
    return Principal(row["key_id"], row["name"], Role[row["role"]])


def authenticate(engine: Engine, key: str, clock: Clock | None = None) -> Principal | None:
    """The principal for ``key``, or ``None`` for a malformed, unknown or revoked key."""
    key_id = _split(key)
    if key_id is None:
        return None
    row = key_row(engine, key_id)
    active = row is not None and row["revoked_at"] is None
    # Hash and compare for unknown ids too, so that the work done does not tell which ids exist.
    stored = row["secret_hash"] if active else _UNKNOWN_HASH
    if not hmac.compare_digest(stored, _hash(key)) or not active:
        return None
    return _principal(engine, row, clock)


def principal_for_key_id(
    engine: Engine, key_id: str, clock: Clock | None = None
) -> Principal | None:
    """The principal of the active key ``key_id`` (a signed browser session names only the id);
    ``None`` when no key has that id or it is revoked. Records use like ``authenticate``."""
    row = key_row(engine, key_id)
    if row is None or row["revoked_at"] is not None:
        return None
    return _principal(engine, row, clock)


__all__ = [
    "KeyInfo",
    "Principal",
    "Role",
    "authenticate",
    "create_key",
    "list_keys",
    "principal_for_key_id",
    "revoke_key",
]
