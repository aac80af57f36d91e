"""The demo region: believable, complete enough to demo every path, and parsed strictly."""

from __future__ import annotations

import copy
import json
import math
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.directory.domain.model import (
    LevelOfCare,
    Modality,
    Organization,
    OrgKind,
    PracticeType,
)
from tools.dev.region import DEFAULT_REGION, RegionError, load_region, parse_region

NOW = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)
# Ids that tests and documentation rely on, with their kinds.
KEPT_IDS = {
    "network-admin": "network",
    "st-mary-ld": "hospital",
    "riverside-ob": "ob",
    "maple-pediatrics": "pediatric",
    "harbor-iop": "iop_php",
    "bloom-therapy": "practice",
    "northside-cmhc": "practice",
    "lantern-telehealth": "practice",
}


@pytest.fixture(scope="module")
def orgs() -> list[Organization]:
    return load_region(now=NOW)


def practices(orgs: list[Organization]) -> list[Organization]:
    return [org for org in orgs if org.kind is OrgKind.PRACTICE]


def raw_region() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFAULT_REGION.read_text(encoding="utf-8"))
    return data


def test_counts_per_kind_meet_the_minimums(orgs: list[Organization]) -> None:
    counts = Counter(org.kind for org in orgs)
    assert counts[OrgKind.HOSPITAL] >= 3
    assert counts[OrgKind.OB] >= 6
    assert counts[OrgKind.PEDIATRIC] >= 6
    assert counts[OrgKind.IOP_PHP] >= 2
    assert counts[OrgKind.PRACTICE] >= 15
    assert [org.id for org in orgs if org.kind is OrgKind.NETWORK] == ["network-admin"]


def test_keeps_the_ids_tests_and_the_dev_seed_use(orgs: list[Organization]) -> None:
    kinds = {org.id: org.kind.value for org in orgs}
    assert KEPT_IDS.items() <= kinds.items()
    assert kinds["bloom-therapy"] == kinds["northside-cmhc"] == kinds["lantern-telehealth"]


def test_every_required_kind_of_practice_is_there(orgs: list[Organization]) -> None:
    receiving = practices(orgs)
    services = [service for org in receiving for service in org.services]
    types = {org.practice_type for org in receiving}
    assert types == set(PracticeType)
    assert {service.level_of_care for service in services} == set(LevelOfCare)

    def practice_of(kind: PracticeType) -> list[Organization]:
        return [org for org in receiving if org.practice_type is kind]

    telehealth = [
        service
        for org in practice_of(PracticeType.TELEHEALTH_ONLY)
        for service in org.services
        if service.modalities == {Modality.TELEHEALTH} and service.coverage.sliding_scale
    ]
    assert any(service.telehealth_states >= {"IL", "IN", "WI"} for service in telehealth)
    for kind in (PracticeType.COMMUNITY_MENTAL_HEALTH_CENTER, PracticeType.FQHC):
        assert any(
            s.coverage.accepts_medicaid and s.coverage.sliding_scale
            for org in practice_of(kind)
            for s in org.services
        ), kind
    hospital_levels = {
        s.level_of_care for o in practice_of(PracticeType.HOSPITAL_PROGRAM) for s in o.services
    }
    assert {LevelOfCare.IOP, LevelOfCare.PHP} <= hospital_levels
    assert any("es" in service.languages for service in services)
    assert any("pl" in service.languages for service in services)
    assert any(service.pmhc_certified for service in services)
    assert any(service.infant_welcome for service in services)


def test_capacity_covers_the_cases_a_demo_needs(orgs: list[Organization]) -> None:
    capacities = [s.capacity for org in practices(orgs) for s in org.services if s.capacity]
    full = [c for c in capacities if not c.accepting_new_patients]
    assert full and all(c.waitlist_length > 0 for c in full)
    assert any(NOW - c.verified_at == timedelta(days=20) for c in capacities)
    waiting = [c for c in capacities if c.available == 0 and c.next_available_intake is not None]
    assert len(waiting) >= 2
    assert all(c.next_available_intake > NOW.date() for c in waiting if c.next_available_intake)


def test_every_practice_has_a_service_with_capacity(orgs: list[Organization]) -> None:
    for org in practices(orgs):
        assert org.services, org.id
        assert any(service.capacity is not None for service in org.services), org.id
        assert 1 <= len(org.services) <= 2, org.id
        levels = [service.level_of_care for service in org.services]
        assert len(levels) == len(set(levels)), org.id


def test_all_ids_are_unique(orgs: list[Organization]) -> None:
    ids = [org.id for org in orgs]
    ids += [loc.id for org in orgs for loc in org.locations]
    ids += [service.id for org in orgs for service in org.services]
    assert len(ids) == len(set(ids))


def test_every_service_location_belongs_to_its_organization(orgs: list[Organization]) -> None:
    for org in orgs:
        own = {loc.id for loc in org.locations}
        for service in org.services:
            assert service.organization_id == org.id
            assert set(service.location_ids) <= own, service.id
            if Modality.IN_PERSON in service.modalities:
                assert service.location_ids, service.id


def test_region_is_fictional_and_local(orgs: list[Organization]) -> None:
    locations = [loc for org in orgs for loc in org.locations]
    assert {loc.state for loc in locations} == {"IL"}
    for loc in locations:  # within ~60 km of the fictional metro's centre
        dy = (loc.latitude - 41.83) * 111.0
        dx = (loc.longitude + 87.78) * 111.0 * math.cos(math.radians(41.83))
        assert math.hypot(dx, dy) < 35, loc.id
    phones = [org.phone for org in orgs] + [s.intake_phone for o in orgs for s in o.services]
    assert all(re.fullmatch(r"\(\d{3}\) 555-01\d\d", p) for p in phones if p is not None)
    urls = [org.website for org in orgs] + [s.intake_url for o in orgs for s in o.services]
    assert all(re.match(r"https://[a-z-]+\.example\.org(/|$)", u) for u in urls if u)
    zones = {service.time_zone for org in orgs for service in org.services}
    assert zones == {"America/Chicago"}


def test_relative_times_resolve_against_now(orgs: list[Organization]) -> None:
    bloom = next(org for org in orgs if org.id == "bloom-therapy").services[0]
    assert bloom.capacity is not None
    later = load_region(now=NOW + timedelta(days=30))
    moved = next(org for org in later if org.id == "bloom-therapy").services[0].capacity
    assert moved is not None
    assert moved.verified_at - bloom.capacity.verified_at == timedelta(days=30)
    assert bloom.capacity.next_available_intake is not None and moved.next_available_intake
    assert (moved.next_available_intake - bloom.capacity.next_available_intake).days == 30


def test_now_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        load_region(now=datetime(2025, 3, 10, 15, 0))


def _break(edit: Any) -> RegionError:
    data = copy.deepcopy(raw_region())
    edit(next(o for o in data["organizations"] if o["id"] == "bloom-therapy"))
    with pytest.raises(RegionError) as caught:
        parse_region(data, now=NOW)
    return caught.value


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda o: o.update(kind="clinic"), "'kind'"),
        (lambda o: o["services"][0].update(location_ids=["nowhere"]), "unknown locations"),
        (lambda o: o["services"][0].update(langauges=["en"]), "unknown keys ['langauges']"),
        (lambda o: o["services"][0]["capacity"].update(available=99), "more than 8 maximum"),
        (lambda o: o["services"][0]["capacity"].update(available="3"), "'available'"),
        (lambda o: o["services"][0].update(time_zone="Mars/Olympus"), "unknown time zone"),
        (lambda o: o["services"][0]["intake_hours"][0].update(opens="9am"), "HH:MM"),
        (lambda o: o.pop("practice_type"), "'practice_type' is required"),
        (lambda o: o["services"][0].pop("intake_phone"), "no intake_phone"),
    ],
)
def test_errors_name_the_organization(edit: Any, message: str) -> None:
    error = _break(edit)
    assert str(error).startswith("bloom-therapy"), error
    assert message in str(error)


def test_duplicate_ids_are_refused() -> None:
    data = copy.deepcopy(raw_region())
    clone = copy.deepcopy(data["organizations"][-1])
    clone["id"] = "copycat"
    data["organizations"].append(clone)
    with pytest.raises(
        RegionError,
        match=r"^copycat: location id .* already used by lakeshore-postpartum-collective",
    ):
        parse_region(data, now=NOW)
