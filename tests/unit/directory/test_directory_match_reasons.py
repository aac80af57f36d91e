"""Match reasons and the fields a client shows: every sentence, staleness always spelled out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.directory.domain.freshness import Freshness
from services.directory.domain.matching import Candidate, Match, rank
from services.directory.domain.model import (
    LevelOfCare,
    ObservedBehaviour,
    Population,
    PracticeType,
)
from tests.unit.directory.test_directory_factories import (
    NOW,
    TODAY,
    north_of,
    practice,
    request,
)

NO_PLANS: frozenset[str] = frozenset()


def only(candidate: Candidate, **overrides: object) -> Match:
    (match,) = rank(request(**overrides), [candidate], NOW).matches
    return match


def test_every_reason_for_a_rich_match_in_order() -> None:
    observed = ObservedBehaviour(referrals=9, median_hours_to_acknowledge=6.2, attendance_rate=0.8)
    cand = practice(
        "rich",
        pmhc=True,
        languages=frozenset({"en", "es"}),
        medicaid=True,
        sliding_scale=True,
        infant_welcome=True,
        at=north_of(12),
        next_intake=TODAY + timedelta(days=2),
        observed=observed,
    )
    match = only(
        cand,
        coverage="medicaid",
        plan=None,
        language="es",
        telehealth_state="il",
        population=Population.POSTPARTUM,
    )
    assert match.reasons == (
        "Fresh capacity: 3 of 10 intake slots open, verified 5 hours ago",
        "Next intake in 2 days",
        "Expected first appointment in about 2 days",
        "Accepts Medicaid",
        "Sliding scale: usable without insurance",
        "PMH-C certified clinician",
        "Speaks es",
        "Infants welcome in session",
        "12 km away",
        "Telehealth licensed in IL",
        "Acknowledged referrals in a median of 6 hours over the last 90 days",
        "80% of scheduled first appointments attended over the last 90 days",
    )


def test_match_fields() -> None:
    cand = practice("a", practice_type=PracticeType.FQHC, at=north_of(12))
    match = only(cand)
    assert (match.organization_id, match.organization_name) == ("org-a", "A Perinatal")
    assert (match.service_id, match.service_name) == ("a", "a therapy")
    assert match.practice_type is PracticeType.FQHC
    assert match.level_of_care is LevelOfCare.OUTPATIENT_THERAPY
    assert match.capacity == cand.service.capacity
    assert match.freshness is Freshness.FRESH
    assert match.capacity_age_hours == pytest.approx(5.0)
    assert match.distance_km == pytest.approx(12.0, abs=1e-3)
    assert match.telehealth is False  # no telehealth state asked
    assert match.usable_without_insurance
    assert "Accepts aetna" in match.reasons
    assert "Federally qualified health center: usable without insurance" in match.reasons


def test_stale_capacity_says_so_and_why_it_ranks_lower() -> None:
    match = only(practice("a", verified_hours_ago=12 * 24 + 3))
    assert match.reasons[:2] == (
        "Capacity is stale (verified 12 days ago): ranked after fresh listings",
        "Last reported 3 of 10 intake slots open",
    )
    assert "Expected first appointment in about 7 days" in match.reasons
    assert match.capacity_age_hours == pytest.approx(12 * 24 + 3)


def test_unknown_capacity_says_so() -> None:
    match = only(practice("a", no_capacity=True))
    assert match.reasons[0] == "Capacity has never been verified: ranked after fresh listings"
    assert (match.freshness, match.capacity, match.capacity_age_hours) == (
        Freshness.UNKNOWN,
        None,
        None,
    )
    assert match.expected_days_to_first_appointment == 21


@pytest.mark.parametrize(
    ("overrides", "first", "last"),
    [
        ({"available": 0}, "Capacity verified 5 hours ago", "No open intake slots: ranked last"),
        (
            {"accepting": False, "waitlist": 4},
            "Capacity verified 5 hours ago",
            "Not accepting new patients (waitlist of 4): ranked last",
        ),
        (
            {"accepting": False},
            "Capacity verified 5 hours ago",
            "Not accepting new patients: ranked last",
        ),
        (
            {"available": 0, "verified_hours_ago": 9 * 24},
            "Capacity is stale (verified 9 days ago)",
            "No open intake slots: ranked last",
        ),
    ],
)
def test_no_open_slots_rank_last_and_say_so(
    overrides: dict[str, object], first: str, last: str
) -> None:
    match = only(practice("a", **overrides))  # type: ignore[arg-type]
    assert match.tier == 2
    assert (match.reasons[0], match.reasons[-1]) == (first, last)


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (0.4, "verified less than an hour ago"),
        (1.2, "verified 1 hour ago"),
        (47.4, "verified 47 hours ago"),
        (48, "verified 2 days ago"),
        (167, "verified 6 days ago"),
    ],
)
def test_capacity_age_wording(hours: float, text: str) -> None:
    assert only(practice("a", verified_hours_ago=hours)).reasons[0].endswith(text)


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (0, "Next intake today"),
        (1, "Next intake tomorrow"),
        (9, "Next intake in 9 days"),
        (-3, "Listed next intake date has passed"),
    ],
)
def test_next_intake_wording(days: int, text: str) -> None:
    match = only(practice("a", next_intake=TODAY + timedelta(days=days)))
    assert match.reasons[1] == text


@pytest.mark.parametrize(
    ("overrides", "text"),
    [
        ({"free": True, "sliding_scale": True}, "Free: usable without insurance"),
        (
            {"practice_type": PracticeType.COMMUNITY_MENTAL_HEALTH_CENTER},
            "Community mental health center: usable without insurance",
        ),
    ],
)
def test_no_insurance_wording(overrides: dict[str, object], text: str) -> None:
    cand = practice("a", plans=NO_PLANS, **overrides)  # type: ignore[arg-type]
    match = only(cand, coverage="uninsured", plan=None)
    assert text in match.reasons
    assert not any(r.startswith("Accepts") for r in match.reasons)


def test_short_distance_and_fast_acknowledgement_wording() -> None:
    observed = ObservedBehaviour(referrals=5, median_hours_to_acknowledge=0.5)
    match = only(practice("a", at=north_of(0.4), observed=observed))
    assert "Less than 1 km away" in match.reasons
    assert "Acknowledged referrals in a median of under an hour over the last 90 days" in (
        match.reasons
    )


def test_thin_track_record_is_not_quoted() -> None:
    observed = ObservedBehaviour(referrals=4, median_hours_to_acknowledge=2, attendance_rate=1.0)
    match = only(practice("a", observed=observed))
    assert not any("over the last" in r for r in match.reasons)


def test_one_day_wording() -> None:
    match = only(practice("a", next_intake=TODAY + timedelta(days=1)))
    assert "Expected first appointment in about 1 day" in match.reasons
