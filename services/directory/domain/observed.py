"""Observed behaviour: what a practice actually did with its referrals, not what it claims.

``observe`` folds one practice's referral facts (projected from referral events) into the
:class:`ObservedBehaviour` the matcher uses as a reliability signal and to temper advertised
intake dates. Only referrals submitted within the rolling window ``[now - window, now]`` count;
a referral stamped after ``now`` is ignored (it cannot have happened yet from the caller's view).

* ``median_hours_to_acknowledge``: median of submitted -> acknowledged, over acknowledged ones.
* ``median_days_to_first_appointment``: median of submitted -> first AppointmentScheduled's
  appointment time, in (fractional) days, over referrals that have one.
* ``attendance_rate``: attended / (attended + missed); referrals not yet known do not count.
* ``decline_rate``: declined / referrals in the window (declined = has a decline reason).
* ``decline_reasons``: (code, count) sorted by count descending, then code.

Every statistic is None when there is nothing to compute it from. Negative durations (clock skew
between systems) are read as zero rather than letting one bad stamp drag a median down.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from services.directory.domain.model import ObservedBehaviour

DEFAULT_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class ReferralFacts:
    """The facts about one referral that matter for a practice's track record."""

    referral_id: str
    practice_id: str
    submitted_at: datetime
    acknowledged_at: datetime | None = None
    first_appointment_at: datetime | None = None  # the first AppointmentScheduled's time
    attended: bool | None = None  # None: not yet known; True attended; False missed
    declined_reason: str | None = None  # coded reason when the practice declined


def observe(
    facts: Iterable[ReferralFacts], now: datetime, window: timedelta = DEFAULT_WINDOW
) -> ObservedBehaviour:
    """One practice's behaviour over the window (the caller passes that practice's facts)."""
    if window <= timedelta(0):
        raise ValueError("window must be positive")
    start = now - window
    recent = [f for f in facts if start <= f.submitted_at <= now]
    if not recent:
        return ObservedBehaviour()
    ack_hours = [
        _hours(f.submitted_at, f.acknowledged_at) for f in recent if f.acknowledged_at is not None
    ]
    appt_days = [
        _hours(f.submitted_at, f.first_appointment_at) / 24.0
        for f in recent
        if f.first_appointment_at is not None
    ]
    attended = sum(1 for f in recent if f.attended is True)
    missed = sum(1 for f in recent if f.attended is False)
    reasons = Counter(f.declined_reason for f in recent if f.declined_reason is not None)
    declined = sum(reasons.values())
    return ObservedBehaviour(
        referrals=len(recent),
        median_hours_to_acknowledge=float(median(ack_hours)) if ack_hours else None,
        median_days_to_first_appointment=float(median(appt_days)) if appt_days else None,
        attendance_rate=attended / (attended + missed) if attended + missed else None,
        decline_rate=declined / len(recent),
        decline_reasons=tuple(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
    )


def observe_by_practice(
    facts: Iterable[ReferralFacts], now: datetime, window: timedelta = DEFAULT_WINDOW
) -> dict[str, ObservedBehaviour]:
    """``observe`` for each practice present in ``facts``, keyed by practice id."""
    grouped: defaultdict[str, list[ReferralFacts]] = defaultdict(list)
    for fact in facts:
        grouped[fact.practice_id].append(fact)
    return {pid: observe(group, now, window) for pid, group in sorted(grouped.items())}


def _hours(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 3600.0)
