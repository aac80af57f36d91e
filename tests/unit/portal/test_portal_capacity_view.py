"""A practice's capacity in words, and the short form's rules: pure, with a fixed `now`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from services.portal.domain.capacity import (
    CapacityChange,
    CapacityPanel,
    age_words,
    figures,
    local_path,
    open_words,
    service_capacity,
)
from services.portal.entrypoints.deps import TEMPLATES

NOW = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def service(**capacity: Any) -> dict[str, Any]:
    verified = NOW - timedelta(days=5, hours=3)
    figures = {
        "available": 3,
        "maximum": 10,
        "next_available_intake": "2026-12-08",
        "accepting_new_patients": True,
        "waitlist_length": 2,
        "verified_at": verified.isoformat(),
        "verified_by": "bloom-therapy:practice",
    } | capacity
    return {
        "id": "bloom-therapy-outpatient",
        "name": "Outpatient therapy",
        "capacity": figures,
        "capacity_stale_at": (datetime.fromisoformat(figures["verified_at"]) + WEEK).isoformat(),
    }


def test_open_places_and_the_next_intake_in_words() -> None:
    assert open_words(service()["capacity"]) == "Still 3 open, next intake Tuesday 8 Dec"
    none_open = service(available=0, next_available_intake=None)["capacity"]
    assert open_words(none_open) == "No places open, no next intake set"
    closed = service(accepting_new_patients=False)["capacity"]
    assert open_words(closed).startswith("Not taking new patients")


def test_how_old_the_figures_are_and_when_they_turn_stale() -> None:
    shown = service_capacity(service(), NOW)
    assert shown.age_words == "confirmed 5 days ago, stale in 2 days" and not shown.stale
    just = NOW - timedelta(minutes=20)
    assert age_words(just, just + WEEK, NOW) == "confirmed just now, stale in 7 days"
    assert age_words(NOW - timedelta(hours=5), NOW + timedelta(hours=5), NOW) == (
        "confirmed 5 hours ago, stale in 5 hours"
    )
    # Left is rounded to the nearest unit (half a day reads as a day), ago is rounded down.
    assert age_words(NOW - timedelta(days=6, hours=10), NOW + timedelta(hours=14), NOW) == (
        "confirmed 6 days ago, stale in 1 day"
    )
    old = service_capacity(service(verified_at=(NOW - timedelta(days=9)).isoformat()), NOW)
    assert (
        old.stale
        and old.age_words == "confirmed 9 days ago, stale for 2 days: confirm or change it"
    )


def test_a_service_without_figures_has_nothing_to_confirm() -> None:
    bare = {"id": "s1", "name": "Groups", "capacity": None, "capacity_stale_at": None}
    shown = service_capacity(bare, NOW)
    assert (shown.known, shown.stale, shown.age_words) == (False, True, "never confirmed")
    assert figures(bare) is None


def test_still_right_sends_back_exactly_the_figures_held() -> None:
    assert figures(service()) == {
        "available": 3,
        "maximum": 10,
        "next_available_intake": "2026-12-08",
        "accepting_new_patients": True,
        "waitlist_length": 2,
    }


@pytest.mark.parametrize(
    ("available", "next_intake", "wrong"),
    [
        ("", "", {"available"}),
        ("twelve", "", {"available"}),
        ("-1", "", {"available"}),
        ("501", "", {"available"}),
        ("4", "9 Dec", {"next_intake"}),
        ("4", "2026-12-04", {"next_intake"}),
        ("4", "2026-12-05", set()),
        ("0", "", set()),
    ],
)
def test_the_short_form_refuses_beside_its_field(
    available: str, next_intake: str, wrong: set[str]
) -> None:
    change = CapacityChange.of({"available": available, "next_intake": next_intake})
    assert set(change.errors(date(2026, 12, 5))) == wrong


def test_a_change_keeps_the_other_figures_and_raises_the_most_when_needed() -> None:
    change = CapacityChange.of({"available": " 12 ", "next_intake": "2026-12-15"})
    assert change.applied_to(service(accepting_new_patients=False)) == {
        "available": 12,
        "maximum": 12,
        "next_available_intake": "2026-12-15",
        "accepting_new_patients": True,
        "waitlist_length": 2,
    }
    cleared = CapacityChange.of({"available": "0", "next_intake": ""}).applied_to(service())
    assert (cleared["available"], cleared["maximum"], cleared["next_available_intake"]) == (
        0,
        10,
        None,
    )


@pytest.mark.parametrize(
    ("back", "kept"),
    [
        ("/inbox", "/inbox"),
        ("/capacity", "/capacity"),
        ("https://evil.example/", "/capacity"),
        ("//evil.example/x", "/capacity"),
        ("/\\evil.example", "/capacity"),
        ("inbox", "/capacity"),
        ("/inbox\r\nSet-Cookie: x", "/capacity"),
        (None, "/capacity"),
    ],
)
def test_a_form_sends_her_back_to_a_local_path_only(back: str | None, kept: str) -> None:
    assert local_path(back, "/capacity") == kept


def render_inbox_part(**context: Any) -> str:
    inbox = SimpleNamespace(url=SimpleNamespace(path="/inbox"))
    template = TEMPLATES.env.get_template("_inbox_capacity.html")
    return template.render(csrf="csrf-1", request=inbox, **context)


def test_the_inbox_part_confirms_in_one_click_and_comes_back_to_the_inbox() -> None:
    shown = [service_capacity(service(), NOW)]
    html = render_inbox_part(capacity=CapacityPanel(shown, keeps=True))
    assert "Still 3 open, next intake Tuesday 8 Dec" in html
    assert 'action="/capacity/bloom-therapy-outpatient/confirm"' in html
    assert 'name="back" value="/inbox"' in html and 'value="csrf-1"' in html
    read_only = render_inbox_part(capacity=CapacityPanel(shown, keeps=False))
    assert "Still 3 open" in read_only and "Still right" not in read_only
    assert render_inbox_part().strip() == "", "nothing without a capacity"
