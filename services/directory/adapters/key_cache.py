"""The directory verifies its own tokens from the keys in its database (no HTTP to itself).

``workers/signing_keys`` refreshes them, so a key another replica rotated is picked up."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg
import jwt

from services.directory.adapters import signing_keys


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
