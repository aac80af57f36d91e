"""Referral handlers: submit a warm handoff and move it through its lifecycle.

Each runs inside one transaction: the state change, the timeline entry, the audit row, the
integration event (outbox) and the subscribers' notifications commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import asyncpg

from contracts import ReferralRedirected, ReferralSubmitted, new_event_id
from contracts.lifecycle import ReferralStatus
from services.referral.adapters import referral_repository as repo
from services.referral.adapters.directory_client import PracticeInfo
from services.referral.domain.lifecycle import (
    PRACTICE_ACTIONS,
    Action,
    IllegalTransition,
    next_status,
    redirect_reason,
)
from services.referral.domain.referral import AppointmentLogistics, PatientDetails, Referral
from services.referral.referral_events import event_for
from warmlink.audit import audit
from warmlink.auth import Caller
from warmlink.crypto import Keyring
from warmlink.db import Connection, Executor
from warmlink.outbox import publish_later
from warmlink.problems import Conflict, NotFound

PRODUCER = "referral"
StatusListener = Callable[..., Awaitable[None]]


async def visible_referral(
    conn: Connection,
    caller: Caller,
    referral_id: UUID,
    *,
    owner: Literal["site_id", "practice_id"] | None = None,
    lock: bool = False,
) -> asyncpg.Record:
    """The referral if the caller's organization is its site or practice (`owner` narrows it to
    one of them); otherwise 404, so another organization never learns that it exists."""
    row = await repo.get(conn, referral_id, caller.organization_id, lock=lock)
    if row is None or (owner is not None and row[owner] != caller.organization_id):
        raise NotFound(f"No referral {referral_id} for this organization.")
    return row


def _next(current: ReferralStatus, action: Action, *, ack_overdue: bool = False) -> ReferralStatus:
    try:
        return next_status(current, action, ack_overdue=ack_overdue)
    except IllegalTransition as exc:
        raise Conflict(str(exc), current_status=str(exc.current)) from None


@dataclass(frozen=True)
class SubmitReferral:
    screening_id: UUID | None
    practice_id: str
    service_id: str
    patient_ref: str
    setting: str
    method: str
    urgency: str
    referrer_id: str
    acting_for: str | None
    consent_given: bool
    part2: bool
    patient: PatientDetails
    appointment_needed_by: datetime | None
    infant_visit_ref: str | None
    discharge_summary_ref: str | None
    match_criteria: dict[str, Any] | None


async def submit(
    conn: Executor,
    keyring: Keyring,
    caller: Caller,
    cmd: SubmitReferral,
    practice: PracticeInfo,
    now: datetime,
    listeners: Sequence[StatusListener] = (),
) -> Referral:
    referral = Referral(
        id=new_event_id(),
        site_id=caller.organization_id,
        practice_id=cmd.practice_id,
        service_id=cmd.service_id,
        practice_name=practice.name,
        screening_id=cmd.screening_id,
        patient_ref=cmd.patient_ref,
        setting=cmd.setting,
        method=cmd.method,
        urgency=cmd.urgency,
        level_of_care=practice.level_of_care,
        referrer_id=cmd.referrer_id,
        acting_for=cmd.acting_for,
        consent_given=cmd.consent_given,
        part2=cmd.part2,
        status=ReferralStatus.SUBMITTED,
        submitted_at=now,
        acknowledge_by=practice.acknowledge_by(now, cmd.urgency == "urgent"),
        appointment_needed_by=cmd.appointment_needed_by,
        infant_visit_ref=cmd.infant_visit_ref,
        discharge_summary_ref=cmd.discharge_summary_ref,
        updated_at=now,
    )
    extra = {
        "practice_phone": practice.intake_phone,
        "practice_url": practice.intake_url,
        "match_criteria": cmd.match_criteria,
    }
    await repo.add(conn, referral, cmd.patient, keyring, extra)
    await audit(conn, caller, "write", "referral_patient", str(referral.id))
    await _timeline(conn, referral, "submit", caller, now, None)
    if cmd.screening_id is not None:
        await conn.execute(
            repo.MARK_WORKLIST, cmd.screening_id, "referred", referral.id, caller.organization_id
        )
    event = ReferralSubmitted(
        referral_id=referral.id,
        site_id=referral.site_id,
        practice_id=referral.practice_id,
        service_id=referral.service_id,
        screening_id=referral.screening_id,
        patient_ref=referral.patient_ref,
        setting=referral.setting,
        method=referral.method,
        urgency=referral.urgency,
        level_of_care=referral.level_of_care,
        modality=None,
        referrer_id=referral.referrer_id,
        dyad=referral.setting == "pediatric",
        submitted_at=now,
        acknowledge_by=referral.acknowledge_by,
        appointment_needed_by=referral.appointment_needed_by,
        discharge_summary_sent=referral.discharge_summary_ref is not None,
    )
    await publish_later(conn, event, producer=PRODUCER)
    await notify_listeners(conn, listeners, referral, "ReferralSubmitted", now)
    return referral


async def transition(
    conn: Connection,
    caller: Caller,
    referral_id: UUID,
    action: Action,
    details: dict[str, Any],
    now: datetime,
    listeners: Sequence[StatusListener] = (),
) -> Referral:
    owner: Literal["site_id", "practice_id"] = (
        "practice_id" if action in PRACTICE_ACTIONS else "site_id"
    )
    row = await visible_referral(conn, caller, referral_id, owner=owner, lock=True)
    current = repo.to_referral(row)
    status = _next(current.status, action)
    appointment: tuple[UUID, datetime] | None = None
    if action is Action.SCHEDULE:
        appointment = (new_event_id(), details["appointment_at"])
    elif row["appointment_id"] is not None:
        appointment = (row["appointment_id"], row["appointment_at"])
    attempts = 1 if action is Action.RECORD_CONTACT else 0
    await conn.execute(
        repo.UPDATE_STATE,
        referral_id,
        status,
        now,
        appointment[0] if action is Action.SCHEDULE and appointment else None,
        appointment[1] if action is Action.SCHEDULE and appointment else None,
        details.get("modality") if action is Action.SCHEDULE else None,
        attempts,
    )
    updated = replace(current, status=status, updated_at=now)
    reason = details.get("reason") or details.get("outcome")
    if action is Action.DECLINE:
        await conn.execute(repo.DECLINED_TO_WORKLIST, referral_id, reason, now)
    elif action in (Action.ACKNOWLEDGE, Action.CANCEL):
        await conn.execute(repo.SETTLE_ACK_OVERDUE, referral_id)
    await _timeline(conn, updated, action.value, caller, now, reason)
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
    await publish_later(conn, event, producer=PRODUCER)
    await notify_listeners(conn, listeners, updated, event.TYPE, now)
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
) -> Referral:
    """Book (or re-book) the appointment. Where and how to join it is sealed beside it, and the
    write audited; `AppointmentScheduled` carries the time and modality only."""
    updated = await transition(conn, caller, referral_id, Action.SCHEDULE, details, now, listeners)
    await repo.set_logistics(conn, referral_id, logistics, keyring)
    await audit(conn, caller, "write", "referral_appointment", str(referral_id))
    return updated


async def redirect(
    conn: Connection,
    caller: Caller,
    referral_id: UUID,
    practice: PracticeInfo,
    now: datetime,
    listeners: Sequence[StatusListener] = (),
) -> Referral:
    """Re-send a declined referral, or one whose acknowledgement is overdue, to another
    practice, keeping its history."""
    row = await visible_referral(conn, caller, referral_id, owner="site_id", lock=True)
    current = repo.to_referral(row)
    _next(current.status, Action.REDIRECT, ack_overdue=row["ack_overdue_at"] is not None)
    acknowledge_by = practice.acknowledge_by(now, current.urgency == "urgent")
    await conn.execute(
        repo.REDIRECT,
        referral_id,
        practice.practice_id,
        practice.service_id,
        practice.name,
        practice.intake_phone,
        practice.intake_url,
        acknowledge_by,
        now,
    )
    updated = replace(
        current,
        practice_id=practice.practice_id,
        service_id=practice.service_id,
        practice_name=practice.name,
        status=ReferralStatus.SUBMITTED,
        acknowledge_by=acknowledge_by,
        updated_at=now,
    )
    await _timeline(conn, updated, "redirect", caller, now, f"from {current.practice_id}")
    await conn.execute(repo.REOPEN_WORKLIST, referral_id, "referred")
    event = ReferralRedirected(
        referral_id=referral_id,
        site_id=current.site_id,
        practice_id=practice.practice_id,
        previous_practice_id=current.practice_id,
        service_id=practice.service_id,
        reason=redirect_reason(current.status),
        decline_reason=None,
        redirected_at=now,
        acknowledge_by=acknowledge_by,
    )
    await publish_later(conn, event, producer=PRODUCER)
    await notify_listeners(conn, listeners, updated, event.TYPE, now)
    return updated


async def _timeline(
    conn: Executor, r: Referral, action: str, caller: Caller, now: datetime, reason: str | None
) -> None:
    await conn.execute(
        repo.APPEND_TIMELINE,
        r.id,
        now,
        r.status,
        action,
        caller.subject,
        caller.organization_id,
        r.practice_id,
        reason,
    )


async def notify_listeners(
    conn: Executor,
    listeners: Sequence[StatusListener],
    r: Referral,
    event_type: str,
    now: datetime,
) -> None:
    """The status listeners (webhook subscriptions) queue their notifications in the caller's
    transaction; they lock nothing (the delivery worker numbers them after the commit)."""
    for listener in listeners:
        await listener(
            conn,
            referral_id=r.id,
            site_id=r.site_id,
            practice_id=r.practice_id,
            status=str(r.status),
            event_type=event_type,
            occurred_at=now,
        )
