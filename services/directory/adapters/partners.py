"""SQL for a referring site's preferred practices (its referral partners)."""

from __future__ import annotations

from warmlink.db import Connection

PREFERRED_OF = """
SELECT practice_id FROM preferred_practices WHERE organization_id = $1 ORDER BY position"""
PRACTICES_AMONG = """
SELECT id FROM organizations WHERE kind = 'practice' AND id = ANY ($1::text[])"""
FORGET_PREFERRED = "DELETE FROM preferred_practices WHERE organization_id = $1"
KEEP_PREFERRED = """
INSERT INTO preferred_practices (organization_id, practice_id, position)
SELECT $1, practice_id, position
FROM unnest($2::text[]) WITH ORDINALITY AS chosen (practice_id, position)"""


async def preferred_of(conn: Connection, org_id: str) -> list[str]:
    return [row["practice_id"] for row in await conn.fetch(PREFERRED_OF, org_id)]


async def practices_among(conn: Connection, ids: list[str]) -> set[str]:
    """Which of `ids` are receiving practices of the network."""
    return {row["id"] for row in await conn.fetch(PRACTICES_AMONG, ids)}


async def replace_preferred(conn: Connection, org_id: str, practice_ids: list[str]) -> None:
    await conn.execute(FORGET_PREFERRED, org_id)
    await conn.execute(KEEP_PREFERRED, org_id, practice_ids)
