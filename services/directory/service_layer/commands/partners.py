"""A referring site's preferred practices: read and replaced by its site coordinator."""

from __future__ import annotations

from dataclasses import dataclass

from services.directory.adapters import partners
from services.directory.domain.partners import check_chosen, check_keeper
from warmlink.auth import Caller
from warmlink.db import Connection


@dataclass(frozen=True)
class ChoosePartners:
    org_id: str
    practice_ids: list[str]


async def preferred_practices(conn: Connection, caller: Caller, org_id: str) -> list[str]:
    check_keeper(org_id, caller.organization_id, caller.role, caller.person_role)
    return await partners.preferred_of(conn, org_id)


async def choose_partners(conn: Connection, caller: Caller, c: ChoosePartners) -> list[str]:
    """Replace the site's list with the one given (the page sends the whole list at once)."""
    check_keeper(c.org_id, caller.organization_id, caller.role, caller.person_role)
    known = await partners.practices_among(conn, c.practice_ids)
    kept = check_chosen(c.practice_ids, known)
    await partners.replace_preferred(conn, c.org_id, kept)
    return kept
