"""Token buckets shared by every worker process of one ``envmon serve``: a memory-mapped table in
``<data_dir>/ratelimit.buckets`` under an ``fcntl`` lock.

The per-process buckets this replaces let each of N workers grant the full rate (N × the limit).
All workers of ``serve --workers`` run on one host and share the data directory, so they map the
same file; a take is one locked read-modify-write of a 24-byte slot (microseconds, no store round
trip, so the limiter costs public requests nothing measurable even while the store is busy). Keys
are hashed (BLAKE2b, 64 bits) into a fixed table of ``slots`` with a short linear probe; when the
probe is full, the least recently used slot is taken over (that client starts with a full bucket).
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import mmap
import os
import struct
import time
from collections.abc import Callable
from pathlib import Path

#: One slot: key hash (0 = empty), tokens, last update (``time.monotonic``, shared host-wide).
_SLOT = struct.Struct("<Qdd")
_PROBE = 8
FILE_NAME = "ratelimit.buckets"


class SharedTokenBuckets:
    """Token buckets per key: ``burst`` tokens, refilled at ``per_minute`` per minute, kept in a
    file mapped by every process that opens the same ``path``."""

    def __init__(
        self,
        path: Path,
        per_minute: int,
        burst: int,
        slots: int = 1 << 16,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.slots = slots
        self.now = now
        size = slots * _SLOT.size
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            if os.fstat(self._fd).st_size != size:
                os.ftruncate(self._fd, 0)  # another table size: start empty
                os.ftruncate(self._fd, size)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._map = mmap.mmap(self._fd, size)

    def close(self) -> None:
        """Unmap and close the file."""
        self._map.close()
        os.close(self._fd)

    def _hash(self, key: str) -> int:
        digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
        return int.from_bytes(digest, "little") | 1  # never 0, the empty mark

    def take(self, key: str) -> float:
        """Spend one token for ``key``: 0.0 when allowed, else the seconds until one is free."""
        code = self._hash(key)
        start = code % self.slots
        now = self.now()
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            chosen = -1
            oldest = math.inf
            tokens, stamp = self.burst, now
            for i in range(_PROBE):
                index = (start + i) % self.slots
                slot_code, slot_tokens, slot_stamp = _SLOT.unpack_from(
                    self._map, index * _SLOT.size
                )
                if slot_code == code:
                    chosen, tokens, stamp = index, slot_tokens, slot_stamp
                    break
                if slot_code == 0:
                    chosen, oldest = index, -math.inf  # an empty slot beats any stale one
                elif slot_stamp < oldest:
                    chosen, oldest = index, slot_stamp
            elapsed = max(0.0, now - stamp)  # a stamp from before a reboot is in the "future"
            tokens = min(self.burst, tokens + elapsed * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate if self.rate > 0 else 60.0
            _SLOT.pack_into(self._map, chosen * _SLOT.size, code, tokens, now)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        return wait


__all__ = ["FILE_NAME", "SharedTokenBuckets"]
