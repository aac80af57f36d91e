"""The 30-day follow-up of positive screens, against numbers worked out by hand."""

from __future__ import annotations

from uuid import UUID

from services.followup.measures.domain.facts import FollowUp, Screen, Step, StepKind
from services.followup.measures.domain.grouping import GroupBy, Scope, ScopeKind
from services.followup.measures.domain.hedis import follow_up_30d, follow_up_30d_groups
from services.followup.measures.domain.journey import fold_all
from tests.unit.followup_measures.scenario import BLOOM, RIVERSIDE, ST_MARY, TZ, at, submission

S1, S2, S3, S4 = (UUID(int=n) for n in (201, 202, 203, 204))
R1, R2, R3 = (UUID(int=n) for n in (301, 302, 303))
NOW = at(12, 20, 12)

SCREENS = [
    Screen(S1, RIVERSIDE, "ob", at(11, 2, 14)),
    Screen(S2, RIVERSIDE, "ob", at(11, 3, 14)),
    Screen(S3, ST_MARY, "hospital", at(11, 4, 14)),
    Screen(S4, ST_MARY, "hospital", at(12, 5, 14)),  # 15 days before NOW: window still open
]
JOURNEYS = fold_all(
    [
        submission(R1, RIVERSIDE, BLOOM, "ob", "digital", "routine", at(11, 2, 15), S1),
        submission(R2, RIVERSIDE, BLOOM, "ob", "digital", "routine", at(11, 3, 15), S2),
        # 36 days after S3: not referred within 30 days
        submission(R3, ST_MARY, BLOOM, "hospital", "digital", "routine", at(12, 10, 15), S3),
    ],
    [
        # S1: attended 4 days after the screen -> followed up
        Step(R1, StepKind.ATTENDED, BLOOM, at(11, 6, 17), UUID(int=1), at(11, 6, 15)),
        # S2: attended only on day 37, but the coordinator found her attended on day 22
        Step(R2, StepKind.ATTENDED, BLOOM, at(12, 10, 16), UUID(int=2), at(12, 10, 15)),
    ],
)
FOLLOW_UPS = [
    FollowUp(R2, "attended", at(11, 25, 14)),
    FollowUp(R3, "scheduled", at(12, 12, 14)),  # not "attended": does not count
]


def test_follow_up_within_30_days() -> None:
    result = follow_up_30d(SCREENS, JOURNEYS, FOLLOW_UPS, NOW)
    assert result == {
        "positive_screens": 4,
        "referred_within_30d": 2,  # S1, S2 (S3's referral came on day 36, S4 has none)
        "followed_up_within_30d": 2,  # S1 by appointment, S2 by the coordinator's follow-up
        "window_open": 1,  # S4
        "referral_rate": 0.5,  # 2 / 4
        "follow_up_rate": 0.5,  # 2 / 4
    }


def test_grouped_by_site_and_scoped() -> None:
    network = Scope(ScopeKind.NETWORK)
    by_site = follow_up_30d_groups(SCREENS, JOURNEYS, FOLLOW_UPS, network, GroupBy.SITE, TZ, NOW)
    assert by_site is not None
    assert by_site[RIVERSIDE]["follow_up_rate"] == 1.0  # 2 / 2
    assert by_site[ST_MARY]["follow_up_rate"] == 0.0  # 0 / 2
    site = Scope(ScopeKind.SITE, ST_MARY)
    mine = follow_up_30d_groups(SCREENS, JOURNEYS, FOLLOW_UPS, site, GroupBy.NETWORK, TZ, NOW)
    assert mine == {"all": follow_up_30d(SCREENS[2:], JOURNEYS, FOLLOW_UPS, NOW)}
    practice = Scope(ScopeKind.PRACTICE, BLOOM)
    assert (
        follow_up_30d_groups(SCREENS, JOURNEYS, FOLLOW_UPS, practice, GroupBy.NETWORK, TZ, NOW)
        is None
    )
    assert (
        follow_up_30d_groups(SCREENS, JOURNEYS, FOLLOW_UPS, network, GroupBy.METHOD, TZ, NOW)
        is None
    )
