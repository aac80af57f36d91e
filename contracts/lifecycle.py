"""Referral lifecycle states and their HL7 FHIR Task (R4) / BSeR business status mapping.

The state is not repeated on the wire: each referral event type *is* a transition, and its class
variable ``STATUS`` names the state the referral is in afterwards. EHR bridges map that state with
the tables below (also published in each schema as ``x-referral-status`` and friends).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ReferralStatus(StrEnum):
    """Our referral states."""

    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    DECLINED = "declined"
    SCHEDULED = "scheduled"
    NO_SHOW = "no_show"
    APPOINTMENT_CANCELLED = "appointment_cancelled"
    ATTENDED = "attended"
    CANCELLED = "cancelled"
    CLOSED = "closed"


@dataclass(frozen=True)
class FhirStatus:
    """FHIR Task.status and BSeR Task.businessStatus for one of our states."""

    task_status: str
    business_status_code: str
    business_status_display: str


FHIR_STATUS: dict[ReferralStatus, FhirStatus] = {
    ReferralStatus.SUBMITTED: FhirStatus("requested", "2.0", "Service Request Created"),
    ReferralStatus.ACKNOWLEDGED: FhirStatus("accepted", "3.0", "Service Request Accepted"),
    ReferralStatus.DECLINED: FhirStatus("rejected", "4.0", "Service Request Declined"),
    ReferralStatus.SCHEDULED: FhirStatus("in-progress", "5.1.1", "Service Request Event Scheduled"),
    ReferralStatus.NO_SHOW: FhirStatus(
        "in-progress", "5.1.2", "Scheduled Service Request Event Unattended"
    ),
    ReferralStatus.APPOINTMENT_CANCELLED: FhirStatus(
        "in-progress", "5.1.3", "Scheduled Service Request Event Cancelled"
    ),
    # Attended stays in-progress until the referral is closed (then completed, 7.0).
    ReferralStatus.ATTENDED: FhirStatus("in-progress", "5.1.4", "Service Request Event Completed"),
    # The referrer's request (5.2) is honoured at once, so the event records the outcome (6.0).
    ReferralStatus.CANCELLED: FhirStatus(
        "cancelled", "6.0", "Service Request Fulfillment Cancelled"
    ),
    ReferralStatus.CLOSED: FhirStatus("completed", "7.0", "Service Request Fulfillment Completed"),
}
