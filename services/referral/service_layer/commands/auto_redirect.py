"""The redirect the network makes by itself: its triggers, the proposal the site may decline,
and one due redirect worked in one transaction (workers/auto_redirect.py finds them due).

A trigger is recorded in the transaction of what caused it (the decline, the too-late booking,
the missed acknowledgement). The redirect itself is the site's own code path
(`redirect.move_referral`): the same rules, timeline entry, worklist change, event (with
`automatic`) and notifications. When it cannot move (no practice left; Part 2 without consent
naming the next one) it is held: `RedirectHeld`, an `alert.redirect_held` for the site's
subscribers, and the patient back on the site's worklist with the hold as her reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from contracts import RedirectHeld
from contracts.codes import RedirectHold, RedirectReason
from services.referral.adapters import auto_redirects as store
from services.referral.adapters import referral_repository as repo
from services.referral.adapters.directory_client import PracticeInfo
from services.referral.domain.auto_redirect import AutoRedirects, next_step, still_due
from services.referral.domain.errors import NoRedirectProposal
from services.referral.domain.followup import NETWORK
from services.referral.domain.redirect import passed_over
from services.referral.domain.referral import TimelineEntry
from services.referral.service_layer.commands.access import record_change, visible_referral
from services.referral.service_layer.commands.announce import PRODUCER, StatusListener
from services.referral.service_layer.commands.redirect import (
    RedirectReferral,
    booked_too_late,
    move_referral,
)
from services.referral.subscriptions.service_layer.events import on_alert_raised
from warmlink.auth import Caller, Role
from warmlink.db import Connection, Executor
from warmlink.outbox import publish_later

# Who the timeline names for a redirect the network made by itself.
AUTO_REDIRECT = Caller("auto-redirect", NETWORK, Role.ADMIN)
_ACTOR = (AUTO_REDIRECT.subject, AUTO_REDIRECT.organization_id)


async def note_trigger(
    conn: Executor,
    redirects: AutoRedirects,
    referral_id: UUID,
    status: str,
    practice_id: str,
    reason: RedirectReason,
    now: datetime,
) -> None:
    """Record that the referral is due to move (nothing under the `manual` policy). Under
    `propose` the site is told on the timeline when it moves unless the site acts first."""
    if not redirects.on:
        return
    due = redirects.due_at(now)
    await store.record(conn, referral_id, reason, due, now if redirects.proposes else None, now)
    if redirects.proposes:
        told = f"{reason}: moves to the next match at {due.isoformat()} unless the site acts"
        await store.note(
            conn, referral_id, status, practice_id, "redirect_proposed", told, _ACTOR, now
        )


async def decline_proposal(
    conn: Connection, caller: Caller, referral_id: UUID, now: datetime
) -> None:
    """The site keeps the referral where it is: the proposed redirect is not made. The site may
    still redirect it itself."""
    row = await visible_referral(conn, caller, referral_id, owner="site_id", lock=True)
    if not await store.keep(conn, referral_id, now):
        raise NoRedirectProposal()
    r = repo.to_referral(row)
    await record_change(conn, r, "redirect_proposal_declined", caller, now)


def match_query(row: asyncpg.Record) -> dict[str, Any] | None:
    """The directory query the site matched with, for the referral's care and urgency; None
    when it was submitted without criteria."""
    criteria = orjson.loads(row["match_criteria"] or "null") or {}
    if not criteria:
        return None
    return criteria | {
        "level_of_care": row["level_of_care"],
        "urgency": row["urgency"],
        "limit": 10,
    }


def excluded(row: asyncpg.Record, history: Sequence[TimelineEntry]) -> frozenset[str]:
    """The practices the referral may not move to: those that declined or missed it, and the
    one that holds it now."""
    ack_overdue = row["ack_overdue_at"] is not None
    return passed_over(history, row["practice_id"], ack_overdue=ack_overdue) | {row["practice_id"]}


@dataclass(frozen=True)
class DueRedirect:
    """A due trigger and what the directory lookup needs, read before the lookup (no lock)."""

    trigger: store.Trigger
    query: dict[str, Any] | None
    excluded: frozenset[str]


async def due_redirects(conn: Connection, now: datetime, limit: int = 20) -> list[DueRedirect]:
    found = []
    for trigger in await store.due(conn, now, limit):
        row = await store.referral(conn, trigger.referral_id, lock=False)
        history = await repo.timeline(conn, trigger.referral_id)
        found.append(DueRedirect(trigger, match_query(row), excluded(row, history)))
    return found


async def redirect_due(
    conn: Connection,
    trigger_id: int,
    target: PracticeInfo | None,
    now: datetime,
    within_days: Mapping[str, int],
    listeners: Sequence[StatusListener] = (),
) -> str:
    """Work one due trigger, `target` being the next match the directory found (None: none).
    Returns what became of it: moved, held, dropped (the referral moved on meanwhile), or
    pending (another worker holds it, or `target` is no longer allowed: found again later)."""
    trigger = await store.lock_pending(conn, trigger_id)
    if trigger is None:
        return "pending"
    row = await store.referral(conn, trigger.referral_id, lock=True)
    history = await repo.timeline(conn, trigger.referral_id)
    current = repo.to_referral(row, history)
    late = booked_too_late(current, history, within_days)
    ack_overdue = row["ack_overdue_at"] is not None
    if not still_due(
        trigger.reason, current.status, ack_overdue=ack_overdue, appointment_too_late=late
    ):
        await store.settle(conn, trigger.id, "dropped", None, now)
        return "dropped"
    if target is not None and target.practice_id in excluded(row, history):
        return "pending"
    step = next_step(current.part2, target)
    if step.hold is not None:
        await _hold(conn, row, trigger.reason, step.hold, target, now)
        await store.settle(conn, trigger.id, "held", step.hold, now)
        return "held"
    assert target is not None
    cmd = RedirectReferral(current.id, target, False, within_days)
    await move_referral(conn, AUTO_REDIRECT, row, history, cmd, now, listeners, automatic=True)
    await store.settle(conn, trigger.id, "moved", None, now)
    return "moved"


async def _hold(
    conn: Connection,
    row: asyncpg.Record,
    reason: RedirectReason,
    hold: RedirectHold,
    target: PracticeInfo | None,
    now: datetime,
) -> None:
    """The site's task: on its worklist (a referral from a screen), on the timeline (naming the
    next match that needs her consent), and an alert for its subscribers."""
    event = RedirectHeld(
        referral_id=row["id"],
        site_id=row["site_id"],
        practice_id=row["practice_id"],
        reason=reason,
        hold=hold,
        held_at=now,
    )
    envelope = await publish_later(conn, event, producer=PRODUCER)
    await on_alert_raised(conn, envelope, event, site_id=row["site_id"])
    await store.hold_on_worklist(conn, row["id"], hold, reason, now)
    told = str(hold)
    if target is not None:
        told += f": next match {target.practice_id} ({target.service_id})"
    await store.note(
        conn, row["id"], row["status"], row["practice_id"], "redirect_held", told, _ACTOR, now
    )
