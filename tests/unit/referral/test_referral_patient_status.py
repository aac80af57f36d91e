"""Her status page's facts and life: the appointment only while it is booked, nothing of hers,
and the link gone 30 days after the loop closes (not while it is open), by an injected time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from contracts.lifecycle import ReferralStatus
from services.referral.domain.patient_status import StatusView, expired, status_page
from services.referral.domain.referral import AppointmentLogistics

CLOSED_AT = datetime(2026, 3, 2, 15, tzinfo=UTC)
VIEW = StatusView("America/Chicago", "Bloom", ReferralStatus.SCHEDULED, CLOSED_AT, "es", CLOSED_AT)


def test_the_page_holds_the_practice_status_appointment_and_language_only() -> None:
    page = status_page(VIEW, AppointmentLogistics("200 Lake St", None, "Dra. Ortega"))
    assert set(page) == {"practice_name", "status", "appointment", "language"}
    assert page["appointment"]["location"] == "200 Lake St"
    assert page["appointment"]["clinician"] == "Dra. Ortega"
    cancelled = replace(VIEW, status=ReferralStatus.APPOINTMENT_CANCELLED)
    assert status_page(cancelled, AppointmentLogistics("200 Lake St"))["appointment"] is None


def test_the_link_expires_thirty_days_after_the_loop_closes() -> None:
    for closing in ("attended", "closed", "cancelled", "declined"):
        view = replace(VIEW, status=ReferralStatus(closing))
        assert not expired(view, CLOSED_AT + timedelta(days=30) - timedelta(seconds=1))
        assert expired(view, CLOSED_AT + timedelta(days=30))
    # While the loop is open, a link does not age.
    assert not expired(VIEW, CLOSED_AT + timedelta(days=400))
