"""Capacity freshness: has anybody confirmed these intake numbers recently?

Stale capacity is the commonest complaint about every capacity registry, so the directory never
shows a number without saying how old it is. The rule is deliberately simple so a practice can
predict it: capacity is FRESH while ``now - verified_at <= max_age`` (the boundary itself is still
fresh), STALE after that, and UNKNOWN when the service has no capacity record at all.

Pure: ``now`` is always a parameter. ``now`` and ``verified_at`` must both be timezone-aware (or
both naive); mixing them raises ``TypeError`` from the datetime arithmetic, which is what we want
(a silent hour-offset would misclassify listings).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from services.directory.domain.model import Capacity

DEFAULT_MAX_AGE = timedelta(days=7)
"""A practice confirms its capacity at least weekly; callers may configure another age."""


class Freshness(StrEnum):
    FRESH = "fresh"
    STALE = "stale"
    UNKNOWN = "unknown"


def freshness(
    capacity: Capacity | None, now: datetime, max_age: timedelta = DEFAULT_MAX_AGE
) -> Freshness:
    """FRESH when verified no longer than ``max_age`` ago, STALE after, UNKNOWN without a record."""
    if max_age < timedelta(0):
        raise ValueError("max_age must not be negative")
    if capacity is None:
        return Freshness.UNKNOWN
    # A verification stamped slightly in the future (clock skew between practices and us) counts
    # as just verified, not as stale.
    if now - capacity.verified_at > max_age:
        return Freshness.STALE
    return Freshness.FRESH


def age_hours(capacity: Capacity | None, now: datetime) -> float | None:
    """Hours since the capacity was verified (never negative), or None without a record."""
    if capacity is None:
        return None
    # Clock skew can put verified_at after now; an age of zero is the honest reading.
    return max(0.0, (now - capacity.verified_at).total_seconds() / 3600.0)
