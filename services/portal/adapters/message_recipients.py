"""The people of one organization who may be told a referral message is waiting: active ones
(never a disabled person), by role or by id. Only the portal's own table is read."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from services.portal.domain.thread import Recipient
from warmlink.db import Connection
from warmlink.roles import PersonRole

RECIPIENTS = """
SELECT id, email, role FROM people
WHERE organization_id = $1 AND disabled_at IS NULL
  AND (role = ANY($2::text[]) OR id = ANY($3::uuid[]))
ORDER BY lower(email)"""


async def candidates(
    conn: Connection, organization_id: str, roles: Iterable[PersonRole], ids: Iterable[UUID]
) -> list[Recipient]:
    rows = await conn.fetch(RECIPIENTS, organization_id, [str(r) for r in roles], list(ids))
    return [Recipient(r["id"], r["email"], PersonRole(r["role"])) for r in rows]
