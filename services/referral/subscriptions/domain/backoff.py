"""When to try a failed delivery again, and when to give up. Pure.

The delay after the n-th failed attempt is `initial * 2**(n-1)`, capped at one hour, shortened
by up to a fifth at random so subscriptions that failed together do not retry in lockstep. A
`Retry-After` (seconds or an HTTP date) on 429 or 503 replaces the computed delay, capped at the
same hour. Retries continue until the notification's window (`webhook_max_age_s`, two days by
default) has passed; the last attempt is made at the window's end, and a failure then marks the
notification `failed` so the next one may proceed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from warmlink.backoff import JITTER as JITTER  # re-exported: the retry rules name it
from warmlink.backoff import exponential_delay

MAX_DELAY_S = 3600.0


def backoff_delay(attempt: int, initial_s: float, *, jitter: float = 0.0) -> float:
    """Seconds to wait after the `attempt`-th failed attempt (1-based); `jitter` in [0, 1)."""
    return exponential_delay(attempt, initial_s, MAX_DELAY_S, jitter=jitter)


def next_attempt_at(
    *,
    attempt: int,
    now: datetime,
    window_started_at: datetime,
    initial_s: float,
    max_age_s: float,
    retry_after_s: float | None = None,
    jitter: float = 0.0,
) -> datetime | None:
    """When to try again after failed attempt number `attempt`, or None to give up."""
    deadline = window_started_at + timedelta(seconds=max_age_s)
    if now >= deadline:
        return None
    if retry_after_s is not None:
        delay = min(max(retry_after_s, 0.0), MAX_DELAY_S)
    else:
        delay = backoff_delay(attempt, initial_s, jitter=jitter)
    return min(now + timedelta(seconds=delay), deadline)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """RFC 9110 Retry-After: delay-seconds or an HTTP-date; None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None  # HTTP dates are GMT; a date without a zone is not one
    return max((when - now).total_seconds(), 0.0)
