"""Barriers named before she leaves: kept once each, in the code set's order, and carried in
ReferralSubmitted as codes only."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from contracts.codes import AccessBarrier
from contracts.lifecycle import ReferralStatus
from services.referral.domain.handoff import barrier_codes
from services.referral.domain.lifecycle_events import submitted
from services.referral.domain.referral import Referral

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_barriers_are_kept_once_each_in_the_code_sets_order() -> None:
    named = [AccessBarrier.STIGMA, AccessBarrier.TRANSPORT, AccessBarrier.STIGMA]
    assert barrier_codes(named) == ("transport", "stigma")
    assert barrier_codes([]) == ()


def test_the_submitted_event_carries_the_codes_and_nothing_about_her() -> None:
    referral = Referral(
        id=uuid4(),
        site_id="riverside-ob",
        practice_id="bloom-therapy",
        service_id="bloom-therapy-outpatient",
        practice_name="Bloom",
        screening_id=None,
        patient_ref="pt-1",
        setting="ob",
        method="digital",
        urgency="routine",
        level_of_care="outpatient_therapy",
        referrer_id="dr-1",
        acting_for=None,
        consent_given=True,
        part2=False,
        status=ReferralStatus.SUBMITTED,
        submitted_at=NOW,
        acknowledge_by=NOW,
        appointment_needed_by=None,
        barriers=("childcare", "cost"),
    )
    event = submitted(referral).model_dump(mode="json")
    assert event["barriers"] == ["childcare", "cost"]
    assert not {"voicemail_safe", "text_safe", "patient"} & set(event)
