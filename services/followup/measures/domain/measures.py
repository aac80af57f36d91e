"""Referral measures per group: counts, medians and rates over a cohort of referrals.

The cohort is the referrals submitted in the period; a figure keeps maturing while they are
open (an appointment attended next month counts for the month the referral was made).

- time to acknowledge (hours): from when the current practice received the referral (submission,
  or the last redirect) to its acknowledgement; median over acknowledged referrals.
- time to first scheduled appointment (days): submitted_at -> appointment_at of the first
  appointment scheduled (the date she was offered, attended or not); median over referrals with one.
- time to intake (days): submitted_at -> appointment_at of the earliest *attended* appointment;
  median over referrals with an attended appointment.
- completion rate: referrals with an attended appointment / referrals made.
- declines: decline events, by coded reason, charged to the practice that declined.
- no-shows: missed appointments (events), charged to the referral.
- SLA breaches: breaches of the cohort's referrals, by kind, charged to the practice named by the
  breach.
- barriers: referrals whose patient named at least one barrier before leaving the site, and how
  many named each (transport, childcare, cost, language, time, stigma), charged to the referral.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from contracts.codes import HandoffMethod
from services.followup.measures.domain.facts import Breach
from services.followup.measures.domain.grouping import GroupBy, Scope, referral_key
from services.followup.measures.domain.journey import Journey

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
# Every method of the contracts is a warm handoff; a cold one would need a new code.
WARM_METHODS = frozenset(m.value for m in HandoffMethod)
NO_COLD = "no cold referrals recorded"


def median(values: Sequence[float], digits: int = 2) -> float | None:
    """Median (mean of the middle two for an even count); None for no values."""
    return round(statistics.median(values), digits) if values else None


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class _Tally:
    referred: int = 0
    hours_to_acknowledge: list[float] = field(default_factory=list)
    days_to_scheduled: list[float] = field(default_factory=list)
    days_to_attended: list[float] = field(default_factory=list)
    no_shows: int = 0
    appointment_cancellations: int = 0
    cancelled: int = 0
    closed: int = 0
    declines: Counter[str] = field(default_factory=Counter)
    breaches: Counter[str] = field(default_factory=Counter)
    with_barriers: int = 0
    barriers: Counter[str] = field(default_factory=Counter)

    def add(self, j: Journey) -> None:
        submitted = j.submission.submitted_at
        self.referred += 1
        if j.acknowledged_at is not None:
            self.hours_to_acknowledge.append((j.acknowledged_at - j.assigned_at) / HOUR)
        if j.first_scheduled_for is not None:
            self.days_to_scheduled.append((j.first_scheduled_for - submitted) / DAY)
        if j.first_attended_at is not None:
            self.days_to_attended.append((j.first_attended_at - submitted) / DAY)
        self.no_shows += j.no_shows
        self.appointment_cancellations += j.appointment_cancellations
        self.cancelled += j.cancelled_by_referrer
        self.closed += j.closure is not None
        self.with_barriers += bool(j.submission.barriers)
        self.barriers.update(j.submission.barriers)

    def measures(self) -> dict[str, Any]:
        attended = len(self.days_to_attended)
        return {
            "referred": self.referred,
            "acknowledged": len(self.hours_to_acknowledge),
            "median_hours_to_acknowledge": median(self.hours_to_acknowledge),
            "scheduled": len(self.days_to_scheduled),
            "median_days_to_first_scheduled": median(self.days_to_scheduled),
            "attended": attended,
            "median_days_to_intake": median(self.days_to_attended),
            "completion_rate": rate(attended, self.referred),
            "declines": sum(self.declines.values()),
            "decline_reasons": dict(sorted(self.declines.items())),
            "no_shows": self.no_shows,
            "appointment_cancellations": self.appointment_cancellations,
            "cancelled_by_referrer": self.cancelled,
            "closed": self.closed,
            "sla_breaches": sum(self.breaches.values()),
            "sla_breach_kinds": dict(sorted(self.breaches.items())),
            "referred_with_barriers": self.with_barriers,
            "barriers": dict(sorted(self.barriers.items())),
        }


@dataclass(frozen=True)
class Group:
    key: str
    measures: dict[str, Any]


def measure_groups(
    journeys: Iterable[Journey],
    breaches: Iterable[Breach],
    scope: Scope,
    group_by: GroupBy,
    tz: ZoneInfo,
) -> list[Group]:
    """The measures of every group that has a referral, a decline or a breach in scope."""
    tallies: dict[str, _Tally] = {}
    cohort: dict[UUID, Journey] = {}
    for j in journeys:
        cohort[j.referral_id] = j
        if scope.sees_referral(j):
            tallies.setdefault(referral_key(group_by, j, tz), _Tally()).add(j)
        for d in j.declines:
            if scope.sees_decline(j, d):
                key = referral_key(group_by, j, tz, d.practice_id)
                tallies.setdefault(key, _Tally()).declines[d.reason or "other"] += 1
    for b in breaches:
        owner = cohort.get(b.referral_id)
        if owner is not None and scope.sees_breach(b):
            key = referral_key(group_by, owner, tz, b.practice_id)
            tallies.setdefault(key, _Tally()).breaches[b.kind] += 1
    return [Group(key, tallies[key].measures()) for key in sorted(tallies)]


def handoff_comparison(groups_by_method: Sequence[Group]) -> dict[str, Any]:
    """Warm methods side by side, and cold referrals beside them if there are any."""

    def total(rows: Sequence[Group]) -> dict[str, Any] | None:
        if not rows:
            return None
        referred = sum(g.measures["referred"] for g in rows)
        attended = sum(g.measures["attended"] for g in rows)
        return {
            "referred": referred,
            "attended": attended,
            "completion_rate": rate(attended, referred),
        }

    warm = [g for g in groups_by_method if g.key in WARM_METHODS]
    cold = [g for g in groups_by_method if g.key not in WARM_METHODS]
    return {
        "methods": [
            {
                "method": g.key,
                "warm": g.key in WARM_METHODS,
                "referred": g.measures["referred"],
                "attended": g.measures["attended"],
                "completion_rate": g.measures["completion_rate"],
                "median_days_to_intake": g.measures["median_days_to_intake"],
            }
            for g in groups_by_method
        ],
        "warm": total(warm),
        "cold": total(cold),
        "note": None if cold else NO_COLD,
    }
