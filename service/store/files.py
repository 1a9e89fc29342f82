"""Private files of the store: the data directory (0700) and the SQLite file (0600).

The data directory holds the SQLite store, the payload archive, the webhook key file and the
rate-limit table; nobody but the service's user needs to read them. Modes are set on what envmon
creates; a directory or file the operator made first keeps the mode they gave it.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def make_data_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) with mode 0700 when it does not exist; returns it."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, DIR_MODE)  # mkdir's mode is cut by the umask; this is not
    return path


def make_private_file(path: Path) -> Path:
    """Create the empty file ``path`` with mode 0600 when it does not exist (before SQLite opens
    it: SQLite gives its -wal and -shm files the database file's mode); returns it."""
    make_data_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return path
    os.close(fd)
    return path


__all__ = ["DIR_MODE", "FILE_MODE", "make_data_dir", "make_private_file"]
