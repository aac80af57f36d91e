"""Directory event handlers (inside the consumer's transaction)."""

from __future__ import annotations

from contracts import Envelope, ReferralSubmitted
from services.directory.adapters import repository
from warmlink.db import Connection


async def on_referral_submitted(
    conn: Connection, envelope: Envelope, event: ReferralSubmitted
) -> None:
    """Count the referral against the practice (capacity holds build on this)."""
    await repository.record_demand(
        conn,
        event.referral_id,
        event.practice_id,
        event.service_id,
        event.urgency,
        event.submitted_at,
    )
