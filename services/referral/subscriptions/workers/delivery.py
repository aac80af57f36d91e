"""The delivery worker: POSTs signed notifications to subscribers, in order, until they answer.

It wakes on LISTEN/NOTIFY (and polls every second as a fallback, so a lost notification delays
but never loses a delivery), claims due heads (adapters/claims.py), and delivers each in its own
task (adapters/webhook_http.py) so a slow or failing subscriber holds up only itself. Every
attempt lands in the delivery log; a failure is retried with backoff (domain/backoff.py), 410
Gone disables the subscription.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg

from services.referral.subscriptions.adapters import claims, webhook_http
from services.referral.subscriptions.adapters.notifications import CHANNEL, NUMBERED
from services.referral.subscriptions.adapters.wakeup import Doorbell
from services.referral.subscriptions.adapters.webhook_http import WebhookPoster
from services.referral.subscriptions.domain.backoff import next_attempt_at
from services.referral.subscriptions.domain.config import WebhookConfig
from services.referral.subscriptions.domain.delivery import Attempt, Claim
from warmlink.db import DATABASE_ERRORS, listening, outlast_outages
from warmlink.waits import woken

log = logging.getLogger(__name__)

POLL_S = 1.0
MAX_IN_FLIGHT = 32
LEASE_MARGIN_S = 30.0  # a claim outlives the delivery timeout by this much
RUN_SIZE = 50  # notifications of one subscription delivered per commit when it is busy
_random = secrets.SystemRandom()


class DeliveryWorker:
    def __init__(
        self,
        pool: asyncpg.Pool,
        config: WebhookConfig,
        doorbell: Doorbell,
        deliver: bool = True,
        suspended: Callable[[], Awaitable[frozenset[str]]] | None = None,
    ) -> None:
        """`deliver=False`: only LISTEN and ring the doorbell (this process's SSE streams);
        another process delivers (`webhook_delivery = "separate"`). `suspended`: the
        organizations the directory has suspended (the JWKS document's list); their
        subscriptions' notifications wait, undelivered, until they are reinstated."""
        self._pool = pool
        self._suspended = suspended or _nobody
        self._deliver = deliver
        self._config = config
        self._doorbell = doorbell
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._delivering: set[str] = set()  # subscriptions with a run in flight in this process
        self._soonest: float | None = None  # monotonic time of the earliest retry we scheduled
        self._poster: WebhookPoster | None = None

    def _numbered(self, *_: Any) -> None:
        self._doorbell.ring()  # the SSE streams of this process: new numbers to stream

    def _notified(self, _conn: Any, _pid: int, _channel: str, payload: object) -> None:
        self._doorbell.ring()  # the SSE streams of this process
        # A heartbeat names its subscriptions (a status change sends an empty payload: its
        # notifications still need numbering, which the scan does). Those this process is
        # delivering need no global scan: their run claims what follows, or wakes the scan
        # when it ends.
        if isinstance(payload, str) and payload and set(payload.split(",")) <= self._delivering:
            return
        self._wake.set()

    async def run(self) -> None:
        async with webhook_http.client(self._config) as client:
            self._poster = WebhookPoster(client, self._config)
            try:
                await outlast_outages("webhook worker", self._listen_and_work, POLL_S)
            finally:
                for task in self._in_flight:
                    task.cancel()  # their leases run out and any replica retries them
                await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _listen_and_work(self) -> None:
        channels = {CHANNEL: self._notified, NUMBERED: self._numbered}
        async with listening(self._pool, channels) as listener:
            while not listener.is_closed():
                self._wake.clear()
                if self._deliver:
                    await self._claim_and_start()
                await woken(self._wake, self._wait_s())

    def _wait_s(self) -> float:
        if self._soonest is None:
            return POLL_S
        wait = self._soonest - time.monotonic()
        if wait <= 0:
            self._soonest = None
        return min(max(wait, 0.0), POLL_S)

    async def _claim_and_start(self) -> None:
        """Number what is queued (even with no room: replay and SSE show numbered notifications
        only), then claim what is due and start delivering it."""
        room = MAX_IN_FLIGHT - len(self._in_flight)
        lease_s = self._config.timeout_s + LEASE_MARGIN_S
        suspended = await self._suspended()
        async with self._pool.acquire() as conn:
            claimed = await claims.claim_due(
                conn, max(room, 0), lease_s, self._config.secrets_keyring(), suspended
            )
        for claim in claimed:
            task = asyncio.create_task(self._guarded(claim), name=f"webhook-{claim.id}")
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    async def _guarded(self, claim: Claim) -> None:
        run = [claim]
        subscription = str(claim.subscription_id)
        self._delivering.add(subscription)
        try:
            while run:  # a subscription's notifications, in order, a run per commit
                run = await self._deliver_run(run)
        except Exception:
            # A bug must not pass silently; the lease runs out and the delivery is tried again.
            log.exception("webhook delivery crashed", extra={"event_number": claim.event_number})
            self._wake.set()
        finally:
            # No await since the run's last claim (or the wake above): a NOTIFY handled after
            # this line wakes the scan again.
            self._delivering.discard(subscription)

    async def _deliver_run(self, run: list[Claim]) -> list[Claim]:
        """Deliver in order until one fails; record the run; return the next run to deliver."""
        results: list[tuple[Claim, Attempt]] = []
        for claim in run:
            assert self._poster is not None
            attempt = await self._poster.post(claim)
            results.append((claim, attempt))
            if not attempt.ok:
                break
        last, attempt = results[-1]
        now = datetime.now(UTC)
        retry_at = None
        if not attempt.ok:
            retry_at = next_attempt_at(
                attempt=last.attempt,
                now=now,
                window_started_at=last.window_started_at,
                initial_s=self._config.retry_initial_s,
                max_age_s=self._config.max_age_s,
                retry_after_s=attempt.retry_after_s,
                jitter=_random.random(),
            )
        # The next run's lease must outlast all of its attempts, each bounded by the timeout.
        lease_s = self._config.timeout_s * RUN_SIZE + LEASE_MARGIN_S
        suspended = await self._suspended()
        try:
            async with self._pool.acquire() as conn:
                following = await claims.record_run(
                    conn,
                    results,
                    retry_at,
                    run[len(results) :],
                    lease_s,
                    RUN_SIZE,
                    self._config.secrets_keyring(),
                    suspended,
                )
        except DATABASE_ERRORS as exc:
            # The leases run out and the notifications are tried again (same webhook-ids).
            log.warning("webhook outcomes not recorded", extra={"error": type(exc).__name__})
            return []
        for claim, result in results:
            log.info(
                "webhook attempt",
                extra={
                    "subscription_id": str(claim.subscription_id),
                    "event_number": claim.event_number,
                    "attempt": claim.attempt,
                    "http_status": result.http_status,
                    "error": result.error,
                },
            )
        if retry_at is not None:
            due = time.monotonic() + max((retry_at - now).total_seconds(), 0.0)
            self._soonest = due if self._soonest is None else min(self._soonest, due)
        if not following:
            self._wake.set()  # whatever is due next is for the global scan
        return following


async def _nobody() -> frozenset[str]:
    return frozenset()
