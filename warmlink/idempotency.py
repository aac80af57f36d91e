"""Idempotency-Key handling for POST endpoints.

The key row is inserted in the same transaction as the state change. A concurrent request with
the same key blocks on that insert until the first transaction commits, then reads its stored
response: many identical requests, one effect. The same key with a different body is refused.

`run_once` claims the key first and stores the response last; `run_once_in_one_statement` sends
the key row, response included, in the handler's one-statement batch (warmlink/write_batch.py),
and a duplicate key aborts that statement, effects and all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

from warmlink.db import Connection
from warmlink.problems import Conflict, InvalidInput
from warmlink.write_batch import WriteBatch

CLAIM_KEY = """
INSERT INTO idempotency_keys (organization_id, key, request_hash) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING key"""
SELECT_KEY = """
SELECT request_hash, status_code, response FROM idempotency_keys
WHERE organization_id = $1 AND key = $2"""
CLAIM_WITH_RESPONSE = """
INSERT INTO idempotency_keys (organization_id, key, request_hash, status_code, response)
VALUES ($1, $2, $3, $4, $5::jsonb)"""
KEY_TAKEN = "idempotency_keys_pkey"  # the constraint a second use of a key violates
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
    return await _first_response(conn, organization_id, key, fingerprint)


async def _first_response(
    conn: Connection, organization_id: str, key: str, fingerprint: str
) -> StoredResponse:
    """The stored response of the request that took `key`, if this one is the same request."""
    row = await conn.fetchrow(SELECT_KEY, organization_id, key)
    assert row is not None  # the conflicting row committed before our insert returned
    if row["request_hash"] != fingerprint:
        raise InvalidInput(
            "This Idempotency-Key was already used with a different request.",
            errors=[{"header": "Idempotency-Key", "detail": "reused with a different request"}],
        )
    if row["response"] is None:  # purged after its retention (warmlink/retention.py)
        raise Conflict(
            "This Idempotency-Key was used, and its response is no longer kept: the request was "
            "done once and is not done again. Read the result instead.",
            errors=[{"header": "Idempotency-Key", "detail": "response past its retention"}],
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
) -> tuple[int, Any, bool]:
    """Run `run` in one transaction, at most once per (organization, key).

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
        return status, body, False


async def run_once_in_one_statement(
    conn: Connection,
    *,
    organization_id: str,
    key: str | None,
    fingerprint: str,
    build: Callable[[WriteBatch], Awaitable[tuple[int, Any]]],
) -> tuple[int, Any, bool]:
    """`run_once` for a handler whose writes need no answer from the database: `build` queues
    them on a batch and returns (status, body); the key row with that response joins the batch,
    and all of it commits in one round trip (`conn` must not be in a transaction).

    A key already taken aborts the statement on the key's primary key (after waiting for a
    concurrent first request to commit or roll back); the first response is then read and
    returned, or 422 if the body differs. `build` runs for a repeated request too, without
    effect: it only computes and queues. Returns (status, body, replayed).
    """
    if conn.is_in_transaction():
        raise RuntimeError("the batch must be its own transaction: a duplicate key aborts it")
    if key is not None:
        check_key(key)
    batch = WriteBatch()
    status, body = await build(batch)
    if key is None:
        await batch.commit(conn)
        return status, body, False
    response = orjson.dumps(body).decode()
    await batch.execute(CLAIM_WITH_RESPONSE, organization_id, key, fingerprint, status, response)
    try:
        await batch.commit(conn)
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name != KEY_TAKEN:
            raise
        stored = await _first_response(conn, organization_id, key, fingerprint)
        return stored.status_code, stored.body, True
    return status, body, False
