"""Referral partners established in advance: each referring site's preferred practices.

A site coordinator chooses them before any patient is in the room (docs/domain.md "Referral
partners"). Matching shows the ones that fit the request first (``matching`` rule h); one that
does not fit is not put first, and the answer says why in words a nurse can read aloud. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.directory.domain.errors import NoSuchOrganization, PartnersNotYours, UnknownPractice
from warmlink.roles import PersonRole, Role

# A site keeps a short list it can actually call on; more is a directory, not partners
# (the request schema holds the cap).
MAX_PARTNERS = 50

PREFERRED = "Preferred partner of your site"
NO_OPEN_SLOT = "Preferred partner of your site, not shown first: no open intake slot now"

# Why a partner's service is not a match, for the codes of matching rule a that concern her
# (a service of another level of care is simply not what was asked for).
NOT_FITTING = {
    "suspended": "Suspended from the network for now",
    "population": "Does not serve her population (pregnant or postpartum)",
    "language": "Does not offer her language",
    "coverage": "Does not take her coverage and is not usable without insurance",
    "modality": "Does not offer the way of meeting asked for",
    "out_of_area": "Too far away, and no telehealth licensed in her state",
}


@dataclass(frozen=True)
class PartnerNotFitting:
    """A partner's service at the requested level of care that the request excludes."""

    organization_id: str
    organization_name: str
    service_id: str
    service_name: str
    reason: str  # matching rule a's code
    explanation: str


def not_fitting(
    organization_id: str, organization_name: str, service_id: str, service_name: str, reason: str
) -> PartnerNotFitting | None:
    """The partner's service the request excluded, said in words; None when the exclusion
    is not about her (another level of care, not a practice)."""
    words = NOT_FITTING.get(reason)
    if words is None:
        return None
    return PartnerNotFitting(
        organization_id, organization_name, service_id, service_name, reason, words
    )


def check_keeper(org_id: str, caller_org: str, role: Role, person_role: PersonRole | None) -> None:
    """Who keeps a site's partners: its site coordinator, or its own clinic machine client.
    Anyone else's organization is not found (its partners are not theirs to know)."""
    if caller_org != org_id or role is not Role.CLINIC:
        raise NoSuchOrganization(org_id)
    if person_role is not None and person_role is not PersonRole.SITE_COORDINATOR:
        raise PartnersNotYours()


def check_chosen(chosen: Sequence[str], practices: Iterable[str]) -> list[str]:
    """The chosen practice ids, once each in the order given; UnknownPractice points at the
    first id that is not a receiving practice of the network."""
    known = set(practices)
    kept: list[str] = []
    for i, practice_id in enumerate(chosen):
        if practice_id not in known:
            raise UnknownPractice(i, practice_id)
        if practice_id not in kept:
            kept.append(practice_id)
    return kept
