"""What the clock handlers and the scheduler share: the policy, the calendars, the clock.

An adapter: a practice's calendar is read from the database, and `now` is the system clock
(tests pass their own to travel in time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time

from services.followup.clocks.adapters import store
from services.followup.clocks.domain.rules import ClockPolicy
from services.followup.settings import FollowupSettings
from warmlink.business_time import (
    BUSINESS_HOURS,
    NO_HOLIDAYS,
    BusinessCalendar,
    HolidayCheck,
    IntakeWindow,
)
from warmlink.db import Connection

Clock = Callable[[], datetime]
# Coordinators who work around the clock: every hour of every day, holidays too.
ALL_HOURS = tuple(IntakeWindow(day, time.min, time.max) for day in range(7))


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ClockContext:
    policy: ClockPolicy
    is_holiday: HolidayCheck
    network_time_zone: str
    now: Clock = system_clock  # tests pass their own to travel in time
    around_the_clock: bool = False  # the sites' coordinators (see FollowupSettings)
    screens_tracked_from: datetime | None = None  # FollowupSettings.screen_clocks_from

    @classmethod
    def from_settings(cls, s: FollowupSettings, now: Clock = system_clock) -> ClockContext:
        around = s.coordinator_hours == "around_the_clock"
        return cls(
            clock_policy(s), s.holidays(), s.network_time_zone, now, around, s.screen_clocks_from
        )

    def site_calendar(self) -> BusinessCalendar:
        if self.around_the_clock:
            return BusinessCalendar(self.network_time_zone, ALL_HOURS, NO_HOLIDAYS)
        return BusinessCalendar(self.network_time_zone, BUSINESS_HOURS, self.is_holiday)

    async def practice_calendar(self, conn: Connection, practice_id: str) -> BusinessCalendar:
        zone, windows = await store.calendar(conn, practice_id, self.network_time_zone)
        return BusinessCalendar(zone, windows, self.is_holiday)


def clock_policy(s: FollowupSettings) -> ClockPolicy:
    return ClockPolicy(
        ack_business_days=s.ack_business_days,
        urgent_ack_open_hours=s.urgent_ack_open_hours,
        urgent_ack_alert_open_hours=s.urgent_ack_alert_open_hours,
        followup_opens_days=s.followup_opens_days,
        followup_due_days=s.followup_due_days,
        urgent_followup_opens_days=s.urgent_followup_opens_days,
        urgent_followup_due_days=s.urgent_followup_due_days,
        hospital_alert_lead_hours=s.hospital_alert_lead_hours,
        iop_alert_lead_hours=s.iop_alert_lead_hours,
        reengage_business_days=s.reengage_business_days,
        urgent_reengage_business_days=s.urgent_reengage_business_days,
        screen_account_hours=s.screen_account_business_hours,
        urgent_screen_account_hours=s.urgent_screen_account_business_hours,
        screen_network_after_hours=s.screen_network_after_business_hours,
        urgent_screen_network_after_hours=s.urgent_screen_network_after_business_hours,
    )
