"""A positive screen's clocks: when it escalates to whom, and what stops it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.codes import EscalationLevel
from services.followup.clocks.adapters.context import ALL_HOURS
from services.followup.clocks.domain.rules import ClockKind, ClockPolicy
from services.followup.clocks.domain.screens import (
    ScreenTrack,
    end_of_business_day,
    escalation_on_fire,
    screen_clocks,
)
from warmlink.business_time import NO_HOLIDAYS, BusinessCalendar

CHICAGO = ZoneInfo("America/Chicago")
CAL = BusinessCalendar("America/Chicago")
POLICY = ClockPolicy()
TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=CHICAGO)


def fires(
    urgent: bool, at: datetime, cal: BusinessCalendar = CAL, p: ClockPolicy = POLICY
) -> dict[ClockKind, tuple[datetime, datetime]]:
    return {a.kind: (a.fire_at, a.due_at) for a in screen_clocks(urgent, at, cal, p)}


def test_an_urgent_screen_is_due_by_the_close_of_the_same_business_day() -> None:
    close = datetime(2026, 11, 24, 17, 0, tzinfo=CHICAGO)
    network = datetime(2026, 11, 25, 10, 0, tzinfo=CHICAGO)  # one open hour: next morning
    assert fires(True, TUESDAY_10) == {
        ClockKind.SCREEN_SITE: (close, network),
        ClockKind.SCREEN_NETWORK: (network, network),
    }


def test_an_urgent_screen_after_hours_is_due_by_the_next_business_days_close() -> None:
    friday_evening = datetime(2026, 11, 27, 19, 0, tzinfo=CHICAGO)
    monday_close = datetime(2026, 11, 30, 17, 0, tzinfo=CHICAGO)
    assert end_of_business_day(CAL, friday_evening) == monday_close


def test_a_routine_screen_gets_business_hours_then_the_network() -> None:
    at = fires(False, TUESDAY_10)
    # 8 open hours from Tuesday 10:00: Wednesday 10:00; 8 more: Thursday 10:00.
    wednesday_10 = datetime(2026, 11, 25, 10, 0, tzinfo=CHICAGO)
    thursday_10 = datetime(2026, 11, 26, 10, 0, tzinfo=CHICAGO)  # Thanksgiving is no holiday here
    assert at[ClockKind.SCREEN_SITE] == (wednesday_10, thursday_10)
    assert at[ClockKind.SCREEN_NETWORK] == (thursday_10, thursday_10)


def test_around_the_clock_coordinators_and_configured_hours() -> None:
    always = BusinessCalendar("America/Chicago", ALL_HOURS, NO_HOLIDAYS)
    policy = ClockPolicy(urgent_screen_account_hours=0.5, urgent_screen_network_after_hours=0.25)
    sunday_night = datetime(2026, 11, 29, 23, 50, tzinfo=CHICAGO)
    at = fires(True, sunday_night, always, policy)
    site, network = sunday_night + timedelta(minutes=30), sunday_night + timedelta(minutes=45)
    assert abs(at[ClockKind.SCREEN_SITE][0] - site) < timedelta(milliseconds=1)
    assert abs(at[ClockKind.SCREEN_NETWORK][0] - network) < timedelta(milliseconds=1)


def test_a_clock_escalates_only_a_screen_still_open() -> None:
    track = ScreenTrack("s-1", "site", True, "open")
    assert escalation_on_fire(ClockKind.SCREEN_SITE, track) is EscalationLevel.SITE_COORDINATOR
    assert (
        escalation_on_fire(ClockKind.SCREEN_NETWORK, track) is EscalationLevel.NETWORK_COORDINATOR
    )
    for status in ("referred", "closed"):
        done = ScreenTrack("s-1", "site", True, status)
        assert escalation_on_fire(ClockKind.SCREEN_SITE, done) is None
