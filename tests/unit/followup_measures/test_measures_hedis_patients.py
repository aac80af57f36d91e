"""PDS-E counts patients: each patient's first positive screen in the period is her index screen.

The period here is November 2026 (the screens passed in are those screened in it); the patients'
other positive screens, before or after it, come in as `patient_screens`.
"""

from __future__ import annotations

from uuid import UUID

from services.followup.measures.domain.facts import Screen, Step, StepKind
from services.followup.measures.domain.grouping import GroupBy, Scope, ScopeKind
from services.followup.measures.domain.hedis import (
    follow_up_30d,
    follow_up_30d_groups,
    index_screens,
)
from services.followup.measures.domain.journey import Journey, fold_all
from tests.unit.followup_measures.scenario import BLOOM, RIVERSIDE, ST_MARY, TZ, at, submission

FIRST, SECOND, OCTOBER, NOVEMBER = (UUID(int=n) for n in (401, 402, 403, 404))
R1, R2 = UUID(int=501), UUID(int=502)
NOW = at(12, 20, 12)  # every window has closed


def screen(sid: UUID, when: tuple[int, int], patient: str, site: str = RIVERSIDE) -> Screen:
    return Screen(sid, site, "ob", at(*when, 14), patient)


def attended(rid: UUID, when: tuple[int, int]) -> Step:
    return Step(rid, StepKind.ATTENDED, BLOOM, at(*when, 17), UUID(int=rid.int), at(*when, 15))


def referral(rid: UUID, sid: UUID, when: tuple[int, int], *steps: Step) -> list[Journey]:
    return fold_all(
        [submission(rid, RIVERSIDE, BLOOM, "ob", "digital", "routine", at(*when, 15), sid)],
        list(steps),
    )


def test_two_positive_screens_in_the_period_count_once_by_the_first() -> None:
    screens = [screen(SECOND, (11, 20), "pt-a"), screen(FIRST, (11, 2), "pt-a")]
    # The second screen was referred and attended on Dec 10: within 30 days of it, but 38 days
    # after her first, the index: she was not followed up within 30 days.
    late = referral(R1, SECOND, (11, 20), attended(R1, (12, 10)))
    assert index_screens(screens) == [screens[1]]
    assert follow_up_30d(screens, late, [], NOW) == {
        "positive_screens": 1,
        "referred_within_30d": 1,  # a later screen's referral, made by Nov 2 + 30 days
        "followed_up_within_30d": 0,
        "window_open": 0,
        "referral_rate": 1.0,
        "follow_up_rate": 0.0,
    }
    # Attended on Nov 25 instead: within the index's window, though it answered the second.
    timely = referral(R1, SECOND, (11, 20), attended(R1, (11, 25)))
    assert follow_up_30d(screens, timely, [], NOW)["followed_up_within_30d"] == 1


def test_a_first_screen_before_the_period_leaves_the_index_in_the_period() -> None:
    october = screen(OCTOBER, (10, 25), "pt-b")
    november = screen(NOVEMBER, (11, 3), "pt-b")
    # Referred for the October screen on Oct 26, seen on Nov 10: a week after the index.
    earlier = referral(R2, OCTOBER, (10, 26), attended(R2, (11, 10)))
    result = follow_up_30d([november], earlier, [], NOW, patient_screens=[october, november])
    assert result["positive_screens"] == 1
    # The referral answered an earlier episode: it brought her to care within the window, but it
    # is not a referral of this one.
    assert (result["followed_up_within_30d"], result["referred_within_30d"]) == (1, 0)
    # Without her October screen known, its referral cannot be hers.
    alone = follow_up_30d([november], earlier, [], NOW)
    assert (alone["positive_screens"], alone["followed_up_within_30d"]) == (1, 0)


def test_the_same_reference_at_two_sites_is_two_patients_and_unknown_ones_are_their_own() -> None:
    screens = [
        screen(FIRST, (11, 2), "pt-c"),
        screen(SECOND, (11, 3), "pt-c", site=ST_MARY),
        Screen(OCTOBER, RIVERSIDE, "ob", at(11, 4, 14)),  # no patient_ref: recorded before it
        Screen(NOVEMBER, RIVERSIDE, "ob", at(11, 5, 14)),
    ]
    assert follow_up_30d(screens, [], [], NOW)["positive_screens"] == 4


def test_groups_count_a_patient_once_in_the_group_of_her_index_screen() -> None:
    ob = screen(FIRST, (11, 2), "pt-d")
    hospital = Screen(SECOND, RIVERSIDE, "hospital", at(11, 9, 14), "pt-d")
    network = Scope(ScopeKind.NETWORK)
    by_setting = follow_up_30d_groups([ob, hospital], [], [], network, GroupBy.SETTING, TZ, NOW)
    assert by_setting is not None
    assert {k: v["positive_screens"] for k, v in by_setting.items()} == {"ob": 1}
    by_week = follow_up_30d_groups([hospital, ob], [], [], network, GroupBy.WEEK, TZ, NOW)
    assert by_week is not None and list(by_week) == ["2026-W45"]
