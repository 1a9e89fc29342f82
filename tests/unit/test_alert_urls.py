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
