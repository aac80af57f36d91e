"""The emails of the people an access log names: the log says person:<uuid>, a reader knows the
person by her email. Only the portal's own table is read."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from warmlink.db import Connection

EMAILS = "SELECT id, email FROM people WHERE id = ANY($1::uuid[])"


async def emails_of(conn: Connection, person_ids: Iterable[UUID]) -> dict[str, str]:
    ids = list(person_ids)
    if not ids:
        return {}
    return {str(r["id"]): r["email"] for r in await conn.fetch(EMAILS, ids)}
