"""Requests per second per caller and per client address: token buckets, in memory, per process.

Each key (an authenticated caller, or a client address for routes that take no bearer token)
has a bucket holding up to `burst` requests that refills at `rate_per_s`; a request takes one,
and a request that finds it empty is answered 429 with Retry-After (`warmlink.guard`). Nothing
here touches the database or the broker, so a flood is refused at the cost of a dict lookup.

The buckets live in each worker process: with N uvicorn workers (or replicas) a caller gets up to
N times the rate, and a restart refills them. That is the price of needing no shared store; the
limits are a guard against one caller or one address drowning a process, not a quota.
Pure apart from the clock, which tests pass in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

# Memory stays bounded whatever the traffic: past this many keys the least recently seen goes
# (a forgotten key starts again with a full bucket, which errs towards letting requests through).
MAX_KEYS = 100_000


@dataclass
class TokenBuckets:
    rate_per_s: float
    burst: float
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # key -> tokens, at

    def take(self, key: str) -> float | None:
        """Take one request for `key`: None when it may go ahead, else the seconds until the
        bucket holds one again (a refused request takes nothing)."""
        now = self.clock()
        tokens, at = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate_per_s)
        if len(self._buckets) >= MAX_KEYS:
            del self._buckets[next(iter(self._buckets))]
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate_per_s
        self._buckets[key] = (tokens - 1.0, now)  # re-inserted last: the most recently seen
        return None


@dataclass
class RateLimits:
    """One set of buckets for callers (`caller_key`) and one for client addresses."""

    by_caller: TokenBuckets
    by_address: TokenBuckets

    @classmethod
    def of(cls, caller_per_s: float, address_per_s: float, burst_s: float) -> RateLimits:
        return cls(
            TokenBuckets(caller_per_s, max(1.0, caller_per_s * burst_s)),
            TokenBuckets(address_per_s, max(1.0, address_per_s * burst_s)),
        )


def caller_key(organization_id: str, subject: str) -> str:
    return f"{organization_id}\x00{subject}"
