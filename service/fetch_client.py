"""The HTTP client the collectors fetch upstream feeds with: redirects that would carry a credential
to another origin are refused, and a response larger than ``ENVMON_FETCH_MAX_BYTES`` is cut off
while it streams (issue 22 finding 15).

httpx, following redirects itself, drops ``Authorization`` on a cross-origin hop but keeps every
other header, so OpenAQ's ``X-API-Key`` went wherever a redirect pointed. ``GuardedTransport``
follows redirects below the client instead: a hop to another origin (scheme, host or port) is
refused when the request carries a credential header (``Authorization``, ``X-API-Key``,
``Cookie``, ``Proxy-Authorization``, or one the collector marks), and followed without change
otherwise. The size cap counts the bytes as received (before content decoding) and refuses a
declared ``Content-Length`` above it at once.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx

#: Headers that identify the caller; never sent to an origin the collector did not name.
CREDENTIAL_HEADERS = frozenset({"authorization", "x-api-key", "cookie", "proxy-authorization"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5


class RefusedRedirect(httpx.TransportError):
    """A redirect envmon will not follow (credentials to another origin, or too many hops)."""


class ResponseTooLarge(httpx.TransportError):
    """An upstream answer larger than ``ENVMON_FETCH_MAX_BYTES``."""


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, url.port or default)


class _CappedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, limit: int, url: httpx.URL) -> None:
        self.inner = inner
        self.limit = limit
        self.url = url

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        for chunk in self.inner:
            seen += len(chunk)
            if seen > self.limit:
                raise ResponseTooLarge(
                    f"{self.url.host}: answer larger than {self.limit} bytes "
                    "(ENVMON_FETCH_MAX_BYTES); not read further"
                )
            yield chunk

    def close(self) -> None:
        self.inner.close()


class GuardedTransport(httpx.BaseTransport):
    """Follows redirects itself (the client must not) and caps response bodies at ``max_bytes``."""

    def __init__(self, inner: httpx.BaseTransport, max_bytes: int) -> None:
        self.inner = inner
        self.max_bytes = max_bytes

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for _ in range(MAX_REDIRECTS + 1):
            response = self.inner.handle_request(request)
            location = response.headers.get("location")
            if response.status_code not in REDIRECTS or not location:
                return self._capped(response, request)
            response.close()
            target = request.url.join(location)
            carried = sorted(h for h in request.headers if h.lower() in CREDENTIAL_HEADERS)
            if _origin(target) != _origin(request.url) and carried:
                raise RefusedRedirect(
                    f"redirect from {request.url.scheme}://{request.url.netloc.decode()} to "
                    f"another origin ({target.scheme}://{target.netloc.decode()}) refused: the "
                    f"request carries {', '.join(carried)}",
                    request=request,
                )
            method = request.method
            if response.status_code == 303 or (
                response.status_code in (301, 302) and method == "POST"
            ):
                method = "GET"
            headers = httpx.Headers(request.headers)
            headers["host"] = target.netloc.decode("ascii")
            request = httpx.Request(method, target, headers=headers)
        raise RefusedRedirect(f"more than {MAX_REDIRECTS} redirects", request=request)

    def _capped(self, response: httpx.Response, request: httpx.Request) -> httpx.Response:
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            response.close()
            raise ResponseTooLarge(
                f"{request.url.host}: answer declares {declared} bytes, more than "
                f"{self.max_bytes} (ENVMON_FETCH_MAX_BYTES)",
                request=request,
            )
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_CappedStream(response.stream, self.max_bytes, request.url),
            extensions=response.extensions,
            request=request,
        )

    def close(self) -> None:
        self.inner.close()


def fetch_client(timeout_s: float, max_bytes: int) -> httpx.Client:
    """The collectors' client: ``timeout_s`` per request, redirects guarded, bodies capped."""
    return httpx.Client(
        timeout=timeout_s,
        follow_redirects=False,  # GuardedTransport follows them, checking each hop
        headers={"User-Agent": "envmon"},
        transport=GuardedTransport(httpx.HTTPTransport(), max_bytes),
    )


__all__ = [
    "CREDENTIAL_HEADERS",
    "GuardedTransport",
    "RefusedRedirect",
    "ResponseTooLarge",
    "fetch_client",
]
