"""Outbound safety: https outside development, every resolved address checked, pinning."""

from __future__ import annotations

import pytest

from service.alerts.urls import OutboundPolicy, UnsafeURL, check_url, pinned_url

STRICT = OutboundPolicy()


def fake(*addresses: str):
    return lambda host, port: list(addresses)


def test_https_is_required_outside_development() -> None:
    with pytest.raises(UnsafeURL, match="https is required"):
        check_url("http://hooks.example.org/x", STRICT, fake("93.184.216.34"))
    dev = OutboundPolicy(require_https=False)
    assert check_url("http://hooks.example.org/x", dev, fake("93.184.216.34")).port == 80


@pytest.mark.parametrize(
    "addr",
    ["127.0.0.1", "10.1.2.3", "192.168.1.1", "172.16.0.1", "169.254.169.254", "::1", "fd00::1",
     "::ffff:127.0.0.1", "0.0.0.0", "100.64.0.1"],
)  # fmt: skip
def test_private_addresses_are_refused(addr: str) -> None:
    with pytest.raises(UnsafeURL, match="loopback or private"):
        check_url("https://hooks.example.org/x", STRICT, fake(addr))


def test_every_address_is_checked() -> None:
    with pytest.raises(UnsafeURL):
        check_url("https://hooks.example.org/x", STRICT, fake("93.184.216.34", "10.0.0.1"))


def test_literal_addresses_and_the_switch() -> None:
    with pytest.raises(UnsafeURL):
        check_url("https://127.0.0.1:8443/x", STRICT)
    allowed = OutboundPolicy(require_https=False, allow_private=True)
    target = check_url("http://127.0.0.1:8443/x?k=1", allowed)
    assert pinned_url(target) == ("http://127.0.0.1:8443/x?k=1", "127.0.0.1:8443")


def test_other_schemes_and_credentials_are_refused() -> None:
    for url in ("ftp://hooks.example.org/", "https://user:pw@hooks.example.org/", "https:///x"):
        with pytest.raises(UnsafeURL):
            check_url(url, STRICT, fake("93.184.216.34"))


def test_pinned_url_keeps_the_host_for_tls() -> None:
    target = check_url("https://oapi.dingtalk.com/robot/send?a=1", STRICT, fake("203.119.1.1"))
    assert pinned_url(target) == ("https://203.119.1.1/robot/send?a=1", "oapi.dingtalk.com")


def test_unresolvable_host() -> None:
    def boom(host: str, port: int) -> list[str]:
        raise OSError("nx")

    with pytest.raises(UnsafeURL, match="does not resolve"):
        check_url("https://nx.example.org/", STRICT, boom)


# --- IPv6 transition forms carrying an IPv4 address (issue 22 finding 12) ---------------------


@pytest.mark.parametrize(
    ("form", "addr"),
    [
        ("IPv4-compatible loopback", "::127.0.0.1"),
        ("IPv4-compatible private", "::10.0.0.1"),
        ("IPv4-compatible metadata", "::169.254.169.254"),
        ("IPv4-mapped loopback", "::ffff:127.0.0.1"),
        ("IPv4-mapped private", "::ffff:192.168.1.1"),
        ("NAT64 loopback", "64:ff9b::127.0.0.1"),
        ("NAT64 private", "64:ff9b::10.1.2.3"),
        ("NAT64 metadata", "64:ff9b::a9fe:a9fe"),
        ("local-use NAT64", "64:ff9b:1::7f00:1"),
        ("local-use NAT64, public inside", "64:ff9b:1:808:8:800::"),
        ("6to4 loopback", "2002:7f00:1::1"),
        ("6to4 private", "2002:a00:1::1"),
        ("6to4 private 192.168", "2002:c0a8:101::"),
        ("Teredo to a private client", "2001:0:4136:e378:8000:63bf:f5ff:fffe"),
        ("Teredo with a loopback server", "2001:0:7f00:1:8000:63bf:80ff:fffe"),
    ],
)
def test_ipv6_transition_forms_of_private_addresses_are_refused(form: str, addr: str) -> None:
    # As the resolved address of a name...
    with pytest.raises(UnsafeURL, match="loopback or private"):
        check_url("https://hooks.example.org/x", STRICT, fake(addr))
    # ...and as a literal in the URL.
    with pytest.raises(UnsafeURL, match="loopback or private"):
        check_url(f"https://[{addr}]:8443/x", STRICT)


@pytest.mark.parametrize(
    "addr",
    ["::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1", "2001:4860:4860::8888"],
)
def test_transition_forms_of_public_addresses_still_pass(addr: str) -> None:
    target = check_url("https://hooks.example.org/x", STRICT, fake(addr))
    assert target.addresses == (addr,)
