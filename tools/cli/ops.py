"""Operational commands that act on a service's database through its own settings."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import asyncpg

from warmlink.audit_chain import ChainCheck, verify_chain
from warmlink.held_back import LIST_LETTERS, request_resolution
from warmlink.outbox import mark_for_republish


async def _connect(service: str) -> asyncpg.Connection:
    settings = importlib.import_module(f"services.{service}.bootstrap").Settings()
    return await asyncpg.connect(settings.database_url)


async def republish_outbox(service: str, since: datetime, until: datetime | None) -> int:
    conn = await _connect(service)
    try:
        async with conn.transaction():
            return await mark_for_republish(conn, _utc(since), _utc(until) if until else None)
    finally:
        await conn.close()


async def verify_audit_chain(service: str, database_url: str | None) -> ChainCheck:
    conn = await (_connect(service) if database_url is None else asyncpg.connect(database_url))
    try:
        return await verify_chain(conn)
    finally:
        await conn.close()


async def dead_letters(service: str, everything: bool) -> list[asyncpg.Record]:
    """The service's open dead letters (all of them with `everything`), oldest first."""
    conn = await _connect(service)
    try:
        return list(await conn.fetch(LIST_LETTERS, everything))
    finally:
        await conn.close()


async def resolve_dead_letter(service: str, letter_id: int, resolution: str) -> str | None:
    """Ask the consumer to replay or discard the letter; its consumer, None if not open."""
    conn = await _connect(service)
    try:
        return await request_resolution(conn, letter_id, resolution)
    finally:
        await conn.close()


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
