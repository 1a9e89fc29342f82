"""The one place collectors turn HTTP answers into payloads or ``UpstreamError``s.

Rules: 2xx -> the body; 429 -> ``UpstreamError(retry_after=<Retry-After seconds or HTTP date>)``;
5xx and transport errors (timeouts, refused, truncated) -> ``UpstreamError``; other 4xx ->
``UpstreamError`` naming the status (a bad key or a moved endpoint is not retried into success, but the
service decides). Retrying is the service's job, never done here.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Mapping

import httpx

from stations.collectors.base import Payload, UpstreamError


def retry_after_seconds(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Parse a ``Retry-After`` header (delta-seconds or HTTP-date) into seconds; None if absent/bad."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if now is None:
        # No clock of our own: an HTTP-date needs a reference, which the server's Date header gives.
        return None
    return max(0.0, (when - now).total_seconds())


def get_payload(
    client: httpx.Client,
    source: str,
    url: str,
    *,
    params: Mapping[str, str | int] | None = None,
    headers: Mapping[str, str] | None = None,
    meta: Mapping[str, str] | None = None,
) -> tuple[Payload, httpx.Response]:
    """GET ``url`` and return the payload (raw bytes as received) and the response."""
    try:
        resp = client.get(url, params=params, headers=headers)
        body = resp.content  # reads the whole body; a truncated stream raises here
    except httpx.HTTPError as exc:
        raise UpstreamError(f"{source}: {type(exc).__name__} for {url}: {exc}") from exc
    if resp.status_code == 429:
        date_hdr = resp.headers.get("Date")
        ref = None
        if date_hdr:
            try:
                ref = email.utils.parsedate_to_datetime(date_hdr)
            except (TypeError, ValueError):
                ref = None
        raise UpstreamError(
            f"{source}: 429 Too Many Requests for {resp.request.url}",
            retry_after=retry_after_seconds(resp.headers.get("Retry-After"), now=ref),
            status=429,
        )
    if resp.status_code >= 500:
        raise UpstreamError(
            f"{source}: {resp.status_code} server error for {resp.request.url}",
            status=resp.status_code,
        )
    if resp.status_code >= 400:
        raise UpstreamError(
            f"{source}: {resp.status_code} for {resp.request.url}", status=resp.status_code
        )
    payload = Payload(
        source=source,
        url=str(resp.request.url),
        raw=body,
        content_type=resp.headers.get("content-type", ""),
        meta=dict(meta or {}),
    )
    return payload, resp
