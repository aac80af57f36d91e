"""What the referring site tells the discharge gate: the outpatient provider confirmed she has
the appointment (IOP/PHP), and the hospital moved its planned discharge. Each writes the
referral, its timeline entry and the integration event in the command's transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from contracts import OutpatientAppointmentConfirmed, PlannedDischargeMoved
from contracts.codes import Setting
from contracts.lifecycle import ReferralStatus
from services.referral.adapters import discharge
from services.referral.adapters import referral_repository as repo
from services.referral.domain.errors import (
    NoAppointmentToConfirm,
    NotAHospitalReferral,
    NotAnIopReferral,
    ReferralFinished,
)
from services.referral.domain.referral import Referral
from services.referral.service_layer.commands.access import record_change, visible_referral
from services.referral.service_layer.commands.announce import PRODUCER
from warmlink.auth import Caller
from warmlink.db import Connection
from warmlink.outbox import publish_later

WITH_APPOINTMENT = frozenset({ReferralStatus.SCHEDULED, ReferralStatus.ATTENDED})
FINISHED = frozenset({ReferralStatus.CANCELLED, ReferralStatus.CLOSED})


async def _site_referral(conn: Connection, caller: Caller, referral_id: UUID) -> Referral:
    row = await visible_referral(conn, caller, referral_id, owner="site_id", lock=True)
    return repo.to_referral(row)


async def confirm_outpatient_appointment(
    conn: Connection, caller: Caller, referral_id: UUID, now: datetime
) -> Referral:
    """The IOP team's record that the outpatient provider confirmed she has the appointment."""
    r = await _site_referral(conn, caller, referral_id)
    if r.setting != Setting.IOP_PHP:
        raise NotAnIopReferral(referral_id)
    if r.status not in WITH_APPOINTMENT:
        raise NoAppointmentToConfirm(referral_id, str(r.status))
    await discharge.confirm_appointment(conn, referral_id, now)
    await record_change(conn, r, "provider_confirmed", caller, now)
    event = OutpatientAppointmentConfirmed(
        referral_id=r.id, site_id=r.site_id, practice_id=r.practice_id, confirmed_at=now
    )
    await publish_later(conn, event, producer=PRODUCER)
    return r


async def move_planned_discharge(
    conn: Connection, caller: Caller, referral_id: UUID, planned_at: datetime, now: datetime
) -> Referral:
    """The hospital moved the discharge: the appointment must now precede the new time."""
    r = await _site_referral(conn, caller, referral_id)
    if r.setting != Setting.HOSPITAL:
        raise NotAHospitalReferral(referral_id)
    if r.status in FINISHED:
        raise ReferralFinished(referral_id, str(r.status))
    await discharge.move_discharge(conn, referral_id, planned_at, now)
    moved = replace(r, appointment_needed_by=planned_at, updated_at=now)
    previous = r.appointment_needed_by.isoformat() if r.appointment_needed_by else "none"
    await record_change(conn, moved, "discharge_moved", caller, now, f"from {previous}")
    event = PlannedDischargeMoved(
        referral_id=r.id,
        site_id=r.site_id,
        practice_id=r.practice_id,
        appointment_needed_by=planned_at,
        previous_needed_by=r.appointment_needed_by,
        moved_at=now,
    )
    await publish_later(conn, event, producer=PRODUCER)
    return moved
