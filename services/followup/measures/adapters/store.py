"""Writes to the read model, called by the handlers inside the consumer's transaction.

Every statement is idempotent on its own key, so a redelivered event changes nothing even where
the inbox would not have caught it (a republish after a broker loss carries the same event id).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from contracts import CapacityUpdated, FollowUpCompleted, ScreenPositive, SlaBreached
from contracts.events.directory import PracticeProfile
from services.followup.measures.domain.facts import Step, Submission
from warmlink.db import Connection

RECORD_SCREEN = """
INSERT INTO positive_screens (screening_id, site_id, instrument, band, urgent, setting, screened_at,
                              patient_ref)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (screening_id) DO NOTHING"""

RECORD_SUBMISSION = """
INSERT INTO measure_referrals (referral_id, site_id, practice_id, service_id, screening_id,
                               setting, method, urgency, level_of_care, submitted_at,
                               barriers)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (referral_id) DO NOTHING"""

RECORD_STEP = """
INSERT INTO measure_referral_steps (event_id, referral_id, kind, practice_id, at,
                                    appointment_id, appointment_at, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (event_id) DO NOTHING"""

RECORD_BREACH = """
INSERT INTO measure_sla_breaches (referral_id, kind, due_at, site_id, practice_id, detected_at,
                                  urgent)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (referral_id, kind, due_at) DO NOTHING"""

RECORD_FOLLOW_UP = """
INSERT INTO measure_follow_ups (follow_up_id, referral_id, site_id, practice_id, kind, outcome,
                                barrier, completed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (follow_up_id) DO NOTHING"""

# The newest profile wins; RETURNING tells the caller whether this one was applied.
UPSERT_PRACTICE = """
INSERT INTO measure_practices (practice_id, accepting_referrals, updated_at)
VALUES ($1, $2, $3)
ON CONFLICT (practice_id) DO UPDATE
   SET accepting_referrals = EXCLUDED.accepting_referrals, updated_at = EXCLUDED.updated_at
 WHERE measure_practices.updated_at <= EXCLUDED.updated_at
RETURNING practice_id"""

DROP_SERVICES_NOT_IN = """
DELETE FROM measure_services WHERE practice_id = $1 AND NOT (service_id = ANY($2::text[]))"""

UPSERT_SERVICE = """
INSERT INTO measure_services (practice_id, service_id, level_of_care, area)
VALUES ($1, $2, $3, $4)
ON CONFLICT (practice_id, service_id) DO UPDATE
   SET level_of_care = EXCLUDED.level_of_care, area = EXCLUDED.area"""

UPSERT_CAPACITY = """
INSERT INTO measure_capacity (practice_id, service_id, available, maximum,
                              next_available_intake, accepting_new_patients, verified_at,
                              stale, as_of)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (practice_id, service_id) DO UPDATE
   SET available = EXCLUDED.available, maximum = EXCLUDED.maximum,
       next_available_intake = EXCLUDED.next_available_intake,
       accepting_new_patients = EXCLUDED.accepting_new_patients,
       verified_at = EXCLUDED.verified_at, stale = EXCLUDED.stale, as_of = EXCLUDED.as_of
 WHERE measure_capacity.as_of <= EXCLUDED.as_of"""


async def record_screen(conn: Connection, e: ScreenPositive) -> None:
    # patient_ref is kept so that the 30-day measure counts patients, not screens.
    facts = (
        e.screening_id,
        e.site_id,
        e.instrument,
        e.band,
        e.urgent,
        e.setting,
        e.screened_at,
        e.patient_ref,
    )
    await conn.execute(RECORD_SCREEN, *facts)


async def record_submission(conn: Connection, s: Submission) -> None:
    await conn.execute(
        RECORD_SUBMISSION,
        s.referral_id,
        s.site_id,
        s.practice_id,
        s.service_id,
        s.screening_id,
        s.setting,
        s.method,
        s.urgency,
        s.level_of_care,
        s.submitted_at,
        list(s.barriers),
    )


async def record_step(conn: Connection, event_id: UUID, s: Step) -> None:
    await conn.execute(
        RECORD_STEP,
        event_id,
        s.referral_id,
        s.kind.value,
        s.practice_id,
        s.at,
        s.appointment_id,
        s.appointment_at,
        s.reason,
    )


async def record_breach(conn: Connection, e: SlaBreached) -> None:
    await conn.execute(
        RECORD_BREACH,
        e.referral_id,
        e.kind.value,
        e.due_at,
        e.site_id,
        e.practice_id,
        e.detected_at,
        e.urgent,
    )


async def record_follow_up(conn: Connection, e: FollowUpCompleted) -> None:
    await conn.execute(
        RECORD_FOLLOW_UP,
        e.follow_up_id,
        e.referral_id,
        e.site_id,
        e.practice_id,
        e.kind.value,
        e.outcome.value,
        e.barrier.value if e.barrier else None,
        e.completed_at,
    )


async def replace_profile(conn: Connection, p: PracticeProfile) -> None:
    """Apply a practice profile (registered or updated) unless a newer one is already in."""
    applied = await conn.fetchval(
        UPSERT_PRACTICE, p.practice_id, p.accepting_referrals, p.updated_at
    )
    if applied is None:
        return
    await conn.execute(DROP_SERVICES_NOT_IN, p.practice_id, [s.service_id for s in p.services])
    await conn.executemany(
        UPSERT_SERVICE,
        [(p.practice_id, s.service_id, s.level_of_care.value, s.area) for s in p.services],
    )


async def record_capacity(conn: Connection, e: CapacityUpdated, as_of: datetime) -> None:
    await conn.execute(
        UPSERT_CAPACITY,
        e.practice_id,
        e.service_id,
        e.available,
        e.maximum,
        e.next_available_intake,
        e.accepting_new_patients,
        e.verified_at,
        e.stale,
        as_of,
    )
