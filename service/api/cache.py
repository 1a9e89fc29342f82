"""Cache of the public figures' response bodies, keyed by the store's data version.

``GET /api/v1/districts`` recomputed every district's year-to-date summary (~100 ms) on each request,
and the station and GeoJSON routes rebuilt their bodies from the store each time. Here a body is
built once per *data version* and served as bytes until the version changes.

The data version has two parts, both checked on every request (a miss costs one rebuild, never a
stale answer):

* ``generation``: bumped by this process after any committed write (through the app's engine) to a
  table the public figures read: the scheduler's ingest and recompute, ``POST /staff/recompute``,
  target changes, zone imports. Exact and immediate, whatever the clock says (the store's
  ``service.store.data_version.watch_writes`` reports the writes).
* ``fingerprint``: one indexed aggregate query over the same tables (row counts, latest
  ``computed_at`` / ``updated_at``, highest ids, latest reading time), so that a write by another
  process (``envmon collect``/``recompute`` run beside ``envmon serve``) is seen at the next request.

A key also holds whatever else the body depends on (the route, its parameters, the request language,
the year-to-date day). Bodies are the bytes FastAPI itself would send, so responses do not change;
the ETag middleware still tags them by content (SHA-256 of the body), so an unchanged body keeps its
ETag across a recompute and conditional requests keep answering 304.

State lives on ``app.state.public_cache``, made lazily; ``ENABLED = False`` (benchmarks only) turns
the cache off in a process.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Engine

from service.store.data_version import fingerprint, watch_writes

M = TypeVar("M", bound=BaseModel)

#: Off only in the benchmark's comparison server (``tests/bench/bench_public_api.py``).
ENABLED = True
#: Bodies kept per app; past this the oldest half is dropped (keys include query parameters).
MAX_ENTRIES = 256


#: Bodies at least this long are kept gzipped too when the route asks (``compress``).
GZIP_MIN_BYTES = 1024
#: Level of the kept gzip body: built once per data version (69 ms for the 1.1 MB stations layer
#: of 200 stations, 13x smaller; level 9 takes twice that for 7 % less).
GZIP_LEVEL = 6


@dataclass
class _Entry:
    version: Hashable
    response: Response
    gzipped: Response | None = None


@dataclass
class PublicCache:
    """Per-app cache state: the write generation and the response bodies by key."""

    engine: Engine
    generation: int = 0
    entries: dict[Hashable, _Entry] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    key_locks: dict[Hashable, threading.Lock] = field(default_factory=dict)

    def bump(self) -> None:
        """Count one committed write to a watched table."""
        with self.lock:
            self.generation += 1

    def version(self) -> tuple[Any, ...]:
        """``(generation, fingerprint)``; the generation is read first so that a write committing
        meanwhile makes the next request miss rather than this one keep an old body."""
        generation = self.generation
        return (generation, fingerprint(self.engine))

    def _key_lock(self, key: Hashable) -> threading.Lock:
        with self.lock:
            lock = self.key_locks.get(key)
            if lock is None:
                lock = self.key_locks[key] = threading.Lock()
            return lock

    def get(
        self,
        key: Hashable,
        build: Callable[[], Response],
        *,
        static: bool = False,
        version: Hashable | None = None,
        compress: bool = False,
        gzip_ok: bool = False,
    ) -> Response:
        """The cached response for ``key`` at the current data version, built once per version.

        ``static``: the body does not depend on the store (built once per app); ``version``: the
        data version the caller has just read (``version()``), for two bodies of one request;
        ``compress``: keep a gzip copy of the body too (made once per version), sent when
        ``gzip_ok`` (the client accepts gzip).
        """
        if version is None:
            version = () if static else self.version()
        entry = self.entries.get(key)
        if entry is None or entry.version != version or (compress and entry.gzipped is None):
            entry = self._build(key, build, version, compress)
        if gzip_ok and entry.gzipped is not None:
            return _copy(entry.gzipped)
        return _copy(entry.response)

    def _build(
        self, key: Hashable, build: Callable[[], Response], version: Hashable, compress: bool
    ) -> _Entry:
        with self._key_lock(key):  # concurrent misses of one key build it once
            entry = self.entries.get(key)
            if entry is None or entry.version != version:
                entry = _Entry(version, build())
            if compress and entry.gzipped is None:
                entry.gzipped = _gzipped(entry.response)
            with self.lock:
                if key not in self.entries and len(self.entries) >= MAX_ENTRIES:
                    for old in list(self.entries)[: MAX_ENTRIES // 2]:
                        self.entries.pop(old, None)
                        self.key_locks.pop(old, None)
                self.entries[key] = entry
        return entry


def _gzipped(response: Response) -> Response:
    """``response`` with its body gzipped (``Content-Encoding: gzip``), or itself when the body is
    short or not a plain 200."""
    body = bytes(response.body)
    if response.status_code != 200 or len(body) < GZIP_MIN_BYTES:
        return response
    kept = [
        (k, v)
        for k, v in response.raw_headers
        if k.lower() not in {b"content-length", b"content-encoding", b"vary"}
    ]
    out = Response(content=gzip.compress(body, GZIP_LEVEL, mtime=0), status_code=200)
    out.raw_headers = [
        *kept,
        (b"content-length", str(len(out.body)).encode()),
        (b"content-encoding", b"gzip"),
        (b"vary", b"Accept-Encoding"),
    ]
    return out


def accepts_gzip(request: Request) -> bool:
    """Whether the request's ``Accept-Encoding`` takes gzip (named, or ``*``, with ``q`` above 0)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        name, *params = (p.strip().lower() for p in part.split(";"))
        if name not in {"gzip", "*"}:
            continue
        q = next((p[2:] for p in params if p.startswith("q=")), "1")
        try:
            return float(q) > 0
        except ValueError:
            return False
    return False


def _copy(response: Response) -> Response:
    """A fresh response with the cached body and headers (middlewares add to a response's headers)."""
    out = Response(content=response.body, status_code=response.status_code)
    out.raw_headers = list(response.raw_headers)
    return out


_INIT = threading.Lock()


def public_cache(request: Request) -> PublicCache:
    """This app's cache, made (and its engine watched) on first use."""
    state = request.app.state
    cache: PublicCache | None = getattr(state, "public_cache", None)
    engine: Engine = state.engine
    if cache is None or cache.engine is not engine:  # a new lifespan opens a new engine
        with _INIT:
            cache = getattr(state, "public_cache", None)
            if cache is None or cache.engine is not engine:
                cache = PublicCache(engine)
                watch_writes(engine, cache.bump)
                state.public_cache = cache
    return cache


def json_body(model: BaseModel) -> Response:
    """``model`` as FastAPI's default JSON response renders it (pydantic's JSON, by alias)."""
    content = TypeAdapter(type(model)).dump_json(model, by_alias=True)
    return Response(content=content, media_type="application/json")


def rendered(response_class: type[JSONResponse], model: BaseModel) -> Response:
    """``model`` as FastAPI renders it through a custom JSON response class."""
    return response_class(model.model_dump(mode="json", by_alias=True))


def cached_json(
    request: Request,
    key: Hashable,
    build: Callable[[], M],
    *,
    response_class: type[JSONResponse] | None = None,
    static: bool = False,
) -> M | Response:
    """The body of ``build()``'s model, cached by ``key`` and the data version.

    ``response_class``: the route's custom JSON response class (default: FastAPI's JSON). When the
    cache is off the model itself is returned, for FastAPI to render as before.
    """
    if not ENABLED:
        return build()

    def render() -> Response:
        model = build()
        return json_body(model) if response_class is None else rendered(response_class, model)

    return public_cache(request).get(key, render, static=static)


def cached_response(
    request: Request,
    key: Hashable,
    build: Callable[[], Response],
    *,
    version: Hashable | None = None,
    compress: bool = False,
) -> Response:
    """A public response that is not JSON (the CSV exports), cached by ``key`` and the data
    version like ``cached_json``: built once per version, then served as bytes. ``version``: one
    the caller has read already (``data_version``), so that a page of two bodies checks once.
    ``compress``: a long body is also kept gzipped and sent so to a client that accepts it."""
    if not ENABLED:
        return build()
    return public_cache(request).get(
        key, build, version=version, compress=compress, gzip_ok=compress and accepts_gzip(request)
    )


def data_version(request: Request) -> Hashable | None:
    """The store's data version now (``None`` when the cache is off)."""
    return public_cache(request).version() if ENABLED else None


__all__ = [
    "ENABLED",
    "cached_response",
    "MAX_ENTRIES",
    "PublicCache",
    "cached_json",
    "data_version",
    "fingerprint",
    "json_body",
    "public_cache",
    "rendered",
]
