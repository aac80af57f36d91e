"""How practices work their referrals: no-shows, declines, contact attempts, capacity."""

from __future__ import annotations

import pytest

from tools.sim.habits import (
    DAY,
    MAX_ATTEMPTS,
    NO_SHOW_SHARE,
    Habits,
    draw_habits,
    next_capacity,
    plan_intake,
)
from tools.sim.rng import stream

HABITS = Habits(inbox_every=120.0, decline_share=0.05, capacity_every=DAY)


def test_no_show_rate_is_between_20_and_30_percent() -> None:
    rng = stream(1, "no-show")
    plans = [plan_intake(rng, HABITS, True, False, ["telehealth"]) for _ in range(3000)]
    share = sum(p.no_show for p in plans) / len(plans)
    assert share == pytest.approx(NO_SHOW_SHARE, abs=0.025)
    assert 0.20 <= share <= 0.30


def test_a_full_practice_mostly_declines_for_capacity() -> None:
    rng = stream(2, "full")
    full = [plan_intake(rng, HABITS, False, False, ["in_person"]) for _ in range(1000)]
    roomy = [plan_intake(rng, HABITS, True, False, ["in_person"]) for _ in range(1000)]
    assert sum(p.decline == "no_capacity" for p in full) > 700
    assert not any(p.decline == "no_capacity" for p in roomy)
    assert 0 < sum(p.decline is not None for p in roomy) < 150


def test_contact_attempts_stop_when_reached_and_unreachable_is_flagged() -> None:
    rng = stream(3, "contact")
    for _ in range(500):
        plan = plan_intake(rng, HABITS, True, False, ["telehealth"])
        outcomes = [a.outcome for a in plan.attempts]
        assert 1 <= len(outcomes) <= MAX_ATTEMPTS
        assert "reached" not in outcomes[:-1]
        assert plan.unreachable == ("reached" not in outcomes)


def test_urgent_referrals_get_earlier_appointments() -> None:
    rng = stream(4, "urgent")
    urgent = [
        plan_intake(rng, HABITS, True, True, ["telehealth"]).appointment_in for _ in range(200)
    ]
    routine = [
        plan_intake(rng, HABITS, True, False, ["telehealth"]).appointment_in for _ in range(200)
    ]
    assert max(urgent) <= 4 * DAY < max(routine)


def test_stale_practices_never_confirm_capacity_and_some_others_neither() -> None:
    assert draw_habits(stream(1, "h"), already_stale=True).capacity_every is None
    others = [draw_habits(stream(1, "h", n), already_stale=False) for n in range(500)]
    never = sum(h.capacity_every is None for h in others) / len(others)
    assert 0.2 < never < 0.4


def test_capacity_updates_stay_within_bounds() -> None:
    rng = stream(5, "cap")
    for _ in range(500):
        update = next_capacity(rng, available=rng.randint(0, 5), maximum=5, waitlist=2)
        assert 0 <= update.available <= update.maximum == 5
        assert update.accepting_new_patients or update.available == 0


def test_some_routine_appointments_are_weeks_out_and_urgent_ones_never() -> None:
    rng = stream(5, "far")
    routine = [plan_intake(rng, HABITS, True, False, ["telehealth"]) for _ in range(1000)]
    far = [p for p in routine if p.far_off]
    assert 0.04 < len(far) / len(routine) < 0.12
    assert all(35 * DAY <= p.appointment_in <= 45 * DAY for p in far)
    assert all(p.appointment_in <= 14 * DAY for p in routine if not p.far_off)
    urgent = [plan_intake(rng, HABITS, True, True, ["telehealth"]) for _ in range(300)]
    assert not any(p.far_off for p in urgent)
