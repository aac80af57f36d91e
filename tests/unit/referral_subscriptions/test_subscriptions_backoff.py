"""Retry schedule: initial delay doubling to one hour, a window of days, Retry-After honoured."""

import itertools
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from services.referral.subscriptions.domain.backoff import (
    MAX_DELAY_S,
    backoff_delay,
    next_attempt_at,
    parse_retry_after,
)
from services.referral.subscriptions.domain.config import WebhookConfig
from warmlink.backoff import JITTER

START = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
DEFAULTS = WebhookConfig()


def test_delays_start_at_the_initial_value_double_and_cap_at_one_hour() -> None:
    delays = [backoff_delay(n, 10.0) for n in range(1, 30)]
    assert delays[:4] == [10.0, 20.0, 40.0, 80.0]
    assert all(a <= b for a, b in itertools.pairwise(delays))
    assert max(delays) == MAX_DELAY_S == delays[-1]
    assert backoff_delay(10_000, 10.0) == MAX_DELAY_S  # no overflow on long outages


@pytest.mark.parametrize("jitter", [0.0, 0.5, 0.999])
def test_jitter_only_shortens_and_never_passes_the_cap(jitter: float) -> None:
    for attempt in range(1, 20):
        base = backoff_delay(attempt, 10.0)
        jittered = backoff_delay(attempt, 10.0, jitter=jitter)
        assert base * (1 - JITTER) <= jittered <= base <= MAX_DELAY_S


def attempt_times(config: WebhookConfig, jitter: float = 0.0) -> list[datetime]:
    """When a notification that always fails is tried, from its creation until it is given up."""
    times, now, attempt = [START], START, 1
    while True:
        later = next_attempt_at(
            attempt=attempt,
            now=now,
            window_started_at=START,
            initial_s=config.retry_initial_s,
            max_age_s=config.max_age_s,
            jitter=jitter,
        )
        if later is None:
            return times
        assert later > now
        times.append(later)
        now, attempt = later, attempt + 1


@pytest.mark.parametrize("jitter", [0.0, 0.99])
def test_retries_span_at_least_a_day_before_giving_up(jitter: float) -> None:
    times = attempt_times(DEFAULTS, jitter)
    span = times[-1] - times[0]
    assert span >= timedelta(hours=24)
    assert span >= timedelta(seconds=DEFAULTS.max_age_s)  # the last try is at the window's end
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert max(gaps) <= MAX_DELAY_S
    assert 50 < len(times) < 100  # a couple of days at up to an hour apart, not a flood


def test_a_short_window_still_ends_with_an_attempt_at_its_end() -> None:
    times = attempt_times(WebhookConfig(retry_initial_s=0.2, max_age_s=3.0))
    assert times[-1] - times[0] == timedelta(seconds=3.0)


def test_retry_after_replaces_the_computed_delay_capped_at_an_hour() -> None:
    def after(retry_after_s: float) -> datetime | None:
        return next_attempt_at(
            attempt=1,
            now=START,
            window_started_at=START,
            initial_s=10.0,
            max_age_s=DEFAULTS.max_age_s,
            retry_after_s=retry_after_s,
        )

    assert after(120) == START + timedelta(seconds=120)
    assert after(0) == START
    assert after(86_400) == START + timedelta(seconds=MAX_DELAY_S)


def test_retry_after_seconds_and_http_dates() -> None:
    assert parse_retry_after("120", START) == 120.0
    assert parse_retry_after(" 7 ", START) == 7.0
    in_90s = format_datetime(START + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(in_90s, START) == 90.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", START) == 0.0  # in the past
    for unreadable in [None, "", "soon", "-5", "1.5", "Wed, 99 Foo 2015"]:
        assert parse_retry_after(unreadable, START) is None
