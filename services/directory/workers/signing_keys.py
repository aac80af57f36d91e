"""Picks up signing keys another replica rotated, within REFRESH_S."""

from __future__ import annotations

import asyncio

from services.directory.adapters.key_cache import PublishedKeys
from warmlink.db import outlast_outages

REFRESH_S = 30.0


async def run(keys: PublishedKeys) -> None:
    async def sleep_then_refresh() -> None:
        await asyncio.sleep(REFRESH_S)
        await keys.refresh()

    await outlast_outages("signing-key refresh", sleep_then_refresh, 0.0)
