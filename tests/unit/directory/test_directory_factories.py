"""Factories for directory tests, plus checks that their defaults mean what the tests assume.

``practice(id, **overrides)`` builds one Candidate (Organization + Service + Capacity): an active
private practice in central Chicago offering outpatient therapy in person and by telehealth in
IL, taking Aetna, with fresh capacity (3 of 10 open, verified 5 hours before NOW). ``request``
builds a routine Aetna request from the same spot. Other test modules import these.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.directory.domain.geo import distance_km
from services.directory.domain.matching import Candidate, MatchRequest, rank
from services.directory.domain.model import (
    Capacity,
    Coverage,
    IntakeMethod,
    LevelOfCare,
    Location,
    Modality,
    ObservedBehaviour,
    Organization,
    OrgKind,
    OrgStatus,
    Population,
    PracticeType,
    Service,
)

NOW = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)  # a Monday afternoon
TODAY = NOW.date()
CHICAGO = (41.8781, -87.6298)
KM_PER_DEGREE_LAT = 111.19508  # on the haversine sphere used by geo.distance_km


def north_of(km: float, origin: tuple[float, float] = CHICAGO) -> tuple[float, float]:
    """A point `km` due north of `origin` (exact on the sphere)."""
    return (origin[0] + km / KM_PER_DEGREE_LAT, origin[1])


def capacity(
    *,
    available: int = 3,
    maximum: int = 10,
    next_intake: date | None = None,
    accepting: bool = True,
    waitlist: int = 0,
    verified_hours_ago: float = 5,
) -> Capacity:
    return Capacity(
        available=available,
        maximum=maximum,
        next_available_intake=next_intake,
        accepting_new_patients=accepting,
        waitlist_length=waitlist,
        verified_at=NOW - timedelta(hours=verified_hours_ago),
        verified_by="user-1",
    )


def practice(
    id: str,
    *,
    status: OrgStatus = OrgStatus.ACTIVE,
    kind: OrgKind = OrgKind.PRACTICE,
    practice_type: PracticeType | None = PracticeType.PRIVATE_PRACTICE,
    level_of_care: LevelOfCare = LevelOfCare.OUTPATIENT_THERAPY,
    modalities: frozenset[Modality] = frozenset({Modality.IN_PERSON, Modality.TELEHEALTH}),
    populations: frozenset[Population] = frozenset({Population.PREGNANT, Population.POSTPARTUM}),
    pmhc: bool = False,
    infant_welcome: bool = False,
    languages: frozenset[str] = frozenset({"en"}),
    plans: frozenset[str] = frozenset({"aetna"}),
    medicaid: bool = False,
    sliding_scale: bool = False,
    free: bool = False,
    telehealth_states: frozenset[str] = frozenset({"IL"}),
    at: tuple[float, float] = CHICAGO,
    no_capacity: bool = False,
    observed: ObservedBehaviour | None = None,
    **capacity_overrides: object,
) -> Candidate:
    """One candidate; keyword overrides go to the service, org or capacity (see `capacity`)."""
    cap = None if no_capacity else capacity(**capacity_overrides)  # type: ignore[arg-type]
    location = Location(f"loc-{id}", f"{id} office", "1 Main St", "Chicago", "IL", "60601", *at)
    service = Service(
        id=id,
        organization_id=f"org-{id}",
        name=f"{id} therapy",
        level_of_care=level_of_care,
        modalities=modalities,
        populations=populations,
        postpartum_months=12,
        pmhc_certified=pmhc,
        infant_welcome=infant_welcome,
        languages=languages,
        coverage=Coverage(plans, medicaid, sliding_scale, free),
        telehealth_states=telehealth_states,
        location_ids=(location.id,),
        intake_methods=frozenset({IntakeMethod.REFERRAL_FORM}),
        intake_phone="312-555-0100",
        intake_url=None,
        intake_hours=(),
        time_zone="America/Chicago",
        capacity=cap,
    )
    org = Organization(
        id=f"org-{id}",
        name=f"{id.title()} Perinatal",
        kind=kind,
        status=status,
        practice_type=practice_type,
        locations=(location,),
        services=(service,),
    )
    return Candidate(org, service, observed or ObservedBehaviour())


def request(**overrides: object) -> MatchRequest:
    """A routine outpatient-therapy request with an Aetna plan, from central Chicago."""
    fields: dict[str, object] = {
        "coverage": "plan",
        "plan": "aetna",
        "latitude": CHICAGO[0],
        "longitude": CHICAGO[1],
        "level_of_care": LevelOfCare.OUTPATIENT_THERAPY,
    }
    fields.update(overrides)
    return MatchRequest(**fields)  # type: ignore[arg-type]


def ids(candidates: list[Candidate], **overrides: object) -> list[str]:
    """Service ids in ranked order for `request(**overrides)`."""
    return [m.service_id for m in rank(request(**overrides), candidates, NOW).matches]


# --- the defaults mean what the other tests assume ---


def test_default_practice_is_a_fresh_tier_zero_match() -> None:
    result = rank(request(), [practice("a")], NOW)
    (match,) = result.matches
    assert (match.service_id, match.rank, match.tier) == ("a", 1, 0)
    assert match.expected_days_to_first_appointment == 0
    assert match.distance_km == 0.0
    assert not match.usable_without_insurance
    assert result.excluded == ()


def test_north_of_is_exact_on_the_haversine_sphere() -> None:
    assert distance_km(*CHICAGO, *north_of(12.0)) == pytest.approx(12.0, abs=1e-3)
