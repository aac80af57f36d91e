"""Operational commands that act on a service's database through its own settings."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import asyncpg

from warmlink.audit_chain import ChainCheck, verify_chain
from warmlink.outbox import mark_for_republish


async def republish_outbox(service: str, since: datetime, until: datetime | None) -> int:
    settings = importlib.import_module(f"services.{service}.bootstrap").Settings()
    conn = await asyncpg.connect(settings.database_url)
    try:
        async with conn.transaction():
            return await mark_for_republish(conn, _utc(since), _utc(until) if until else None)
    finally:
        await conn.close()


async def verify_audit_chain(service: str, database_url: str | None) -> ChainCheck:
    if database_url is None:
        database_url = (
            importlib.import_module(f"services.{service}.bootstrap").Settings().database_url
        )
    conn = await asyncpg.connect(database_url)
    try:
        return await verify_chain(conn)
    finally:
        await conn.close()


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
