"""The one exponential back-off every retry loop uses (consumers, webhooks, patient messages)."""

from __future__ import annotations

JITTER = 0.2  # at most a fifth shorter, so callers that failed together do not retry in lockstep


def exponential_delay(
    attempt: int, initial_s: float, max_s: float, *, jitter: float = 0.0
) -> float:
    """Seconds to wait after the `attempt`-th failure (1-based): `initial * 2**(attempt-1)`,
    capped at `max_s`, then shortened by up to a fifth when `jitter` (in [0, 1)) is given."""
    exponent = min(max(attempt - 1, 0), 40)  # 2**40 * anything positive is past any cap
    return min(initial_s * 2.0**exponent, max_s) * (1.0 - JITTER * jitter)
