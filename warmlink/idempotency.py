"""Idempotency-Key handling for POST endpoints.

The key row is inserted in the same transaction as the state change. A concurrent request with
the same key blocks on that insert until the first transaction commits, then reads its stored
response: many identical requests, one effect. The same key with a different body is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from warmlink.db import Connection
from warmlink.problems import InvalidInput

CLAIM_KEY = """
INSERT INTO idempotency_keys (organization_id, key, request_hash) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING key"""
SELECT_KEY = """
SELECT request_hash, status_code, response FROM idempotency_keys
WHERE organization_id = $1 AND key = $2"""
STORE_RESPONSE = """
UPDATE idempotency_keys SET status_code = $3, response = $4::jsonb
WHERE organization_id = $1 AND key = $2"""

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).hexdigest()


def check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters.",
            errors=[{"header": "Idempotency-Key", "detail": "invalid key"}],
        )


async def claim(
    conn: Connection, organization_id: str, key: str, fingerprint: str
) -> StoredResponse | None:
    """Reserve `key` in the open transaction, or return the first request's response."""
    check_key(key)
    if await conn.fetchval(CLAIM_KEY, organization_id, key, fingerprint) is not None:
        return None
    row = await conn.fetchrow(SELECT_KEY, organization_id, key)
    assert row is not None  # the conflicting row committed before our insert returned
    if row["request_hash"] != fingerprint:
        raise InvalidInput(
            "This Idempotency-Key was already used with a different request.",
            errors=[{"header": "Idempotency-Key", "detail": "reused with a different request"}],
        )
    return StoredResponse(row["status_code"], orjson.loads(row["response"]))


async def remember(
    conn: Connection, organization_id: str, key: str, status_code: int, body: Any
) -> None:
    await conn.execute(
        STORE_RESPONSE, organization_id, key, status_code, orjson.dumps(body).decode()
    )


async def run_once(
    conn: Connection,
    *,
    organization_id: str,
    key: str | None,
    fingerprint: str,
    run: Callable[[], Awaitable[tuple[int, Any]]],
    then: Callable[[], Awaitable[None]] | None = None,
) -> tuple[int, Any, bool]:
    """Run `run` in one transaction, at most once per (organization, key).

    `then` runs after the response is stored, still in the transaction, just before the commit:
    for work that takes a contended row lock, so the lock is held for as little as possible.
    Returns (status, body, replayed). Without a key the request simply runs.
    """
    async with conn.transaction():
        if key is not None:
            stored = await claim(conn, organization_id, key, fingerprint)
            if stored is not None:
                return stored.status_code, stored.body, True
        status, body = await run()
        if key is not None:
            await remember(conn, organization_id, key, status, body)
        if then is not None:
            await then()
        return status, body, False
