"""HEDIS-style (PDS-E) follow-up: positive screens referred and followed up within 30 days.

- denominator: positive screens screened in the period (ScreenPositive).
- referred within 30 days: a referral answering the screen (its `screening_id`) was submitted
  no later than screened_at + 30 days.
- followed up within 30 days: a referral answering the screen has an *attended appointment*
  whose appointment_at is within [screened_at, screened_at + 30 days], or a coordinator's
  *completed follow-up with outcome `attended`* completed within that window.
- window open: screens less than 30 days old that are not followed up yet; the rate still
  matures for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from services.followup.measures.domain.facts import FollowUp, Screen
from services.followup.measures.domain.grouping import (
    SCREEN_GROUPS,
    GroupBy,
    Scope,
    ScopeKind,
    screen_key,
)
from services.followup.measures.domain.journey import Journey
from services.followup.measures.domain.measures import rate

WINDOW = timedelta(days=30)
ATTENDED = "attended"


def _followed_up(
    screen: Screen, referrals: Sequence[Journey], follow_ups: Mapping[UUID, Sequence[FollowUp]]
) -> bool:
    start, end = screen.screened_at, screen.screened_at + WINDOW
    for j in referrals:
        if any(start <= at <= end for at in j.attended_appointments):
            return True
        for f in follow_ups.get(j.referral_id, ()):
            if f.outcome == ATTENDED and start <= f.completed_at <= end:
                return True
    return False


def follow_up_30d(
    screens: Iterable[Screen],
    journeys: Iterable[Journey],
    follow_ups: Iterable[FollowUp],
    now: datetime,
) -> dict[str, Any]:
    by_screen: dict[UUID, list[Journey]] = {}
    for j in journeys:
        if j.submission.screening_id is not None:
            by_screen.setdefault(j.submission.screening_id, []).append(j)
    by_referral: dict[UUID, list[FollowUp]] = {}
    for f in follow_ups:
        by_referral.setdefault(f.referral_id, []).append(f)
    total = referred = followed = window_open = 0
    for s in screens:
        mine = by_screen.get(s.screening_id, [])
        total += 1
        referred += any(j.submission.submitted_at <= s.screened_at + WINDOW for j in mine)
        done = _followed_up(s, mine, by_referral)
        followed += done
        window_open += not done and now < s.screened_at + WINDOW
    return {
        "positive_screens": total,
        "referred_within_30d": referred,
        "followed_up_within_30d": followed,
        "window_open": window_open,
        "referral_rate": rate(referred, total),
        "follow_up_rate": rate(followed, total),
    }


def follow_up_30d_groups(
    screens: Iterable[Screen],
    journeys: Sequence[Journey],
    follow_ups: Sequence[FollowUp],
    scope: Scope,
    group_by: GroupBy,
    tz: ZoneInfo,
    now: datetime,
) -> dict[str, dict[str, Any]] | None:
    """The measure per group, or None when screens cannot be grouped that way (or are not
    visible in this scope)."""
    if scope.kind is ScopeKind.PRACTICE or group_by not in SCREEN_GROUPS:
        return None
    groups: dict[str, list[Screen]] = {}
    for s in screens:
        key = screen_key(group_by, s, tz)
        if key is not None and scope.sees_screen(s):
            groups.setdefault(key, []).append(s)
    return {k: follow_up_30d(v, journeys, follow_ups, now) for k, v in sorted(groups.items())}
