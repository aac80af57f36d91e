"""Where a webhook may be sent: refuse destinations inside our own network (SSRF).

A subscriber names a URL and the service POSTs to it, so without this guard any organization
could make the service probe loopback, the cloud metadata address or private ranges. The host is
resolved and every address it resolves to must be public. Redirects are never followed by the
worker (a redirect could point inside), and the worker checks again before each delivery, which
narrows (without closing) the window for DNS rebinding.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048
RESOLVE_TIMEOUT_S = 5.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(ValueError):
    """The URL may not be used as a webhook destination; the message says why (no URL echoed)."""


def forbidden_address(address: IPAddress) -> bool:
    """Loopback, private (RFC 1918, ULA), link-local, multicast, unspecified, reserved or any
    other non-global range (CGNAT, documentation, ...)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or not address.is_global
    )


def check_url(url: str, *, allow_private: bool) -> tuple[str, int]:
    """Syntax and scheme; returns (host, port). https only unless private destinations are on."""
    if len(url) > MAX_URL_LENGTH:
        raise Refused(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("The URL is not valid.") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise Refused("The URL must use https.")
    if not parts.hostname:
        raise Refused("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise Refused("The URL may not carry credentials; the signature authenticates us.")
    if parts.fragment:
        raise Refused("The URL may not have a fragment.")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def resolve(host: str, port: int) -> list[IPAddress]:
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_S):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, TimeoutError):  # socket.gaierror is an OSError
        raise Refused("The URL's host name does not resolve.") from None
    # A scoped IPv6 address ("fe80::1%eth0") carries its zone after '%'.
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def check_destination(url: str, *, allow_private: bool) -> None:
    """Raise Refused unless `url` may receive webhooks."""
    host, port = check_url(url, allow_private=allow_private)
    if allow_private:
        return
    addresses = await resolve(host, port)
    if not addresses or any(forbidden_address(a) for a in addresses):
        raise Refused(
            "The URL's host resolves to a loopback, private, link-local, multicast or reserved "
            "address; webhooks go to public addresses only."
        )
