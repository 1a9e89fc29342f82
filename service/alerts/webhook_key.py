"""Where the key sealing the webhook secrets comes from (``service.alerts.sealing``).

``ENVMON_WEBHOOK_KEY`` when set (production requires it; the settings refuse production without
it). Elsewhere, unset: the key file ``<data_dir>/webhook.key``, made on first use with mode 0600
(32 random bytes, base64, so it can be moved into ``ENVMON_WEBHOOK_KEY`` as it is). Then
``make run`` needs no configuration, and a copy of the database alone does not reveal the secrets.
Lose the key and the sealed secrets are lost with it: every subscription must be made again.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
import threading
from pathlib import Path

from service.alerts.sealing import KEY_BYTES, SecretBox, key_from_text
from service.settings import Settings

log = logging.getLogger(__name__)

KEY_FILE = "webhook.key"

#: Key files already announced in the log by this process (announce once, not at every look-up).
_ANNOUNCED: set[Path] = set()
_LOCK = threading.Lock()


def webhook_box(settings: Settings) -> SecretBox:
    """The ``SecretBox`` of this deployment's webhook key (see the module docstring)."""
    if settings.alerts.webhook_key is not None:
        return SecretBox(key_from_text(settings.alerts.webhook_key.get_secret_value()))
    if settings.environment == "production":  # the settings refuse this already
        raise RuntimeError("ENVMON_WEBHOOK_KEY is required in production")
    return SecretBox(key_file(settings.store.data_dir / KEY_FILE))


def key_file(path: Path) -> bytes:
    """The key in ``path``, which is made (mode 0600, 32 random bytes) when it does not exist."""
    with _LOCK:
        created = not path.exists() and _create(path)
        try:
            key = key_from_text(path.read_text("ascii"))
        except (OSError, ValueError) as exc:
            raise RuntimeError(
                f"the webhook key file {path} cannot be read ({exc}); restore it from backup, or "
                "set ENVMON_WEBHOOK_KEY"
            ) from exc
        where = path.resolve()
        if where not in _ANNOUNCED:
            _ANNOUNCED.add(where)
            if created:
                log.warning(
                    "ENVMON_WEBHOOK_KEY is unset: made the key file %s, which encrypts the webhook "
                    "secrets in the store; back it up apart from the database",
                    where,
                )
            else:
                log.info("webhook secrets are encrypted with the key file %s", where)
            if os.name == "posix" and where.stat().st_mode & 0o077:
                log.warning("the webhook key file %s is readable by others; chmod 600 it", where)
    return key


def _create(path: Path) -> bool:
    """Write a fresh key to ``path`` unless another process got there first; True if we did.

    The key is written in full to a private temporary file and then hard-linked into place, which
    fails when the name exists: web workers and the scheduler process, starting together, never
    see a half-written key nor end up with two.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    text = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii") + "\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


__all__ = ["KEY_FILE", "key_file", "webhook_box"]
