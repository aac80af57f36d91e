"""Webhook delivery in a process of its own:
`python -m services.referral.subscriptions.entrypoints.delivery_process`.

Used with `REFERRAL_WEBHOOK_DELIVERY=separate`, where the HTTP processes only listen (to wake
their SSE streams). A subscriber's notifications go out one after another, each waiting for the
answer to the previous one; on an HTTP process every such step also waited behind the requests
on its event loop. Same settings (environment) as the referral service; replicas share the work
through the database (leases, SKIP LOCKED), like the in-process workers.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from functools import partial

import uvloop

from services.referral.settings import ReferralSettings
from services.referral.subscriptions.adapters.sealing import seal_stored_secrets
from services.referral.subscriptions.adapters.wakeup import Doorbell
from services.referral.subscriptions.domain.config import WebhookConfig
from services.referral.subscriptions.workers.delivery import DeliveryWorker
from services.referral.subscriptions.workers.heartbeat import heartbeat_loop
from services.referral.subscriptions.workers.startup import delivery_pool_for
from warmlink import logs, telemetry
from warmlink.service import supervise, verifier_for

log = logging.getLogger(__name__)


async def deliver_until_stopped(settings: ReferralSettings) -> None:
    logs.configure("referral-webhooks", settings.log_level, settings.log_format)
    telemetry.configure_service(settings, "referral-webhooks")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # full URLs may carry a token
    pool = await delivery_pool_for(settings)
    config = WebhookConfig.of(settings)
    async with pool.acquire() as conn:
        await seal_stored_secrets(conn, config.secrets_keyring())
    verifier = verifier_for(settings)  # for the directory's list of suspended organizations
    worker = DeliveryWorker(pool, config, Doorbell(), suspended=verifier.suspended_organizations)
    tasks = [
        supervise("webhook-delivery", worker.run),
        supervise("webhook-heartbeat", partial(heartbeat_loop, pool)),
    ]
    stopping = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stopping.set)
    log.info("webhook delivery started")
    stopped = asyncio.ensure_future(stopping.wait())
    await asyncio.wait([*tasks, stopped], return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    for task in tasks:
        task.cancel()  # in-flight leases run out and are retried, with the same webhook-ids
    await asyncio.gather(*tasks, return_exceptions=True)
    await verifier.close()
    await pool.close()
    telemetry.flush()


if __name__ == "__main__":
    uvloop.run(deliver_until_stopped(ReferralSettings()))
