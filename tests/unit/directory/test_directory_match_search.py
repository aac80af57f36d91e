"""The in-memory match search answers exactly as ``rank`` over the whole directory would.

Random directories (seeded, so failures reproduce) with many ties, stale and unknown capacity,
suspended practices, observed track records and several levels, states and places; random
requests with small limits so the early stop matters; then time moves on across staleness and
midnight, and listings change, and the answers must still agree.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest

from services.directory.domain.match_search import ServiceIndex
from services.directory.domain.matching import Candidate, MatchRequest, MatchResult, rank
from services.directory.domain.model import (
    LevelOfCare,
    Modality,
    ObservedBehaviour,
    OrgStatus,
    Population,
    PracticeType,
)
from tests.unit.directory.test_directory_factories import NOW, TODAY, north_of, practice

MAX_AGE = timedelta(days=7)
PLACES = [north_of(km) for km in (0, 3, 12, 30, 45, 80)]
LEVELS = [LevelOfCare.OUTPATIENT_THERAPY, LevelOfCare.PSYCHIATRY]


def random_practice(i: int, rng: random.Random) -> Candidate:
    modalities = rng.choice(
        [{Modality.IN_PERSON}, {Modality.TELEHEALTH}, {Modality.IN_PERSON, Modality.TELEHEALTH}]
    )
    observed = (
        ObservedBehaviour(
            referrals=rng.randint(0, 9),
            median_days_to_first_appointment=rng.choice([None, 2.0, 9.5, 20.0]),
            median_hours_to_acknowledge=rng.choice([None, 3.0, 30.0]),
            attendance_rate=rng.choice([None, 0.4, 0.9]),
            decline_rate=rng.choice([None, 0.1, 0.6]),
        )
        if rng.random() < 0.4
        else None
    )
    maximum = rng.randint(0, 4)
    return practice(
        f"s{i:03d}",
        status=OrgStatus.SUSPENDED if rng.random() < 0.05 else OrgStatus.ACTIVE,
        practice_type=rng.choice(list(PracticeType)),
        level_of_care=rng.choice(LEVELS),
        modalities=frozenset(modalities),
        pmhc=rng.random() < 0.3,
        infant_welcome=rng.random() < 0.5,
        languages=frozenset(rng.choice([{"en"}, {"en", "es"}, {"es-MX"}, {"pl"}])),
        plans=frozenset(rng.sample(["aetna", "bcbs", "cigna"], rng.randint(0, 2))),
        medicaid=rng.random() < 0.4,
        sliding_scale=rng.random() < 0.2,
        telehealth_states=frozenset(rng.sample(["IL", "IN", "WI"], rng.randint(0, 2))),
        at=rng.choice(PLACES),
        no_capacity=rng.random() < 0.1,
        observed=observed,
        available=rng.randint(0, maximum),
        maximum=maximum,
        next_intake=rng.choice([None, TODAY, TODAY + timedelta(days=rng.randint(1, 12))]),
        accepting=rng.random() < 0.85,
        waitlist=rng.randint(0, 6),
        # a few hours either side of the 7-day edge, so time travel crosses it
        verified_hours_ago=rng.choice([1, 20, 165, 167.5, 169, 300]),
    )


def random_request(rng: random.Random) -> MatchRequest:
    coverage = rng.choice(["plan", "medicaid", "uninsured"])
    here = rng.choice([PLACES[0], PLACES[2], None])
    return MatchRequest(
        coverage=coverage,
        plan=rng.choice(["aetna", "Cigna"]) if coverage == "plan" else None,
        latitude=here[0] if here else None,
        longitude=here[1] if here else None,
        radius_km=rng.choice([5.0, 25.0, 60.0]),
        telehealth_state=rng.choice(["IL", "in", None]) if here else rng.choice(["IL", "WI"]),
        language=rng.choice([None, None, "es", "en"]),
        level_of_care=rng.choice(LEVELS),
        modality=rng.choice([None, None, Modality.IN_PERSON, Modality.TELEHEALTH]),
        population=rng.choice([None, Population.POSTPARTUM]),
        urgency=rng.choice(["routine", "urgent"]),
        limit=rng.choice([1, 2, 3, 5, 10]),
        # rule h: a site's partners, some of them gone from the directory since
        preferred=frozenset(f"org-s{i:03d}" for i in rng.sample(range(130), rng.choice([0, 3]))),
    )


def answer(result: MatchResult) -> tuple[object, ...]:
    return result.matches, result.fallback, result.crisis_resources, result.partners_not_fitting


def assert_same_as_rank(
    index: ServiceIndex, directory: dict[str, Candidate], rng: random.Random, now: object
) -> None:
    for _ in range(60):
        request = random_request(rng)
        expected = rank(request, directory.values(), now, MAX_AGE)  # type: ignore[arg-type]
        got = index.match(request, now, MAX_AGE)  # type: ignore[arg-type]
        assert answer(got) == answer(expected), request


@pytest.mark.parametrize("seed", range(12))
def test_search_answers_as_rank_over_everything(seed: int) -> None:
    rng = random.Random(seed)
    directory = {c.service.id: c for c in (random_practice(i, rng) for i in range(120))}
    index = ServiceIndex()
    for candidate in directory.values():
        index.put(candidate)
    assert_same_as_rank(index, directory, rng, NOW)
    # Time moves on: listings verified 167.5 h ago turn stale, then a new UTC day begins.
    assert_same_as_rank(index, directory, rng, NOW + timedelta(hours=1))
    assert_same_as_rank(
        index, directory, rng, NOW.replace(hour=23, minute=59) + timedelta(minutes=2)
    )
    # Listings change and leave: capacity confirmed, a practice suspended, one removed.
    # Same day as the last sort, so buckets take the changes in place rather than re-sorting.
    later = NOW.replace(hour=23, minute=59) + timedelta(minutes=62)
    for sid in rng.sample(sorted(directory), 30):
        old = directory[sid]
        changed = random_practice(int(sid[1:]), rng)
        directory[sid] = replace(changed, service=replace(changed.service, id=sid))
        directory[sid] = replace(
            directory[sid],
            organization=replace(directory[sid].organization, id=old.organization.id),
        )
        index.put(directory[sid])
    for sid in rng.sample(sorted(directory), 5):
        index.remove(sid)
        del directory[sid]
    assert_same_as_rank(index, directory, rng, later)


def test_a_suspended_practice_that_was_examined_is_listed_as_excluded() -> None:
    index = ServiceIndex()
    index.put(practice("open"))
    index.put(practice("susp", status=OrgStatus.SUSPENDED))
    result = index.match(
        MatchRequest(
            coverage="plan",
            plan="aetna",
            telehealth_state="IL",
            level_of_care=LevelOfCare.OUTPATIENT_THERAPY,
        ),
        NOW,
        MAX_AGE,
    )
    assert [m.service_id for m in result.matches] == ["open"]
    assert result.excluded == (("susp", "suspended"),)


def test_the_search_stops_early_in_a_large_directory() -> None:
    """2,000 equally good open listings and one far down: the search need not look at them all,
    and a listing changed after the first search is seen by the next one."""
    index = ServiceIndex()
    for i in range(2000):
        index.put(
            practice(f"p{i:04d}", next_intake=TODAY + timedelta(days=3), sliding_scale=i == 1)
        )
    far = practice("z-late", next_intake=TODAY + timedelta(days=30), status=OrgStatus.SUSPENDED)
    index.put(far)
    request = MatchRequest(
        coverage="plan",
        plan="aetna",
        telehealth_state="IL",
        level_of_care=LevelOfCare.OUTPATIENT_THERAPY,
        limit=3,
    )
    first = index.match(request, NOW, MAX_AGE)
    # The suspended listing sorts last: had the search examined everything it would be excluded.
    assert first.excluded == ()
    assert [m.service_id for m in first.matches] == ["p0000", "p0001", "p0002"]
    index.put(practice("a-today", next_intake=TODAY))
    assert index.match(request, NOW, MAX_AGE).matches[0].service_id == "a-today"
