"""Referral commands along its lifecycle: the practice's steps through intake, the site's cancel.

Each runs inside the caller's transaction: the state change, the timeline entry, the integration
event (outbox) and the subscribers' notifications commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from contracts import new_event_id
from contracts.codes import RedirectReason
from services.referral.adapters import referral_repository as repo
from services.referral.adapters import worklist_repository as worklist
from services.referral.adapters.followup_repository import return_to_worklist
from services.referral.domain.auto_redirect import MANUAL, AutoRedirects
from services.referral.domain.lifecycle import (
    PRACTICE_ACTIONS,
    Action,
    check_appointment_held,
    next_status,
)
from services.referral.domain.lifecycle_events import event_for
from services.referral.domain.redirect import DEFAULT_APPOINTMENT_WITHIN_DAYS, appointment_too_late
from services.referral.domain.referral import AppointmentLogistics, Referral
from services.referral.domain.worklist import WorklistReason
from services.referral.service_layer.commands.access import Owner, record_change, visible_referral
from services.referral.service_layer.commands.announce import StatusListener, announce
from services.referral.service_layer.commands.auto_redirect import note_trigger
from services.referral.service_layer.commands.patient_messages import (
    OFF,
    PatientMessaging,
    plan_appointment_messages,
)
from warmlink.audit import audit
from warmlink.auth import Caller
from warmlink.crypto import Keyring
from warmlink.db import Connection


async def transition_referral(
    conn: Connection,
    caller: Caller,
    referral_id: UUID,
    action: Action,
    details: dict[str, Any],
    now: datetime,
    listeners: Sequence[StatusListener] = (),
    *,
    redirects: AutoRedirects = MANUAL,
) -> Referral:
    """Apply one lifecycle action by the organization it belongs to; an action the current
    state does not allow is an IllegalTransition naming that state, and attendance before the
    appointment's time (by `now`, the server's clock) is AppointmentNotYetHeld. A decline is a
    trigger for the network's own redirect (`redirects`, its policy)."""
    owner: Owner = "practice_id" if action in PRACTICE_ACTIONS else "site_id"
    row = await visible_referral(conn, caller, referral_id, owner=owner, lock=True)
    current = repo.to_referral(row)
    status = next_status(current.status, action)
    check_appointment_held(action, current.appointment_at, now)
    appointment: tuple[UUID, datetime] | None = None
    if action is Action.SCHEDULE:
        appointment = (new_event_id(), details["appointment_at"])
        await repo.update_state(
            conn,
            referral_id,
            status,
            now,
            appointment=appointment,
            modality=details.get("modality"),
        )
    else:
        if row["appointment_id"] is not None:
            appointment = (row["appointment_id"], row["appointment_at"])
        attempts = 1 if action is Action.RECORD_CONTACT else 0
        await repo.update_state(conn, referral_id, status, now, contact_attempts=attempts)
    updated = replace(current, status=status, updated_at=now)
    reason = details.get("reason") or details.get("outcome")
    if action is Action.DECLINE:
        await worklist.return_declined(conn, referral_id, reason, now)
    elif action in (Action.ACKNOWLEDGE, Action.CANCEL):
        await worklist.settle_ack_overdue(conn, referral_id)
    await record_change(conn, updated, action.value, caller, now, reason)
    if action is Action.DECLINE:
        await note_trigger(
            conn, redirects, referral_id, status, current.practice_id, RedirectReason.DECLINED, now
        )
    event = event_for(
        action,
        referral_id=referral_id,
        site_id=current.site_id,
        practice_id=current.practice_id,
        at=now,
        details=details,
        appointment=appointment,
        level_of_care=current.level_of_care,
        attempt=row["contact_attempts"] + 1,
    )
    await announce(conn, listeners, updated, event, now)
    return updated


async def schedule_appointment(
    conn: Connection,
    caller: Caller,
    referral_id: UUID,
    details: dict[str, Any],
    logistics: AppointmentLogistics,
    keyring: Keyring,
    now: datetime,
    listeners: Sequence[StatusListener] = (),
    *,
    appointment_within_days: Mapping[str, int] = DEFAULT_APPOINTMENT_WITHIN_DAYS,
    redirects: AutoRedirects = MANUAL,
    clinician: str | None = None,
    messaging: PatientMessaging = OFF,
) -> Referral:
    """Book (or re-book) the appointment, with `clinician` (a staff id) when the practice names
    who she will see. Where and how to join it is sealed beside it, and the write audited;
    `AppointmentScheduled` carries the time and modality only. Her appointment message and
    reminder are queued with it (`messaging`). A first appointment later than her urgency allows
    makes the referral redirectable: the site sees it on the timeline and, for a referral from a
    screen, on its worklist."""
    updated = await transition_referral(
        conn, caller, referral_id, Action.SCHEDULE, details, now, listeners
    )
    await repo.set_logistics(conn, referral_id, logistics, keyring)
    await repo.set_clinician(conn, referral_id, clinician)
    await audit(conn, caller, "write", "referral_appointment", str(referral_id))
    await plan_appointment_messages(conn, caller, keyring, messaging, referral_id, logistics, now)
    await _offer_redirect_if_late(
        conn, caller, updated, details, now, appointment_within_days, redirects
    )
    return updated


async def _offer_redirect_if_late(
    conn: Connection,
    caller: Caller,
    r: Referral,
    details: dict[str, Any],
    now: datetime,
    within_days: Mapping[str, int],
    redirects: AutoRedirects,
) -> None:
    at, reason = details["appointment_at"], WorklistReason.NO_TIMELY_APPOINTMENT
    # The timeline (a follow-up visit is no first appointment) is read only for a late one.
    if not appointment_too_late(r.status, r.urgency, r.submitted_at, at, (), within_days):
        return
    history = await repo.timeline(conn, r.id)
    if appointment_too_late(r.status, r.urgency, r.submitted_at, at, history, within_days):
        await return_to_worklist(conn, r.id, reason, None, now)
        await repo.append_timeline(conn, r, "redirect_allowed", caller, now, reason)
        late = RedirectReason.NO_TIMELY_APPOINTMENT
        await note_trigger(conn, redirects, r.id, r.status, r.practice_id, late, now)
