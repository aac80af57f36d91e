"""Starting the part's background work: the delivery worker and the heartbeat loop. The
service's bootstrap calls `start_subscriptions` at startup (a warmlink.service.Hook); the
separate delivery process (entrypoints/delivery_process.py) starts the same loops.

Both run wherever deliveries are made: in every HTTP process (`in_process`), or in the delivery
processes (`separate`, entrypoints/delivery_process.py), where an HTTP process's worker only
listens for its SSE streams. Replicas share the work through the database (leases and SKIP
LOCKED), so nothing here needs electing.
"""

from __future__ import annotations

import logging
from functools import partial

import asyncpg
from fastapi import FastAPI

from services.referral.subscriptions.adapters.sealing import seal_stored_secrets
from services.referral.subscriptions.adapters.wakeup import Doorbell
from services.referral.subscriptions.domain.config import WebhookConfig
from services.referral.subscriptions.workers.delivery import DeliveryWorker
from services.referral.subscriptions.workers.heartbeat import heartbeat_loop
from warmlink.pool import create_pool
from warmlink.service import Runtime, supervise
from warmlink.settings import ServiceSettings

# The delivery worker's own connections (its LISTEN connection, claims and outcomes): with the
# request pool, busy requests held every connection and deliveries to all subscribers stalled
# behind them. Claims and outcomes are short, so a few suffice for every in-flight run.
DELIVERY_POOL_MAX = 4


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
    async with runtime.background_pool.acquire() as conn:
        await seal_stored_secrets(conn, config.secrets_keyring())
    delivery_pool = await delivery_pool_for(runtime.settings)
    runtime.closers.append(delivery_pool.close)
    delivers = config.delivery != "separate"
    suspended = app.state.verifier.suspended_organizations  # the directory's JWKS list
    worker = DeliveryWorker(delivery_pool, config, doorbell, delivers, suspended)
    runtime.background.append(supervise("webhook-delivery", worker.run))
    if delivers:
        runtime.background.append(
            supervise("webhook-heartbeat", partial(heartbeat_loop, runtime.background_pool))
        )
