"""Rule h: a referring site's preferred practices come first when they fit, say why when not;
and who may keep them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.directory.domain.errors import NoSuchOrganization, PartnersNotYours, UnknownPractice
from services.directory.domain.match_search import ServiceIndex
from services.directory.domain.matching import rank
from services.directory.domain.partners import check_chosen, check_keeper
from tests.unit.directory.test_directory_factories import NOW, TODAY, practice, request
from warmlink.roles import PersonRole, Role


def directory() -> list:  # type: ignore[type-arg]
    return [
        practice("soon", next_intake=TODAY),
        practice("later", next_intake=TODAY + timedelta(days=9)),
        practice("partner", next_intake=TODAY + timedelta(days=20)),
        practice("full", available=0, accepting=False),
        practice(
            "spanish-only", languages=frozenset({"es"}), next_intake=TODAY + timedelta(days=12)
        ),
        practice("sliding", next_intake=TODAY + timedelta(days=30), sliding_scale=True),
    ]


def test_a_fitting_partner_comes_first_marked_with_its_reason() -> None:
    result = rank(request(preferred=frozenset({"org-partner"}), limit=3), directory(), NOW)
    first = result.matches[0]
    assert [m.service_id for m in result.matches] == ["partner", "soon", "sliding"]
    assert first.preferred and first.reasons[0] == "Preferred partner of your site"
    assert first.expected_days_to_first_appointment == 20
    assert [m.preferred for m in result.matches[1:]] == [False, False]
    assert [m.rank for m in result.matches] == [1, 2, 3]
    assert result.matches[2].usable_without_insurance, "rule g still keeps a no-insurance option"


def test_without_partners_the_order_is_unchanged() -> None:
    plain = rank(request(limit=4), directory(), NOW)
    assert [m.service_id for m in plain.matches][:2] == ["soon", "later"]
    assert not any(m.preferred for m in plain.matches)
    assert plain.partners_not_fitting == ()


def test_a_partner_without_an_open_slot_keeps_its_place_and_says_why() -> None:
    result = rank(request(preferred=frozenset({"org-full"}), limit=10), directory(), NOW)
    ids = [m.service_id for m in result.matches]
    assert ids[0] == "soon" and ids[-1] == "full"
    full = result.matches[-1]
    assert full.preferred and "not shown first: no open intake slot" in full.reasons[0]


def test_a_partner_that_does_not_fit_is_not_shown_and_the_answer_says_why() -> None:
    wanted = frozenset({"org-spanish-only", "org-soon"})
    result = rank(request(preferred=wanted, language="en"), directory(), NOW)
    assert "spanish-only" not in [m.service_id for m in result.matches]
    assert result.matches[0].service_id == "soon" and result.matches[0].preferred
    (miss,) = result.partners_not_fitting
    assert (miss.service_id, miss.reason) == ("spanish-only", "language")
    assert miss.explanation == "Does not offer her language"


def test_the_index_answers_partners_as_rank_does() -> None:
    index = ServiceIndex()
    for candidate in directory():
        index.put(candidate)
    for wanted in ({"org-partner"}, {"org-full", "org-spanish-only"}, {"org-gone"}):
        asked = request(preferred=frozenset(wanted), language="en", limit=2)
        got, expected = index.match(asked, NOW, timedelta(days=7)), rank(asked, directory(), NOW)
        assert got.matches == expected.matches
        assert got.partners_not_fitting == expected.partners_not_fitting


def test_only_the_site_coordinator_or_the_sites_own_system_keeps_its_partners() -> None:
    check_keeper("riverside-ob", "riverside-ob", Role.CLINIC, PersonRole.SITE_COORDINATOR)
    check_keeper("riverside-ob", "riverside-ob", Role.CLINIC, None)  # its EHR's client
    with pytest.raises(PartnersNotYours):
        check_keeper("riverside-ob", "riverside-ob", Role.CLINIC, PersonRole.CLINICIAN)
    with pytest.raises(NoSuchOrganization):
        check_keeper("riverside-ob", "cedar-heights-obgyn", Role.CLINIC, None)
    with pytest.raises(NoSuchOrganization):
        check_keeper("riverside-ob", "riverside-ob", Role.PRACTICE, None)


def test_chosen_practices_are_kept_once_each_and_an_unknown_one_is_pointed_at() -> None:
    assert check_chosen(["b", "a", "b"], {"a", "b"}) == ["b", "a"]
    with pytest.raises(UnknownPractice) as refused:
        check_chosen(["a", "nope"], {"a"})
    assert refused.value.field == "/practice_ids/1"
