"""SQL for referrals, their sealed patient details and their timeline."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from contracts.lifecycle import ReferralStatus
from services.referral.domain.referral import (
    AppointmentLogistics,
    PatientDetails,
    Referral,
    TimelineEntry,
)
from warmlink.auth import Caller
from warmlink.crypto import Keyring
from warmlink.db import Connection, Executor
from warmlink.rows import from_row

INSERT_REFERRAL = """
INSERT INTO referrals (id, site_id, practice_id, service_id, practice_name, practice_phone,
    practice_url, screening_id, patient_ref, setting, method, urgency, level_of_care,
    referrer_id, acting_for, consent_given, part2, status, submitted_at, acknowledge_by,
    appointment_needed_by, infant_visit_ref, discharge_summary_ref, match_criteria, updated_at,
    urgency_reason, barriers, language)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
        $20, $21, $22, $23, $24::jsonb, $19, $25, $26, $27)"""
INSERT_PATIENT = "INSERT INTO referral_patients (referral_id, sealed) VALUES ($1, $2)"
SELECT_PATIENT = "SELECT sealed FROM referral_patients WHERE referral_id = $1"
# Visible to its referring site and to the practice that owns it now; to nobody else.
SELECT_FOR = """
SELECT * FROM referrals WHERE id = $1 AND (site_id = $2 OR practice_id = $2)"""
LOCK_FOR = SELECT_FOR + " FOR UPDATE"
UPDATE_STATE = """
UPDATE referrals SET status = $2, updated_at = $3,
    appointment_id = coalesce($4, appointment_id), appointment_at = coalesce($5, appointment_at),
    first_appointment_at = coalesce(first_appointment_at, $5),
    appointment_modality = coalesce($6, appointment_modality),
    contact_attempts = contact_attempts + $7
WHERE id = $1"""
SET_LOGISTICS = "UPDATE referrals SET appointment_logistics_sealed = $2 WHERE id = $1"
SET_CLINICIAN = "UPDATE referrals SET appointment_clinician = $2 WHERE id = $1"
REDIRECT = """
UPDATE referrals SET practice_id = $2, service_id = $3, practice_name = $4, practice_phone = $5,
    practice_url = $6, status = 'submitted', acknowledge_by = $7, updated_at = $8,
    appointment_id = NULL, appointment_at = NULL, appointment_modality = NULL,
    appointment_logistics_sealed = NULL, appointment_clinician = NULL, ack_overdue_at = NULL
WHERE id = $1"""
APPEND_TIMELINE = """
INSERT INTO referral_timeline (referral_id, at, status, action, actor, organization_id,
    practice_id, reason, role, person_role)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"""
TIMELINE = "SELECT * FROM referral_timeline WHERE referral_id = $1 ORDER BY id"
INTAKE = """
SELECT * FROM referrals
WHERE practice_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR urgency = $3)
    AND ($5::text IS NULL OR appointment_clinician = $5)
ORDER BY urgency = 'urgent' DESC, acknowledge_by, submitted_at
LIMIT $4"""


def _associated(referral_id: UUID) -> bytes:
    return f"referral_patients.sealed:{referral_id}".encode()


def _logistics_associated(referral_id: UUID) -> bytes:
    return f"referrals.appointment_logistics_sealed:{referral_id}".encode()


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


async def add(
    conn: Executor,
    r: Referral,
    patient: PatientDetails,
    keyring: Keyring,
    extra: dict[str, Any],
) -> None:
    await conn.execute(
        INSERT_REFERRAL,
        r.id,
        r.site_id,
        r.practice_id,
        r.service_id,
        r.practice_name,
        r.practice_phone,
        r.practice_url,
        r.screening_id,
        r.patient_ref,
        r.setting,
        r.method,
        r.urgency,
        r.level_of_care,
        r.referrer_id,
        r.acting_for,
        r.consent_given,
        r.part2,
        r.status,
        r.submitted_at,
        r.acknowledge_by,
        r.appointment_needed_by,
        r.infant_visit_ref,
        r.discharge_summary_ref,
        orjson.dumps(extra.get("match_criteria")).decode(),
        r.urgency_reason,
        list(r.barriers),
        r.language,
    )
    sealed = keyring.seal(orjson.dumps(asdict(patient), default=_json), _associated(r.id))
    await conn.execute(INSERT_PATIENT, r.id, sealed)


async def patient(conn: Connection, referral_id: UUID, keyring: Keyring) -> PatientDetails:
    sealed = await conn.fetchval(SELECT_PATIENT, referral_id)
    data = orjson.loads(keyring.open(bytes(sealed), _associated(referral_id)))
    birth = data.pop("birth_date")
    return PatientDetails(birth_date=date.fromisoformat(birth) if birth else None, **data)


async def set_logistics(
    conn: Executor, referral_id: UUID, logistics: AppointmentLogistics, keyring: Keyring
) -> None:
    sealed = keyring.seal(orjson.dumps(asdict(logistics)), _logistics_associated(referral_id))
    await conn.execute(SET_LOGISTICS, referral_id, sealed)


async def set_clinician(conn: Executor, referral_id: UUID, clinician: str | None) -> None:
    """Who the appointment is with (a staff id), or None when the practice did not say."""
    await conn.execute(SET_CLINICIAN, referral_id, clinician)


def logistics(row: asyncpg.Record, keyring: Keyring) -> AppointmentLogistics | None:
    """The sealed logistics of the referral's appointment, opened; None when none were set."""
    sealed = row["appointment_logistics_sealed"]
    if sealed is None:
        return None
    opened = keyring.open(bytes(sealed), _logistics_associated(row["id"]))
    return AppointmentLogistics(**orjson.loads(opened))


async def get(
    conn: Connection, referral_id: UUID, organization_id: str, *, lock: bool = False
) -> asyncpg.Record | None:
    return await conn.fetchrow(LOCK_FOR if lock else SELECT_FOR, referral_id, organization_id)


def to_referral(row: asyncpg.Record, history: tuple[TimelineEntry, ...] = ()) -> Referral:
    return from_row(
        Referral,
        row,
        status=ReferralStatus(row["status"]),
        history=history,
        barriers=tuple(row["barriers"]),
    )


async def update_state(
    conn: Connection,
    referral_id: UUID,
    status: ReferralStatus,
    now: datetime,
    *,
    appointment: tuple[UUID, datetime] | None = None,
    modality: str | None = None,
    contact_attempts: int = 0,
) -> None:
    """The new status; a new `appointment` (id, time) and `modality` replace the booked ones,
    and `contact_attempts` are added to those counted so far."""
    appointment_id, appointment_at = appointment or (None, None)
    await conn.execute(
        UPDATE_STATE,
        referral_id,
        status,
        now,
        appointment_id,
        appointment_at,
        modality,
        contact_attempts,
    )


async def redirect(conn: Connection, r: Referral, now: datetime) -> None:
    """`r` as redirected: its new practice and deadline; the old appointment is dropped."""
    await conn.execute(
        REDIRECT,
        r.id,
        r.practice_id,
        r.service_id,
        r.practice_name,
        r.practice_phone,
        r.practice_url,
        r.acknowledge_by,
        now,
    )


async def append_timeline(
    conn: Executor, r: Referral, action: str, caller: Caller, now: datetime, reason: str | None
) -> None:
    await conn.execute(
        APPEND_TIMELINE,
        r.id,
        now,
        r.status,
        action,
        caller.subject,
        caller.organization_id,
        r.practice_id,
        reason,
        str(caller.role),
        str(caller.person_role) if caller.person_role is not None else None,
    )


async def timeline(conn: Connection, referral_id: UUID) -> tuple[TimelineEntry, ...]:
    rows = await conn.fetch(TIMELINE, referral_id)
    return tuple(from_row(TimelineEntry, r, status=ReferralStatus(r["status"])) for r in rows)


async def intake(
    conn: Connection,
    practice_id: str,
    status: str | None,
    urgency: str | None,
    limit: int,
    clinician: str | None = None,
) -> list[asyncpg.Record]:
    return list(await conn.fetch(INTAKE, practice_id, status, urgency, limit, clinician))
