"""Who sees a referral: its referring site and the practice that owns it now, nobody else."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import asyncpg

from services.referral.adapters import referral_repository as repo
from services.referral.domain.errors import ReferralNotFound
from warmlink.auth import Caller
from warmlink.db import Connection

Owner = Literal["site_id", "practice_id"]


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
