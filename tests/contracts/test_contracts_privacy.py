"""No event may carry patient identity or free text: checked on every published schema."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from contracts.privacy import free_text_properties, is_phi_like, phi_like_properties
from contracts.registry import EVENTS
from contracts.schemas_build import envelope_schema, event_schema

EVENT_KEYS = sorted(EVENTS)


@pytest.mark.parametrize("key", EVENT_KEYS, ids=[f"{t}.v{v}" for t, v in EVENT_KEYS])
def test_no_event_property_looks_like_phi(key: tuple[str, int]) -> None:
    schema = event_schema(EVENTS[key])
    assert phi_like_properties(schema) == []
    assert free_text_properties(schema) == []


def test_envelope_has_no_phi_or_free_text() -> None:
    assert phi_like_properties(envelope_schema()) == []
    assert free_text_properties(envelope_schema()) == []


class _Contact(BaseModel):
    phone_number: str
    street: str


class _LeakyEvent(BaseModel):
    """What the checks exist to stop."""

    referral_id: str = Field(pattern="^[a-z0-9-]+$")
    first_name: str
    date_of_birth: str = Field(pattern="^[0-9-]+$")
    email: str | None = None
    notes: list[str] = []
    clinician_comment: str = Field(max_length=500)
    contact: _Contact


def test_detectors_catch_a_leaky_model() -> None:
    schema = _LeakyEvent.model_json_schema()
    assert phi_like_properties(schema) == [
        "_Contact.phone_number",
        "_Contact.street",
        "clinician_comment",
        "date_of_birth",
        "email",
        "first_name",
        "notes",
    ]
    assert free_text_properties(schema) == [
        "_Contact.phone_number",
        "_Contact.street",
        "clinician_comment",
        "email",
        "first_name",
        "notes",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "name",
        "patient_name",
        "Surname",
        "phone",
        "mobile_phone",
        "e_mail",
        "email_address",
        "home_address",
        "birth_date",
        "dob",
        "ssn",
        "mrn",
        "note",
        "comment",
        "text",
        "free_text",
        "zip",
        "narrative",
    ],
)
def test_phi_names(name: str) -> None:
    assert is_phi_like(name)


@pytest.mark.parametrize(
    "name",
    [
        "referral_id",
        "practice_id",
        "site_id",
        "patient_ref",
        "band",
        "setting",
        "context",
        "name_code",
        "practice_name_id",
        "time_zone",
        "appointment_at",
        "reason",
    ],
)
def test_not_phi_names(name: str) -> None:
    assert not is_phi_like(name)
