"""Which network addresses ID-porten's own outbound requests to a client (back-channel logout) may
reach: with DEBUG off only public (globally routable) ones, so that a registered URI cannot aim the
server at loopback, the private network, link-local (cloud metadata) or other internal services."""

import ipaddress
import socket

from django.conf import settings


def private_addresses_allowed() -> bool:
    """On a developer's machine (DEBUG), or where the operator allows it
    (IDPORTEN_BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES), any address may be reached."""
    return bool(settings.DEBUG or getattr(settings, "IDPORTEN_BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES", False))


def is_public(address: str) -> bool:
    """A globally routable unicast address (an IPv4-mapped IPv6 address is judged as the IPv4 one)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def resolve(host: str, port: int) -> list[tuple]:
    """getaddrinfo's answers for a TCP connection to host:port; OSError when the name does not resolve."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def refused(host: str, port: int = 443) -> list[str]:
    """The addresses host resolves to that may not be reached (none when private ones are allowed).
    OSError when the name does not resolve."""
    if private_addresses_allowed():
        return []
    return sorted({info[4][0] for info in resolve(host, port) if not is_public(info[4][0])})
