"""Where a webhook may be sent: refuse destinations inside our own network (SSRF). Pure rules.

A subscriber names a URL and the service POSTs to it, so without this guard any organization
could make the service probe loopback, the cloud metadata address or private ranges. The host is
resolved and every address it resolves to must be public (adapters/destinations.py). Redirects
are never followed by the worker (a redirect could point inside). The worker's connections
resolve the host once, check the addresses, and connect to the address checked (the name stays
the TLS server name and the Host), so a name that answers a public address to the check and a
private one to the connection (DNS rebinding) cannot slip between the two.

`webhook_allow_private` (development and tests only; refused in production) allows http:// and
private destinations. Where it could be set, a refusal it would lift names its environment
variable, so a newcomer subscribing `http://127.0.0.1:...` under `make run` learns how.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from services.referral.subscriptions.domain.errors import DestinationRefused

MAX_URL_LENGTH = 2048
ALLOW_PRIVATE_VARIABLE = "REFERRAL_WEBHOOK_ALLOW_PRIVATE"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

NOT_HTTPS = "The URL must use https."
NOT_PUBLIC = (
    "The URL's host resolves to a loopback, private, link-local, multicast or reserved "
    "address; webhooks go to public addresses only."
)


def liftable(detail: str, *, name_setting: bool) -> str:
    """`detail`, and how to lift the refusal when the caller's environment allows it."""
    if not name_setting:
        return detail
    return (
        f"{detail} In development and tests, {ALLOW_PRIVATE_VARIABLE}=true allows http:// and "
        "private or loopback destinations (refused in production)."
    )


# IPv6 ranges that carry an IPv4 address in their last 32 bits: NAT64's well-known prefix
# (RFC 6052) and the deprecated IPv4-compatible ::a.b.c.d. A gateway on the path turns them into
# the IPv4 address, so they are judged as that address.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Teredo (2001::/32) and NAT64's local-use prefix (64:ff9b:1::/48, RFC 8215) tunnel to addresses
# we cannot judge from the outside: refused whatever they carry.
OPAQUE_TUNNELS = (ipaddress.IPv6Network("2001::/32"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for: mapped (::ffff:a.b.c.d), 6to4 (2002:ab:cd::),
    NAT64 (64:ff9b::a.b.c.d) or IPv4-compatible (::a.b.c.d); None for a plain IPv6 address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def forbidden_address(address: IPAddress) -> bool:
    """Loopback, private (RFC 1918, ULA), link-local, multicast, unspecified, reserved or any
    other non-global range (CGNAT, documentation, ...); an IPv6 address that carries an IPv4
    one is judged as that address too (::ffff:127.0.0.1, 2002:7f00:1::, 64:ff9b::7f00:1 and
    ::127.0.0.1 are all loopback), and opaque tunnels are refused."""
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in tunnel for tunnel in OPAQUE_TUNNELS):
            return True
        carried = embedded_ipv4(address)
        if carried is not None:
            return _forbidden(carried) or address in IPV4_COMPATIBLE
    return _forbidden(address)


def _forbidden(address: IPAddress) -> bool:
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or not address.is_global
    )


def check_url(url: str, *, allow_private: bool, name_setting: bool = False) -> tuple[str, int]:
    """Syntax and scheme; returns (host, port). https only unless private destinations are on.
    `name_setting`: an http:// refusal says which setting would allow it."""
    if len(url) > MAX_URL_LENGTH:
        raise DestinationRefused(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DestinationRefused("The URL is not valid.") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise DestinationRefused(
            liftable(NOT_HTTPS, name_setting=name_setting and parts.scheme == "http")
        )
    if not parts.hostname:
        raise DestinationRefused("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise DestinationRefused(
            "The URL may not carry credentials; the signature authenticates us."
        )
    if parts.fragment:
        raise DestinationRefused("The URL may not have a fragment.")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)
