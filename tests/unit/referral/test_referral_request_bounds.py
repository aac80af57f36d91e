"""Every free-text field of a referral request has a bound: the match criteria a site sends are
stored with the referral, so an unbounded one was a way to store megabytes per referral."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.referral.entrypoints.schemas import MatchCriteria


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("plan", "p" * 101),
        ("language", "l" * 17),
        ("telehealth_state", "Illinois" * 1000),
        ("radius_km", 10_000.0),
        ("latitude", 91.0),
    ],
)
def test_match_criteria_out_of_bounds_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as refused:
        MatchCriteria.model_validate({"coverage": "plan", field: value})
    assert [e["loc"] for e in refused.value.errors()] == [(field,)]


def test_match_criteria_within_bounds_are_kept() -> None:
    criteria = {"coverage": "plan", "plan": "bcbs-il", "telehealth_state": "IL", "language": "es"}
    assert MatchCriteria.model_validate(criteria).plan == "bcbs-il"
