"""People's administration: an account made, a person disabled (her sessions end at once).
Each function runs in the caller's transaction, never commits and never speaks HTTP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from services.portal.adapters import (
    people,
    sessions,
)
from services.portal.domain.credentials import (
    hash_password,
    new_totp_secret,
)
from services.portal.domain.errors import (
    EmailTaken,
    NoSuchPerson,
    NotAnOrganizationAdmin,
)
from services.portal.domain.people import Person
from services.portal.domain.sessions import (
    Ending,
)
from warmlink.crypto import Keyring
from warmlink.db import Connection
from warmlink.roles import PersonRole, Role


@dataclass(frozen=True)
class AddPerson:
    organization_id: str
    role: PersonRole
    email: str
    password: str


async def add_person(conn: Connection, keyring: Keyring, c: AddPerson, access_role: Role) -> Person:
    """A new account; her TOTP secret is made here and returned once (to enrol her app)."""
    person = Person(
        id=uuid.uuid4(),
        organization_id=c.organization_id,
        role=c.role,
        access_role=access_role,
        email=c.email.strip(),
        password_hash=hash_password(c.password),
        totp_secret=new_totp_secret(),
    )
    if not await people.add(conn, person, keyring):
        raise EmailTaken()
    return person


async def disable_person(
    conn: Connection, keyring: Keyring, admin: Person, person_id: uuid.UUID, now: datetime
) -> Person:
    """Takes effect at once: her sessions end, and she cannot sign in again."""
    if not admin.administers_people:
        raise NotAnOrganizationAdmin()
    person = await people.by_id(conn, person_id, keyring)
    if person is None or not admin.may_administer(person):
        raise NoSuchPerson()
    await people.disable(conn, person.id, now)
    await sessions.end_for_person(conn, person.id, Ending.DISABLED, now)
    await people.record_event(conn, person.id, "disabled_by_admin", now)
    return replace(person, disabled_at=person.disabled_at or now)
