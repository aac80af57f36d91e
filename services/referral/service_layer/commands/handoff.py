"""The warm handoff: submit a referral to a practice (redirect.py moves it to another).

Each runs inside one transaction: the referral, the timeline entry, the audit row, the worklist,
the integration event (outbox) and the subscribers' notifications commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from contracts import new_event_id
from contracts.codes import Urgency
from contracts.lifecycle import ReferralStatus
from services.referral.adapters import referral_repository as repo
from services.referral.adapters import worklist_repository as worklist
from services.referral.adapters.directory_client import PracticeInfo
from services.referral.domain.lifecycle_events import submitted
from services.referral.domain.referral import PatientDetails, Referral
from services.referral.domain.urgency import DecidedUrgency, decide_urgency
from services.referral.service_layer.commands.announce import StatusListener, announce
from warmlink.audit import audit
from warmlink.auth import Caller
from warmlink.crypto import Keyring
from warmlink.db import Connection, Executor


@dataclass(frozen=True)
class SubmitReferral:
    screening_id: UUID | None
    practice_id: str
    service_id: str
    patient_ref: str
    setting: str
    method: str
    urgency: Urgency  # as requested: the server may raise it (urgency_for)
    referrer_id: str
    acting_for: str | None
    consent_given: bool
    part2: bool
    patient: PatientDetails
    appointment_needed_by: datetime | None
    infant_visit_ref: str | None
    discharge_summary_ref: str | None
    match_criteria: dict[str, Any] | None
    barriers: tuple[str, ...] = ()
    language: str = "en"


async def urgency_for(conn: Connection, caller: Caller, cmd: SubmitReferral) -> DecidedUrgency:
    """The urgency the referral is stored with: the screen it names decides, from what the
    site's worklist learnt of it (ScreenPositive); ScreenNotOnWorklist when that cannot be
    checked and the site asked for routine. Read before the submission's one-statement batch,
    which cannot read; one round trip, and only for a referral that names a screen."""
    screen_urgent = None
    if cmd.screening_id is not None:
        screen_urgent = await worklist.screen_urgent(conn, cmd.screening_id, caller.organization_id)
    return decide_urgency(cmd.urgency, cmd.screening_id, screen_urgent)


async def submit_referral(
    conn: Executor,
    keyring: Keyring,
    caller: Caller,
    cmd: SubmitReferral,
    urgency: DecidedUrgency,
    practice: PracticeInfo,
    now: datetime,
    listeners: Sequence[StatusListener] = (),
) -> Referral:
    """A warm handoff from the caller's site to `practice`; it answers the screen it names, with
    the urgency `urgency_for` decided (an urgent one runs on the short acknowledgement clock)."""
    urgent = urgency.urgency is Urgency.URGENT
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
        urgency=urgency.urgency,
        urgency_reason=urgency.reason,
        level_of_care=practice.level_of_care,
        referrer_id=cmd.referrer_id,
        acting_for=cmd.acting_for,
        consent_given=cmd.consent_given,
        part2=cmd.part2,
        status=ReferralStatus.SUBMITTED,
        submitted_at=now,
        acknowledge_by=practice.acknowledge_by(now, urgent),
        appointment_needed_by=cmd.appointment_needed_by,
        infant_visit_ref=cmd.infant_visit_ref,
        discharge_summary_ref=cmd.discharge_summary_ref,
        updated_at=now,
        barriers=cmd.barriers,
        language=cmd.language,
        practice_phone=practice.intake_phone,
        practice_url=practice.intake_url,
    )
    extra = {"match_criteria": cmd.match_criteria}
    await repo.add(conn, referral, cmd.patient, keyring, extra)
    await audit(conn, caller, "write", "referral_patient", str(referral.id))
    await repo.append_timeline(conn, referral, "submit", caller, now, None)
    if cmd.screening_id is not None:
        await worklist.mark_referred(conn, cmd.screening_id, referral.id, caller.organization_id)
    await announce(conn, listeners, referral, submitted(referral), now)
    return referral
