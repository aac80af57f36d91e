"""SQL for organizations and referral demand."""

from __future__ import annotations

import asyncpg

from warmlink.db import Connection

UPSERT_ORGANIZATION = """
INSERT INTO organizations (id, name, kind) VALUES ($1, $2, $3)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, updated_at = now()
RETURNING id, name, kind, status"""
LIST_ORGANIZATIONS = "SELECT id, name, kind, status FROM organizations ORDER BY kind, id"
RECORD_DEMAND = """
INSERT INTO referral_demand (referral_id, practice_id, service_id, urgency, submitted_at)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (referral_id) DO NOTHING"""


async def upsert_organization(
    conn: Connection, org_id: str, name: str, kind: str
) -> asyncpg.Record:
    row = await conn.fetchrow(UPSERT_ORGANIZATION, org_id, name, kind)
    assert row is not None
    return row


async def list_organizations(conn: Connection) -> list[asyncpg.Record]:
    return list(await conn.fetch(LIST_ORGANIZATIONS))


async def record_demand(
    conn: Connection,
    referral_id: object,
    practice_id: str,
    service_id: str,
    urgency: str,
    submitted_at: object,
) -> None:
    await conn.execute(RECORD_DEMAND, referral_id, practice_id, service_id, urgency, submitted_at)
