"""The referring site's referrals as its people read them: the list's filters (what they refuse,
beside the field), the referral service's query they become, and the timeline in words, newest
first, saying who did each step. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from contracts.lifecycle import ReferralStatus
from warmlink.roles import PersonRole

PATIENT_REF_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-")
STATUS_LABELS = {
    ReferralStatus.SUBMITTED: "Sent, waiting for the practice",
    ReferralStatus.ACKNOWLEDGED: "Acknowledged by the practice",
    ReferralStatus.DECLINED: "Declined by the practice",
    ReferralStatus.SCHEDULED: "Appointment booked",
    ReferralStatus.NO_SHOW: "Missed her appointment",
    ReferralStatus.APPOINTMENT_CANCELLED: "Appointment cancelled",
    ReferralStatus.ATTENDED: "Attended",
    ReferralStatus.CANCELLED: "Cancelled by your site",
    ReferralStatus.CLOSED: "Closed",
}
ACTION_LABELS = {
    "submit": "Referral sent",
    "acknowledge": "The practice acknowledged it",
    "record_contact": "The practice tried to reach her",
    "schedule": "Appointment booked",
    "record_attended": "She attended",
    "record_missed": "She missed the appointment",
    "cancel_appointment": "Appointment cancelled",
    "decline": "The practice declined",
    "cancel": "Cancelled",
    "redirect": "Sent on to another practice",
    "close": "Closed",
    "patient_message": "What happens next was sent to her",
}
URGENCY_REASONS = {
    "safety_item_positive": "her screen's safety question was positive",
    "requested_by_site": "your site asked for urgent",
}
# Who may see who saw or changed a referral (the access page, docs/api.md).
SEES_ACCESS = frozenset({PersonRole.SITE_COORDINATOR})


def status_label(status: str) -> str:
    try:
        return STATUS_LABELS[ReferralStatus(status)]
    except ValueError:
        return status.replace("_", " ")


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace("_", " ").capitalize())


@dataclass(frozen=True)
class ReferralFilters:
    """The list's filter form, as typed. `patient`: a reference, or its beginning then `*`."""

    status: str = ""
    clinician: str = ""  # a person id of the site, or "" for anyone
    submitted_from: str = ""  # a date, in the network's time zone
    submitted_to: str = ""  # a date, inclusive
    patient: str = ""

    @classmethod
    def of(cls, values: Any) -> ReferralFilters:
        return cls(
            **{name: str(values.get(name) or "").strip() for name in cls.__dataclass_fields__}
        )

    def errors(self, clinicians: set[str]) -> dict[str, str]:
        found = {}
        if self.status and self.status not in {str(s) for s in ReferralStatus}:
            found["status"] = "Choose a status from the list."
        if self.clinician and self.clinician not in clinicians:
            found["clinician"] = "Choose a person of your site from the list."
        start, end = _date(self.submitted_from), _date(self.submitted_to)
        if self.submitted_from and start is None:
            found["submitted_from"] = "Enter a date, for example 2026-12-01."
        if self.submitted_to and end is None:
            found["submitted_to"] = "Enter a date, for example 2026-12-31."
        if start and end and end < start:
            found["submitted_to"] = "The last day comes on or after the first."
        ref = self.patient.removesuffix("*")
        if self.patient and (not ref or not set(ref) <= PATIENT_REF_CHARS or len(ref) > 64):
            found["patient"] = (
                "Enter a patient reference (letters, digits, . _ : -), or its start then *."
            )
        return found

    def api_query(self, zone: ZoneInfo) -> dict[str, str]:
        """The referral service's query (docs/api.md "The referring site's side"); the dates
        are whole days in the network's time zone."""
        query = {}
        if self.status:
            query["status"] = self.status
        if self.clinician:
            query["submitted_by"] = f"person:{self.clinician}"
        start, end = _date(self.submitted_from), _date(self.submitted_to)
        if start:
            query["submitted_from"] = datetime.combine(start, time(), zone).isoformat()
        if end:
            after = end + timedelta(days=1)
            query["submitted_before"] = datetime.combine(after, time(), zone).isoformat()
        if self.patient.endswith("*"):
            query["patient_ref_prefix"] = self.patient.removesuffix("*")
        elif self.patient:
            query["patient_ref"] = self.patient
        return query

    def form_query(self) -> dict[str, str]:
        """The filters as the page's own query: kept on the paging and CSV links."""
        return {k: v for k, v in vars(self).items() if v}


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def local_time(at: str | None, zone: ZoneInfo) -> str:
    """'Tue 1 Dec 2026 14:05', in the network's time zone; '' when there is none."""
    if not at:
        return ""
    return datetime.fromisoformat(at).astimezone(zone).strftime("%a %-d %b %Y %H:%M")


def who(actor: str, organization_id: str, names: dict[str, str], own_site: str) -> str:
    """Who did a step: a person of the site by her email; anyone else by organization, since
    another organization's people are theirs to name."""
    if actor in names:
        return names[actor]
    if organization_id == own_site:
        return f"Your site ({actor.removeprefix('person:')[:8]})"
    if organization_id == "network":
        return "The network"
    return organization_id


def timeline_view(
    entries: list[dict[str, Any]], names: dict[str, str], own_site: str, zone: ZoneInfo
) -> list[dict[str, str]]:
    """The timeline newest first, each step with when, who and what."""
    return [
        {
            "when": local_time(e["at"], zone),
            "who": who(e["actor"], e["organization_id"], names, own_site),
            "what": action_label(e["action"]),
            "why": (e.get("reason") or "").replace("_", " "),
        }
        for e in reversed(entries)
    ]
