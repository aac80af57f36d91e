"""A fixed budget of requests per key and window, for pages anyone may open without an account
(her status page, `/s/<token>`): per client address and per link, so neither one address
trying many links nor many addresses hammering one link get far. Pure: the caller passes the
time (`now`, seconds on a monotonic clock), so tests need no waiting.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

# Memory stays bounded whatever the traffic: past this many keys, the oldest are forgotten.
MAX_KEYS = 50_000


@dataclass
class RateLimiter:
    limit: int  # requests allowed per key within `window_s`
    window_s: float
    _hits: dict[str, deque[float]] = field(default_factory=dict)

    def hit(self, key: str, now: float) -> float | None:
        """Count one request for `key`; None when it is allowed, else the seconds until the
        next one would be (for Retry-After). A refused request is not counted."""
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= MAX_KEYS:
                del self._hits[next(iter(self._hits))]
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if len(hits) >= self.limit:
            return hits[0] + self.window_s - now
        hits.append(now)
        return None
