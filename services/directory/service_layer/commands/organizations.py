"""Network membership: administrators onboard and suspend organizations and issue credentials."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from services.directory.adapters import clients, repository
from services.directory.domain.errors import (
    NetworkOrganizationKept,
    NoSuchOrganization,
    PeopleClientOutsideNetwork,
    PracticeTypeMismatch,
)
from services.directory.domain.model import OrgKind, OrgStatus, PracticeType
from warmlink.db import Connection


@dataclass(frozen=True)
class OnboardOrganization:
    org_id: str
    name: str
    kind: OrgKind
    practice_type: PracticeType | None = None
    description: str = ""
    website: str | None = None
    phone: str | None = None


async def onboard_organization(conn: Connection, c: OnboardOrganization) -> asyncpg.Record:
    """Add a member, or update one; a practice says what type of practice it is."""
    if (c.kind is OrgKind.PRACTICE) != (c.practice_type is not None):
        raise PracticeTypeMismatch()
    if c.kind is not OrgKind.NETWORK and await _is_network(conn, c.org_id):
        raise NetworkOrganizationKept(c.org_id, "/kind", f"turned into a {c.kind}")
    return await repository.upsert_organization(
        conn, c.org_id, c.name, c.kind, c.practice_type, c.description, c.website, c.phone
    )


async def set_status(conn: Connection, org_id: str, status: OrgStatus) -> asyncpg.Record:
    """Suspend (no new tokens; matching drops its services at once) or reactivate. The
    network's own organization is never suspended."""
    if status is OrgStatus.SUSPENDED and await _is_network(conn, org_id):
        raise NetworkOrganizationKept(org_id, "/status", "suspended")
    row = await repository.set_status(conn, org_id, status)
    if row is None:
        raise NoSuchOrganization(org_id)
    return row


async def issue_client(
    conn: Connection, org_id: str, acts_for_people: bool = False
) -> clients.IssuedClient:
    """New client credentials for the organization; the secret is returned only now. A client
    that acts for people (the portal) belongs to the network's own organization only."""
    org = await repository.get_organization(conn, org_id)
    if org is None:
        raise NoSuchOrganization(org_id)
    if acts_for_people and org["kind"] != OrgKind.NETWORK:
        raise PeopleClientOutsideNetwork()
    return await clients.create(conn, org_id, acts_for_people)


async def _is_network(conn: Connection, org_id: str) -> bool:
    row = await repository.get_organization(conn, org_id)
    return row is not None and row["kind"] == OrgKind.NETWORK
