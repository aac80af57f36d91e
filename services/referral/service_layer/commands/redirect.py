"""Move a referral on to another practice, and which practices it may move to.

The redirect runs inside one transaction: the referral, the timeline entry, the worklist, the
integration event (outbox) and the subscribers' notifications commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

import asyncpg

from contracts.lifecycle import ReferralStatus
from services.referral.adapters import referral_repository as repo
from services.referral.adapters import worklist_repository as worklist
from services.referral.adapters.directory_client import PracticeInfo
from services.referral.domain.lifecycle import Action, next_status, redirect_reason
from services.referral.domain.lifecycle_events import redirected
from services.referral.domain.redirect import (
    appointment_too_late,
    check_redisclosure,
    check_target,
    passed_over,
)
from services.referral.domain.referral import Referral
from services.referral.service_layer.commands.access import visible_referral
from services.referral.service_layer.commands.announce import StatusListener, announce
from warmlink.auth import Caller
from warmlink.db import Connection


@dataclass(frozen=True)
class RedirectReferral:
    """The site moves its referral to `practice`, under the network's first-appointment limits."""

    referral_id: UUID
    practice: PracticeInfo
    # Her consent to redisclose 42 CFR Part 2 data to `practice` (needed when the referral has it).
    part2_redisclosure: bool
    appointment_within_days: Mapping[str, int]


async def practices_passed_over(
    conn: Connection, caller: Caller, referral_id: UUID
) -> tuple[asyncpg.Record, frozenset[str]]:
    """The site's referral and the practices that declined or missed it (never offered again)."""
    row = await visible_referral(conn, caller, referral_id, owner="site_id")
    history = await repo.timeline(conn, referral_id)
    gone = passed_over(history, row["practice_id"], ack_overdue=row["ack_overdue_at"] is not None)
    return row, gone


async def redirect_referral(
    conn: Connection,
    caller: Caller,
    cmd: RedirectReferral,
    now: datetime,
    listeners: Sequence[StatusListener] = (),
) -> Referral:
    """Re-send a referral to another practice, keeping its history: after a decline, a missed
    acknowledgement, or a first appointment later than its urgency allows. Never to a practice
    that declined or missed it; a Part 2 referral only with consent naming the new practice."""
    practice = cmd.practice
    row = await visible_referral(conn, caller, cmd.referral_id, owner="site_id", lock=True)
    history = await repo.timeline(conn, cmd.referral_id)
    current = repo.to_referral(row, history)
    ack_overdue = row["ack_overdue_at"] is not None
    late = appointment_too_late(
        current.status,
        current.urgency,
        current.submitted_at,
        current.appointment_at,
        history,
        cmd.appointment_within_days,
    )
    next_status(current.status, Action.REDIRECT, ack_overdue=ack_overdue, appointment_too_late=late)
    check_target(
        practice.practice_id, passed_over(history, current.practice_id, ack_overdue=ack_overdue)
    )
    check_redisclosure(current.part2, cmd.part2_redisclosure)
    updated = replace(
        current,
        practice_id=practice.practice_id,
        service_id=practice.service_id,
        practice_name=practice.name,
        status=ReferralStatus.SUBMITTED,
        acknowledge_by=practice.acknowledge_by(now, current.urgency == "urgent"),
        appointment_at=None,
        appointment_modality=None,
        updated_at=now,
    )
    await repo.redirect(conn, updated, practice.intake_phone, practice.intake_url, now)
    reason = f"from {current.practice_id}: {redirect_reason(current.status)}"
    if current.part2:
        reason += f"; Part 2 redisclosure consented for {practice.practice_id}"
    await repo.append_timeline(conn, updated, "redirect", caller, now, reason)
    await worklist.referred_again(conn, cmd.referral_id)
    await announce(conn, listeners, updated, redirected(current, updated, now), now)
    return updated
