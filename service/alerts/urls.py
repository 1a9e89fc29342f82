"""Outbound safety for webhook URLs: scheme, host resolution and address checks.

Every address the host resolves to is checked (not just the first), and the request is then sent to
one of the checked addresses (the host name kept for ``Host`` and TLS SNI/certificate checks), so a
DNS answer that changes between check and connect cannot redirect the request to a private address.
Redirects are never followed by the delivery client.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Resolver = Callable[[str, int], Sequence[str]]


class UnsafeURL(ValueError):
    """A webhook URL that envmon refuses to send to; the message names the rule (and, for a private
    address, the setting that allows it).

    ``code`` names the rule for the API's translated message (``webhook.error.unsafe_url.<code>``),
    ``params`` its values (host, address).
    """

    def __init__(self, message: str, code: str = "scheme", **params: str) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    """What destinations are allowed.

    ``require_https``: plain http only in development. ``allow_private``: loopback, private,
    link-local and other non-global addresses (off by default; tests turn it on for 127.0.0.1).
    """

    require_https: bool = True
    allow_private: bool = False


@dataclass(frozen=True, slots=True)
class Target:
    """A checked destination: the URL, its host and port, and the addresses it may be sent to."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def system_resolver(host: str, port: int) -> list[str]:
    """All addresses ``host`` resolves to (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


#: NAT64 well-known prefix (RFC 6052): the IPv4 address is the last 32 bits.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
#: Local-use NAT64 prefix (RFC 8215): translated to the site's own IPv4 space, never global.
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
#: IPv4-compatible addresses (RFC 4291, deprecated): ``::a.b.c.d``.
_V4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 transition form carries: IPv4-mapped ``::ffff:a.b.c.d``,
    IPv4-compatible ``::a.b.c.d``, NAT64 ``64:ff9b::a.b.c.d``, 6to4 ``2002:AABB:CCDD::`` and
    Teredo ``2001:0::`` (server and de-obfuscated client). A host that relays or translates these
    (a NAT64 gateway, a 6to4 relay, a dual-stack kernel) reaches the IPv4 address."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip in _V4_COMPATIBLE or ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return found


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return False
        inner = embedded_ipv4(ip)
        if inner:
            # The outer address may look global (64:ff9b::/96, 2002::/16): judge what it carries.
            return all(v4.is_global and not v4.is_multicast for v4 in inner)
    return ip.is_global and not ip.is_multicast


def check_url(url: str, policy: OutboundPolicy, resolver: Resolver = system_resolver) -> Target:
    """Check ``url`` against ``policy``; return the destination or raise ``UnsafeURL``."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise UnsafeURL("url: scheme must be https (or http in development)", "scheme")
    if scheme == "http" and policy.require_https:
        raise UnsafeURL(
            "url: https is required outside development (ENVMON_ENVIRONMENT=development allows http)",
            "https",
        )
    if parts.username or parts.password:
        raise UnsafeURL("url: credentials in the URL are not allowed", "credentials")
    host = parts.hostname
    if not host:
        raise UnsafeURL("url: no host", "host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL("url: invalid port", "host") from exc
    try:
        literal = ipaddress.ip_address(host)
        addresses: Sequence[str] = [str(literal)]
    except ValueError:
        try:
            addresses = resolver(host, port)
        except OSError as exc:
            raise UnsafeURL(f"url: host {host!r} does not resolve", "resolve", host=host) from exc
    if not addresses:
        raise UnsafeURL(f"url: host {host!r} does not resolve", "resolve", host=host)
    if not policy.allow_private:
        for addr in addresses:
            if not _is_public(ipaddress.ip_address(addr.split("%", 1)[0])):
                raise UnsafeURL(
                    f"url: {host!r} resolves to a loopback or private address ({addr}); "
                    "refused unless ENVMON_WEBHOOK_ALLOW_PRIVATE=true",
                    "private",
                    host=host,
                    address=addr,
                )
    return Target(url=url, scheme=scheme, host=host, port=port, addresses=tuple(addresses))


def pinned_url(target: Target) -> tuple[str, str]:
    """The URL rewritten to the first checked address, and the ``Host`` header to send."""
    parts = urllib.parse.urlsplit(target.url)
    addr = target.addresses[0]
    ip_host = f"[{addr}]" if ":" in addr else addr
    default = 443 if target.scheme == "https" else 80
    netloc = ip_host if target.port == default else f"{ip_host}:{target.port}"
    host_header = target.host if target.port == default else f"{target.host}:{target.port}"
    if ":" in target.host and not target.host.startswith("["):
        host_header = f"[{target.host}]" + ("" if target.port == default else f":{target.port}")
    return urllib.parse.urlunsplit(
        (parts.scheme, netloc, parts.path or "/", parts.query, "")
    ), host_header
