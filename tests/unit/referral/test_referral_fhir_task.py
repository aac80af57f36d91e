"""FHIR R4 Task and ServiceRequest rendering: valid resources, docs/domain.md's codes, no PHI."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from contracts.codes import CancelReason, DeclineReason
from contracts.lifecycle import FHIR_STATUS, ReferralStatus
from services.referral.adapters.fhir_task import (
    BSER_BUSINESS_STATUS_SYSTEM,
    BSER_SERVICE_REQUEST_PROFILE,
    BSER_TASK_PROFILE,
    SERVICE_REQUEST_STATUS,
    TaskContext,
    service_request_resource,
    task_resource,
)
from services.referral.domain.referral import PatientDetails, Referral

BASE = "https://fhir.warmlink.example/r4"
REFERRAL_ID = UUID("6f1c2d3e-4b5a-4c6d-8e7f-001122334455")
SUBMITTED = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")

# docs/domain.md "Referral lifecycle and its standard codes", copied by hand so that a drift in
# contracts.lifecycle shows up here. Attended stays in-progress until closed; a referrer's
# cancellation is honoured at once, so it records the outcome (6.0), not the request (5.2).
DOMAIN_TABLE: dict[ReferralStatus, tuple[str, str]] = {
    ReferralStatus.SUBMITTED: ("requested", "2.0"),
    ReferralStatus.ACKNOWLEDGED: ("accepted", "3.0"),
    ReferralStatus.DECLINED: ("rejected", "4.0"),
    ReferralStatus.SCHEDULED: ("in-progress", "5.1.1"),
    ReferralStatus.NO_SHOW: ("in-progress", "5.1.2"),
    ReferralStatus.APPOINTMENT_CANCELLED: ("in-progress", "5.1.3"),
    ReferralStatus.ATTENDED: ("in-progress", "5.1.4"),
    ReferralStatus.CANCELLED: ("cancelled", "6.0"),
    ReferralStatus.CLOSED: ("completed", "7.0"),
}

# The documented ServiceRequest mapping (fhir_task module docstring).
ORDER_STATUS: dict[ReferralStatus, str] = {
    **dict.fromkeys(
        (
            ReferralStatus.SUBMITTED,
            ReferralStatus.ACKNOWLEDGED,
            ReferralStatus.SCHEDULED,
            ReferralStatus.NO_SHOW,
            ReferralStatus.APPOINTMENT_CANCELLED,
            ReferralStatus.ATTENDED,
        ),
        "active",
    ),
    ReferralStatus.DECLINED: "on-hold",
    ReferralStatus.CANCELLED: "revoked",
    ReferralStatus.CLOSED: "completed",
}

# Distinctive PHI: none of it may appear in either resource.
PATIENT = PatientDetails(
    given_name="Zelphina",
    family_name="Quarrington",
    birth_date=date(1993, 7, 14),
    phone="+1-312-555-0147",
    email="zelphina.q@example.org",
    preferred_contact_times="weekday mornings after nine",
    notes="lives with her mother-in-law; prefers not to be called at home",
)
# Elements that could carry a person's details or free text, anywhere (the contained
# PractitionerRole included). CodeableConcept.text is allowed: it only ever names a level of care,
# a coded reason or the screen's finding; the resource's narrative `text` is checked separately.
PHI_KEYS = {"name", "telecom", "birthDate", "note", "description", "output", "address"}
PERSON_ID = "5d0c9a7e-1111-4c2b-9d3e-123456789abc"
SIGNED_IN = TaskContext(submitted_by=f"person:{PERSON_ID}", submitter_role="ma")
REQUESTER = {"reference": "#requester", "type": "PractitionerRole"}


def referral(**overrides: Any) -> Referral:
    """A routine, digital, OB referral to outpatient therapy, just submitted."""
    base = Referral(
        id=REFERRAL_ID,
        site_id="site-ob-lakeview",
        practice_id="practice-bloom",
        service_id="svc-bloom-therapy",
        practice_name="Bloom Perinatal Therapy",
        screening_id=UUID("0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d"),
        patient_ref="MRN-000123",
        setting="ob",
        method="digital",
        urgency="routine",
        level_of_care="outpatient_therapy",
        referrer_id="user-42",
        acting_for=None,
        consent_given=True,
        part2=False,
        status=ReferralStatus.SUBMITTED,
        submitted_at=SUBMITTED,
        acknowledge_by=datetime(2025, 3, 11, 17, 0, tzinfo=CHICAGO),
        appointment_needed_by=None,
    )
    return replace(base, **overrides)


def business_coding(task: dict[str, Any]) -> dict[str, Any]:
    [coding] = task["businessStatus"]["coding"]
    assert isinstance(coding, dict)
    return coding


def walk_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in walk_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in walk_keys(v)}
    return set()


# --- every state: valid FHIR R4, and the standard codes ---


def test_every_state_is_mapped() -> None:
    assert set(FHIR_STATUS) == set(ReferralStatus) == set(DOMAIN_TABLE)
    assert set(SERVICE_REQUEST_STATUS) == set(ReferralStatus)


@pytest.mark.parametrize("status", list(ReferralStatus))
def test_task_is_valid_r4_with_the_domain_codes(status: ReferralStatus) -> None:
    resource = task_resource(referral(status=status), BASE)

    Task.model_validate(resource)
    task_status, business_code = DOMAIN_TABLE[status]
    assert resource["status"] == task_status
    coding = business_coding(resource)
    assert coding["system"] == BSER_BUSINESS_STATUS_SYSTEM
    assert coding["code"] == business_code
    assert coding["display"] == FHIR_STATUS[status].business_status_display


@pytest.mark.parametrize("status", list(ReferralStatus))
def test_service_request_is_valid_r4_with_the_documented_status(status: ReferralStatus) -> None:
    resource = service_request_resource(referral(status=status), BASE)

    ServiceRequest.model_validate(resource)
    assert resource["status"] == ORDER_STATUS[status]


@pytest.mark.parametrize("part2", [False, True])
@pytest.mark.parametrize("urgency", ["routine", "urgent"])
def test_variants_stay_valid(part2: bool, urgency: str) -> None:
    r = referral(part2=part2, urgency=urgency, updated_at=SUBMITTED + timedelta(hours=3))
    Task.model_validate(task_resource(r, BASE))
    ServiceRequest.model_validate(service_request_resource(r, BASE))


def test_the_validator_is_not_a_rubber_stamp() -> None:
    with pytest.raises(ValueError, match="extra"):
        Task.model_validate({**task_resource(referral(), BASE), "patientName": "x"})


# --- Task content ---


def test_task_fields() -> None:
    task = task_resource(referral(), BASE)

    assert task["resourceType"] == "Task"
    assert task["id"] == str(REFERRAL_ID)
    assert task["meta"] == {"profile": [BSER_TASK_PROFILE]}
    assert "statusReason" not in task
    assert task["intent"] == "order"
    assert task["priority"] == "routine"
    assert task["focus"]["reference"] == f"{BASE}/ServiceRequest/{REFERRAL_ID}"
    assert task["for"]["identifier"] == {
        "system": "urn:warmlink:patient-ref:site-ob-lakeview",
        "value": "MRN-000123",
    }
    assert task["requester"] == REQUESTER
    assert task["owner"]["type"] == "Organization"
    assert task["owner"]["identifier"]["value"] == "practice-bloom"
    assert task["authoredOn"] == "2025-03-10T15:00:00+00:00"
    assert task["lastModified"] == task["authoredOn"]  # never updated
    # The acknowledgement deadline keeps the practice's own offset (CDT on 11 March 2025).
    assert task["restriction"]["period"]["end"] == "2025-03-11T17:00:00-05:00"


def test_task_last_modified_and_urgent_priority() -> None:
    updated = datetime(2025, 3, 10, 18, 30, tzinfo=UTC)
    task = task_resource(referral(updated_at=updated, urgency="urgent"), BASE)

    assert task["lastModified"] == "2025-03-10T18:30:00+00:00"
    assert task["priority"] == "urgent"


@pytest.mark.parametrize("base", ["", "https://fhir.example/r4/"])
def test_focus_reference_is_relative_without_a_base_and_has_no_double_slash(base: str) -> None:
    reference = task_resource(referral(), base)["focus"]["reference"]
    expected = f"ServiceRequest/{REFERRAL_ID}"
    assert reference == (f"https://fhir.example/r4/{expected}" if base else expected)


def test_task_focus_and_service_request_are_the_same_referral() -> None:
    r = referral()
    task, order = task_resource(r, BASE), service_request_resource(r, BASE)
    assert task["focus"]["reference"].endswith(f"/ServiceRequest/{order['id']}")
    assert task["identifier"] == order["identifier"]
    assert task["for"] == order["subject"]


# --- ServiceRequest content ---


def test_service_request_fields() -> None:
    order = service_request_resource(referral(urgency="urgent"), BASE)

    assert order["resourceType"] == "ServiceRequest"
    assert order["intent"] == "order"
    assert order["priority"] == "urgent"
    assert order["category"] == [
        {
            "coding": [
                {
                    "system": "http://snomed.info/sct",
                    "code": "306206005",
                    "display": "Referral to service",
                }
            ]
        }
    ]
    assert order["code"] == {
        "coding": [
            {
                "system": "urn:warmlink:level-of-care",
                "code": "outpatient_therapy",
                "display": "Outpatient therapy",
            }
        ],
        "text": "Outpatient therapy",
    }
    assert order["requester"] == REQUESTER
    assert order["performer"] == [
        {
            "type": "Organization",
            "identifier": {"system": "urn:warmlink:organization", "value": "practice-bloom"},
        }
    ]
    assert order["authoredOn"] == "2025-03-10T15:00:00+00:00"
    assert order["meta"] == {"profile": [BSER_SERVICE_REQUEST_PROFILE]}
    assert order["reasonCode"] == [
        {
            "coding": [
                {
                    "system": "http://snomed.info/sct",
                    "code": "394924000",
                    "display": "Symptoms of depression",
                }
            ],
            "text": "Positive perinatal depression screen",
        }
    ]
    assert "supportingInfo" not in order


def test_a_referral_without_a_screen_claims_no_reason() -> None:
    order = service_request_resource(referral(screening_id=None), BASE)
    assert "reasonCode" not in order
    ServiceRequest.model_validate(order)


# --- the person who referred ---


def role_of(resource: dict[str, Any]) -> dict[str, Any]:
    [contained] = resource["contained"]
    assert resource["requester"] == REQUESTER
    assert contained["resourceType"] == "PractitionerRole" and contained["id"] == "requester"
    assert isinstance(contained, dict)
    return contained


def test_the_requester_is_the_person_who_submitted_at_her_site() -> None:
    r = referral()
    for resource in (
        task_resource(r, BASE, SIGNED_IN),
        service_request_resource(r, BASE, SIGNED_IN),
    ):
        role = role_of(resource)
        assert role["practitioner"]["identifier"] == {
            "system": "urn:warmlink:person",
            "value": PERSON_ID,
        }
        assert role["organization"]["identifier"]["value"] == "site-ob-lakeview"
        assert role["code"] == [{"coding": [{"system": "urn:warmlink:person-role", "code": "ma"}]}]
    Task.model_validate(task_resource(r, BASE, SIGNED_IN))
    ServiceRequest.model_validate(service_request_resource(r, BASE, SIGNED_IN))


def test_a_referral_an_ehr_sent_names_the_clinician_its_system_named() -> None:
    client = TaskContext(submitted_by="ehr-lakeview", submitter_role=None)
    role = role_of(task_resource(referral(), BASE, client))
    assert role["practitioner"]["identifier"] == {
        "system": "urn:warmlink:staff:site-ob-lakeview",
        "value": "user-42",
    }
    assert "code" not in role


# --- why a referral was declined or cancelled ---


@pytest.mark.parametrize(
    ("status", "reasons", "system"),
    [
        (ReferralStatus.DECLINED, list(DeclineReason), "urn:warmlink:decline-reason"),
        (ReferralStatus.CANCELLED, list(CancelReason), "urn:warmlink:cancel-reason"),
    ],
)
def test_declines_and_cancels_carry_their_coded_reason(
    status: ReferralStatus, reasons: list[str], system: str
) -> None:
    for reason in reasons:
        task = task_resource(referral(status=status), BASE, TaskContext(status_reason=reason))
        Task.model_validate(task)
        [coding] = task["statusReason"]["coding"]
        assert (coding["system"], coding["code"]) == (system, reason)
        assert task["statusReason"]["text"] == coding["display"]  # BSeR: text 1..1


@pytest.mark.parametrize(
    "status", [s for s in ReferralStatus if s not in ("declined", "cancelled")]
)
def test_other_states_carry_no_status_reason(status: ReferralStatus) -> None:
    # A reason on another state's timeline entry (a no-show, a closure outcome) is not a refusal.
    task = task_resource(referral(status=status), BASE, TaskContext(status_reason="no_capacity"))
    assert "statusReason" not in task


def test_an_uncoded_reason_is_left_out_rather_than_invented() -> None:
    context = TaskContext(status_reason="she moved away")
    assert "statusReason" not in task_resource(referral(status="declined"), BASE, context)


def test_an_unknown_level_of_care_renders_its_code() -> None:
    order = service_request_resource(referral(level_of_care="perinatal_group"), BASE)
    assert order["code"]["text"] == "perinatal_group"
    ServiceRequest.model_validate(order)


# --- privacy ---


@pytest.mark.parametrize("status", list(ReferralStatus))
def test_no_phi_and_no_free_text_in_either_resource(status: ReferralStatus) -> None:
    r = referral(status=status, part2=True, urgency="urgent")
    for resource in (
        task_resource(r, BASE, SIGNED_IN),
        service_request_resource(r, BASE, SIGNED_IN),
    ):
        wire = json.dumps(resource)
        for value in (
            PATIENT.given_name,
            PATIENT.family_name,
            PATIENT.birth_date.isoformat() if PATIENT.birth_date else "",
            "1993",
            PATIENT.phone or "",
            "555-0147",
            PATIENT.email or "",
            PATIENT.preferred_contact_times or "",
            PATIENT.notes or "",
            r.practice_name,  # display text, not needed: the practice is an identifier
        ):
            assert value not in wire
        assert not PHI_KEYS & walk_keys(resource)
        assert "text" not in resource  # no narrative


def test_part2_referrals_carry_security_labels() -> None:
    r = referral(part2=True)
    for resource in (task_resource(r, BASE), service_request_resource(r, BASE)):
        codes = {(c["system"].rsplit("/", 1)[-1], c["code"]) for c in resource["meta"]["security"]}
        assert codes == {
            ("v3-Confidentiality", "R"),
            ("v3-ActCode", "42CFRPart2"),
            ("v3-ActCode", "NORDSCLCD"),
        }
    assert "security" not in task_resource(referral(), BASE)["meta"]


# --- refusals ---


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        task_resource(referral(submitted_at=datetime(2025, 3, 10, 15, 0)), BASE)


def test_an_unknown_urgency_is_refused_rather_than_rendered_routine() -> None:
    with pytest.raises(ValueError, match="urgency"):
        task_resource(referral(urgency="URGENT"), BASE)
    with pytest.raises(ValueError, match="urgency"):
        service_request_resource(referral(urgency="high"), BASE)
