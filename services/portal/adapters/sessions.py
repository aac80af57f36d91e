"""Sessions in the portal's PostgreSQL, keyed by the SHA-256 of the id the browser holds."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from services.portal.adapters import people
from services.portal.domain.people import Person
from services.portal.domain.sessions import Ending, Session, Stage
from warmlink.crypto import Keyring
from warmlink.db import Connection
from warmlink.rows import from_row

INSERT = """
INSERT INTO sessions (id_sha256, stage, csrf_token, person_id, created_at, last_seen_at)
VALUES ($1, $2, $3, $4, $5, $6)"""
GET = "SELECT * FROM sessions WHERE id_sha256 = $1"
# Every page asks this first: the session and whose it is in one round trip, each table's row
# as a record of its own (the person NULL for a session nobody has signed in to yet).
GET_WITH_PERSON = """
SELECT s AS session, p AS person
FROM sessions s LEFT JOIN people p ON p.id = s.person_id
WHERE s.id_sha256 = $1"""
TOUCH = "UPDATE sessions SET last_seen_at = $2 WHERE id_sha256 = $1 AND ended IS NULL"
END = """
UPDATE sessions SET ended = $2, ended_at = $3 WHERE id_sha256 = $1 AND ended IS NULL"""
END_FOR_PERSON = """
UPDATE sessions SET ended = $2, ended_at = $3 WHERE person_id = $1 AND ended IS NULL"""
# A session found to have lapsed: ended, and its person's sign-in audit told why, in one
# statement, so that a page needs no transaction of its own to read its session. Only the
# request that ends it records it.
END_RECORDED = """
WITH ended AS (
    UPDATE sessions SET ended = $2, ended_at = $3 WHERE id_sha256 = $1 AND ended IS NULL
    RETURNING person_id
)
INSERT INTO sign_in_events (person_id, outcome, at)
SELECT person_id, 'ended_' || $2, $3 FROM ended WHERE person_id IS NOT NULL"""
# Sessions nobody came back to end on their own: idle past the limit, or older than the longest.
END_LAPSED = """
UPDATE sessions SET ended = CASE WHEN created_at < $2 THEN 'too_old' ELSE 'idle' END, ended_at = $3
WHERE ended IS NULL AND (last_seen_at < $1 OR created_at < $2)"""
# Anonymous sessions nobody used and ended ones: kept a day, then removed.
SWEEP = """
DELETE FROM sessions
WHERE (ended IS NOT NULL AND ended_at < $1) OR (stage = 'anonymous' AND last_seen_at < $1)"""


async def add(conn: Connection, s: Session) -> None:
    await conn.execute(
        INSERT, s.id_sha256, str(s.stage), s.csrf_token, s.person_id, s.created_at, s.last_seen_at
    )


async def get(conn: Connection, id_sha256: bytes) -> Session | None:
    row = await conn.fetchrow(GET, id_sha256)
    return _session(row) if row is not None else None


async def get_with_person(
    conn: Connection, id_sha256: bytes, keyring: Keyring
) -> tuple[Session, Person | None] | None:
    row = await conn.fetchrow(GET_WITH_PERSON, id_sha256)
    if row is None:
        return None
    person = row["person"]
    if person is None:
        return _session(row["session"]), None
    return _session(row["session"]), people.from_record(person, keyring)


def _session(row: asyncpg.Record) -> Session:
    ended = Ending(row["ended"]) if row["ended"] else None
    return from_row(Session, row, stage=Stage(row["stage"]), ended=ended)


async def touch(conn: Connection, id_sha256: bytes, now: datetime) -> None:
    await conn.execute(TOUCH, id_sha256, now)


async def end(conn: Connection, id_sha256: bytes, ending: Ending, now: datetime) -> None:
    await conn.execute(END, id_sha256, str(ending), now)


async def end_recorded(conn: Connection, id_sha256: bytes, ending: Ending, now: datetime) -> None:
    await conn.execute(END_RECORDED, id_sha256, str(ending), now)


async def end_for_person(conn: Connection, person_id: UUID, ending: Ending, now: datetime) -> None:
    await conn.execute(END_FOR_PERSON, person_id, str(ending), now)


async def sweep(conn: Connection, before: datetime) -> None:
    await conn.execute(SWEEP, before)


async def end_lapsed(
    conn: Connection, idle_before: datetime, created_before: datetime, now: datetime
) -> int:
    status = await conn.execute(END_LAPSED, idle_before, created_before, now)
    return int(status.split()[-1])
