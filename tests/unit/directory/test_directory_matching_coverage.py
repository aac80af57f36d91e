"""rank(): coverage filters and the insurance-agnostic guarantee (nobody hears "we can't help")."""

from __future__ import annotations

import pytest

from services.directory.domain.matching import Candidate, MatchResult, rank
from services.directory.domain.model import PracticeType
from services.directory.domain.resources import PSI_HELPLINE
from tests.unit.directory.test_directory_factories import NOW, ids, practice, request

NO_PLANS: frozenset[str] = frozenset()


def run(candidates: list[Candidate], **overrides: object) -> MatchResult:
    return rank(request(**overrides), candidates, NOW)


# --- a. coverage ---


@pytest.mark.parametrize(
    ("coverage", "plan", "overrides", "included"),
    [
        ("plan", "aetna", {}, True),
        ("plan", "AETNA", {}, True),  # plan ids compare case-insensitively
        ("plan", " Aetna ", {}, True),
        ("plan", "cigna", {}, False),
        ("plan", "cigna", {"medicaid": True}, False),
        ("plan", "cigna", {"sliding_scale": True}, True),  # a plan does not bar sliding scale
        ("plan", "cigna", {"free": True}, True),
        ("plan", "cigna", {"practice_type": PracticeType.COMMUNITY_MENTAL_HEALTH_CENTER}, True),
        ("plan", "cigna", {"practice_type": PracticeType.FQHC}, True),
        ("medicaid", None, {}, False),
        ("medicaid", None, {"medicaid": True}, True),
        ("medicaid", None, {"sliding_scale": True}, True),
        ("medicaid", None, {"practice_type": PracticeType.FQHC}, True),
        ("uninsured", None, {}, False),
        ("uninsured", None, {"medicaid": True}, False),
        ("uninsured", None, {"sliding_scale": True}, True),
        ("uninsured", None, {"free": True}, True),
        ("uninsured", None, {"practice_type": PracticeType.COMMUNITY_MENTAL_HEALTH_CENTER}, True),
        ("uninsured", None, {"practice_type": PracticeType.FQHC}, True),
    ],
)
def test_coverage_filter(
    coverage: str, plan: str | None, overrides: dict[str, object], included: bool
) -> None:
    cands = [practice("a", **overrides)]  # type: ignore[arg-type]
    result = run(cands, coverage=coverage, plan=plan)
    assert bool(result.matches) is included
    assert result.excluded == (() if included else (("a", "coverage"),))


# --- b/g. insurance-agnostic pathway ---


@pytest.mark.parametrize("coverage", ["plan", "medicaid", "uninsured"])
@pytest.mark.parametrize("with_sliding", [True, False])
def test_uninsured_and_medicaid_patients_are_always_served(
    coverage: str, with_sliding: bool
) -> None:
    cands = [practice("aetna-only"), practice("medicaid", medicaid=True, plans=NO_PLANS)]
    if with_sliding:
        cands.append(practice("slide", sliding_scale=True, plans=NO_PLANS))
    result = run(cands, coverage=coverage, plan="aetna" if coverage == "plan" else None)
    usable = [m for m in result.matches if m.usable_without_insurance]
    assert bool(usable) is with_sliding
    assert result.fallback == (() if with_sliding else (PSI_HELPLINE,))


def test_uninsured_with_nothing_usable_gets_the_psi_helpline() -> None:
    result = run([practice("a"), practice("b")], coverage="uninsured", plan=None)
    assert result.matches == ()
    assert result.fallback == (PSI_HELPLINE,)
    assert PSI_HELPLINE.contact == "1-800-944-4773"


def test_best_no_insurance_option_is_forced_into_a_short_list() -> None:
    cands = [
        practice("a1", pmhc=True),
        practice("a2"),
        practice("a3"),
        practice("slide-stale", sliding_scale=True, plans=NO_PLANS, verified_hours_ago=240),
        practice(
            "cmhc-full", practice_type=PracticeType.COMMUNITY_MENTAL_HEALTH_CENTER, available=0
        ),
    ]
    assert ids(cands) == ["a1", "a2", "a3", "slide-stale", "cmhc-full"]
    result = run(cands, limit=2)
    assert [(m.service_id, m.rank) for m in result.matches] == [("a1", 1), ("slide-stale", 2)]
    forced = result.matches[1]
    assert forced.usable_without_insurance
    assert forced.reasons[-1] == (
        "Included so that an option usable without insurance is always offered"
    )
    assert result.fallback == ()
    assert [m.service_id for m in run(cands, limit=1).matches] == ["slide-stale"]


def test_no_forcing_when_a_no_insurance_option_already_made_the_list() -> None:
    cands = [practice("a1"), practice("slide", sliding_scale=True, plans=NO_PLANS)]
    result = run(cands, limit=2)
    assert [m.service_id for m in result.matches] == ["a1", "slide"]
    assert not any("Included so" in r for m in result.matches for r in m.reasons)
