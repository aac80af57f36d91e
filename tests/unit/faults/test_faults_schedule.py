"""The campaign's schedule: drawn from the seed alone, every kind of fault in a run that has room
for them, durations and gaps within their bounds."""

from __future__ import annotations

from tools.faults.schedule import DURATIONS, GAP_S, KINDS, plan


def test_the_same_seed_gives_the_same_schedule_and_another_seed_another() -> None:
    assert plan(50, 7) == plan(50, 7)
    assert plan(50, 7) != plan(50, 8)


def test_a_run_with_room_for_every_kind_applies_every_kind() -> None:
    faults = plan(50, 3)
    assert len(faults) == 50
    assert {(f.kind, f.target) for f in faults} == set(KINDS)
    assert [f.number for f in faults] == list(range(1, 51))


def test_a_short_run_applies_distinct_kinds() -> None:
    faults = plan(10, 3)
    assert len({(f.kind, f.target) for f in faults}) == 10


def test_durations_and_gaps_stay_within_their_bounds() -> None:
    for fault in plan(200, 11):
        low, high = DURATIONS[fault.kind]
        assert low <= fault.duration_s <= high
        assert GAP_S[0] <= fault.gap_before_s <= GAP_S[1]


def test_kills_are_counted_by_service() -> None:
    kills = {f.counted_as for f in plan(50, 1) if f.kind == "kill"}
    assert kills == {"kill:screening", "kill:directory", "kill:referral", "kill:followup",
                     "kill:portal"}  # fmt: skip
