"""HEDIS-style (PDS-E) follow-up: each patient's first positive screen in the period, referred and
followed up within 30 days.

A patient is the site's `patient_ref` at the screening site's organization (`site_id`): the same
reference at two sites is two patients. A screen recorded without a `patient_ref` (before the
measures kept it) is a patient of its own.

- denominator: patients with a positive screen (ScreenPositive) screened in the period, each
  counted once, by her *index screen*: her first positive screen in the period. As in HEDIS, the
  measurement period's first positive screen is the index event: a positive screen before the
  period neither counts nor moves the index, and her later screens in the period add nothing.
- referred within 30 days: a referral answering her index screen, or one of her later positive
  screens, was submitted no later than index + 30 days.
- followed up within 30 days: a referral answering any of her positive screens (whenever
  screened: a referral made for an earlier screen still brings her to care) has an *attended
  appointment* whose appointment_at is within [index, index + 30 days], or a coordinator's
  *completed follow-up with outcome `attended`* completed within that window.
- window open: patients whose index screen is less than 30 days old and who are not followed up
  yet; the rate still matures for them.
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

PatientKey = tuple[str, str]


def patient_of(s: Screen) -> PatientKey:
    """Who the screen is about: the site's patient_ref at the site, or the screen alone."""
    return (s.site_id, s.patient_ref if s.patient_ref is not None else f"screen:{s.screening_id}")


def index_screens(screens: Iterable[Screen]) -> list[Screen]:
    """Each patient's first screen of `screens` (ties broken by id, so the choice is stable)."""
    first: dict[PatientKey, Screen] = {}
    for s in screens:
        key = patient_of(s)
        known = first.get(key)
        if known is None or (s.screened_at, s.screening_id) < (
            known.screened_at,
            known.screening_id,
        ):
            first[key] = s
    return sorted(first.values(), key=lambda s: (s.screened_at, s.screening_id))


def _followed_up(
    index: Screen, referrals: Sequence[Journey], follow_ups: Mapping[UUID, Sequence[FollowUp]]
) -> bool:
    start, end = index.screened_at, index.screened_at + WINDOW
    for j in referrals:
        if any(start <= at <= end for at in j.attended_appointments):
            return True
        for f in follow_ups.get(j.referral_id, ()):
            if f.outcome == ATTENDED and start <= f.completed_at <= end:
                return True
    return False


def _referred(index: Screen, answering: Sequence[tuple[Screen, Journey]]) -> bool:
    end = index.screened_at + WINDOW
    return any(
        j.submission.submitted_at <= end
        and (s.screening_id == index.screening_id or s.screened_at >= index.screened_at)
        for s, j in answering
    )


def follow_up_30d(
    screens: Iterable[Screen],
    journeys: Iterable[Journey],
    follow_ups: Iterable[FollowUp],
    now: datetime,
    patient_screens: Iterable[Screen] = (),
) -> dict[str, Any]:
    """The measure over the positive screens of a period (`screens`); `patient_screens` are any
    other positive screens of the same patients, whose referrals count as her follow-up."""
    in_period = list(screens)
    by_id = {s.screening_id: s for s in (*patient_screens, *in_period)}
    answering: dict[PatientKey, list[tuple[Screen, Journey]]] = {}
    for j in journeys:
        screen = by_id.get(j.submission.screening_id) if j.submission.screening_id else None
        if screen is not None:
            answering.setdefault(patient_of(screen), []).append((screen, j))
    by_referral: dict[UUID, list[FollowUp]] = {}
    for f in follow_ups:
        by_referral.setdefault(f.referral_id, []).append(f)
    total = referred = followed = window_open = 0
    for index in index_screens(in_period):
        hers = answering.get(patient_of(index), [])
        total += 1
        referred += _referred(index, hers)
        done = _followed_up(index, [j for _, j in hers], by_referral)
        followed += done
        window_open += not done and now < index.screened_at + WINDOW
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
    patient_screens: Sequence[Screen] = (),
) -> dict[str, dict[str, Any]] | None:
    """The measure per group, or None when screens cannot be grouped that way (or are not
    visible in this scope). A patient falls in the group of her index screen, once."""
    if scope.kind is ScopeKind.PRACTICE or group_by not in SCREEN_GROUPS:
        return None
    groups: dict[str, list[Screen]] = {}
    for s in index_screens(s for s in screens if scope.sees_screen(s)):
        key = screen_key(group_by, s, tz)
        if key is not None:
            groups.setdefault(key, []).append(s)
    return {
        k: follow_up_30d(v, journeys, follow_ups, now, patient_screens)
        for k, v in sorted(groups.items())
    }
