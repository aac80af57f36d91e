"""Checking a webhook destination against the SSRF rules (domain/ssrf.py): its host is resolved
and every address it resolves to must be public, unless private destinations are allowed."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

from services.referral.subscriptions.domain.errors import DestinationRefused
from services.referral.subscriptions.domain.ssrf import (
    NOT_PUBLIC,
    IPAddress,
    check_url,
    forbidden_address,
    liftable,
)

RESOLVE_TIMEOUT_S = 5.0


async def resolve(host: str, port: int) -> list[IPAddress]:
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_S):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, TimeoutError):  # socket.gaierror is an OSError
        raise DestinationRefused("The URL's host name does not resolve.") from None
    # A scoped IPv6 address ("fe80::1%eth0") carries its zone after '%'.
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def check_destination(url: str, *, allow_private: bool, name_setting: bool = False) -> None:
    """Raise DestinationRefused unless `url` may receive webhooks. `name_setting`: a refusal
    that `webhook_allow_private` would lift names its environment variable."""
    host, port = check_url(url, allow_private=allow_private, name_setting=name_setting)
    if allow_private:
        return
    addresses = await resolve(host, port)
    if not addresses or any(forbidden_address(a) for a in addresses):
        raise DestinationRefused(liftable(NOT_PUBLIC, name_setting=name_setting))
