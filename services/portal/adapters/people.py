"""People and the sign-in audit in the portal's PostgreSQL. The TOTP secret is sealed at rest."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from services.portal.domain.people import Person
from warmlink.crypto import Keyring
from warmlink.db import Connection
from warmlink.roles import PersonRole, Role
from warmlink.rows import from_row

INSERT_PERSON = """
INSERT INTO people (id, organization_id, role, access_role, email, password_hash, totp_secret)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT DO NOTHING RETURNING id"""
PERSON_BY_EMAIL = "SELECT * FROM people WHERE lower(email) = lower($1)"
PERSON_BY_ID = "SELECT * FROM people WHERE id = $1"
PEOPLE_OF = "SELECT * FROM people WHERE organization_id = $1 ORDER BY lower(email)"
SAVE_ATTEMPTS = """
UPDATE people SET failed_attempts = $2, lockouts = $3, locked_until = $4, totp_last_step = $5
WHERE id = $1"""
DISABLE = "UPDATE people SET disabled_at = coalesce(disabled_at, $2) WHERE id = $1"
RECORD_EVENT = "INSERT INTO sign_in_events (person_id, outcome, at) VALUES ($1, $2, $3)"


def totp_bound_to(person_id: object) -> bytes:
    """A sealed TOTP secret opens in its own person's row only."""
    return str(person_id).encode()


def _person(row: asyncpg.Record, keyring: Keyring) -> Person:
    return from_row(
        Person,
        row,
        role=PersonRole(row["role"]),
        access_role=Role(row["access_role"]),
        totp_secret=keyring.open(bytes(row["totp_secret"]), totp_bound_to(row["id"])).decode(),
    )


def from_record(row: asyncpg.Record, keyring: Keyring) -> Person:
    """A person from a `people` row read with another table's (sessions.get_with_person)."""
    return _person(row, keyring)


async def add(conn: Connection, person: Person, keyring: Keyring) -> bool:
    """False when the email already has an account."""
    sealed = keyring.seal(person.totp_secret.encode(), totp_bound_to(person.id))
    added = await conn.fetchval(
        INSERT_PERSON,
        person.id,
        person.organization_id,
        str(person.role),
        str(person.access_role),
        person.email,
        person.password_hash,
        sealed,
    )
    return added is not None


async def by_email(conn: Connection, email: str, keyring: Keyring) -> Person | None:
    row = await conn.fetchrow(PERSON_BY_EMAIL, email.strip())
    return _person(row, keyring) if row else None


async def by_id(conn: Connection, person_id: UUID, keyring: Keyring) -> Person | None:
    row = await conn.fetchrow(PERSON_BY_ID, person_id)
    return _person(row, keyring) if row else None


async def of_organization(conn: Connection, org_id: str, keyring: Keyring) -> list[Person]:
    return [_person(r, keyring) for r in await conn.fetch(PEOPLE_OF, org_id)]


async def save_attempts(conn: Connection, p: Person) -> None:
    await conn.execute(
        SAVE_ATTEMPTS, p.id, p.failed_attempts, p.lockouts, p.locked_until, p.totp_last_step
    )


async def disable(conn: Connection, person_id: UUID, now: datetime) -> None:
    await conn.execute(DISABLE, person_id, now)


async def record_event(
    conn: Connection, person_id: UUID | None, outcome: str, now: datetime
) -> None:
    await conn.execute(RECORD_EVENT, person_id, outcome, now)
