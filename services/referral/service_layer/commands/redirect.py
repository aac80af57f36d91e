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
from services.referral.adapters import patient_status_links
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
from services.referral.domain.referral import Referral, TimelineEntry
from services.referral.service_layer.commands.access import record_change, visible_referral
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
    row = await visible_referral(conn, caller, cmd.referral_id, owner="site_id", lock=True)
    history = await repo.timeline(conn, cmd.referral_id)
    return await move_referral(
        conn,
        caller,
        row,
        history,
        cmd,
        now,
        listeners,
    )


def booked_too_late(
    r: Referral, history: tuple[TimelineEntry, ...], within_days: Mapping[str, int]
) -> bool:
    """Her first appointment is later than her urgency allows (domain/redirect.py)."""
    return appointment_too_late(
        r.status, r.urgency, r.submitted_at, r.appointment_at, history, within_days
    )


async def move_referral(
    conn: Connection,
    actor: Caller,
    row: asyncpg.Record,
    history: tuple[TimelineEntry, ...],
    cmd: RedirectReferral,
    now: datetime,
    listeners: Sequence[StatusListener] = (),
    *,
    automatic: bool = False,
) -> Referral:
    """The redirect itself, for the site's and the network's own (`automatic`) alike, on the
    referral `row` locked by the caller: the same rules, entries, event and notifications."""
    practice = cmd.practice
    current = repo.to_referral(row, history)
    ack_overdue = row["ack_overdue_at"] is not None
    late = booked_too_late(current, history, cmd.appointment_within_days)
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
        practice_phone=practice.intake_phone,
        practice_url=practice.intake_url,
        status=ReferralStatus.SUBMITTED,
        acknowledge_by=practice.acknowledge_by(now, current.urgency == "urgent"),
        appointment_at=None,
        appointment_modality=None,
        updated_at=now,
    )
    await repo.redirect(conn, updated, now)
    await patient_status_links.practice_moved(conn, updated.id, practice.time_zone)
    reason = f"from {current.practice_id}: {redirect_reason(current.status)}"
    if current.part2:
        reason += f"; Part 2 redisclosure consented for {practice.practice_id}"
    if automatic:
        reason += "; automatic"
    await record_change(conn, updated, "redirect", actor, now, reason)
    await worklist.referred_again(conn, cmd.referral_id)
    event = redirected(current, updated, now, automatic=automatic)
    await announce(conn, listeners, updated, event, now)
    return updated
