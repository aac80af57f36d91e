"""Ends sessions that lapsed unused (idle past the limit, or older than the longest) and removes
ended and anonymous ones after a day, every `session_sweep_interval_s`. A session in use ends on
its next request anyway; this keeps the table to the sessions that still matter."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

import asyncpg

from services.portal.service_layer.commands.sessions import sweep_sessions
from services.portal.settings import PortalSettings
from warmlink.db import outlast_outages

log = logging.getLogger(__name__)


async def run(pool: asyncpg.Pool, settings: PortalSettings, clock: Callable[[], datetime]) -> None:
    policy = settings.session_policy()

    async def sweep_then_sleep() -> None:
        async with pool.acquire() as conn, conn.transaction():
            ended = await sweep_sessions(conn, policy, clock())
        if ended:
            log.info("lapsed sessions ended", extra={"count": ended})
        await asyncio.sleep(settings.session_sweep_interval_s)

    await outlast_outages("session sweep", sweep_then_sleep, settings.session_sweep_interval_s)
