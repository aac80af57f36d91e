"""The practice's inbox countdown, in its business hours, from an injected clock: hours the
intake line is closed (evenings, weekends, holidays) are not counted either way."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from services.portal.domain.inbox import InboxFilters, countdown, inbox_rows, open_time, steps
from warmlink.business_time import BusinessCalendar, IntakeWindow

CHICAGO = ZoneInfo("America/Chicago")
# 9:00 to 17:00 on weekdays; Thursday 24 Dec 2026 kept as a holiday.
CALENDAR = BusinessCalendar("America/Chicago", is_holiday=lambda d: d == date(2026, 12, 24))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local Chicago time in December 2026 (the 7th is a Monday), as UTC."""
    return datetime(2026, 12, day, hour, minute, tzinfo=CHICAGO).astimezone(UTC)


def test_hours_left_count_only_open_hours() -> None:
    assert countdown(CALENDAR, at(7, 16), at(7, 13)) == "3 business hours left"
    assert countdown(CALENDAR, at(7, 16), at(7, 15, 20)) == "40 business minutes left"
    # Friday 15:00 to Monday 11:00: two hours on Friday, two on Monday.
    assert countdown(CALENDAR, at(14, 11), at(11, 15)) == "4 business hours left"
    # Evening before: the line opens at 9:00, so 1 open hour remains until 10:00.
    assert countdown(CALENDAR, at(8, 10), at(7, 20)) == "1 business hour left"


def test_a_holiday_is_not_counted() -> None:
    # Wednesday 23 Dec 16:00 to Friday 25 Dec 10:00: 1 hour Wednesday, Thursday a holiday, 1 Friday.
    assert open_time(CALENDAR, at(23, 16), at(25, 10)).total_seconds() == 2 * 3600
    assert countdown(CALENDAR, at(25, 10), at(23, 16)) == "2 business hours left"


def test_overdue_counts_the_open_hours_since_the_deadline() -> None:
    assert countdown(CALENDAR, at(7, 10), at(7, 13)) == "overdue by 3 business hours"
    assert countdown(CALENDAR, at(7, 10), at(7, 10, 5)) == "overdue by 5 business minutes"
    # Missed at Friday's close and read on Saturday: no open time yet, the deadline is named.
    assert countdown(CALENDAR, at(11, 17), at(12, 10)) == "overdue since Fri 11 Dec 17:00"
    assert countdown(CALENDAR, at(11, 17), at(14, 11)) == "overdue by 2 business hours"


def test_the_inbox_rows_count_down_only_while_waiting_for_acknowledgement() -> None:
    def item(status: str, clinician: str | None = None) -> dict[str, object]:
        booked = {"at": at(9, 9).isoformat(), "clinician": clinician} if clinician else None
        return {
            "status": status,
            "acknowledge_by": at(7, 16).isoformat(),
            "practice": {"service_id": "svc"},
            "appointment": booked,
        }

    # Another service of the practice, not in its listing: the default calendar counts, here
    # one that opens at 8:00 (Monday 7 Dec: 16:00 to 17:00 is one hour either way).
    early = BusinessCalendar(
        "America/Chicago", tuple(IntakeWindow.parse(d, "08:00", "18:00") for d in range(5))
    )
    unlisted = item("submitted") | {"practice": {"service_id": "new-svc"}}
    rows = inbox_rows(
        [item("submitted"), item("scheduled", "person:1"), unlisted],
        {"svc": CALENDAR},
        {"person:1": "lee@practice.example"},
        at(7, 18),
        early,
    )
    assert (rows[0]["countdown"], rows[0]["overdue"]) == ("overdue by 1 business hour", True)
    assert rows[1]["countdown"] is None and rows[1]["clinician"] == "lee@practice.example"
    assert rows[2]["countdown"] == "overdue by 2 business hours", "16:00 to 18:00 in its hours"


def test_filters_refuse_what_is_not_offered_and_steps_follow_the_status() -> None:
    assert InboxFilters.of({"status": "bogus", "clinician": "x"}).errors({"y"}) == {
        "status": "Choose a status from the list.",
        "clinician": "Choose one of your practice's clinicians.",
    }
    assert InboxFilters.of({"status": "scheduled"}).api_query() == {"status": "scheduled"}
    assert steps("submitted") == ("acknowledge", "contact", "decline")
    assert steps("closed") == ()
