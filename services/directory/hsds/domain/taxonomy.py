"""The ``warmlink-perinatal`` vocabulary: what HSDS has no field for travels as attributes.

HSDS 3.1 classifies records with ``attribute`` objects that each carry a ``taxonomy_term``. The
perinatal facts of a listing (level of care, modality, populations, PMH-C, infant welcome, intake
methods, capacity flags such as ``capacity-stale``) are terms of one vocabulary of ours, so a
consumer can filter on them without knowing our model. Enum facets have codes
``"{facet}:{value}"`` (``"level_of_care:iop"``); flags have plain codes (``"pmh-c"``). Where a
term needs a value (months postpartum, waitlist length, a date) it is in ``attribute.value``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from services.directory.domain.model import (
    IntakeMethod,
    LevelOfCare,
    Modality,
    OrgKind,
    Population,
    PracticeType,
)
from services.directory.hsds.domain.ids import hsds_id

Json = dict[str, Any]

VOCABULARY = "warmlink-perinatal"
TAXONOMY: Json = {
    "id": hsds_id("taxonomy", VOCABULARY),
    "name": VOCABULARY,
    "description": "Warmlink's terms for perinatal mental health listings and their capacity.",
    "version": "1",
}


class Term(NamedTuple):
    name: str
    description: str
    link_type: str


_FACETS: dict[str, tuple[str, dict[str, str]]] = {
    "organization_kind": (
        "Role of the organization in the referral network",
        {
            OrgKind.HOSPITAL: "Hospital L&D / postpartum unit",
            OrgKind.OB: "OB office",
            OrgKind.PEDIATRIC: "Pediatric office",
            OrgKind.IOP_PHP: "IOP/PHP program",
            OrgKind.PRACTICE: "Receiving practice",
            OrgKind.NETWORK: "Network administration",
        },
    ),
    "practice_type": (
        "Kind of receiving practice",
        {
            PracticeType.PRIVATE_PRACTICE: "Private practice",
            PracticeType.COMMUNITY_MENTAL_HEALTH_CENTER: "Community mental health center",
            PracticeType.FQHC: "Federally qualified health center",
            PracticeType.HOSPITAL_PROGRAM: "Hospital-based program",
            PracticeType.TELEHEALTH_ONLY: "Telehealth-only practice",
        },
    ),
    "level_of_care": (
        "Level of perinatal mental health care",
        {
            LevelOfCare.OUTPATIENT_THERAPY: "Outpatient therapy",
            LevelOfCare.PSYCHIATRY: "Psychiatry / medication management",
            LevelOfCare.IOP: "Intensive outpatient program (IOP)",
            LevelOfCare.PHP: "Partial hospitalization program (PHP)",
        },
    ),
    "modality": (
        "How sessions are delivered",
        {Modality.IN_PERSON: "In person", Modality.TELEHEALTH: "Telehealth"},
    ),
    "population": (
        "Who the service is for (postpartum: value is the number of months after delivery)",
        {
            Population.PREGNANT: "Pregnant",
            Population.POSTPARTUM: "Postpartum",
            Population.PARTNERS: "Partners",
        },
    ),
    "intake_method": (
        "How a referring team completes a warm handoff",
        {
            IntakeMethod.REFERRAL_FORM: "Referral form",
            IntakeMethod.INTAKE_LINE: "Intake line",
            IntakeMethod.SCHEDULING_LINK: "Scheduling link",
        },
    ),
}

_FLAGS: dict[str, Term] = {
    "pmh-c": Term(
        "PMH-C certified clinician",
        "At least one clinician holds the Perinatal Mental Health Certification (PMH-C).",
        "accreditation",
    ),
    "infant-welcome": Term(
        "Infant welcome in session", "The patient may bring her infant to sessions.", "eligibility"
    ),
    "accepting-new-patients": Term(
        "Accepting new patients", "Value is true or false, as last verified.", "capacity"
    ),
    "waitlist-length": Term(
        "Waitlist length", "Value is the number of people waiting for intake.", "capacity"
    ),
    "next-available-intake": Term(
        "Next available intake", "Value is the date (YYYY-MM-DD) of the next intake.", "capacity"
    ),
    "capacity-stale": Term(
        "Capacity stale",
        "Nobody has confirmed the capacity recently: treat the numbers as unverified. Value is "
        "when they were last verified.",
        "capacity",
    ),
    "organization-suspended": Term(
        "Organization suspended",
        "The network has suspended the organization: it takes no referrals.",
        "status",
    ),
}


def _all_terms() -> dict[str, Term]:
    terms = dict(_FLAGS)
    for facet, (about, values) in _FACETS.items():
        for value, name in values.items():
            terms[f"{facet}:{value}"] = Term(name, f"{about}: {name}.", facet)
    return terms


TERMS: dict[str, Term] = _all_terms()


def facet_code(facet: str, value: str) -> str:
    return f"{facet}:{value}"


def taxonomy_term(code: str) -> Json:
    """The HSDS ``taxonomy_term`` object of one of our codes."""
    term = TERMS[code]
    return {
        "id": hsds_id("taxonomy_term", code),
        "code": code,
        "name": term.name,
        "description": term.description,
        "taxonomy": VOCABULARY,
        "taxonomy_id": TAXONOMY["id"],
        "taxonomy_detail": dict(TAXONOMY),
    }


def attribute(
    link_entity: str, our_id: str, link_id: str, code: str, value: str | None = None
) -> Json:
    """An HSDS ``attribute`` tagging the ``link_entity`` record ``link_id`` with term ``code``."""
    term = taxonomy_term(code)
    result: Json = {
        "id": hsds_id("attribute", f"{link_entity}/{our_id}/{code}"),
        "link_id": link_id,
        "link_type": TERMS[code].link_type,
        "link_entity": link_entity,
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
        "label": TERMS[code].name,
    }
    if value is not None:
        result["value"] = value
    return result


CODE_OF_TERM_ID: dict[str, str] = {hsds_id("taxonomy_term", code): code for code in TERMS}
"""Our code of each published ``taxonomy_term`` id (ids are one-way UUIDs)."""


def taxonomy_terms() -> list[Json]:
    """Every term of the vocabulary, in code order."""
    return [taxonomy_term(code) for code in sorted(TERMS)]
