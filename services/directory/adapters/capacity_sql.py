"""SQL behind capacity holds and referral facts (the directory's view of referral events)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from services.directory.domain.holds import Hold, HoldState
from services.directory.domain.observed import ReferralFacts
from warmlink.db import Connection

HOLD_FOR_UPDATE = """
SELECT service_id, state, took_slot FROM capacity_holds
WHERE referral_id = $1 AND practice_id = $2 FOR UPDATE"""
SAVE_HOLD = """
INSERT INTO capacity_holds (referral_id, practice_id, service_id, state, took_slot)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (referral_id, practice_id) DO UPDATE SET state = excluded.state,
    took_slot = excluded.took_slot, updated_at = now()"""
CAPACITY_FOR_UPDATE = """
SELECT c.*, s.organization_id FROM capacities c JOIN services s ON s.id = c.service_id
WHERE c.service_id = $1 FOR UPDATE OF c"""
ADJUST_AVAILABLE = "UPDATE capacities SET available = available + $2 WHERE service_id = $1"

FACT_SUBMITTED = """
INSERT INTO referral_facts (referral_id, practice_id, submitted_at) VALUES ($1, $2, $3)
ON CONFLICT (referral_id) DO UPDATE SET practice_id = excluded.practice_id,
    submitted_at = excluded.submitted_at, acknowledged_at = NULL, first_appointment_at = NULL,
    attended = NULL, declined_reason = NULL"""
FACT_ACKNOWLEDGED = """
UPDATE referral_facts SET acknowledged_at = coalesce(acknowledged_at, $3)
WHERE referral_id = $1 AND practice_id = $2"""
FACT_SCHEDULED = """
UPDATE referral_facts SET first_appointment_at = coalesce(first_appointment_at, $3)
WHERE referral_id = $1 AND practice_id = $2"""
FACT_ATTENDANCE = """
UPDATE referral_facts SET attended = coalesce(attended, false) OR $3
WHERE referral_id = $1 AND practice_id = $2"""
FACT_DECLINED = """
UPDATE referral_facts SET declined_reason = $3 WHERE referral_id = $1 AND practice_id = $2"""
FACTS_OF_PRACTICE = """
SELECT * FROM referral_facts WHERE practice_id = $1 AND submitted_at >= $2"""
SAVE_OBSERVED = """
INSERT INTO practice_observed (practice_id, observed, computed_at) VALUES ($1, $2::jsonb, $3)
ON CONFLICT (practice_id) DO UPDATE SET observed = excluded.observed,
    computed_at = excluded.computed_at"""


async def hold_for_update(
    conn: Connection, referral_id: UUID, practice_id: str
) -> tuple[str, Hold] | None:
    row = await conn.fetchrow(HOLD_FOR_UPDATE, referral_id, practice_id)
    if row is None:
        return None
    return row["service_id"], Hold(HoldState(row["state"]), row["took_slot"])


async def save_hold(
    conn: Connection, referral_id: UUID, practice_id: str, service_id: str, hold: Hold
) -> None:
    await conn.execute(SAVE_HOLD, referral_id, practice_id, service_id, hold.state, hold.took_slot)


async def capacity_for_update(conn: Connection, service_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(CAPACITY_FOR_UPDATE, service_id)


async def adjust_available(conn: Connection, service_id: str, delta: int) -> None:
    await conn.execute(ADJUST_AVAILABLE, service_id, delta)


async def facts_of(conn: Connection, practice_id: str, since: datetime) -> list[ReferralFacts]:
    rows = await conn.fetch(FACTS_OF_PRACTICE, practice_id, since)
    return [
        ReferralFacts(
            referral_id=str(r["referral_id"]),
            practice_id=r["practice_id"],
            submitted_at=r["submitted_at"],
            acknowledged_at=r["acknowledged_at"],
            first_appointment_at=r["first_appointment_at"],
            attended=r["attended"],
            declined_reason=r["declined_reason"],
        )
        for r in rows
    ]
