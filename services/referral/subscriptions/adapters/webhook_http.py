"""The webhook POST: one claimed notification, signed per Standard Webhooks, sent to its URL.

Redirects are not followed (a 3xx is a failed attempt, never a hop to another host). Unless
private destinations are allowed, the URL is checked before each attempt and every connection is
made to an address resolved and checked for it (`CheckedConnections`: no DNS rebinding between
the check and the connection).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from datetime import UTC, datetime

import httpcore
import httpx

from services.referral.subscriptions.adapters.destinations import CheckedConnections
from services.referral.subscriptions.domain.backoff import parse_retry_after
from services.referral.subscriptions.domain.config import WebhookConfig
from services.referral.subscriptions.domain.delivery import Attempt, Claim
from services.referral.subscriptions.domain.errors import DestinationRefused
from services.referral.subscriptions.domain.signing import active_secrets, signature_headers
from services.referral.subscriptions.domain.ssrf import check_url

USER_AGENT = "Warmlink-Webhooks/1.0"
ANSWER_BODY_LIMIT = 64 * 1024  # a declared answer body up to this is read, to reuse the connection
ANSWER_BODY_WAIT_S = 1.0
ANSWER_BODY_MARGIN_S = 0.05


class _CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a pool whose connections go through `CheckedConnections` (httpx
    has no argument for a pool's network backend; its transport keeps the pool in `_pool`)."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        limits = httpx.Limits()
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=CheckedConnections(),
        )


def client(config: WebhookConfig, ssl_context: ssl.SSLContext | None = None) -> httpx.AsyncClient:
    """One client for all deliveries of a process: its keep-alive connections carry them.
    `ssl_context`: the system's CAs unless given (tests pass their own CA's)."""
    context = ssl_context or ssl.create_default_context()
    return httpx.AsyncClient(
        timeout=config.timeout_s,
        follow_redirects=False,
        headers={"user-agent": USER_AGENT},
        transport=None if config.allow_private else _CheckedTransport(context),
        verify=context,
    )


class WebhookPoster:
    """Delivery attempts over one client; the worker makes one per process."""

    def __init__(self, client: httpx.AsyncClient, config: WebhookConfig) -> None:
        self._client = client
        self._config = config

    async def post(self, claim: Claim) -> Attempt:
        """Sign and POST the claim's payload; what the attempt gave (never raises for the
        subscriber's failures)."""
        body, content_type = claim.body()
        now = datetime.now(UTC)
        keys = active_secrets(
            claim.secret, claim.previous_secret, claim.previous_secret_expires_at, now
        )
        headers = signature_headers(str(claim.id), body, keys, now)
        headers["content-type"] = content_type
        started = time.monotonic()
        try:
            # httpx's timeout applies to each phase; this bounds the whole attempt.
            async with asyncio.timeout(self._config.timeout_s) as attempt_deadline:
                if not self._config.allow_private:
                    check_url(claim.url, allow_private=False)  # the address: at connection
                # Only the status matters; a short answer's body is read and dropped so the
                # connection carries the next delivery (see `_finish_short_answer`).
                async with self._client.stream(
                    "POST", claim.url, content=body.encode(), headers=headers
                ) as response:
                    status = response.status_code
                    retry_after = response.headers.get("retry-after")
                    await _finish_short_answer(response, attempt_deadline.when())
        except DestinationRefused:
            return Attempt(None, "destination refused", _ms(started))
        except TimeoutError:
            return Attempt(None, "Timeout", _ms(started))
        except httpx.HTTPError as exc:
            return Attempt(None, type(exc).__name__, _ms(started))
        wait = parse_retry_after(retry_after, now) if status in (429, 503) else None
        return Attempt(status, None, _ms(started), wait)


async def _finish_short_answer(response: httpx.Response, deadline: float | None) -> None:
    """Read and drop the answer's body when it is declared short, so httpx keeps the keep-alive
    connection: a connection left with an unread body is closed, and a new TCP connection per
    notification halved the delivery rate. A long, undeclared or slow body is abandoned (a
    hostile endpoint could send an endless one): the connection is closed and the status stands.
    The wait ends before the attempt's own deadline, so draining never turns an answer into a
    timeout."""
    length = response.headers.get("content-length", "")
    if not length.isdigit() or int(length) > ANSWER_BODY_LIMIT:
        return
    wait = ANSWER_BODY_WAIT_S
    if deadline is not None:
        wait = min(wait, deadline - asyncio.get_running_loop().time() - ANSWER_BODY_MARGIN_S)
    if wait <= 0:
        return
    with contextlib.suppress(TimeoutError, httpx.HTTPError):
        async with asyncio.timeout(wait):
            async for _ in response.aiter_raw():
                pass


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000.0, 3)
