"""Her choices about being messaged, and when each message is due (docs/domain.md "The patient's
messages"). Pure.

- Channel: SMS or email, as she chose when the network offers it, else the network's own.
- Never a text to a number she said is not safe to contact (or not safe to text): a message
  on a shared phone can put her at risk at home. Email is used instead, or nothing.
- Her hours (`message_from_hour` to `message_until_hour`, the practice's local time): a message
  due outside them waits for the next start of her hours.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from contracts.lifecycle import ReferralStatus
from services.referral.domain.patient_messages import MessageKind
from services.referral.domain.referral import PatientDetails
from warmlink.business_time import BusinessCalendar

EMAIL, SMS = "smtp", "sms"  # the notifiers' names (REFERRAL_NOTIFY_CHANNEL)
API_CHANNEL = {"email": EMAIL, "sms": SMS}
REMINDER_HOUR = 10  # the day before, when she named no hours: late morning, practice time
CHECK_AFTER_BUSINESS_DAYS = 2
# Still waiting to be contacted: the two-business-day check is for these only.
AWAITING_CONTACT = (ReferralStatus.SUBMITTED, ReferralStatus.ACKNOWLEDGED)


def sms_safe(patient: PatientDetails) -> bool:
    """A text may go to her number: she gave one, did not call it unsafe, did not refuse texts."""
    return bool(patient.phone) and not patient.phone_unsafe and patient.text_safe is not False


def address(patient: PatientDetails, channels: Sequence[str]) -> tuple[str, str] | None:
    """(channel, where) for her next message among the network's `channels` (its own first):
    her chosen channel when it can reach her, else the first that can; None when none can."""
    reachable = {EMAIL: patient.email, SMS: patient.phone if sms_safe(patient) else None}
    chosen = API_CHANNEL.get(patient.message_channel or "")
    order = [chosen, *channels] if chosen in channels else list(channels)
    for channel in order:
        where = reachable.get(channel or "")
        if where:
            return channel or "", where
    return None


def in_her_hours(moment: datetime, time_zone: str, patient: PatientDetails) -> datetime:
    """`moment`, or the next start of her hours when it falls outside them (practice time)."""
    start, end = patient.message_from_hour, patient.message_until_hour
    if start is None or end is None or start >= end:
        return moment
    zone = ZoneInfo(time_zone)
    local = moment.astimezone(zone)
    if start <= local.hour < end:
        return moment
    day = local.date() if local.hour < start else local.date() + timedelta(days=1)
    return datetime.combine(day, time(start), tzinfo=zone)


def reminder_due(
    appointment_at: datetime, time_zone: str, patient: PatientDetails, now: datetime
) -> datetime | None:
    """The day before her appointment, at the start of her hours (else late morning); None when
    that time has passed (booked for tomorrow afternoon: the booking message was the reminder)."""
    zone = ZoneInfo(time_zone)
    day_before = appointment_at.astimezone(zone).date() - timedelta(days=1)
    hour = patient.message_from_hour if patient.message_from_hour is not None else REMINDER_HOUR
    due = datetime.combine(day_before, time(hour), tzinfo=zone)
    return due if due > now else None


def check_due(
    calendar: BusinessCalendar, submitted_at: datetime, patient: PatientDetails
) -> datetime:
    """Two business days (the practice's calendar) after submission, within her hours."""
    due = calendar.add_business_days(submitted_at, CHECK_AFTER_BUSINESS_DAYS)
    return in_her_hours(due, calendar.time_zone, patient)


def moot(
    kind: str,
    *,
    status: ReferralStatus,
    contact_attempts: int,
    appointment_id: UUID | None,
    practice_id: str,
    about_appointment: UUID | None,
    about_practice: str | None,
) -> bool:
    """A queued message that the referral's state has overtaken, so it is not sent: an
    appointment message or reminder for a booking that was cancelled or replaced, or a
    "has the practice reached you?" after contact, a booking, a redirect or the loop's end."""
    if kind in (MessageKind.APPOINTMENT, MessageKind.REMINDER):
        return status is not ReferralStatus.SCHEDULED or appointment_id != about_appointment
    if kind == MessageKind.CHECK:
        return (
            status not in AWAITING_CONTACT or contact_attempts > 0 or practice_id != about_practice
        )
    return False
