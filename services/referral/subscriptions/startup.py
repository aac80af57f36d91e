"""Starting the background work: the delivery worker and the heartbeat loop.

Both run wherever deliveries are made: in every HTTP process (`in_process`), or in the delivery
processes (`separate`, services/referral/webhooks.py), where an HTTP process's worker only
listens for its SSE streams. Replicas share the work through the database (leases and SKIP
LOCKED), so nothing here needs electing.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from fastapi import FastAPI

from services.referral.subscriptions.notifications import record_heartbeats
from services.referral.subscriptions.sealing import seal_stored_secrets
from services.referral.subscriptions.settings import WebhookConfig
from services.referral.subscriptions.wakeup import Doorbell
from services.referral.subscriptions.worker import DeliveryWorker
from warmlink.db import DATABASE_ERRORS
from warmlink.pool import create_pool
from warmlink.service import Runtime, supervise
from warmlink.settings import ServiceSettings

log = logging.getLogger(__name__)

# How often idle subscriptions are looked for: one small indexed query, and heartbeats land at
# most this late.
HEARTBEAT_TICK_S = 1.0
# The delivery worker's own connections (its LISTEN connection, claims and outcomes): with the
# request pool, busy requests held every connection and deliveries to all subscribers stalled
# behind them. Claims and outcomes are short, so a few suffice for every in-flight run.
DELIVERY_POOL_MAX = 4


async def heartbeat_loop(pool: asyncpg.Pool, tick_s: float = HEARTBEAT_TICK_S) -> None:
    while True:
        try:
            async with pool.acquire() as conn, conn.transaction():
                await record_heartbeats(conn)
        except DATABASE_ERRORS as exc:
            log.warning("heartbeats not recorded", extra={"error": type(exc).__name__})
        await asyncio.sleep(tick_s)


async def delivery_pool_for(settings: ServiceSettings) -> asyncpg.Pool:
    return await create_pool(settings, max_size=DELIVERY_POOL_MAX)


async def start_subscriptions(app: FastAPI, runtime: Runtime) -> None:
    """on_startup hook (a warmlink.service.Hook)."""
    config = WebhookConfig.of(runtime.settings)
    # httpx logs each request's full URL at INFO; a subscriber's URL may carry its own token,
    # and our logs hold ids only (the worker logs subscription and event number instead).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    doorbell = Doorbell()
    # The routes read these: the SSE streams wait on the doorbell the worker rings on NOTIFY.
    app.state.subscription_doorbell = doorbell
    app.state.subscription_config = config
    async with runtime.pool.acquire() as conn:
        await seal_stored_secrets(conn, config.secrets_keyring())
    delivery_pool = await delivery_pool_for(runtime.settings)
    runtime.closers.append(delivery_pool.close)
    delivers = config.delivery != "separate"
    worker = DeliveryWorker(delivery_pool, config, doorbell, deliver=delivers)
    runtime.background.append(supervise("webhook-delivery", worker.run()))
    if delivers:
        runtime.background.append(supervise("webhook-heartbeat", heartbeat_loop(runtime.pool)))
