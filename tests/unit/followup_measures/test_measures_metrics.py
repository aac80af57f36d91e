"""Referral measures from a known event sequence, against numbers worked out by hand."""

from __future__ import annotations

import random
from dataclasses import replace

from services.followup.measures.domain.grouping import GroupBy, Scope, ScopeKind
from services.followup.measures.domain.journey import fold, fold_all
from services.followup.measures.domain.measures import handoff_comparison, measure_groups
from tests.unit.followup_measures.scenario import (
    BLOOM,
    BREACHES,
    NORTHSIDE,
    R3,
    RIVERSIDE,
    STEPS,
    SUBMISSIONS,
    TZ,
    at,
)

NETWORK = Scope(ScopeKind.NETWORK)


def groups(group_by: GroupBy, scope: Scope = NETWORK) -> dict[str, dict[str, object]]:
    journeys = fold_all(SUBMISSIONS, STEPS)
    return {g.key: g.measures for g in measure_groups(journeys, BREACHES, scope, group_by, TZ)}


def test_network_measures_equal_the_hand_computed_values() -> None:
    m = groups(GroupBy.NETWORK)["all"]
    assert m["referred"] == 4
    # acknowledged: R1 4 h, R2 1 h, R3 8 h after the redirect -> median of [1, 4, 8] = 4
    assert m["acknowledged"] == 3
    assert m["median_hours_to_acknowledge"] == 4.0
    # first scheduled: R1 6th - 2nd = 4 d, R2 5th - 3rd = 2 d -> median (2 + 4) / 2 = 3
    assert m["scheduled"] == 2
    assert m["median_days_to_first_scheduled"] == 3.0
    # time to intake (first attended): R1 4 d, R2 10th - 3rd = 7 d -> median (4 + 7) / 2 = 5.5
    assert m["attended"] == 2
    assert m["median_days_to_intake"] == 5.5
    assert m["completion_rate"] == 0.5  # 2 attended / 4 referred
    assert m["declines"] == 2
    assert m["decline_reasons"] == {"no_capacity": 1, "not_clinical_fit": 1}
    assert m["no_shows"] == 1  # R2's first appointment
    assert m["sla_breaches"] == 1
    assert m["sla_breach_kinds"] == {"ack_overdue": 1}


def test_by_practice_declines_and_breaches_stay_with_the_practice_they_concern() -> None:
    by_practice = groups(GroupBy.PRACTICE)
    # bloom owns R1, R2, R4 and, after the redirect, R3: 4 referrals, its own decline (R4).
    assert by_practice[BLOOM]["referred"] == 4
    assert by_practice[BLOOM]["decline_reasons"] == {"not_clinical_fit": 1}
    assert by_practice[BLOOM]["sla_breaches"] == 0
    # northside owns nothing now but keeps its decline of R3 and the breach charged to it.
    assert by_practice[NORTHSIDE]["referred"] == 0
    assert by_practice[NORTHSIDE]["decline_reasons"] == {"no_capacity": 1}
    assert by_practice[NORTHSIDE]["sla_breaches"] == 1
    assert by_practice[NORTHSIDE]["completion_rate"] is None  # no referrals: no rate


def test_by_setting_and_week() -> None:
    by_setting = groups(GroupBy.SETTING)
    # ob: R1 and R2, both attended (4 d, 7 d): rate 2/2 = 1, median intake 5.5
    assert by_setting["ob"]["referred"] == 2
    assert by_setting["ob"]["completion_rate"] == 1.0
    assert by_setting["ob"]["median_days_to_intake"] == 5.5
    # hospital: R3 and R4, none attended, both declines, R3's breach
    assert by_setting["hospital"]["completion_rate"] == 0.0
    assert by_setting["hospital"]["declines"] == 2
    assert by_setting["hospital"]["sla_breaches"] == 1
    by_week = groups(GroupBy.WEEK)
    # Mon 2 Nov is ISO week 45 (R1, R2, R3); Tue 10 Nov is week 46 (R4)
    assert {k: v["referred"] for k, v in by_week.items()} == {"2026-W45": 3, "2026-W46": 1}
    assert groups(GroupBy.MONTH)["2026-11"]["referred"] == 4


def test_a_site_sees_its_own_referrals_and_a_practice_its_own() -> None:
    site = groups(GroupBy.NETWORK, Scope(ScopeKind.SITE, RIVERSIDE))["all"]
    assert (site["referred"], site["attended"], site["declines"]) == (2, 2, 0)
    northside = groups(GroupBy.NETWORK, Scope(ScopeKind.PRACTICE, NORTHSIDE))["all"]
    assert (northside["referred"], northside["declines"], northside["sla_breaches"]) == (0, 1, 1)
    bloom = groups(GroupBy.NETWORK, Scope(ScopeKind.PRACTICE, BLOOM))["all"]
    assert (bloom["referred"], bloom["declines"], bloom["sla_breaches"]) == (4, 1, 0)


def test_the_fold_ignores_arrival_order() -> None:
    r3 = next(s for s in SUBMISSIONS if s.referral_id == R3)
    steps = [s for s in STEPS if s.referral_id == R3]
    expected = fold(r3, steps)
    shuffled = steps[:]
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert fold(r3, shuffled) == expected
    assert expected.practice_id == BLOOM
    assert expected.assigned_at == at(11, 5, 15)  # the redirect restarts the clock


def test_warm_methods_side_by_side_and_no_cold_referrals() -> None:
    journeys = fold_all(SUBMISSIONS, STEPS)
    comparison = handoff_comparison(measure_groups(journeys, BREACHES, NETWORK, GroupBy.METHOD, TZ))
    rows = {m["method"]: m for m in comparison["methods"]}
    # digital: R1 (attended) and R4 (declined) -> 1/2; in-room call: R2 -> 1/1; coordinator: R3 0/1
    assert rows["digital"]["completion_rate"] == 0.5
    assert rows["in_room_call"]["completion_rate"] == 1.0
    assert rows["coordinator"]["completion_rate"] == 0.0
    assert all(m["warm"] for m in comparison["methods"])
    assert comparison["warm"] == {"referred": 4, "attended": 2, "completion_rate": 0.5}
    assert comparison["cold"] is None
    assert comparison["note"] == "no cold referrals recorded"


def test_barriers_are_counted_per_site_and_per_month() -> None:
    named = {R3: ("cost", "transport")}
    riverside = [s for s in SUBMISSIONS if s.site_id == RIVERSIDE]
    with_barriers = [
        replace(s, barriers=named.get(s.referral_id, ("transport",) if s in riverside else ()))
        for s in SUBMISSIONS
    ]
    journeys = fold_all(with_barriers, STEPS)
    by_site = {
        g.key: g.measures for g in measure_groups(journeys, BREACHES, NETWORK, GroupBy.SITE, TZ)
    }
    assert by_site[RIVERSIDE]["barriers"] == {"transport": len(riverside)}
    assert by_site[RIVERSIDE]["referred_with_barriers"] == len(riverside)
    r3_site = next(s.site_id for s in SUBMISSIONS if s.referral_id == R3)
    assert by_site[r3_site]["barriers"]["cost"] == 1
    months = measure_groups(journeys, BREACHES, NETWORK, GroupBy.MONTH, TZ)
    assert [(g.key, g.measures["barriers"]["transport"]) for g in months] == [
        (at(11, 2, 15).astimezone(TZ).strftime("%Y-%m"), len(riverside) + 1)
    ]
    untouched = groups(GroupBy.SITE)
    assert all(m["barriers"] == {} and m["referred_with_barriers"] == 0 for m in untouched.values())
