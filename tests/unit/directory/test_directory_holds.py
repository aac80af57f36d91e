"""Holds: every (state, event) transition, overbooking, clamping and idempotency."""

from __future__ import annotations

import pytest

from services.directory.domain.holds import (
    Hold,
    HoldChange,
    HoldEvent,
    HoldState,
    apply,
    clamp,
)

EVENTS: tuple[HoldEvent, ...] = ("submitted", "declined", "cancelled", "scheduled")
HELD_WITH_SLOT = Hold(HoldState.HELD, took_slot=True)
HELD_OVERBOOKED = Hold(HoldState.HELD, took_slot=False)

# --- from no hold ---


def test_submitted_takes_a_slot() -> None:
    change = apply(3, None, "submitted")
    assert change == HoldChange(HoldState.HELD, -1, True, took_slot=True, overbooked=False)
    assert change.hold == HELD_WITH_SLOT


def test_submitted_with_no_slot_is_recorded_but_overbooked() -> None:
    change = apply(0, None, "submitted")
    assert change == HoldChange(HoldState.HELD, 0, True, took_slot=False, overbooked=True)
    assert change.hold == HELD_OVERBOOKED


def test_a_negative_count_is_read_as_zero() -> None:
    change = apply(-2, None, "submitted")
    assert (change.available_delta, change.overbooked) == (0, True)


def test_scheduled_without_a_hold_consumes_a_slot() -> None:
    change = apply(2, None, "scheduled")
    assert change == HoldChange(HoldState.CONSUMED, -1, True, took_slot=True)


def test_scheduled_without_a_hold_and_no_slot_consumes_nothing() -> None:
    change = apply(0, None, "scheduled")
    assert change == HoldChange(HoldState.CONSUMED, 0, True, took_slot=False, overbooked=True)


@pytest.mark.parametrize("event", ["declined", "cancelled"])
def test_release_without_a_hold_is_remembered_so_a_late_submission_holds_nothing(
    event: HoldEvent,
) -> None:
    """A decline or cancellation seen before its referral's submission (events reordered by a
    relay re-sending a batch) leaves a released hold, giving nothing back; the submission that
    arrives later then finds it final instead of holding a slot for good."""
    change = apply(3, None, event)
    assert change == HoldChange(HoldState.RELEASED, 0, True, took_slot=False)
    late = apply(3, change.hold, "submitted")
    assert not late.changed and late.available_delta == 0


# --- from HELD ---


@pytest.mark.parametrize("event", ["declined", "cancelled"])
def test_release_gives_the_slot_back(event: HoldEvent) -> None:
    change = apply(2, HELD_WITH_SLOT, event)
    assert change == HoldChange(HoldState.RELEASED, 1, True, took_slot=False)


@pytest.mark.parametrize("event", ["declined", "cancelled"])
def test_release_of_an_overbooked_hold_gives_nothing_back(event: HoldEvent) -> None:
    change = apply(0, HELD_OVERBOOKED, event)
    assert change == HoldChange(HoldState.RELEASED, 0, True, took_slot=False)


def test_release_never_exceeds_the_maximum() -> None:
    # The practice already reset its count to the maximum; the release must not push past it.
    assert apply(10, HELD_WITH_SLOT, "declined", maximum=10).available_delta == 0
    assert apply(12, HELD_WITH_SLOT, "declined", maximum=10).available_delta == 0
    assert apply(9, HELD_WITH_SLOT, "declined", maximum=10).available_delta == 1
    assert apply(9, HELD_WITH_SLOT, "declined", maximum=10).new_state is HoldState.RELEASED


def test_scheduled_after_a_hold_consumes_it_without_another_slot() -> None:
    assert apply(2, HELD_WITH_SLOT, "scheduled") == HoldChange(
        HoldState.CONSUMED, 0, True, took_slot=True
    )
    assert apply(0, HELD_OVERBOOKED, "scheduled") == HoldChange(
        HoldState.CONSUMED, 0, True, took_slot=False
    )


@pytest.mark.parametrize("hold", [HELD_WITH_SLOT, HELD_OVERBOOKED])
def test_submitted_again_while_held_changes_nothing(hold: Hold) -> None:
    change = apply(3, hold, "submitted")
    assert change == HoldChange(HoldState.HELD, 0, False, took_slot=hold.took_slot)
    assert change.hold == hold


# --- terminal states ---


@pytest.mark.parametrize("took_slot", [True, False])
@pytest.mark.parametrize("state", [HoldState.RELEASED, HoldState.CONSUMED])
@pytest.mark.parametrize("event", EVENTS)
def test_terminal_states_ignore_every_event(
    state: HoldState, took_slot: bool, event: HoldEvent
) -> None:
    hold = Hold(state, took_slot)
    change = apply(3, hold, event)
    assert (change.new_state, change.available_delta, change.changed) == (state, 0, False)
    assert change.hold == hold


def test_appointment_cancelled_by_the_referrer_after_scheduling_changes_nothing() -> None:
    consumed = apply(2, HELD_WITH_SLOT, "scheduled").hold
    assert apply(1, consumed, "cancelled").changed is False


# --- idempotency: the same event twice only counts once ---


@pytest.mark.parametrize("available", [0, 1, 5])
@pytest.mark.parametrize("start", [None, HELD_WITH_SLOT, HELD_OVERBOOKED])
@pytest.mark.parametrize("event", EVENTS)
def test_applying_an_event_twice_changes_nothing_the_second_time(
    available: int, start: Hold | None, event: HoldEvent
) -> None:
    first = apply(available, start, event, maximum=10)
    second = apply(available + first.available_delta, first.hold, event, maximum=10)
    assert second.changed is False
    assert second.available_delta == 0
    assert second.hold == first.hold


def test_a_full_lifecycle_nets_one_slot() -> None:
    events: tuple[HoldEvent, ...] = ("submitted", "submitted", "scheduled", "cancelled", "declined")
    available, hold = 3, None
    for event in events:
        change = apply(available, hold, event, maximum=10)
        available, hold = available + change.available_delta, change.hold
    assert (available, hold) == (2, Hold(HoldState.CONSUMED, took_slot=True))


def test_a_declined_referral_nets_zero() -> None:
    events: tuple[HoldEvent, ...] = ("submitted", "declined", "declined", "scheduled")
    available, hold = 3, None
    for event in events:
        change = apply(available, hold, event, maximum=10)
        available, hold = available + change.available_delta, change.hold
    assert (available, hold) == (3, Hold(HoldState.RELEASED, took_slot=False))


@pytest.mark.parametrize(
    ("available", "maximum", "expected"),
    [(5, 10, 5), (11, 10, 10), (-1, 10, 0), (0, 0, 0), (3, -1, 0), (10, 10, 10)],
)
def test_clamp(available: int, maximum: int, expected: int) -> None:
    assert clamp(available, maximum) == expected
