"""Business time in one practice's (or site's) time zone: weekends, public holidays, intake hours.

Shared by the referral service (the acknowledgement deadline it promises) and the follow-up
service (the clocks that enforce it), so both count one business day alike. Every deadline is
computed here, from aware datetimes in and to aware
UTC datetimes out. Wall-clock times are built in the local zone and normalised through UTC, so a
deadline that would fall into a daylight-saving gap moves forward to the first real instant.

Definitions (README "Clocks"):
- a business day is a weekday that is not a public holiday of the network's country and
  subdivision and on which the intake line has hours;
- the clock starts at the first instant the intake line is open at or after the event (a
  Friday-evening submission starts on the next business morning);
- "one business day after" is the same local time on the next business day, moved to that day's
  closing time if the line closes earlier;
- "N open hours after" walks the intake windows, counting only time the line is open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

HolidayCheck = Callable[[date], bool]
# No holidays at all; tests and networks that keep none use it.
NO_HOLIDAYS: HolidayCheck = lambda day: False  # noqa: E731
# Search horizon: a practice with no open day within a year has no business time at all.
_MAX_DAYS = 366


@dataclass(frozen=True)
class IntakeWindow:
    """The intake line's hours on one weekday (0 = Monday), local time."""

    weekday: int
    opens: time
    closes: time

    @classmethod
    def parse(cls, weekday: int, opens: str, closes: str) -> IntakeWindow:
        return cls(weekday, time.fromisoformat(opens), time.fromisoformat(closes))


# Used when a practice publishes no intake hours.
BUSINESS_HOURS = tuple(IntakeWindow(day, time(9), time(17)) for day in range(5))


class NoBusinessTime(ValueError):
    """The calendar has no open intake time within a year: a deadline cannot be computed."""


@dataclass(frozen=True)
class BusinessCalendar:
    time_zone: str
    windows: tuple[IntakeWindow, ...] = BUSINESS_HOURS
    is_holiday: HolidayCheck = NO_HOLIDAYS

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_business_day(self, day: date) -> bool:
        return not self.is_holiday(day) and any(w.weekday == day.weekday() for w in self.windows)

    def windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals (UTC, in order) that end after ``moment``, clipped to start at it."""
        local_day = moment.astimezone(self.zone).date()
        for offset in range(_MAX_DAYS):
            day = local_day + timedelta(days=offset)
            if not self.is_business_day(day):
                continue
            for window in sorted(self._windows_on(day), key=lambda w: w.opens):
                start, end = self._instant(day, window.opens), self._instant(day, window.closes)
                if end > moment:
                    yield max(start, moment), end
        return

    def first_open_instant(self, moment: datetime) -> datetime:
        """When the clock starts: ``moment`` itself if the line is open, else the next opening."""
        for start, _ in self.windows_from(moment):
            return start
        raise NoBusinessTime(self.time_zone)

    def add_business_days(self, moment: datetime, days: int) -> datetime:
        """Same local time ``days`` business days after the clock starts (see module docstring)."""
        start = self.first_open_instant(moment)
        local = start.astimezone(self.zone)
        day = local.date()
        for _ in range(days):
            day = self._next_business_day(day)
        windows = self._windows_on(day)
        latest_close = max(w.closes for w in windows)
        earliest_open = min(w.opens for w in windows)
        wall = min(max(local.time().replace(tzinfo=None), earliest_open), latest_close)
        return self._instant(day, wall)

    def add_open_hours(self, moment: datetime, hours: float) -> datetime:
        """The instant at which the line will have been open for ``hours`` since ``moment``."""
        remaining = timedelta(hours=hours)
        for start, end in self.windows_from(moment):
            if end - start >= remaining:
                return start + remaining
            remaining -= end - start
        raise NoBusinessTime(self.time_zone)

    def next_business_instant(self, moment: datetime) -> datetime:
        """``moment`` if it falls on a business day, else the opening of the next business day."""
        if self.is_business_day(moment.astimezone(self.zone).date()):
            return moment
        return self.first_open_instant(moment)

    def _next_business_day(self, day: date) -> date:
        for offset in range(1, _MAX_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_business_day(candidate):
                return candidate
        raise NoBusinessTime(self.time_zone)

    def _windows_on(self, day: date) -> list[IntakeWindow]:
        return [w for w in self.windows if w.weekday == day.weekday()]

    def _instant(self, day: date, wall: time) -> datetime:
        # Through UTC and back: a wall time inside a DST gap becomes the first instant after it.
        naive = datetime.combine(day, wall, tzinfo=self.zone)
        return naive.astimezone(UTC)


def public_holidays(country: str, subdivision: str | None = None) -> HolidayCheck:
    """The public holidays of ``country`` (ISO 3166-1) and ``subdivision``, observed days included.

    The `holidays` package computes them for any year on demand; nothing is fetched."""
    table = holidays.country_holidays(country, subdiv=subdivision)

    def is_holiday(day: date) -> bool:
        return day in table

    return is_holiday


@dataclass(frozen=True)
class AcknowledgementRule:
    """How long a practice has to acknowledge a referral (the network's rule, docs/domain.md)."""

    business_days: int = 1
    urgent_open_hours: float = 4.0

    def due(self, calendar: BusinessCalendar, since: datetime, urgent: bool) -> datetime:
        if urgent:
            return calendar.add_open_hours(since, self.urgent_open_hours)
        return calendar.add_business_days(since, self.business_days)
