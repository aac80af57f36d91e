"""Business-day arithmetic for acknowledgement deadlines, in the practice's time zone.

One business day after a submission is the end of the next working day (17:00 local), weekends
skipped. Public holidays and intake hours come with the follow-up service's SLA clocks.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

END_OF_DAY = time(17, 0)


def one_business_day_after(moment: datetime, time_zone: str) -> datetime:
    local = moment.astimezone(ZoneInfo(time_zone))
    day = local.date() + timedelta(days=1)
    while day.weekday() >= 5:  # Saturday, Sunday
        day += timedelta(days=1)
    deadline = datetime.combine(day, END_OF_DAY, tzinfo=ZoneInfo(time_zone))
    return deadline.astimezone(UTC)
