"""``accounts.network``: which address a request is counted under."""

import pytest

from accounts.network import resolve_client_address


@pytest.fixture(autouse=True)
def _proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "fd00::/8"]


@pytest.mark.parametrize(("peer", "forwarded", "expected"), [
    # No header, or a peer that is not a trusted proxy: the peer.
    ("203.0.113.7", None, "203.0.113.7"),
    ("203.0.113.7", "192.0.2.1", "203.0.113.7"),
    # From a trusted proxy: the right-most entry that is not a trusted proxy.
    ("10.0.0.5", "203.0.113.7", "203.0.113.7"),
    ("10.0.0.5", "192.0.2.1, 203.0.113.7", "203.0.113.7"),
    ("10.0.0.5", "192.0.2.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
    ("10.0.0.5", "10.0.0.8, 10.0.0.9", "10.0.0.8"),
    ("10.0.0.5", "203.0.113.7:51234", "203.0.113.7"),
    ("10.0.0.5", "[2001:db8::1]:443", "2001:db8::"),
    # Garbage from the client: the nearest good hop.
    ("10.0.0.5", "not-an-address", "10.0.0.5"),
    ("10.0.0.5", "203.0.113.7, unknown", "10.0.0.5"),
    ("fd00::1", "203.0.113.7", "203.0.113.7"),
    # IPv6 counts per /64; IPv4-mapped IPv6 as IPv4.
    ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", None, "2001:db8:1:2::"),
    ("::ffff:203.0.113.7", None, "203.0.113.7"),
    # No peer at all (a request made up in code).
    (None, None, None),
    ("", "203.0.113.7", None),
])
def test_the_client_address(peer, forwarded, expected):
    assert resolve_client_address(peer, forwarded) == expected


def test_without_trusted_proxies_the_header_is_never_read(settings):
    settings.TRUSTED_PROXIES = []
    assert resolve_client_address("10.0.0.5", "203.0.113.7") == "10.0.0.5"
