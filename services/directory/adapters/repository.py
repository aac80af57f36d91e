"""SQL for organizations."""

from __future__ import annotations

import asyncpg

from warmlink.db import Connection

UPSERT_ORGANIZATION = """
INSERT INTO organizations (id, name, kind, practice_type, description, website, phone)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
    practice_type = excluded.practice_type, description = excluded.description,
    website = excluded.website, phone = excluded.phone, updated_at = now()
RETURNING *"""
LIST_ORGANIZATIONS = "SELECT * FROM organizations ORDER BY kind, id"
GET_ORGANIZATION = "SELECT * FROM organizations WHERE id = $1"
SET_STATUS = "UPDATE organizations SET status = $2, updated_at = now() WHERE id = $1 RETURNING *"
SUSPENDED_IDS = "SELECT id FROM organizations WHERE status = 'suspended' ORDER BY id"


async def upsert_organization(
    conn: Connection,
    org_id: str,
    name: str,
    kind: str,
    practice_type: str | None = None,
    description: str = "",
    website: str | None = None,
    phone: str | None = None,
) -> asyncpg.Record:
    row = await conn.fetchrow(
        UPSERT_ORGANIZATION, org_id, name, kind, practice_type, description, website, phone
    )
    assert row is not None
    return row


async def list_organizations(conn: Connection) -> list[asyncpg.Record]:
    return list(await conn.fetch(LIST_ORGANIZATIONS))


async def get_organization(conn: Connection, org_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(GET_ORGANIZATION, org_id)


async def set_status(conn: Connection, org_id: str, status: str) -> asyncpg.Record | None:
    return await conn.fetchrow(SET_STATUS, org_id, status)


async def suspended_ids(conn: Connection) -> list[str]:
    return [row["id"] for row in await conn.fetch(SUSPENDED_IDS)]
