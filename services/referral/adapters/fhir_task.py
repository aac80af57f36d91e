"""HL7 FHIR R4 views of a referral: the Task that tracks it and the ServiceRequest it fulfils.

Pure functions from a `Referral` to JSON-ready dicts, so that EHRs can follow the closed loop
(docs/domain.md "Referral lifecycle and its standard codes"). Task.status and the BSeR
businessStatus come from `contracts.lifecycle.FHIR_STATUS`, the one table every bridge shares.

Minimum necessary, as for the events on Kafka: identifiers, codes and the referral's own dates. The
patient appears only as an identifier scoped to the referring site; no name, contact details, birth
date or free text is ever rendered (no narrative, `note`, `description` or `output`).

ServiceRequest.status (the order) is coarser than Task.status (its fulfilment):

- active: submitted, acknowledged, scheduled, no_show, appointment_cancelled, attended -- the order
  stands while the loop is open;
- on-hold: declined -- this practice said no, and the referrer either redirects the same referral to
  another practice (back to submitted) or cancels it;
- revoked: cancelled by the referrer;
- completed: closed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts.lifecycle import FHIR_STATUS, ReferralStatus
from services.referral.domain.referral import Referral

BSER_TASK_PROFILE = "http://hl7.org/fhir/us/bser/StructureDefinition/BSeR-ReferralTask"
BSER_BUSINESS_STATUS_SYSTEM = "http://hl7.org/fhir/us/bser/CodeSystem/TaskBusinessStatusCS"
TASK_CODE_SYSTEM = "http://hl7.org/fhir/CodeSystem/task-code"
SNOMED = "http://snomed.info/sct"
V2_IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V3_CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"

# Local identifier and code systems. The patient system is per referring site because a
# patient_ref is only unique within the site that issued it.
REFERRAL_ID_SYSTEM = "urn:warmlink:referral"
ORGANIZATION_SYSTEM = "urn:warmlink:organization"
PATIENT_REF_SYSTEM_PREFIX = "urn:warmlink:patient-ref:"
LEVEL_OF_CARE_SYSTEM = "urn:warmlink:level-of-care"

# SNOMED CT 306206005 |Referral to service (procedure)|.
REFERRAL_CATEGORY = {"code": "306206005", "display": "Referral to service"}

# Same wording as the directory's HSDS taxonomy; repeated because services do not import each
# other. An unknown level still renders, with its raw code as the text.
LEVEL_OF_CARE_DISPLAY = {
    "outpatient_therapy": "Outpatient therapy",
    "psychiatry": "Psychiatry / medication management",
    "iop": "Intensive outpatient program (IOP)",
    "php": "Partial hospitalization program (PHP)",
}

SERVICE_REQUEST_STATUS: dict[ReferralStatus, str] = {
    ReferralStatus.SUBMITTED: "active",
    ReferralStatus.ACKNOWLEDGED: "active",
    ReferralStatus.SCHEDULED: "active",
    ReferralStatus.NO_SHOW: "active",
    ReferralStatus.APPOINTMENT_CANCELLED: "active",
    ReferralStatus.ATTENDED: "active",
    ReferralStatus.DECLINED: "on-hold",
    ReferralStatus.CANCELLED: "revoked",
    ReferralStatus.CLOSED: "completed",
}

_PRIORITIES = frozenset({"routine", "urgent"})


def task_resource(r: Referral, base_url: str) -> dict[str, Any]:
    """The BSeR referral Task for `r`; its focus is `service_request_resource(r, base_url)`.

    `base_url` is the FHIR base the resources are served from: references are absolute so the Task
    still resolves when an EHR stores it elsewhere ("" gives relative references).
    """
    fhir = FHIR_STATUS[r.status]
    return {
        "resourceType": "Task",
        "id": str(r.id),
        "meta": {"profile": [BSER_TASK_PROFILE], **_security(r)},
        "identifier": [_placer_identifier(r)],
        "status": fhir.task_status,
        "businessStatus": {
            "coding": [
                {
                    "system": BSER_BUSINESS_STATUS_SYSTEM,
                    "code": fhir.business_status_code,
                    "display": fhir.business_status_display,
                }
            ]
        },
        "intent": "order",
        "priority": _priority(r),
        "code": {
            "coding": [
                {
                    "system": TASK_CODE_SYSTEM,
                    "code": "fulfill",
                    "display": "Fulfill the focal request",
                }
            ]
        },
        "focus": {
            "reference": _url(base_url, "ServiceRequest", str(r.id)),
            "type": "ServiceRequest",
        },
        "for": _patient(r),
        "authoredOn": _datetime(r.submitted_at),
        "lastModified": _datetime(r.updated_at or r.submitted_at),
        "requester": _organization(r.site_id),
        "owner": _organization(r.practice_id),
        # The practice's acknowledgement deadline (one business day, its own time zone).
        "restriction": {"period": {"end": _datetime(r.acknowledge_by)}},
    }


def service_request_resource(r: Referral, base_url: str) -> dict[str, Any]:
    """The ServiceRequest (the order) that `task_resource(r, base_url)` tracks.

    No profile is claimed: BSeR's ServiceRequest profile needs a supporting-information document
    bundle that would carry the clinical PHI this view deliberately leaves out. `base_url` is
    accepted for symmetry with `task_resource`; the ServiceRequest holds only logical references.
    """
    del base_url  # no outgoing resource references: see the docstring
    display = LEVEL_OF_CARE_DISPLAY.get(r.level_of_care, r.level_of_care)
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": str(r.id),
        "identifier": [_placer_identifier(r)],
        "status": SERVICE_REQUEST_STATUS[r.status],
        "intent": "order",
        "priority": _priority(r),
        "category": [{"coding": [{"system": SNOMED, **REFERRAL_CATEGORY}]}],
        "code": {
            "coding": [
                {"system": LEVEL_OF_CARE_SYSTEM, "code": r.level_of_care, "display": display}
            ],
            "text": display,
        },
        "subject": _patient(r),
        "authoredOn": _datetime(r.submitted_at),
        "requester": _organization(r.site_id),
        "performer": [_organization(r.practice_id)],
    }
    security = _security(r)
    if security:
        resource["meta"] = security
    return resource


def _patient(r: Referral) -> dict[str, Any]:
    # An identifier, not a Patient resource: the receiving EHR matches it through the PHI channel.
    return {
        "type": "Patient",
        "identifier": {"system": PATIENT_REF_SYSTEM_PREFIX + r.site_id, "value": r.patient_ref},
    }


def _organization(organization_id: str) -> dict[str, Any]:
    return {
        "type": "Organization",
        "identifier": {"system": ORGANIZATION_SYSTEM, "value": organization_id},
    }


def _placer_identifier(r: Referral) -> dict[str, Any]:
    # BSeR requires the initiator's (placer, PLAC) identifier, assigned by the referring site.
    return {
        "type": {"coding": [{"system": V2_IDENTIFIER_TYPE, "code": "PLAC"}]},
        "system": REFERRAL_ID_SYSTEM,
        "value": str(r.id),
        "assigner": _organization(r.site_id),
    }


def _security(r: Referral) -> dict[str, Any]:
    """Security labels for 42 CFR Part 2 data: restricted, and no redisclosure without consent."""
    if not r.part2:
        return {}
    return {
        "security": [
            {"system": V3_CONFIDENTIALITY, "code": "R", "display": "restricted"},
            {"system": V3_ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"},
            {
                "system": V3_ACT_CODE,
                "code": "NORDSCLCD",
                "display": "no redisclosure without consent directive",
            },
        ]
    }


def _priority(r: Referral) -> str:
    # Refuse rather than default: an urgent referral silently rendered "routine" loses the safety
    # flag that EHR worklists sort on.
    if r.urgency not in _PRIORITIES:
        raise ValueError(f"unknown urgency {r.urgency!r}: expected routine or urgent")
    return r.urgency


def _datetime(value: datetime) -> str:
    # FHIR dateTime needs a zone once a time is given; guessing one would shift deadlines.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: FHIR dateTime values need a time zone")
    return value.isoformat()


def _url(base_url: str, resource_type: str, resource_id: str) -> str:
    base = base_url.rstrip("/")
    return f"{base}/{resource_type}/{resource_id}" if base else f"{resource_type}/{resource_id}"
