"""DNS rebinding: a name that resolves to a public address when checked and to loopback when
connected to. The worker's connections resolve once, check, and connect to the address checked,
with the name kept for TLS (server name, certificate) and Host.

The name server is a stand-in (`socket.getaddrinfo` answers for one made-up name, in order);
the receiver is a real TLS server on 127.0.0.1 with a certificate for that name."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpcore
import pytest

from services.referral.subscriptions.adapters import webhook_http
from services.referral.subscriptions.adapters.destinations import CheckedConnections
from services.referral.subscriptions.domain.config import WebhookConfig
from services.referral.subscriptions.domain.delivery import Claim
from services.referral.subscriptions.domain.errors import DestinationRefused
from tests.support.tls import make_ca_and_server_cert
from tests.unit.referral_subscriptions.test_subscriptions_answers import claim as answers_claim

NAME = "rebind.warmlink.example"
PUBLIC, LOOPBACK = "93.184.215.14", "127.0.0.1"


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The addresses NAME resolves to, one per lookup, in order (the last one repeats)."""
    queue: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if (host.decode() if isinstance(host, bytes) else host) != NAME:  # anyio passes bytes
            return real(host, port, *args, **kwargs)
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield queue


class Recorded(httpcore.AsyncNetworkBackend):
    """Records where it was asked to connect, and connects nowhere."""

    def __init__(self) -> None:
        self.hosts: list[str] = []

    async def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        self.hosts.append(host)
        raise httpcore.ConnectError("recorded")


async def test_a_connection_goes_to_the_address_its_own_lookup_checked(
    answers: list[str],
) -> None:
    answers += [PUBLIC, LOOPBACK]
    inner = Recorded()
    with pytest.raises(httpcore.ConnectError):
        await CheckedConnections(inner).connect_tcp(NAME, 443)
    assert inner.hosts == [PUBLIC], "one lookup, and the address it checked"


async def test_a_name_resolving_inside_is_refused_at_connection(answers: list[str]) -> None:
    answers += [LOOPBACK]
    inner = Recorded()
    with pytest.raises(DestinationRefused):
        await CheckedConnections(inner).connect_tcp(NAME, 443)
    assert inner.hosts == []


class TlsReceiver:
    def __init__(self, context: ssl.SSLContext) -> None:
        self.context, self.requests, self.port = context, 0, 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One request's head, answered 204 (the body, if any, is not read)."""
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            await reader.readuntil(b"\r\n\r\n")
            self.requests += 1
            writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()
        writer.close()


@pytest.fixture
async def receiver(tmp_path: Path) -> AsyncIterator[tuple[TlsReceiver, ssl.SSLContext]]:
    ca, cert, key = make_ca_and_server_cert(tmp_path, extra_names=[NAME])
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    running = TlsReceiver(server_context)
    server = await asyncio.start_server(running.serve, LOOPBACK, 0, ssl=server_context)
    running.port = server.sockets[0].getsockname()[1]
    try:
        yield running, ssl.create_default_context(cafile=str(ca))
    finally:
        server.close()


def claim(port: int) -> Claim:
    return replace(answers_claim(port), url=f"https://{NAME}:{port}/hook")


async def test_a_delivery_never_reaches_loopback_through_a_rebinding_name(
    answers: list[str], receiver: tuple[TlsReceiver, ssl.SSLContext]
) -> None:
    """Before: the check resolved the name (public), the connection resolved it again
    (loopback) and the notification reached the loopback server."""
    running, trusted = receiver
    answers += [PUBLIC, LOOPBACK]
    config = WebhookConfig(allow_private=False, timeout_s=2.0)
    async with webhook_http.client(config, trusted) as client:
        attempt = await webhook_http.WebhookPoster(client, config).post(claim(running.port))
    assert running.requests == 0
    assert attempt.http_status is None


async def test_a_name_that_stays_put_is_delivered_with_its_name_for_tls(
    answers: list[str],
    receiver: tuple[TlsReceiver, ssl.SSLContext],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control: connecting to the checked address keeps the name as TLS server name (the
    certificate names it, not the address). Loopback is let through here only by treating it as
    public, which is all that differs from production."""
    running, trusted = receiver
    answers += [LOOPBACK]
    monkeypatch.setattr(
        "services.referral.subscriptions.adapters.destinations.forbidden_address",
        lambda address: False,
    )
    config = WebhookConfig(allow_private=False, timeout_s=5.0)
    async with webhook_http.client(config, trusted) as client:
        attempt = await webhook_http.WebhookPoster(client, config).post(claim(running.port))
    assert (attempt.http_status, attempt.error) == (204, None)
    assert running.requests == 1
