"""The status page's limiter, on a clock the test moves: ten in a minute, the eleventh refused
with the seconds to wait, each key counted apart, and room again once the window has passed."""

from __future__ import annotations

import pytest

from services.portal.domain import rate_limit
from services.portal.domain.rate_limit import RateLimiter


def test_the_eleventh_in_a_minute_waits_until_the_first_leaves_the_window() -> None:
    limiter = RateLimiter(limit=10, window_s=60.0)
    assert [limiter.hit("203.0.113.9", 100.0 + i) for i in range(10)] == [None] * 10
    assert limiter.hit("203.0.113.9", 115.0) == 45.0  # the first (at 100) leaves at 160
    assert limiter.hit("198.51.100.7", 115.0) is None  # another address has its own budget
    assert limiter.hit("203.0.113.9", 159.9) is not None
    assert limiter.hit("203.0.113.9", 160.0) is None


def test_refused_requests_do_not_push_the_wait_further() -> None:
    limiter = RateLimiter(limit=1, window_s=60.0)
    assert limiter.hit("k", 0.0) is None
    assert [limiter.hit("k", t) for t in (10.0, 20.0, 30.0)] == [50.0, 40.0, 30.0]
    assert limiter.hit("k", 60.0) is None


def test_memory_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rate_limit, "MAX_KEYS", 3)
    limiter = RateLimiter(limit=1, window_s=60.0)
    for key in "abcd":
        limiter.hit(key, 0.0)
    assert len(limiter._hits) == 3 and "a" not in limiter._hits
