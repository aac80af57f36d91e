"""The receiving practice's inbox as its intake coordinator reads it: who keeps one, the list's
filters, each referral's acknowledgement countdown in the practice's business hours, the status
in the practice's words, and the steps each status allows. Pure: the clock is passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from contracts.lifecycle import ReferralStatus as Status
from services.portal.domain.people import Person
from warmlink.business_time import BUSINESS_HOURS, BusinessCalendar, HolidayCheck, IntakeWindow
from warmlink.roles import Role

STATUS_LABELS = {
    Status.SUBMITTED: "New: acknowledge it",
    Status.ACKNOWLEDGED: "Acknowledged: reach her and book",
    Status.DECLINED: "Declined",
    Status.SCHEDULED: "Appointment booked",
    Status.NO_SHOW: "Missed her appointment",
    Status.APPOINTMENT_CANCELLED: "Appointment cancelled",
    Status.ATTENDED: "Attended",
    Status.CANCELLED: "Cancelled by the referring site",
    Status.CLOSED: "Closed",
}
# The steps the referral service's state machine allows from each status (its domain
# `lifecycle` module): only these are offered, so a button never leads to a refusal.
STEPS: dict[Status, tuple[str, ...]] = {
    Status.SUBMITTED: ("acknowledge", "contact", "decline"),
    Status.ACKNOWLEDGED: ("contact", "schedule", "decline"),
    Status.SCHEDULED: ("contact", "attended", "missed", "rebook"),
    Status.NO_SHOW: ("contact", "schedule", "decline"),
    Status.APPOINTMENT_CANCELLED: ("contact", "schedule", "decline"),
    Status.ATTENDED: ("schedule", "close"),
}


def keeps_inbox(person: Person) -> bool:
    """A receiving practice's person (its intake coordinator or a clinician): she has an inbox."""
    return person.access_role is Role.PRACTICE


def status_label(status: str) -> str:
    try:
        return STATUS_LABELS[Status(status)]
    except ValueError:
        return status.replace("_", " ")


def steps(status: str) -> tuple[str, ...]:
    try:
        return STEPS.get(Status(status), ())
    except ValueError:
        return ()


def open_time(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """How long the intake line is open between `start` and `end` (zero if end is not later)."""
    total = timedelta(0)
    if end <= start:
        return total
    for opens, closes in calendar.windows_from(start):
        if opens >= end:
            break
        total += min(closes, end) - opens
    return total


def _span(open_for: timedelta) -> str:
    minutes = int(open_for.total_seconds() // 60)
    if minutes >= 60:
        hours = minutes // 60
        return f"{hours} business hour{'s' if hours != 1 else ''}"
    return f"{minutes} business minute{'s' if minutes != 1 else ''}"


def countdown(calendar: BusinessCalendar, deadline: datetime, now: datetime) -> str:
    """'3 business hours left' until the acknowledgement deadline, counting only the hours the
    practice's intake line is open; 'overdue by 2 business hours' after it. A deadline passed
    while the line was closed has no open time to count: 'overdue since Fri 5 Dec 17:00'."""
    if now < deadline:
        left = open_time(calendar, now, deadline)
        if left < timedelta(minutes=1):
            return "less than a business minute left"
        return f"{_span(left)} left"
    late = open_time(calendar, deadline, now)
    if late < timedelta(minutes=1):
        local = deadline.astimezone(calendar.zone).strftime("%a %-d %b %H:%M")
        return f"overdue since {local}"
    return f"overdue by {_span(late)}"


@dataclass(frozen=True)
class InboxFilters:
    """The inbox's filter form, as typed: a status, and a clinician of the practice (by the
    staff id the referral service keeps for the appointment), each "" for any."""

    status: str = ""
    clinician: str = ""

    @classmethod
    def of(cls, values: Any) -> InboxFilters:
        return cls(str(values.get("status") or "").strip(), str(values.get("clinician") or ""))

    def errors(self, clinicians: set[str]) -> dict[str, str]:
        found = {}
        if self.status and self.status not in {str(s) for s in Status}:
            found["status"] = "Choose a status from the list."
        if self.clinician and self.clinician not in clinicians:
            found["clinician"] = "Choose one of your practice's clinicians."
        return found

    def api_query(self) -> dict[str, str]:
        query = {"status": self.status, "clinician": self.clinician}
        return {k: v for k, v in query.items() if v}


def inbox_rows(
    items: list[dict[str, Any]],
    calendars: dict[str, BusinessCalendar],
    names: dict[str, str],
    now: datetime,
    default: BusinessCalendar,
) -> list[dict[str, Any]]:
    """The referral service's items as the inbox lists them, in its order (urgent first, then
    the earliest deadline): a countdown only while a referral waits for its acknowledgement, in
    its service's calendar (`default` when the listing did not say, or did not answer)."""
    rows = []
    for item in items:
        calendar = calendars.get(item["practice"]["service_id"], default)
        waiting = item["status"] == Status.SUBMITTED
        booked = item.get("appointment") or {}
        rows.append(
            item
            | {
                "status_label": status_label(item["status"]),
                "countdown": countdown(
                    calendar, datetime.fromisoformat(item["acknowledge_by"]), now
                )
                if waiting
                else None,
                "overdue": waiting and datetime.fromisoformat(item["acknowledge_by"]) <= now,
                "clinician": names.get(booked.get("clinician") or "", booked.get("clinician")),
            }
        )
    return rows


def calendars(listing: dict[str, Any], is_holiday: HolidayCheck) -> dict[str, BusinessCalendar]:
    """Each service of the practice's directory listing by id: its zone and intake hours (the
    referral service's own defaults, 09:00-17:00 weekdays in Chicago, when it publishes none)."""
    found = {}
    for service in listing.get("services") or []:
        hours = service.get("intake_hours") or []
        windows = tuple(IntakeWindow.parse(h["weekday"], h["opens"], h["closes"]) for h in hours)
        zone = service.get("time_zone") or "America/Chicago"
        found[service["id"]] = BusinessCalendar(zone, windows or BUSINESS_HOURS, is_holiday)
    return found


def office_address(listing: dict[str, Any]) -> str:
    """The practice's first listed location as one line: what an in-person booking starts with."""
    for loc in listing.get("locations") or []:
        parts = [loc.get("address_1"), loc.get("city"), loc.get("state"), loc.get("postal_code")]
        return ", ".join(str(p) for p in parts[:3] if p) + (f" {parts[3]}" if parts[3] else "")
    return ""
