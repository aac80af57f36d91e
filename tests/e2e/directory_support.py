"""Helpers for directory tests: a practice listed through the API, referral events on the wire."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
from aiokafka import AIOKafkaProducer

from contracts import (
    AppointmentAttended,
    AppointmentMissed,
    AppointmentScheduled,
    EventPayload,
    IntakeAcknowledged,
    ReferralCancelled,
    ReferralDeclined,
    ReferralRedirected,
    ReferralSubmitted,
    encode,
    new_event_id,
    wrap,
)
from contracts.envelope import Envelope
from tests.e2e.conftest import Network
from warmlink.auth import Role

ADMIN = "network-admin"


def now() -> datetime:
    """Taken when an event is built: the suite may run for minutes after import."""
    return datetime.now(UTC)


def service_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Perinatal therapy",
        "level_of_care": "outpatient_therapy",
        "modalities": ["in_person", "telehealth"],
        "populations": ["pregnant", "postpartum"],
        "pmhc_certified": True,
        "infant_welcome": True,
        "languages": ["en", "es"],
        "insurance_plans": ["bcbs-il"],
        "accepts_medicaid": True,
        "telehealth_states": ["IL"],
        "location_ids": [],
        "intake_methods": ["intake_line"],
        "intake_phone": "312-555-0100",
        "intake_hours": [{"weekday": 0, "opens": "09:00", "closes": "17:00"}],
        "time_zone": "America/Chicago",
    }
    return body | overrides


async def list_practice(
    net: Network,
    client: httpx.AsyncClient,
    org: str,
    *,
    practice_type: str = "private_practice",
    service: dict[str, Any] | None = None,
    capacity: dict[str, Any] | None = None,
) -> str:
    admin = net.auth(ADMIN, Role.ADMIN)
    onboarded = await client.put(
        f"/v1/organizations/{org}",
        json={
            "name": org.replace("-", " ").title(),
            "kind": "practice",
            "practice_type": practice_type,
        },
        headers=admin,
    )
    assert onboarded.status_code == 200, onboarded.text
    location = {
        "name": "Main office",
        "address_1": "1 Main St",
        "city": "Chicago",
        "state": "IL",
        "postal_code": "60601",
        "latitude": 41.88,
        "longitude": -87.63,
    }
    own = net.auth(org, Role.PRACTICE)
    put_loc = await client.put(
        f"/v1/organizations/{org}/locations/{org}-main", json=location, headers=own
    )
    assert put_loc.status_code == 204, put_loc.text
    service_id = f"{org}-therapy"
    body = service_body(location_ids=[f"{org}-main"]) | (service or {})
    put_svc = await client.put(
        f"/v1/organizations/{org}/services/{service_id}", json=body, headers=own
    )
    assert put_svc.status_code == 204, put_svc.text
    cap = {
        "available": 2,
        "maximum": 3,
        "next_available_intake": str(date.today() + timedelta(days=2)),
    }
    put_cap = await client.put(
        f"/v1/services/{service_id}/capacity", json=cap | (capacity or {}), headers=own
    )
    assert put_cap.status_code == 204, put_cap.text
    return service_id


def submitted(practice: str, service_id: str, referral_id: UUID | None = None) -> ReferralSubmitted:
    return ReferralSubmitted(
        referral_id=referral_id or new_event_id(),
        site_id="riverside-ob",
        practice_id=practice,
        service_id=service_id,
        screening_id=None,
        patient_ref="pt-1",
        setting="ob",
        method="digital",
        urgency="routine",
        level_of_care="outpatient_therapy",
        modality=None,
        referrer_id="clinician-1",
        dyad=False,
        submitted_at=now(),
        acknowledge_by=now() + timedelta(days=1),
        appointment_needed_by=None,
    )


def acknowledged(e: ReferralSubmitted, hours_later: float) -> IntakeAcknowledged:
    return IntakeAcknowledged(
        referral_id=e.referral_id,
        site_id=e.site_id,
        practice_id=e.practice_id,
        acknowledged_at=e.submitted_at + timedelta(hours=hours_later),
    )


def declined(e: ReferralSubmitted) -> ReferralDeclined:
    return ReferralDeclined(
        referral_id=e.referral_id,
        site_id=e.site_id,
        practice_id=e.practice_id,
        reason="no_capacity",
        declined_at=now(),
    )


def cancelled(e: ReferralSubmitted) -> ReferralCancelled:
    return ReferralCancelled(
        referral_id=e.referral_id,
        site_id=e.site_id,
        practice_id=e.practice_id,
        reason="patient_declined",
        cancelled_at=now(),
    )


def scheduled(e: ReferralSubmitted) -> AppointmentScheduled:
    return AppointmentScheduled(
        referral_id=e.referral_id,
        site_id=e.site_id,
        practice_id=e.practice_id,
        appointment_id=new_event_id(),
        appointment_at=e.submitted_at + timedelta(days=3),  # three days, however slow the test
        modality="telehealth",
        level_of_care="outpatient_therapy",
        scheduled_at=now(),
    )


def attendance(e: AppointmentScheduled, attended: bool) -> AppointmentAttended | AppointmentMissed:
    kind = AppointmentAttended if attended else AppointmentMissed
    return kind(
        referral_id=e.referral_id,
        site_id=e.site_id,
        practice_id=e.practice_id,
        appointment_id=e.appointment_id,
        appointment_at=e.appointment_at,
    )


def redirected(e: ReferralSubmitted, practice: str, service_id: str) -> ReferralRedirected:
    return ReferralRedirected(
        referral_id=e.referral_id,
        site_id=e.site_id,
        practice_id=practice,
        previous_practice_id=e.practice_id,
        service_id=service_id,
        reason="declined",
        decline_reason="no_capacity",
        redirected_at=now(),
        acknowledge_by=now() + timedelta(days=1),
    )


async def send(net: Network, *envelopes: Envelope) -> None:
    assert net.stack.infra is not None
    producer = AIOKafkaProducer(bootstrap_servers=net.stack.infra.kafka_bootstrap)
    await producer.start()
    try:
        prefix = net.stack.common_env["KAFKA_TOPIC_PREFIX"]
        for env in envelopes:
            await producer.send_and_wait(
                prefix + "warmlink.referral.v1", encode(env), key=env.subject.encode()
            )
    finally:
        await producer.stop()


def envelope(payload: EventPayload) -> Envelope:
    return wrap(payload, producer="referral")
