"""Her choices and the messages' times: the channel she chose when it can reach her, never a
text to a number that is not safe, her hours, the reminder the day before and the check two
business days on (practice time), and which queued messages the referral has made moot."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

from contracts.lifecycle import ReferralStatus
from services.referral.domain.patient_choices import address, check_due, moot, reminder_due
from services.referral.domain.referral import PatientDetails
from warmlink.business_time import BusinessCalendar

HER = PatientDetails("Ana", "Example", None, "312-555-0100", "ana@example.org", None, None)
CHICAGO = "America/Chicago"


def test_her_chosen_channel_wins_when_the_network_offers_it() -> None:
    assert address(HER, ("smtp", "sms")) == ("smtp", "ana@example.org")
    assert address(replace(HER, message_channel="sms"), ("smtp", "sms")) == ("sms", "312-555-0100")
    assert address(replace(HER, message_channel="sms"), ("smtp",)) == ("smtp", "ana@example.org")


def test_a_number_not_safe_to_contact_or_to_text_gets_no_text() -> None:
    for unsafe in (replace(HER, phone_unsafe=True), replace(HER, text_safe=False)):
        assert address(replace(unsafe, message_channel="sms"), ("sms", "smtp"))[0] == "smtp"
        assert address(replace(unsafe, email=None), ("sms", "smtp")) is None


def test_the_reminder_is_the_day_before_at_the_start_of_her_hours_in_practice_time() -> None:
    appointment = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)  # Tuesday 3 pm in Chicago (CDT)
    now = datetime(2026, 3, 2, tzinfo=UTC)
    assert reminder_due(appointment, CHICAGO, HER, now) == datetime(2026, 3, 9, 15, tzinfo=UTC)
    evenings = replace(HER, message_from_hour=18, message_until_hour=21)
    assert reminder_due(appointment, CHICAGO, evenings, now) == datetime(2026, 3, 9, 23, tzinfo=UTC)
    # Booked this afternoon for tomorrow: the reminder's time is gone, the booking told her.
    assert reminder_due(appointment, CHICAGO, HER, datetime(2026, 3, 9, 16, tzinfo=UTC)) is None


def test_the_check_is_two_business_days_on_moved_into_her_hours() -> None:
    calendar = BusinessCalendar(CHICAGO)
    friday_morning = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)  # 10 am CST
    assert check_due(calendar, friday_morning, HER) == datetime(2026, 3, 10, 15, tzinfo=UTC)
    evenings = replace(HER, message_from_hour=18, message_until_hour=21)
    assert check_due(calendar, friday_morning, evenings) == datetime(2026, 3, 10, 23, tzinfo=UTC)


def test_messages_the_referral_has_overtaken_are_moot() -> None:
    booking, other = uuid4(), uuid4()
    state = {"contact_attempts": 0, "practice_id": "bloom", "about_practice": "bloom"}
    scheduled = state | {"status": ReferralStatus.SCHEDULED, "appointment_id": booking}
    assert not moot("reminder", **scheduled, about_appointment=booking)
    assert moot("reminder", **scheduled | {"appointment_id": other}, about_appointment=booking)
    cancelled = scheduled | {"status": ReferralStatus.APPOINTMENT_CANCELLED}
    assert moot("appointment", **cancelled, about_appointment=booking)
    waiting = state | {"status": ReferralStatus.ACKNOWLEDGED, "appointment_id": None}
    assert not moot("check", **waiting, about_appointment=None)
    assert moot("check", **waiting | {"contact_attempts": 1}, about_appointment=None)
    assert moot("check", **waiting | {"practice_id": "lakeside"}, about_appointment=None)
    assert moot("check", **waiting | {"status": ReferralStatus.CANCELLED}, about_appointment=None)
    assert not moot("confirmation", **cancelled, about_appointment=None)
