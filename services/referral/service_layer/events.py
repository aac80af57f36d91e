"""The referral service's answers to the events it consumes, and its two consumer groups.

Each runs inside the consumer's transaction with its inbox row, so an event is applied once.
Every entry a follow-up answer writes is keyed by the event id as well, and the worklist only
reopens an item that is not open, so a handler applied twice to the same event still changes
nothing.

An SLA breach or a gate risk is also an alert for the referring site's webhook subscribers
(subscriptions/domain/alerts.py), queued in the same transaction as its timeline note: it is
sent once the event is handled, and only once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from contracts import (
    Envelope,
    FollowUpCompleted,
    FollowUpDue,
    GateAlertRaised,
    PositiveScreenEscalated,
    ScreenPositive,
    SlaBreached,
)
from contracts.codes import RedirectReason, SlaKind
from services.referral.adapters import followup_repository as repo
from services.referral.adapters import screen_accounting, worklist_repository
from services.referral.domain.auto_redirect import MANUAL, AutoRedirects
from services.referral.domain.followup import (
    NETWORK,
    NO_ACTION,
    RETURNED_TO_WORKLIST,
    AckOverdue,
    FollowedReferral,
    FollowUpPayload,
    ack_overdue,
    note_for,
    re_engagement_detail,
)
from services.referral.domain.worklist import WorklistItem, WorklistReason
from services.referral.service_layer.commands.auto_redirect import note_trigger
from services.referral.settings import ReferralSettings
from services.referral.subscriptions.service_layer.events import on_alert_raised
from warmlink.consumer import Subscription
from warmlink.db import Connection

log = logging.getLogger(__name__)
# Acted on, but the referral came without a screen, so there is no worklist item to reopen: the
# site still sees it on the timeline and may redirect it.
REDIRECT_ALLOWED = "redirect_allowed"


def subscriptions(settings: ReferralSettings) -> list[Subscription]:
    return [
        Subscription("referral.worklist", {"ScreenPositive": on_screen_positive}),
        # Its own consumer group: the follow-up topic is read from the start, apart from the
        # screens.
        Subscription(
            "referral.followup",
            {
                "SlaBreached": SlaReactions(settings.auto_redirects()).on_sla_breached,
                "FollowUpCompleted": on_follow_up_completed,
                "FollowUpDue": on_follow_up_due,
                "GateAlertRaised": on_gate_alert_raised,
            },
            background=True,  # coordinators' tasks: 0.1 s later is no later
        ),
        Subscription(
            "referral.screens",
            {"PositiveScreenEscalated": on_positive_screen_escalated},
            background=True,
        ),
    ]


async def on_screen_positive(conn: Connection, envelope: Envelope, event: ScreenPositive) -> None:
    """A positive screen puts the patient on her site's worklist for a warm handoff."""
    await worklist_repository.add(conn, WorklistItem.from_screen(event))


async def on_positive_screen_escalated(
    conn: Connection, envelope: Envelope, event: PositiveScreenEscalated
) -> None:
    """A screen nobody referred or closed in time: the worklist and its timeline show whose task
    it became."""
    item = await screen_accounting.lock_item(conn, event.screening_id)
    if item is None:
        log.warning("escalation for unknown screen %s: ignored", event.screening_id)
        return
    await screen_accounting.escalate(conn, event.screening_id, event.level, event.escalated_at)
    await screen_accounting.append(
        conn,
        event.screening_id,
        event.escalated_at,
        "escalated",
        envelope.producer,
        NETWORK,
        event.level,
        envelope.event_id,
    )
    await on_alert_raised(conn, envelope, event, site_id=event.site_id)


class SlaReactions:
    """The answer to an SLA breach, under the network's redirect policy."""

    def __init__(self, redirects: AutoRedirects = MANUAL) -> None:
        self.redirects = redirects

    async def on_sla_breached(
        self, conn: Connection, envelope: Envelope, event: SlaBreached
    ) -> None:
        """An overdue acknowledgement sends the referral back to its site for a redirect (and,
        by policy, to the network's own redirect). Every breach is an alert for the site's
        subscribers, except an overdue acknowledgement that the referral has outrun (answered,
        redirected, ended) or that repeats one already alerted (already returned): that one is
        only noted."""
        referral = await _note(conn, envelope, event)
        if referral is None:
            return
        if event.kind is not SlaKind.ACK_OVERDUE:
            await on_alert_raised(conn, envelope, event, site_id=referral.site_id)
            return
        outcome = ack_overdue(
            referral.status,
            referral.practice_id,
            event.practice_id,
            already_flagged=referral.ack_overdue_at is not None,
        )
        log.info("ack overdue for referral %s: %s", event.referral_id, outcome.value)
        if outcome is not AckOverdue.RETURN:
            await _record(conn, referral, envelope, NO_ACTION, outcome.value, event.detected_at)
            return
        await on_alert_raised(conn, envelope, event, site_id=referral.site_id)
        await repo.flag_ack_overdue(conn, event.referral_id, event.detected_at)
        reason = WorklistReason.ACKNOWLEDGEMENT_OVERDUE
        returned = await repo.return_to_worklist(
            conn, event.referral_id, reason, None, event.detected_at
        )
        action = RETURNED_TO_WORKLIST if returned else REDIRECT_ALLOWED
        await _record(conn, referral, envelope, action, reason, event.detected_at)
        await note_trigger(
            conn,
            self.redirects,
            referral.id,
            referral.status,
            referral.practice_id,
            RedirectReason.ACK_OVERDUE,
            event.detected_at,
        )


async def on_follow_up_completed(
    conn: Connection, envelope: Envelope, event: FollowUpCompleted
) -> None:
    """A re-engaged patient comes back on her site's list for a new referral."""
    referral = await _note(conn, envelope, event)
    detail = re_engagement_detail(event)
    if referral is None or detail is None:
        return
    reason = WorklistReason.RE_ENGAGEMENT
    if await repo.return_to_worklist(conn, event.referral_id, reason, detail, event.completed_at):
        await _record(conn, referral, envelope, RETURNED_TO_WORKLIST, reason, event.completed_at)


async def on_follow_up_due(conn: Connection, envelope: Envelope, event: FollowUpDue) -> None:
    """Shown on the site's timeline so it has the whole follow-up history in one place."""
    await _note(conn, envelope, event)


async def on_gate_alert_raised(
    conn: Connection, envelope: Envelope, event: GateAlertRaised
) -> None:
    """Noted on the timeline, and an alert for the site's subscribers: act before she leaves."""
    referral = await _note(conn, envelope, event)
    if referral is not None:
        await on_alert_raised(conn, envelope, event, site_id=referral.site_id)


async def _note(
    conn: Connection, envelope: Envelope, event: FollowUpPayload
) -> FollowedReferral | None:
    """Lock the referral and note the event on its timeline. None if there is nothing more to
    do: the referral is unknown here, or this event was applied before."""
    referral = await repo.lock_referral(conn, event.referral_id)
    if referral is None:
        log.warning("%s for unknown referral %s: ignored", envelope.type, event.referral_id)
        return None
    note = note_for(event, envelope.occurred_at)
    written = await _record(conn, referral, envelope, note.action, note.kind, note.at)
    return referral if written else None


async def _record(
    conn: Connection,
    referral: FollowedReferral,
    envelope: Envelope,
    action: str,
    reason: str,
    at: datetime,
) -> bool:
    return await repo.append_note(
        conn,
        referral,
        event_id=envelope.event_id,
        action=action,
        reason=reason,
        at=at,
        actor=envelope.producer,
        organization_id=NETWORK,
    )
