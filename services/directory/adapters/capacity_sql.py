"""SQL behind capacity holds, referral facts (the directory's view of referral events) and the
observed behaviour recomputed from them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg
import orjson

from services.directory.domain.holds import Hold, HoldState
from services.directory.domain.model import ObservedBehaviour
from services.directory.domain.observed import ReferralFacts
from warmlink.db import Connection
from warmlink.rows import from_row

SAVE_HOLD = """
INSERT INTO capacity_holds (referral_id, practice_id, service_id, state, took_slot)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (referral_id, practice_id) DO UPDATE SET state = excluded.state,
    took_slot = excluded.took_slot, updated_at = now()"""
SAVE_HOLD_AND_ADJUST = f"""
WITH hold AS ({SAVE_HOLD})
UPDATE capacities SET available = available + $6 WHERE service_id = $3"""

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

# A fact ($1 referral, $2 practice, $3 value) changes the practice's observed behaviour, which
# workers/observed_refresh recomputes for the practices marked here: both in one statement, one
# round trip.
MARK_PRACTICE = """
INSERT INTO practice_observed_dirty (practice_id) VALUES ($2)
ON CONFLICT (practice_id) DO NOTHING"""

# The referral's hold and its service's capacity, both locked, in one row (either side may be
# missing). The service is the event's, else the hold's.
_HOLD_AND_CAPACITY = """
SELECT h.service_id AS hold_service_id, h.state, h.took_slot, c.service_id, c.available,
    c.maximum, c.next_available_intake, c.accepting_new_patients, c.waitlist_length,
    c.verified_at, c.verified_by
FROM (VALUES (1)) AS one
LEFT JOIN LATERAL (SELECT service_id, state, took_slot FROM capacity_holds
                   WHERE referral_id = $1 AND practice_id = $2 FOR UPDATE) AS h ON true
LEFT JOIN LATERAL (SELECT * FROM capacities
                   WHERE service_id = coalesce({service}::text, h.service_id)
                   FOR UPDATE) AS c ON true"""
HOLD_AND_CAPACITY_FOR_UPDATE = _HOLD_AND_CAPACITY.format(service="$3")


def recorded(fact: str) -> str:
    """`fact` and the practice's mark, as a statement on its own (no hold moves)."""
    return f"WITH marked AS ({MARK_PRACTICE}) {fact}"


def recorded_then_locked(fact: str) -> str:
    """`fact` and the practice's mark, then the hold and capacity locked ($4: the service)."""
    return f"WITH fact AS ({fact}), marked AS ({MARK_PRACTICE}) " + _HOLD_AND_CAPACITY.format(
        service="$4"
    )


# The practice's one service at a level of care (none when it has two or none): the service an
# appointment that arrived before its referral's submission consumes (events can be reordered).
SERVICE_AT_LEVEL = """
SELECT min(id) FROM services WHERE organization_id = $1 AND level_of_care = $2
HAVING count(*) = 1"""

SUBMITTED = recorded_then_locked(FACT_SUBMITTED)
DECLINED = recorded_then_locked(FACT_DECLINED)
SCHEDULED = recorded_then_locked(FACT_SCHEDULED)
ACKNOWLEDGED = recorded(FACT_ACKNOWLEDGED)
ATTENDANCE = recorded(FACT_ATTENDANCE)

FACTS_OF_PRACTICE = """
SELECT * FROM referral_facts WHERE practice_id = $1 AND submitted_at >= $2"""
TAKE_MARKED = """
DELETE FROM practice_observed_dirty
WHERE practice_id IN (SELECT practice_id FROM practice_observed_dirty
                      ORDER BY marked_at LIMIT $1 FOR UPDATE SKIP LOCKED)
RETURNING practice_id"""
SAVE_OBSERVED = """
INSERT INTO practice_observed (practice_id, observed, computed_at) VALUES ($1, $2::jsonb, $3)
ON CONFLICT (practice_id) DO UPDATE SET observed = excluded.observed,
    computed_at = excluded.computed_at"""


@dataclass(frozen=True)
class Locked:
    """A referral's hold (if any) and its service's capacity row (if any), locked."""

    hold: Hold | None
    hold_service_id: str | None
    capacity: asyncpg.Record | None


async def lock_hold_and_capacity(conn: Connection, statement: str, *args: object) -> Locked:
    """Run one of the statements above that ends by locking the hold and the capacity."""
    row = await conn.fetchrow(statement, *args)
    assert row is not None  # one row always: both sides are outer joins
    hold = None if row["state"] is None else Hold(HoldState(row["state"]), row["took_slot"])
    capacity = row if row["service_id"] is not None else None
    return Locked(hold, row["hold_service_id"], capacity)


async def service_at_level(conn: Connection, practice_id: str, level_of_care: str) -> str | None:
    service: str | None = await conn.fetchval(SERVICE_AT_LEVEL, practice_id, level_of_care)
    return service


async def record_fact(
    conn: Connection, statement: str, referral_id: UUID, practice_id: str, value: object
) -> None:
    """Run ACKNOWLEDGED or ATTENDANCE: the fact and the practice's mark, no hold moves."""
    await conn.execute(statement, referral_id, practice_id, value)


async def save_hold(
    conn: Connection,
    referral_id: UUID,
    practice_id: str,
    service_id: str,
    hold: Hold,
    available_delta: int = 0,
) -> None:
    """Store the hold and, in the same statement, move the service's open slots."""
    args = (referral_id, practice_id, service_id, hold.state, hold.took_slot)
    if available_delta:
        await conn.execute(SAVE_HOLD_AND_ADJUST, *args, available_delta)
    else:
        await conn.execute(SAVE_HOLD, *args)


async def facts_of(conn: Connection, practice_id: str, since: datetime) -> list[ReferralFacts]:
    rows = await conn.fetch(FACTS_OF_PRACTICE, practice_id, since)
    return [from_row(ReferralFacts, r, referral_id=str(r["referral_id"])) for r in rows]


async def take_marked(conn: Connection, limit: int) -> list[str]:
    """Unmark up to `limit` practices (oldest marks first) and return them; others skip them."""
    return [r["practice_id"] for r in await conn.fetch(TAKE_MARKED, limit)]


async def save_observed(
    conn: Connection, practice_id: str, observed: ObservedBehaviour, computed_at: datetime
) -> None:
    raw = orjson.dumps(dataclasses.asdict(observed)).decode()
    await conn.execute(SAVE_OBSERVED, practice_id, raw, computed_at)
