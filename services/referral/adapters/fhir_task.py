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

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.codes import CancelReason, DeclineReason
from contracts.lifecycle import FHIR_STATUS, ReferralStatus
from services.referral.domain.referral import Referral
from warmlink.auth import PERSON_PREFIX

BSER_TASK_PROFILE = "http://hl7.org/fhir/us/bser/StructureDefinition/BSeR-ReferralTask"
BSER_SERVICE_REQUEST_PROFILE = (
    "http://hl7.org/fhir/us/bser/StructureDefinition/BSeR-ReferralServiceRequest"
)
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
# A person who signs in (the portal's people): her id, never her name. A staff id a site's own
# system sent (`referrer_id`) is only unique within that site, hence one system per site.
PERSON_SYSTEM = "urn:warmlink:person"
STAFF_SYSTEM_PREFIX = "urn:warmlink:staff:"
PERSON_ROLE_SYSTEM = "urn:warmlink:person-role"
DECLINE_REASON_SYSTEM = "urn:warmlink:decline-reason"
CANCEL_REASON_SYSTEM = "urn:warmlink:cancel-reason"
# The contained PractitionerRole that Task.requester and ServiceRequest.requester point at.
REQUESTER_ID = "requester"

# SNOMED CT 306206005 |Referral to service (procedure)|.
REFERRAL_CATEGORY = {"code": "306206005", "display": "Referral to service"}

# SNOMED CT 394924000 |Symptoms of depression (finding)|: why a referral made from a positive
# screen is made. A screen (EPDS, PHQ-9) finds symptoms that need assessment; it diagnoses
# nothing, so a disorder code (35489007 |Depressive disorder|, 58703003 |Postpartum depression|)
# would claim more than the network knows. A referral made without a screen carries no reasonCode:
# its reason is the clinician's, and is not held here.
SCREEN_FINDING = {"code": "394924000", "display": "Symptoms of depression"}
SCREEN_FINDING_TEXT = "Positive perinatal depression screen"

# The words a clinician reads beside each coded reason (statusReason.text is required by BSeR).
DECLINE_REASON_TEXT: dict[str, str] = {
    DeclineReason.NO_CAPACITY: "No capacity",
    DeclineReason.NOT_CLINICAL_FIT: "Not a clinical fit",
    DeclineReason.COVERAGE: "Coverage not accepted",
    DeclineReason.UNABLE_TO_REACH: "Unable to reach the patient",
    DeclineReason.PATIENT_DECLINED: "The patient declined",
    DeclineReason.OTHER: "Other",
}
CANCEL_REASON_TEXT: dict[str, str] = {
    CancelReason.PATIENT_DECLINED: "The patient declined",
    CancelReason.REFERRED_ELSEWHERE: "Referred elsewhere",
    CancelReason.NO_LONGER_NEEDED: "No longer needed",
    CancelReason.DUPLICATE: "Duplicate referral",
    CancelReason.ENTERED_IN_ERROR: "Entered in error",
    CancelReason.OTHER: "Other",
}
_REASONS: dict[ReferralStatus, tuple[str, dict[str, str]]] = {
    ReferralStatus.DECLINED: (DECLINE_REASON_SYSTEM, DECLINE_REASON_TEXT),
    ReferralStatus.CANCELLED: (CANCEL_REASON_SYSTEM, CANCEL_REASON_TEXT),
}


@dataclass(frozen=True)
class TaskContext:
    """What the Task says beyond the referral's own row, read from its timeline.

    `submitted_by`: the subject whose `submit` made the referral (`person:<uuid>` for a person
    signed in at the portal, a client id for an EHR), with her `submitter_role`;
    `status_reason`: the coded reason of the change that put the referral in its current state.
    """

    submitted_by: str | None = None
    submitter_role: str | None = None
    status_reason: str | None = None


NO_CONTEXT = TaskContext()

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


def task_resource(r: Referral, base_url: str, context: TaskContext = NO_CONTEXT) -> dict[str, Any]:
    """The BSeR referral Task for `r`; its focus is `service_request_resource(r, base_url)`.

    `base_url` is the FHIR base the resources are served from: references are absolute so the Task
    still resolves when an EHR stores it elsewhere ("" gives relative references). The requester
    is the person who referred, as a contained PractitionerRole at the referring site; a declined
    or cancelled referral carries its coded reason as statusReason.
    """
    fhir = FHIR_STATUS[r.status]
    task: dict[str, Any] = {
        "resourceType": "Task",
        "id": str(r.id),
        "meta": {"profile": [BSER_TASK_PROFILE], **_security(r)},
        "contained": [_requester_role(r, context)],
        "identifier": [_placer_identifier(r)],
        "status": fhir.task_status,
        **_status_reason(r.status, context.status_reason),
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
        "requester": _REQUESTER,
        "owner": _organization(r.practice_id),
        # The practice's acknowledgement deadline (one business day, its own time zone).
        "restriction": {"period": {"end": _datetime(r.acknowledge_by)}},
    }
    return task


def service_request_resource(
    r: Referral, base_url: str, context: TaskContext = NO_CONTEXT
) -> dict[str, Any]:
    """The ServiceRequest (the order) that `task_resource(r, base_url)` tracks, claiming BSeR's
    referral ServiceRequest profile: requested by the person who referred (a contained
    PractitionerRole, as the profile requires) for the screen's finding (`SCREEN_FINDING`).

    BSeR's supporting-information document bundle is left out: it would carry the clinical PHI
    this view deliberately omits. `base_url` is accepted for symmetry with `task_resource`; the
    ServiceRequest holds only logical references.
    """
    del base_url  # no outgoing resource references: see the docstring
    display = LEVEL_OF_CARE_DISPLAY.get(r.level_of_care, r.level_of_care)
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": str(r.id),
        "meta": {"profile": [BSER_SERVICE_REQUEST_PROFILE], **_security(r)},
        "contained": [_requester_role(r, context)],
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
        "requester": _REQUESTER,
        "performer": [_organization(r.practice_id)],
    }
    if r.screening_id is not None:
        finding = {"coding": [{"system": SNOMED, **SCREEN_FINDING}], "text": SCREEN_FINDING_TEXT}
        resource["reasonCode"] = [finding]
    return resource


_REQUESTER = {"reference": "#" + REQUESTER_ID, "type": "PractitionerRole"}


def _requester_role(r: Referral, context: TaskContext) -> dict[str, Any]:
    """The person who referred, in her role at the referring site: the person who submitted it
    when she signed in at the portal, else the clinician the site's own system named
    (`referrer_id`). Identifiers and a role code only: no name, no contact details."""
    submitter = context.submitted_by or ""
    if submitter.startswith(PERSON_PREFIX):
        person = {"system": PERSON_SYSTEM, "value": submitter.removeprefix(PERSON_PREFIX)}
        role = context.submitter_role
    else:
        person = {"system": STAFF_SYSTEM_PREFIX + r.site_id, "value": r.referrer_id}
        role = None
    practitioner_role: dict[str, Any] = {
        "resourceType": "PractitionerRole",
        "id": REQUESTER_ID,
        "practitioner": {"type": "Practitioner", "identifier": person},
        "organization": _organization(r.site_id),
    }
    if role:
        practitioner_role["code"] = [{"coding": [{"system": PERSON_ROLE_SYSTEM, "code": role}]}]
    return practitioner_role


def _status_reason(status: ReferralStatus, reason: str | None) -> dict[str, Any]:
    """Task.statusReason for a declined or cancelled referral: the coded reason, and its words
    (BSeR requires the text). Other states, or a reason not coded, carry none."""
    if status not in _REASONS or reason is None:
        return {}
    system, words = _REASONS[status]
    if reason not in words:
        return {}
    coding = {"system": system, "code": reason, "display": words[reason]}
    return {"statusReason": {"coding": [coding], "text": words[reason]}}


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
