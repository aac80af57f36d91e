"""Business-day arithmetic: holidays, weekends, time zones, DST and intake hours."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from warmlink.business_time import (
    AcknowledgementRule,
    BusinessCalendar,
    IntakeWindow,
    NoBusinessTime,
    public_holidays,
)

CHICAGO = ZoneInfo("America/Chicago")
US_IL = public_holidays("US", "IL")


def local(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def test_friday_evening_before_labor_day_is_due_wednesday_morning() -> None:
    # Fri 4 Sep 2026 18:30: closed; Sat, Sun weekend; Mon 7 Sep Labor Day. The clock starts
    # Tue 09:00 and one business day later is Wed 9 Sep 09:00 CDT = 14:00 UTC.
    cal = BusinessCalendar("America/Chicago", is_holiday=US_IL)
    due = cal.add_business_days(local("America/Chicago", 2026, 9, 4, 18, 30), 1)
    assert due == datetime(2026, 9, 9, 14, 0, tzinfo=UTC)


def test_the_holiday_package_knows_observed_days() -> None:
    # Independence Day 2026 is a Saturday: observed Friday 3 July.
    assert US_IL(datetime(2026, 7, 3).date())
    assert US_IL(datetime(2026, 11, 26).date())  # Thanksgiving
    assert not US_IL(datetime(2026, 11, 24).date())


def test_a_weekday_submission_is_due_the_same_time_next_business_day() -> None:
    cal = BusinessCalendar("America/Chicago", is_holiday=US_IL)
    # Wed 25 Nov 2026 10:15; Thu 26 is Thanksgiving: due Fri 27 Nov 10:15 CST = 16:15 UTC.
    due = cal.add_business_days(local("America/Chicago", 2026, 11, 25, 10, 15), 1)
    assert due == datetime(2026, 11, 27, 16, 15, tzinfo=UTC)


def test_the_same_instant_gives_different_deadlines_in_different_zones() -> None:
    moment = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)  # Mon 17:30 New York, 14:30 Los Angeles
    new_york = BusinessCalendar("America/New_York").add_business_days(moment, 1)
    los_angeles = BusinessCalendar("America/Los_Angeles").add_business_days(moment, 1)
    # New York is closed: starts Tue 09:00, due Wed 09:00 EST = 14:00 UTC.
    assert new_york == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    # Los Angeles is open: due Tue 14:30 PST = 22:30 UTC.
    assert los_angeles == datetime(2026, 11, 24, 22, 30, tzinfo=UTC)


def test_the_deadline_keeps_local_time_across_the_autumn_dst_change() -> None:
    # Fri 30 Oct 2026 10:00 CDT (15:00 UTC); clocks go back Sun 1 Nov. Due Mon 2 Nov 10:00 CST,
    # which is 16:00 UTC: 73 real hours later, one business day in local time.
    cal = BusinessCalendar("America/Chicago")
    due = cal.add_business_days(datetime(2026, 10, 30, 15, 0, tzinfo=UTC), 1)
    assert due == datetime(2026, 11, 2, 16, 0, tzinfo=UTC)
    assert due.astimezone(CHICAGO).hour == 10


def test_the_deadline_keeps_local_time_across_the_spring_dst_change() -> None:
    # Fri 6 Mar 2026 10:00 CST (16:00 UTC); clocks go forward Sun 8 Mar. Due Mon 9 Mar 10:00 CDT.
    cal = BusinessCalendar("America/Chicago")
    due = cal.add_business_days(datetime(2026, 3, 6, 16, 0, tzinfo=UTC), 1)
    assert due == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)


def test_open_hours_count_real_time_through_a_dst_gap() -> None:
    # A Sunday window 01:00-04:00 on 8 Mar 2026 lasts two real hours (02:00 does not exist).
    cal = BusinessCalendar("America/Chicago", (IntakeWindow(6, time(1), time(4)),))
    start = local("America/Chicago", 2026, 3, 8, 1, 0)
    assert cal.add_open_hours(start, 2) == datetime(2026, 3, 8, 9, 0, tzinfo=UTC)  # 04:00 CDT
    # A third hour spills into the next Sunday's window: 15 Mar 01:00 CDT + 1h = 02:00 CDT.
    assert cal.add_open_hours(start, 3) == datetime(2026, 3, 15, 7, 0, tzinfo=UTC)


TUE_THU_AFTERNOONS = (
    IntakeWindow.parse(1, "13:00", "17:00"),
    IntakeWindow.parse(3, "13:00", "17:00"),
)


def test_intake_hours_start_the_clock_and_bound_the_deadline() -> None:
    cal = BusinessCalendar("America/Chicago", TUE_THU_AFTERNOONS)
    # Mon 23 Nov 2026 10:00: the line opens Tue 13:00; next business day for it is Thu.
    monday = local("America/Chicago", 2026, 11, 23, 10, 0)
    assert cal.first_open_instant(monday) == local("America/Chicago", 2026, 11, 24, 13, 0)
    assert cal.add_business_days(monday, 1) == local("America/Chicago", 2026, 11, 26, 13, 0)


def test_intake_hours_skip_a_holiday_of_the_practice() -> None:
    cal = BusinessCalendar("America/Chicago", TUE_THU_AFTERNOONS, US_IL)
    # Thu 26 Nov is Thanksgiving: after Tue 24 Nov the next open day is Tue 1 Dec.
    tuesday = local("America/Chicago", 2026, 11, 24, 14, 0)
    assert cal.add_business_days(tuesday, 1) == local("America/Chicago", 2026, 12, 1, 14, 0)


def test_open_hours_walk_the_windows() -> None:
    cal = BusinessCalendar("America/Chicago", TUE_THU_AFTERNOONS)
    # Tue 24 Nov 16:00: one hour left that day, three more from Thu 13:00 -> Thu 16:00.
    tuesday = local("America/Chicago", 2026, 11, 24, 16, 0)
    assert cal.add_open_hours(tuesday, 4) == local("America/Chicago", 2026, 11, 26, 16, 0)


def test_a_deadline_moves_to_closing_time_on_a_shorter_day() -> None:
    short_tuesday = (
        IntakeWindow.parse(0, "09:00", "17:00"),
        IntakeWindow.parse(1, "09:00", "12:00"),
    )
    cal = BusinessCalendar("America/Chicago", short_tuesday)
    monday = local("America/Chicago", 2026, 11, 23, 15, 0)
    assert cal.add_business_days(monday, 1) == local("America/Chicago", 2026, 11, 24, 12, 0)


def test_next_business_instant_moves_weekends_to_monday_opening() -> None:
    cal = BusinessCalendar("America/Chicago", is_holiday=US_IL)
    saturday = local("America/Chicago", 2026, 11, 28, 11, 0)
    assert cal.next_business_instant(saturday) == local("America/Chicago", 2026, 11, 30, 9, 0)
    tuesday = local("America/Chicago", 2026, 11, 24, 20, 0)
    assert cal.next_business_instant(tuesday) == tuesday


def test_a_calendar_without_open_days_refuses_to_compute() -> None:
    with pytest.raises(NoBusinessTime):
        BusinessCalendar("America/Chicago", ()).add_business_days(datetime.now(UTC), 1)


def test_the_acknowledgement_rule_counts_business_days_or_open_hours_when_urgent() -> None:
    rule = AcknowledgementRule()
    cal = BusinessCalendar("America/Chicago", is_holiday=US_IL)
    friday_afternoon = local("America/Chicago", 2026, 11, 20, 15, 0)
    assert rule.due(cal, friday_afternoon, urgent=False) == local(
        "America/Chicago", 2026, 11, 23, 15, 0
    )
    # Urgent: two open hours left on Friday, two more from Monday 09:00.
    assert rule.due(cal, friday_afternoon, urgent=True) == local(
        "America/Chicago", 2026, 11, 23, 11, 0
    )
