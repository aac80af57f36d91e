"""Listings going stale (soonest first) and practices that never confirm, worked out by hand."""

from __future__ import annotations

from datetime import timedelta

from services.followup.measures.domain.freshness import freshness
from tests.unit.followup_measures.scenario import at
from tests.unit.followup_measures.test_measures_capacity import NOW, WEEK, listing

MONTH = timedelta(days=30)


def test_listings_soonest_stale_first_and_the_practices_that_never_confirm() -> None:
    fresh = listing("fresh", "outpatient_therapy", "north", 2, 4, NOW - timedelta(days=1))
    soon = listing("soon", "outpatient_therapy", "north", 1, 4, NOW - timedelta(days=6))
    gone = listing("gone", "iop", "south", 0, 4, NOW - timedelta(days=40))
    quiet = listing("quiet", "iop", "south", None, None, None)
    result = freshness([fresh, soon, gone, quiet], NOW, WEEK, MONTH)

    order = [(x["practice_id"], x["stale"]) for x in result["listings"]]
    assert order == [("gone", True), ("soon", False), ("fresh", False)]
    assert result["listings"][1]["stale_at"] == (NOW + timedelta(days=1)).isoformat()
    never = [(p["practice_id"], p["last_confirmed_at"]) for p in result["never_confirming"]]
    assert never == [("quiet", None), ("gone", (NOW - timedelta(days=40)).isoformat())]
    assert (result["window_days"], result["stale_after_hours"]) == (30, 168.0)


def test_one_recent_confirmation_is_enough_for_a_practice() -> None:
    old = listing("both", "iop", "south", 1, 4, at(9, 1, 12))
    recent = listing("both", "iop", "south", 1, 4, NOW - timedelta(days=2))
    assert freshness([old, recent], NOW, WEEK, MONTH)["never_confirming"] == []
