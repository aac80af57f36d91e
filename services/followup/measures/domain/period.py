"""Periods in the network's time zone: a month, or an inclusive range of days. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.followup.measures.domain.errors import PeriodOutOfRange

# Any period the network can have data for, with room on both sides for time-zone arithmetic.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date
    tz: ZoneInfo

    def __post_init__(self) -> None:
        if self.first_day < EARLIEST:
            raise PeriodOutOfRange(EARLIEST.isoformat(), LATEST.isoformat(), "first")
        if self.last_day > LATEST:
            raise PeriodOutOfRange(EARLIEST.isoformat(), LATEST.isoformat(), "last")

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(), self.tz)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.last_day + timedelta(days=1), time(), self.tz)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def view(self) -> dict[str, str]:
        return {
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "time_zone": self.tz.key,
        }


def month_period(month: str, tz: ZoneInfo) -> Period:
    """`2026-11` -> 1 to 30 November 2026."""
    year, number = (int(part) for part in month.split("-"))
    if not EARLIEST.year <= year <= LATEST.year:
        raise PeriodOutOfRange(EARLIEST.isoformat(), LATEST.isoformat(), "first")
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return Period(first, following - timedelta(days=1), tz)


LAST_DAY = date.max - timedelta(days=1)  # a period ends at midnight after its last day


def days_period(first: date | None, last: date | None, now: datetime, tz: ZoneInfo) -> Period:
    """Defaults: from the first of the current month to today."""
    today = now.astimezone(tz).date()
    last = last or today
    return Period(first or last.replace(day=1), last, tz)


def span_refusal(period: Period, max_days: int) -> tuple[str, str] | None:
    """(which end, "first" or "last", and why) when a period may not be measured: longer than
    `max_days`, or ending on the last day a date can hold (the midnight after cannot be
    written)."""
    if period.last_day > LAST_DAY:
        return "last", f"must be before {LAST_DAY.isoformat()}"
    if period.days > max_days:
        return "first", f"a period spans at most {max_days} days; this one spans {period.days}"
    return None
