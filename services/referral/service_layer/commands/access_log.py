"""Who read or changed a referral: its audit rows and timeline, for those who may ask."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from services.referral.adapters import access_log as store
from services.referral.domain.access_log import Cursor
from services.referral.domain.errors import ReferralNotFound
from warmlink.auth import Caller
from warmlink.db import Connection
from warmlink.roles import reads_audit_trail


@dataclass(frozen=True)
class AccessPage:
    screening_id: UUID | None
    entries: list[asyncpg.Record]
    next: Cursor | None  # None: this is the last page


async def read_access_log(
    conn: Connection, caller: Caller, referral_id: UUID, after: Cursor | None, limit: int
) -> AccessPage:
    """One page of the referral's access log, newest first. Anyone but its site's coordinator
    and the network's administrators gets ReferralNotFound, as for a referral not theirs."""
    row = await store.subject(conn, referral_id)
    allowed = row is not None and reads_audit_trail(
        caller.role, caller.person_role, caller.organization_id, row["site_id"]
    )
    if row is None or not allowed:
        raise ReferralNotFound(referral_id)
    screening_id: UUID | None = row["screening_id"]
    record_ids = [str(referral_id)] + ([str(screening_id)] if screening_id else [])
    entries = await store.page(conn, record_ids, referral_id, after, limit + 1)
    more = len(entries) > limit
    last = entries[limit - 1] if more else None
    cursor = Cursor(last["at"], last["source"], last["id"]) if last is not None else None
    return AccessPage(screening_id, entries[:limit], cursor)
