"""The single clauses of the rule: coverage, language, tiers, expected days, fit, reliability."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.directory.domain import ranking_rules as rules
from services.directory.domain.freshness import Freshness
from services.directory.domain.model import ObservedBehaviour, Population, PracticeType
from tests.unit.directory.test_directory_factories import TODAY, capacity, practice, request

FRESH, STALE, UNKNOWN = Freshness.FRESH, Freshness.STALE, Freshness.UNKNOWN
NO_RECORD = ObservedBehaviour()


def seen(referrals: int = 5, **stats: float | None) -> ObservedBehaviour:
    return ObservedBehaviour(referrals=referrals, **stats)  # type: ignore[arg-type]


# --- b. usable without insurance ---


@pytest.mark.parametrize(
    ("overrides", "usable"),
    [
        ({}, False),
        ({"medicaid": True}, False),  # Medicaid is insurance
        ({"sliding_scale": True}, True),
        ({"free": True}, True),
        ({"practice_type": PracticeType.COMMUNITY_MENTAL_HEALTH_CENTER}, True),
        ({"practice_type": PracticeType.FQHC}, True),
        ({"practice_type": PracticeType.TELEHEALTH_ONLY}, False),
        ({"practice_type": None}, False),
    ],
)
def test_usable_without_insurance(overrides: dict[str, object], usable: bool) -> None:
    cand = practice("a", **overrides)  # type: ignore[arg-type]
    assert rules.usable_without_insurance(cand.organization, cand.service) is usable


# --- language ---


@pytest.mark.parametrize(
    ("requested", "offered", "matched"),
    [
        ("es", {"en", "es"}, "es"),
        ("en", {"en-US"}, "en-US"),
        ("en-US", {"en"}, "en"),
        ("ES", {"es-mx"}, "es-mx"),
        ("zh-Hant", {"zh"}, "zh"),
        ("zh-Hant", {"zh-Hans"}, None),
        ("en", {"eng"}, None),
        ("pl", {"en", "es"}, None),
        ("es", set(), None),
    ],
)
def test_language_match(requested: str, offered: set[str], matched: str | None) -> None:
    assert rules.language_match(requested, frozenset(offered)) == matched


# --- c. tiers ---


@pytest.mark.parametrize(
    ("cap_overrides", "fresh", "tier"),
    [
        ({}, FRESH, 0),
        ({}, STALE, 1),
        ({"available": 0}, FRESH, 2),
        ({"available": 0}, STALE, 2),
        ({"accepting": False}, FRESH, 2),
        ({"accepting": False, "available": 4}, STALE, 2),
    ],
)
def test_tier(cap_overrides: dict[str, object], fresh: Freshness, tier: int) -> None:
    assert rules.tier(capacity(**cap_overrides), fresh) == tier  # type: ignore[arg-type]


def test_unknown_capacity_is_tier_one() -> None:
    assert rules.tier(None, UNKNOWN) == 1


# --- d. expected days ---


@pytest.mark.parametrize(
    ("cap_overrides", "base"),
    [
        ({"next_intake": TODAY + timedelta(days=3)}, 3),
        ({"next_intake": TODAY}, 0),
        ({"next_intake": TODAY - timedelta(days=4)}, 0),  # a passed date is never negative
        ({"next_intake": TODAY + timedelta(days=3), "available": 0}, 3),  # the date wins
        ({"available": 2}, 0),
        ({"available": 2, "accepting": False}, 14),  # slots it will not give are not open
        ({"available": 0, "waitlist": 0}, 14),
        ({"available": 0, "waitlist": 1}, 21),
        ({"available": 0, "waitlist": 10, "maximum": 10}, 21),
        ({"available": 0, "waitlist": 11, "maximum": 10}, 28),
        ({"available": 0, "waitlist": 3, "maximum": 0}, 35),  # maximum 0 is read as 1
    ],
)
def test_base_days(cap_overrides: dict[str, object], base: int) -> None:
    assert rules.base_days(capacity(**cap_overrides), TODAY) == base  # type: ignore[arg-type]


def test_base_days_without_a_capacity_record() -> None:
    assert rules.base_days(None, TODAY) == 14


@pytest.mark.parametrize(
    ("observed", "fresh", "expected"),
    [
        (NO_RECORD, FRESH, 3),
        (seen(median_days_to_first_appointment=8.0), FRESH, 6),  # (3 + 8) / 2 = 5.5 -> 6
        (seen(median_days_to_first_appointment=6.0), FRESH, 5),  # (3 + 6) / 2 = 4.5 -> 5
        (seen(median_days_to_first_appointment=4.9), FRESH, 4),  # 3.95 -> 4
        (seen(4, median_days_to_first_appointment=30.0), FRESH, 3),  # too few referrals
        (seen(median_days_to_first_appointment=None), FRESH, 3),
        (NO_RECORD, STALE, 10),  # +7 uncertainty
        (seen(median_days_to_first_appointment=8.0), STALE, 13),  # blend, then +7
    ],
)
def test_expected_days(observed: ObservedBehaviour, fresh: Freshness, expected: int) -> None:
    cap = capacity(next_intake=TODAY + timedelta(days=3))
    assert rules.expected_days(cap, fresh, observed, TODAY) == expected


def test_expected_days_without_capacity_is_base_plus_uncertainty() -> None:
    assert rules.expected_days(None, UNKNOWN, NO_RECORD, TODAY) == 21


# --- e. fit and reliability ---


def test_fit_score_parts() -> None:
    plain = practice("a", plans=frozenset())
    assert rules.fit_score(request(), plain.service) == 0
    assert rules.fit_score(request(), practice("a").service) == 1  # takes her plan
    assert rules.fit_score(request(), practice("a", pmhc=True, plans=frozenset()).service) == 2
    es = practice("a", plans=frozenset(), languages=frozenset({"es"})).service
    assert rules.fit_score(request(language="es"), es) == 1
    assert rules.fit_score(request(), es) == 0  # no language asked: no bonus
    baby = practice("a", plans=frozenset(), infant_welcome=True).service
    assert rules.fit_score(request(population=Population.POSTPARTUM), baby) == 1
    assert rules.fit_score(request(population=Population.PREGNANT), baby) == 0
    medicaid = practice("a", plans=frozenset(), medicaid=True).service
    assert rules.fit_score(request(coverage="medicaid", plan=None), medicaid) == 1
    assert rules.fit_score(request(coverage="uninsured", plan=None), medicaid) == 0


@pytest.mark.parametrize(
    ("observed", "score"),
    [
        (NO_RECORD, 0.0),
        (seen(4, median_hours_to_acknowledge=1.0, attendance_rate=1.0), 0.0),  # too few
        (seen(median_hours_to_acknowledge=24.0), 0.0),
        (seen(median_hours_to_acknowledge=6.0), 0.75),
        (seen(median_hours_to_acknowledge=100.0), -1.0),
        (seen(attendance_rate=0.8), 0.6),
        (seen(decline_rate=0.1), 0.8),
        (seen(median_hours_to_acknowledge=0.0, attendance_rate=1.0, decline_rate=0.0), 3.0),
    ],
)
def test_reliability(observed: ObservedBehaviour, score: float) -> None:
    assert rules.reliability(observed) == pytest.approx(score)
