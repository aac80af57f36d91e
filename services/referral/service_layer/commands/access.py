"""Who sees a referral: its referring site and the practice that owns it now, nobody else. And
what a change by one of them leaves behind: the timeline entry and the audit row, together."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import asyncpg

from services.referral.adapters import referral_repository as repo
from services.referral.domain.errors import ReferralNotFound
from services.referral.domain.referral import Referral
from warmlink.audit import audit
from warmlink.auth import Caller
from warmlink.db import Connection, Executor

Owner = Literal["site_id", "practice_id"]
# The referral's own record (its state, patient reference, clinical minimums); its sealed parts
# have their own record types (referral_patient, referral_appointment, ...).
REFERRAL_RECORD = "referral"


async def visible_referral(
    conn: Connection,
    caller: Caller,
    referral_id: UUID,
    *,
    owner: Owner | None = None,
    lock: bool = False,
) -> asyncpg.Record:
    """The referral if the caller's organization is its site or practice (`owner` narrows it to
    one of them); otherwise ReferralNotFound, so another organization never learns that it
    exists."""
    row = await repo.get(conn, referral_id, caller.organization_id, lock=lock)
    if row is None or (owner is not None and row[owner] != caller.organization_id):
        raise ReferralNotFound(referral_id)
    return row


async def record_change(
    conn: Executor,
    r: Referral,
    action: str,
    caller: Caller,
    now: datetime,
    reason: str | None = None,
) -> None:
    """A change `caller` made to the referral: its timeline entry (what changed, why) and its
    audit row (a write of the referral's record by her), in the caller's transaction."""
    await repo.append_timeline(conn, r, action, caller, now, reason)
    await audit(conn, caller, "write", REFERRAL_RECORD, str(r.id))
