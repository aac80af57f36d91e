"""How the delivery worker treats a subscriber's answer: short bodies are read so one keep-alive
connection carries many deliveries; long, undeclared or stalled bodies are abandoned without
turning a 2xx into a failed attempt. A real local HTTP server answers; nothing is mocked."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from services.referral.subscriptions.adapters import webhook_http
from services.referral.subscriptions.adapters.webhook_http import WebhookPoster
from services.referral.subscriptions.domain.config import WebhookConfig
from services.referral.subscriptions.domain.delivery import Claim
from tools.bench.loop_client import read_message  # a raw HTTP/1.1 message reader


class Endpoint:
    """Answers every request with `answer` (raw bytes after the status line's headers are
    chosen by the test) and counts TCP connections and requests."""

    def __init__(self, answer: bytes, then_stall: bool = False) -> None:
        self.answer, self.then_stall = answer, then_stall
        self.connections = self.requests = 0
        self.port = 0
        self._server: asyncio.AbstractServer | None = None

    async def __aenter__(self) -> Endpoint:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                await read_message(reader)
                self.requests += 1
                writer.write(self.answer)
                await writer.drain()
                if self.then_stall:
                    await asyncio.sleep(3600)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


def claim(port: int) -> Claim:
    return Claim(
        id=uuid.uuid4(),
        subscription_id=uuid.uuid4(),
        event_number=1,
        payload={"type": "referral.status_changed", "event_number": 1},
        attempt=1,
        window_started_at=datetime.now(UTC),
        url=f"http://127.0.0.1:{port}/hook",
        secret="whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        previous_secret=None,
        previous_secret_expires_at=None,
    )


@pytest.fixture
async def poster() -> AsyncIterator[WebhookPoster]:
    config = WebhookConfig(allow_private=True, timeout_s=3.0)
    async with httpx.AsyncClient(timeout=config.timeout_s, follow_redirects=False) as client:
        yield WebhookPoster(client, config)


async def test_short_answers_keep_one_connection_for_many_deliveries(
    poster: WebhookPoster,
) -> None:
    async with Endpoint(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n") as endpoint:
        attempts = [await poster.post(claim(endpoint.port)) for _ in range(5)]
    assert [a.http_status for a in attempts] == [204] * 5
    assert endpoint.requests == 5
    assert endpoint.connections == 1


async def test_a_long_body_is_not_read_and_the_status_stands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Draining and the attempt may take ten minutes here: an attempt that tried to read the
    # stalled ten megabytes would outlast the minute this test gives it, whatever the load.
    monkeypatch.setattr(webhook_http, "ANSWER_BODY_WAIT_S", 600.0)
    config = WebhookConfig(allow_private=True, timeout_s=600.0)
    answer = b"HTTP/1.1 200 OK\r\ncontent-length: 10000000\r\n\r\n" + b"x" * 1000
    async with (
        httpx.AsyncClient(timeout=config.timeout_s) as client,
        Endpoint(answer, then_stall=True) as endpoint,
        asyncio.timeout(60),
    ):
        attempt = await WebhookPoster(client, config).post(claim(endpoint.port))
    assert attempt.http_status == 200 and attempt.ok


async def test_a_stalled_short_body_is_abandoned_before_the_attempt_times_out(
    poster: WebhookPoster,
) -> None:
    answer = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc"  # 7 bytes never come
    async with Endpoint(answer, then_stall=True) as endpoint:
        first = await poster.post(claim(endpoint.port))
        second = await poster.post(claim(endpoint.port))
    assert first.http_status == 200 and second.http_status == 200
    assert endpoint.connections == 2  # the unfinished connection was not reused
