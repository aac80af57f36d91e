"""The referral service's answers to the follow-up service's events.

Each runs inside the consumer's transaction with its inbox row, so an event is applied once.
Every entry it writes is keyed by the event id as well, and the worklist only reopens an item
that is not open, so a handler applied twice to the same event still changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

import asyncpg

from contracts import Envelope, FollowUpCompleted, FollowUpDue, GateAlertRaised, SlaBreached
from contracts.codes import SlaKind
from contracts.lifecycle import ReferralStatus
from services.referral.adapters import followup_repository as repo
from services.referral.domain.followup import (
    NETWORK,
    NO_ACTION,
    RETURNED_TO_WORKLIST,
    AckOverdue,
    FollowUpPayload,
    ack_overdue,
    note_for,
    re_engagement_detail,
)
from services.referral.domain.worklist import WorklistReason
from warmlink.db import Connection

log = logging.getLogger(__name__)
# Acted on, but the referral came without a screen, so there is no worklist item to reopen: the
# site still sees it on the timeline and may redirect it.
REDIRECT_ALLOWED = "redirect_allowed"


async def on_sla_breached(conn: Connection, envelope: Envelope, event: SlaBreached) -> None:
    """An overdue acknowledgement sends the referral back to its site for a redirect."""
    row = await _note(conn, envelope, event)
    if row is None or event.kind is not SlaKind.ACK_OVERDUE:
        return
    outcome = ack_overdue(
        ReferralStatus(row["status"]),
        row["practice_id"],
        event.practice_id,
        already_flagged=row["ack_overdue_at"] is not None,
    )
    log.info("ack overdue for referral %s: %s", event.referral_id, outcome.value)
    if outcome is not AckOverdue.RETURN:
        await _record(conn, row, envelope, NO_ACTION, outcome.value, event.detected_at)
        return
    await repo.flag_ack_overdue(conn, event.referral_id, event.detected_at)
    reason = WorklistReason.ACKNOWLEDGEMENT_OVERDUE
    returned = await repo.return_to_worklist(
        conn, event.referral_id, reason, None, event.detected_at
    )
    action = RETURNED_TO_WORKLIST if returned else REDIRECT_ALLOWED
    await _record(conn, row, envelope, action, reason, event.detected_at)


async def on_follow_up_completed(
    conn: Connection, envelope: Envelope, event: FollowUpCompleted
) -> None:
    """A re-engaged patient comes back on her site's list for a new referral."""
    row = await _note(conn, envelope, event)
    detail = re_engagement_detail(event)
    if row is None or detail is None:
        return
    reason = WorklistReason.RE_ENGAGEMENT
    if await repo.return_to_worklist(conn, event.referral_id, reason, detail, event.completed_at):
        await _record(conn, row, envelope, RETURNED_TO_WORKLIST, reason, event.completed_at)


async def on_follow_up_noted(
    conn: Connection, envelope: Envelope, event: FollowUpDue | GateAlertRaised
) -> None:
    """Shown on the site's timeline so it has the whole follow-up history in one place."""
    await _note(conn, envelope, event)


async def _note(
    conn: Connection, envelope: Envelope, event: FollowUpPayload
) -> asyncpg.Record | None:
    """Lock the referral and note the event on its timeline. None if there is nothing more to
    do: the referral is unknown here, or this event was applied before."""
    row = await repo.lock_referral(conn, event.referral_id)
    if row is None:
        log.warning("%s for unknown referral %s: ignored", envelope.type, event.referral_id)
        return None
    note = note_for(event, envelope.occurred_at)
    written = await _record(conn, row, envelope, note.action, note.kind, note.at)
    return row if written else None


async def _record(
    conn: Connection,
    row: asyncpg.Record,
    envelope: Envelope,
    action: str,
    reason: str,
    at: datetime,
) -> bool:
    return await repo.append_note(
        conn,
        row,
        event_id=envelope.event_id,
        action=action,
        reason=reason,
        at=at,
        actor=envelope.producer,
        organization_id=NETWORK,
    )
