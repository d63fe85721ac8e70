"""The client's network address, for limits per address (sign-in lock-out,
sign-up throttle, guest sockets).

The address is the TCP peer's, unless the peer is one of ``TRUSTED_PROXIES``:
then it comes from that proxy's header (``TRUSTED_PROXY_HEADER``, by default
``X-Forwarded-For``) and from nothing else. The header is read from the right:
each trusted proxy appends the address it saw, so the right-most entry that
is not a trusted proxy is the client; whatever a client wrote into the header
itself stays to the left of it and is never used. With no trusted proxy the
header is ignored, so a forged ``X-Forwarded-For`` changes nothing.

An IPv6 client counts as its /64 network (written as the network's first
address): one subscriber usually has a whole /64 and could otherwise change
address at every attempt.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_address(request) -> str | None:
    """The address ``request`` is counted under (``None`` if it has none, as
    in a request made up by a test or a management command)."""
    header = "HTTP_" + settings.TRUSTED_PROXY_HEADER.upper().replace("-", "_")
    return resolve_client_address(request.META.get("REMOTE_ADDR"), request.META.get(header))


def scope_client_address(scope) -> str | None:
    """``client_address`` for an ASGI scope (a WebSocket): the same rule, from
    the scope's ``client`` and headers."""
    client = scope.get("client")
    header = settings.TRUSTED_PROXY_HEADER.lower().encode("latin1")
    values = [value.decode("latin1") for name, value in scope.get("headers") or () if name == header]
    return resolve_client_address(client[0] if client else None, ",".join(values) or None)


def resolve_client_address(peer: str | None, forwarded: str | None) -> str | None:
    """The client's address from the TCP peer's and the trusted header's value."""
    address = _parse(peer)
    if address is None:
        return None
    if forwarded and _trusted(address):
        for item in reversed(forwarded.split(",")):
            hop = _parse(item)
            if hop is None:
                break  # garbage: keep the last good hop, a trusted proxy
            address = hop
            if not _trusted(hop):
                break
    return _counted_as(address)


def _parse(value: str | None) -> IPAddress | None:
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:443
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress) -> bool:
    return any(address in network for network in _trusted_networks(tuple(settings.TRUSTED_PROXIES)))


@lru_cache(maxsize=8)
def _trusted_networks(proxies: tuple[str, ...]) -> list:
    return [ipaddress.ip_network(proxy, strict=False) for proxy in proxies]


def _counted_as(address: IPAddress) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False).network_address)
    return str(address)
