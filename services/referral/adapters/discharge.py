"""SQL for what a discharge gate needs from the referring site: the provider's confirmation of
the appointment and the planned discharge time."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from warmlink.db import Executor

CONFIRM = "UPDATE referrals SET provider_confirmed_at = $2, updated_at = $2 WHERE id = $1"
MOVE = "UPDATE referrals SET appointment_needed_by = $2, updated_at = $3 WHERE id = $1"


async def confirm_appointment(conn: Executor, referral_id: UUID, at: datetime) -> None:
    await conn.execute(CONFIRM, referral_id, at)


async def move_discharge(
    conn: Executor, referral_id: UUID, needed_by: datetime, at: datetime
) -> None:
    await conn.execute(MOVE, referral_id, needed_by, at)
