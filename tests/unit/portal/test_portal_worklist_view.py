"""How the worklist reads: urgent first, the time she has waited, what an urgent screen needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.portal.domain import worklist

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_urgent_first_then_the_longest_waiting() -> None:
    items = [
        {"screening_id": "a", "urgent": False, "screened_at": "2026-03-01T08:00:00+00:00"},
        {"screening_id": "b", "urgent": True, "screened_at": "2026-03-02T09:00:00+00:00"},
        {"screening_id": "c", "urgent": True, "screened_at": "2026-03-02T07:00:00+00:00"},
    ]
    assert [i["screening_id"] for i in worklist.ordered(items)] == ["c", "b", "a"]


def test_waited_reads_in_minutes_hours_or_days() -> None:
    assert worklist.waited(NOW - timedelta(minutes=7), NOW) == "7 min"
    assert worklist.waited(NOW - timedelta(hours=3, minutes=5), NOW) == "3 h 05 min"
    assert worklist.waited(NOW - timedelta(days=2, hours=4), NOW) == "2 days 4 h"
    assert worklist.waited(NOW + timedelta(minutes=1), NOW) == "0 min"  # a clock a little ahead


def test_an_urgent_screen_needs_its_safety_assessment_until_one_is_recorded() -> None:
    assert worklist.needs_safety_assessment({"urgent": True, "safety_outcome": None})
    assert not worklist.needs_safety_assessment({"urgent": True, "safety_outcome": "declined"})
    assert not worklist.needs_safety_assessment({"urgent": False})
    assert worklist.outcome_label("no_current_risk") == "Assessed: no current risk"


def test_the_deadline_says_by_when_and_who_is_told_then() -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Chicago")
    clock = {"due_at": "2026-03-02T23:00:00+00:00", "escalates_to": "site_coordinator"}
    said = worklist.deadline(clock, NOW, zone)
    assert said == "Refer or close by Mon 2 Mar 17:00, else your site's coordinator is told"
    late = worklist.deadline(clock, NOW + timedelta(days=1), zone)
    assert late is not None and late.startswith("Overdue since Mon 2 Mar 17:00")
    assert worklist.deadline(None, NOW, zone) is None
