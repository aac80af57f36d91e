"""rank(): geography (radius, telehealth, modality) and urgency with its crisis resources."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from services.directory.domain.geo import distance_km
from services.directory.domain.matching import Candidate, MatchResult, rank
from services.directory.domain.model import Location, Modality
from services.directory.domain.resources import (
    LIFELINE_988,
    MATERNAL_MENTAL_HEALTH_HOTLINE,
    PSI_HELPLINE,
    URGENT_RESOURCES,
)
from tests.unit.directory.test_directory_factories import (
    CHICAGO,
    NOW,
    TODAY,
    ids,
    north_of,
    practice,
    request,
)

IN_PERSON_ONLY = frozenset({Modality.IN_PERSON})
TELEHEALTH_ONLY = frozenset({Modality.TELEHEALTH})
NOWHERE: frozenset[str] = frozenset()
STATE_ONLY = {"latitude": None, "longitude": None, "telehealth_state": "IL"}


def run(candidates: list[Candidate], **overrides: object) -> MatchResult:
    return rank(request(**overrides), candidates, NOW)


# --- geography ---


def test_radius_edge_is_inclusive() -> None:
    spot = north_of(25)
    edge = distance_km(*CHICAGO, *spot)
    cands = [practice("a", at=spot, telehealth_states=NOWHERE)]
    (match,) = run(cands, radius_km=edge).matches
    assert match.distance_km == edge
    assert not match.telehealth
    assert run(cands, radius_km=edge - 0.001).excluded == (("a", "out_of_area"),)


def test_default_radius_is_40_km() -> None:
    cands = [practice("in", at=north_of(39.9)), practice("out", at=north_of(40.1))]
    assert ids([replace_states(c) for c in cands]) == ["in"]


def replace_states(cand: Candidate) -> Candidate:
    return Candidate(cand.organization, replace(cand.service, telehealth_states=NOWHERE))


def test_nearest_of_the_service_own_locations_counts() -> None:
    cand = practice("a", at=north_of(100), telehealth_states=NOWHERE)
    near = Location("loc-near", "Loop", "2 State St", "Chicago", "IL", "60602", *north_of(3))
    other = Location("loc-other", "Other", "3 Oak St", "Chicago", "IL", "60603", *CHICAGO)
    # `other` belongs to the organization but not to this service: it must be ignored.
    org = replace(cand.organization, locations=(*cand.organization.locations, near, other))
    service = replace(cand.service, location_ids=(*cand.service.location_ids, near.id))
    (match,) = run([Candidate(org, service)]).matches
    assert round(match.distance_km or 0, 6) == 3.0


def test_telehealth_in_a_licensed_state_without_a_location() -> None:
    cands = [
        practice("tele-il"),
        practice("tele-wi", telehealth_states=frozenset({"WI"})),
        practice("office", modalities=IN_PERSON_ONLY),
        practice(
            "licensed-no-video", modalities=IN_PERSON_ONLY, telehealth_states=frozenset({"IL"})
        ),
    ]
    result = run(cands, **STATE_ONLY)
    (match,) = result.matches
    assert (match.service_id, match.telehealth, match.distance_km) == ("tele-il", True, None)
    assert dict(result.excluded) == {
        "tele-wi": "out_of_area",
        "office": "out_of_area",
        "licensed-no-video": "out_of_area",
    }


def test_state_codes_compare_case_insensitively() -> None:
    cands = [practice("a", telehealth_states=frozenset({"il"}))]
    assert ids(cands, latitude=None, longitude=None, telehealth_state="Il") == ["a"]


def test_far_practice_reached_by_telehealth_keeps_its_distance() -> None:
    cands = [practice("far", at=north_of(100), telehealth_states=frozenset({"WI"}))]
    assert run(cands).excluded == (("far", "out_of_area"),)
    (match,) = run(cands, telehealth_state="WI").matches
    assert match.telehealth
    assert round(match.distance_km or 0) == 100
    assert not any(r.endswith("km away") for r in match.reasons)
    assert "Telehealth licensed in WI" in match.reasons


def test_modality_filter() -> None:
    cands = [
        practice("both"),
        practice("office", modalities=IN_PERSON_ONLY),
        practice("video", modalities=TELEHEALTH_ONLY),
    ]
    in_person = run(cands, telehealth_state="IL", modality=Modality.IN_PERSON)
    assert [m.service_id for m in in_person.matches] == ["both", "office"]
    assert not any(m.telehealth for m in in_person.matches)
    assert in_person.excluded == (("video", "modality"),)
    video = run(cands, telehealth_state="IL", modality=Modality.TELEHEALTH)
    assert [m.service_id for m in video.matches] == ["both", "video"]
    assert all(m.telehealth for m in video.matches)
    assert video.excluded == (("office", "modality"),)


def test_telehealth_modality_needs_a_state() -> None:
    result = run([practice("a")], modality=Modality.TELEHEALTH)
    assert result.excluded == (("a", "out_of_area"),)


# --- f. urgency ---


def urgent_candidates() -> list[Candidate]:
    return [
        practice("later", pmhc=True, next_intake=TODAY + timedelta(days=10)),
        practice("week", next_intake=TODAY + timedelta(days=7)),
        practice("soon", next_intake=TODAY + timedelta(days=3)),
        practice("stale-now", verified_hours_ago=9 * 24, next_intake=TODAY),
    ]


def test_urgent_puts_same_week_first_with_crisis_resources() -> None:
    result = run(urgent_candidates(), urgency="urgent")
    assert [m.service_id for m in result.matches] == ["soon", "week", "later", "stale-now"]
    same_week = [
        m.service_id
        for m in result.matches
        if "Same-week intake for an urgent referral" in m.reasons
    ]
    assert same_week == ["soon", "week"]
    assert result.crisis_resources == URGENT_RESOURCES
    assert result.crisis_resources == (LIFELINE_988, PSI_HELPLINE, MATERNAL_MENTAL_HEALTH_HOTLINE)
    assert result.crisis_resources[0].kind == "crisis"
    assert "988" in result.crisis_resources[0].contact
    assert "1-833-TLC-MAMA" in result.crisis_resources[2].contact
    assert result.crisis_resources[2].kind == "support"


def test_routine_has_no_crisis_resources_and_no_same_week_note() -> None:
    result = run(urgent_candidates())
    assert result.crisis_resources == ()
    assert not any("Same-week" in r for m in result.matches for r in m.reasons)


def test_urgent_still_shows_practices_without_slots_last() -> None:
    cands = [
        practice("full", available=0),
        practice("open", next_intake=TODAY + timedelta(days=20)),
    ]
    result = run(cands, urgency="urgent")
    assert [(m.service_id, m.tier) for m in result.matches] == [("open", 0), ("full", 2)]
