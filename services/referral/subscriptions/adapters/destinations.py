"""Checking a webhook destination against the SSRF rules (domain/ssrf.py): its host is resolved
and every address it resolves to must be public, unless private destinations are allowed.

`CheckedConnections` is the network layer of the worker's HTTP client: each new connection
resolves its host once, checks what it got, and connects to an address it checked. The URL's
host name stays what TLS sends as the server name and checks the certificate against, and the
Host header. Checking with one resolution and connecting with another let a name answer a public
address to the check and a private one to the connection (DNS rebinding)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable

import httpcore

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
    _allowed(await resolve(host, port), name_setting=name_setting)


def _allowed(addresses: list[IPAddress], *, name_setting: bool = False) -> IPAddress:
    """The address to connect to, if every one the name resolved to is public."""
    if not addresses or any(forbidden_address(a) for a in addresses):
        raise DestinationRefused(liftable(NOT_PUBLIC, name_setting=name_setting))
    return addresses[0]


class CheckedConnections(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses it has just resolved and checked
    (module doc). A refusal is a DestinationRefused out of the request."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = _allowed(await resolve(host, port))
        return await self._inner.connect_tcp(
            str(address),
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise DestinationRefused("Webhooks go to network addresses only.")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
