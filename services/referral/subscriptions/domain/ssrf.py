"""Where a webhook may be sent: refuse destinations inside our own network (SSRF). Pure rules.

A subscriber names a URL and the service POSTs to it, so without this guard any organization
could make the service probe loopback, the cloud metadata address or private ranges. The host is
resolved and every address it resolves to must be public (adapters/destinations.py). Redirects
are never followed by the worker (a redirect could point inside), and the worker checks again
before each delivery, which narrows (without closing) the window for DNS rebinding.

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
