"""The directory verifies its own tokens from the keys in its database (no HTTP to itself)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

import asyncpg
import jwt

from services.directory.adapters import signing_keys
from warmlink.db import DATABASE_ERRORS

log = logging.getLogger(__name__)
REFRESH_S = 30.0


class PublishedKeys:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._keys: dict[str, Any] = {}

    def snapshot(self) -> dict[str, Any]:
        return self._keys

    async def refresh(self) -> None:
        async with self._pool.acquire() as conn:
            jwks = await signing_keys.published(conn, datetime.now(UTC))
        self._keys = {k["kid"]: jwt.PyJWK(k).key for k in jwks}

    async def keep_fresh(self) -> None:
        """Other replicas may rotate keys; pick that up within REFRESH_S."""
        while True:
            await asyncio.sleep(REFRESH_S)
            with contextlib.suppress(*DATABASE_ERRORS):
                await self.refresh()
