"""Where a request comes from, behind the TLS proxies this installation trusts."""

import ipaddress

from django.conf import settings


def _trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(value, strict=False) for value in settings.TRUSTED_PROXIES]


def _parse_address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the IPv4 client.
    return getattr(address, "ipv4_mapped", None) or address


def client_address(request) -> str | None:
    """The address of the client that sent the request.

    REMOTE_ADDR is the peer of this server. Only when that peer is one of the configured trusted
    proxies (settings.TRUSTED_PROXIES) is X-Forwarded-For read, from the right: each trusted proxy
    appends the address it saw, so the first address from the right that is not a trusted proxy is
    the client. Anything further left was written by the client and is not believed.
    """
    if request is None:
        return None
    peer = _parse_address(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    proxies = _trusted_proxies()
    if not any(peer in network for network in proxies):
        return str(peer)
    client = peer
    for value in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _parse_address(value)
        if address is None:
            break
        client = address
        if not any(address in network for network in proxies):
            break
    return str(client)
