"""rank(): tiers, the non-coverage hard filters, order within a tier, limit and determinism."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from services.directory.domain.freshness import Freshness
from services.directory.domain.matching import Candidate, MatchResult, rank
from services.directory.domain.model import (
    LevelOfCare,
    Modality,
    ObservedBehaviour,
    OrgKind,
    OrgStatus,
    Population,
)
from tests.unit.directory.test_directory_factories import (
    NOW,
    TODAY,
    ids,
    north_of,
    practice,
    request,
)

TELEHEALTH_ONLY = frozenset({Modality.TELEHEALTH})
NO_PLANS: frozenset[str] = frozenset()
STALE_HOURS = 12 * 24


def run(candidates: list[Candidate], **overrides: object) -> MatchResult:
    return rank(request(**overrides), candidates, NOW)


def excluded(candidates: list[Candidate], **overrides: object) -> dict[str, str]:
    return dict(run(candidates, **overrides).excluded)


def track_record(ack_hours: float, attendance: float = 0.5) -> ObservedBehaviour:
    return ObservedBehaviour(
        referrals=10, median_hours_to_acknowledge=ack_hours, attendance_rate=attendance
    )


# --- c. tiers: fresh capacity first, no capacity last ---


def test_fresh_beats_stale() -> None:
    cands = [
        practice("stale", verified_hours_ago=8 * 24, pmhc=True, next_intake=TODAY),
        practice("fresh", next_intake=TODAY + timedelta(days=10)),
    ]
    result = run(cands)
    assert [(m.service_id, m.tier) for m in result.matches] == [("fresh", 0), ("stale", 1)]
    assert result.matches[1].freshness is Freshness.STALE


def test_open_capacity_beats_none_and_no_slots_rank_last() -> None:
    cands = [
        practice("full", available=0, pmhc=True),
        practice("closed", accepting=False, waitlist=4),
        practice("unknown", no_capacity=True),
        practice("stale", verified_hours_ago=STALE_HOURS),
        practice("open"),
    ]
    result = run(cands)
    assert [(m.service_id, m.tier) for m in result.matches] == [
        ("open", 0),
        ("stale", 1),  # stale: 0 + 7 days
        ("unknown", 1),  # unknown: 14 + 7 days
        ("full", 2),  # 14 days, PMH-C
        ("closed", 2),  # 14 + 7 days for one round of the waitlist
    ]
    assert result.excluded == ()  # not accepting is visible, not excluded


def test_max_age_is_passed_through() -> None:
    result = rank(request(), [practice("a")], NOW, max_age=timedelta(hours=1))
    assert (result.matches[0].tier, result.matches[0].freshness) == (1, Freshness.STALE)


# --- a. hard filters ---


def test_suspended_and_non_practices_are_excluded_with_reasons() -> None:
    cands = [
        practice("susp", status=OrgStatus.SUSPENDED, level_of_care=LevelOfCare.PHP),
        practice("hosp", kind=OrgKind.HOSPITAL),
        practice("ok"),
    ]
    result = run(cands)
    assert [m.service_id for m in result.matches] == ["ok"]
    assert result.excluded == (("hosp", "not_a_practice"), ("susp", "suspended"))


def test_level_of_care_must_match() -> None:
    cands = [practice("psych", level_of_care=LevelOfCare.PSYCHIATRY), practice("therapy")]
    assert ids(cands, level_of_care=LevelOfCare.PSYCHIATRY) == ["psych"]
    assert excluded(cands) == {"psych": "level_of_care"}


def test_population_filters_only_when_given() -> None:
    cands = [practice("moms"), practice("partners", populations=frozenset({Population.PARTNERS}))]
    assert ids(cands) == ["moms", "partners"]
    assert excluded(cands, population=Population.POSTPARTUM) == {"partners": "population"}


@pytest.mark.parametrize(
    ("offered", "requested", "included"),
    [
        ({"en"}, "es", False),
        ({"en", "es"}, "es", True),
        ({"es-MX"}, "es", True),
        ({"en-US"}, "en", True),
        ({"en"}, "en-US", True),
        ({"eng"}, "en", False),
    ],
)
def test_language_filter(offered: set[str], requested: str, included: bool) -> None:
    cands = [practice("a", languages=frozenset(offered))]
    result = run(cands, language=requested)
    assert bool(result.matches) is included
    if not included:
        assert result.excluded == (("a", "language"),)


def test_no_language_requested_means_no_language_filter() -> None:
    assert ids([practice("a", languages=frozenset({"pl"}))]) == ["a"]


def test_first_failing_filter_is_the_reason() -> None:
    cands = [practice("a", status=OrgStatus.SUSPENDED, languages=frozenset({"pl"}))]
    assert excluded(cands, language="es") == {"a": "suspended"}
    cands = [practice("b", languages=frozenset({"pl"}), plans=NO_PLANS)]
    assert excluded(cands, language="es") == {"b": "language"}


def test_limit_truncates_and_ranks_are_one_based() -> None:
    cands = [practice(f"s{n:02d}", sliding_scale=True) for n in range(12)]
    result = run(cands)
    assert [m.rank for m in result.matches] == list(range(1, 11))
    assert [m.service_id for m in result.matches] == [f"s{n:02d}" for n in range(10)]


# --- e. order within a tier ---


def test_expected_days_beat_fit() -> None:
    cands = [
        practice("fit", pmhc=True, next_intake=TODAY + timedelta(days=2)),
        practice("quick", next_intake=TODAY + timedelta(days=1)),
    ]
    assert ids(cands) == ["quick", "fit"]


def test_fit_beats_distance() -> None:
    cands = [practice("near", at=north_of(1)), practice("pmhc", pmhc=True, at=north_of(30))]
    assert ids(cands) == ["pmhc", "near"]


def test_language_and_infant_welcome_add_fit() -> None:
    cands = [
        practice("en", at=north_of(1)),
        practice("bi", languages=frozenset({"en", "es"}), at=north_of(9)),
    ]
    assert ids(cands, language="es") == ["bi"]
    assert ids(cands, language="en") == ["en", "bi"]
    baby = [practice("near", at=north_of(1)), practice("baby", infant_welcome=True, at=north_of(9))]
    assert ids(baby, population=Population.POSTPARTUM) == ["baby", "near"]
    assert ids(baby, population=Population.PREGNANT) == ["near", "baby"]


def test_direct_coverage_outranks_sliding_scale_for_a_plan_patient() -> None:
    cands = [
        practice("slide", sliding_scale=True, plans=NO_PLANS, at=north_of(1)),
        practice("in-network", at=north_of(9)),
    ]
    assert ids(cands) == ["in-network", "slide"]


def test_distance_beats_reliability_and_telehealth_only_comes_after() -> None:
    cands = [
        practice("tele", modalities=TELEHEALTH_ONLY, observed=track_record(1, 1.0)),
        practice("far", at=north_of(20), observed=track_record(1, 1.0)),
        practice("near", at=north_of(5)),
    ]
    assert ids(cands, telehealth_state="IL") == ["near", "far", "tele"]


def test_reliability_orders_equals_and_unknown_is_neutral() -> None:
    cands = [
        practice("a-slow", observed=track_record(72, 0.3)),
        practice("b-unknown"),
        practice("c-fast", observed=track_record(2, 0.9)),
        practice("d-few", observed=ObservedBehaviour(referrals=4, median_hours_to_acknowledge=1)),
    ]
    assert ids(cands) == ["c-fast", "b-unknown", "d-few", "a-slow"]


def test_observed_days_blend_into_the_expected_days() -> None:
    observed = ObservedBehaviour(referrals=6, median_days_to_first_appointment=10)
    cands = [practice("a", next_intake=TODAY + timedelta(days=2), observed=observed)]
    (match,) = run(cands).matches
    assert match.expected_days_to_first_appointment == 6
    assert (
        "Expected first appointment in about 6 days (blended with an observed median of 10 days)"
        in match.reasons
    )


def test_ties_break_on_service_id_and_order_is_deterministic() -> None:
    cands = [practice(f"svc-{c}") for c in "dbeac"] + [
        practice("x-stale", verified_hours_ago=STALE_HOURS),
        practice("x-susp", status=OrgStatus.SUSPENDED),
        practice("a-psych", level_of_care=LevelOfCare.PSYCHIATRY),
    ]
    first = run(cands)
    assert [m.service_id for m in first.matches] == [
        "svc-a",
        "svc-b",
        "svc-c",
        "svc-d",
        "svc-e",
        "x-stale",
    ]
    for seed in range(5):
        shuffled = cands[:]
        random.Random(seed).shuffle(shuffled)
        assert run(shuffled) == first
    assert first.excluded == (("a-psych", "level_of_care"), ("x-susp", "suspended"))


def test_candidates_may_be_any_iterable() -> None:
    result = rank(request(), (practice(n) for n in ("b", "a")), NOW)
    assert [m.service_id for m in result.matches] == ["a", "b"]
