"""The audit trail: who read or wrote which patient record, for what purpose, when.

Written in the same transaction as the read or write it describes, so the trail cannot miss one.
A row names the caller as her token does: the person (`person:<uuid>`, her person role and the
client that acted for her) or the machine client. A list read writes one row per record returned,
in one statement, so "who read referral X" has an answer however X was read.

The table and its person's columns (`person_role`, `acting_client`) are the runtime's migrations
(warmlink/sql), so every service has them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import asyncpg

from warmlink.auth import Caller
from warmlink.db import Connection, Executor

Action = Literal["read", "write", "admin"]

APPEND = """
INSERT INTO audit_log (actor, organization_id, role, person_role, acting_client, action, purpose,
                       record_type, record_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"""
# One row per record id, in one statement: a list of a hundred costs one round trip.
APPEND_EACH = """
INSERT INTO audit_log (actor, organization_id, role, person_role, acting_client, action, purpose,
                       record_type, record_id)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, record_id FROM unnest($9::text[]) AS record_id"""

# A record's trail, newest first: who, in what role, did what, when. Ids and codes only.
TRAIL = """
SELECT id, occurred_at AS at, actor, organization_id, role, person_role, acting_client, action,
       record_type, record_id
FROM audit_log WHERE record_id = $1
ORDER BY id DESC
LIMIT $2"""


def who(caller: Caller) -> tuple[str, str, str, str | None, str | None]:
    """The audit row's columns naming the caller: actor, organization, role, person role and
    the client that acted for the person."""
    person_role = str(caller.person_role) if caller.person_role is not None else None
    return (
        caller.subject,
        caller.organization_id,
        str(caller.role),
        person_role,
        caller.acting_client,
    )


async def audit(
    conn: Executor,
    caller: Caller,
    action: Action,
    record_type: str,
    record_id: str,
    purpose: str = "treatment",
) -> None:
    await conn.execute(APPEND, *who(caller), action, purpose, record_type, record_id)


async def audit_admin(
    conn: Executor, caller: Caller, what: str, record_type: str, record_id: str
) -> None:
    """An administrative action (`what`: suspend, issue_client, invite...) on a record that is
    not a patient's (an organization, a client, a key, a person's account, a subscription):
    action `admin`, with `what` where a read or write keeps its purpose."""
    await conn.execute(APPEND, *who(caller), "admin", what, record_type, record_id)


async def audit_each(
    conn: Executor,
    caller: Caller,
    action: Action,
    record_type: str,
    record_ids: Iterable[str],
    purpose: str = "treatment",
) -> None:
    """One row per record of a list the caller read (none for an empty list)."""
    ids = list(dict.fromkeys(record_ids))  # a record listed twice was read once
    if ids:
        await conn.execute(APPEND_EACH, *who(caller), action, purpose, record_type, ids)


async def trail(conn: Connection, record_id: str, limit: int) -> list[asyncpg.Record]:
    """The newest `limit` rows about one record (readers: `warmlink.roles.reads_audit_trail`)."""
    return list(await conn.fetch(TRAIL, record_id, limit))
